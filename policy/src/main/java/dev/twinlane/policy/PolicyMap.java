package dev.twinlane.policy;

/**
 * The kernel maps a policy fills, with their key and value structs and their max_entries as
 * twinlane_policy.h declares them (PolicyLayoutTest checks every figure against the header).
 */
public enum PolicyMap {
    DENY_INODE("deny_inode", "tl_inode_key", 16, 32768),
    DENY_PREFIX("deny_prefix", "tl_prefix_key", 132, 1024),
    DENY_EXEC("deny_exec", "tl_inode_key", 16, 16384),
    DENY_IPV4("deny_ipv4", "__u32", 4, 32768),
    DENY_IPV6("deny_ipv6", "__u8[16]", 16, 32768),
    DENY_CIDR4("deny_cidr4", "tl_cidr4_key", 8, 16384),
    DENY_CIDR6("deny_cidr6", "tl_cidr6_key", 20, 16384),
    DENY_PORT_RULE("deny_port_rule", "tl_port_key", 4, 4096),
    ALLOW_CGROUP("allow_cgroup", "__u64", 8, 1024),
    WATCH_INODE("watch_inode", "tl_inode_key", 16, 16384),
    WATCH_PREFIX("watch_prefix", "tl_prefix_key", 132, 1024),
    SURVIVAL_INODE("survival_inode", "tl_inode_key", 16, 256);

    /** Every map's value is one byte, 1: presence is the rule. */
    public static final int VALUE_SIZE = 1;

    private final String mapName;
    private final String keyType;
    private final int keySize;
    private final int maxEntries;

    PolicyMap(String mapName, String keyType, int keySize, int maxEntries) {
        this.mapName = mapName;
        this.keyType = keyType;
        this.keySize = keySize;
        this.maxEntries = maxEntries;
    }

    /** The map's name in the BPF objects. */
    public String mapName() {
        return mapName;
    }

    /** The C type of its key. */
    public String keyType() {
        return keyType;
    }

    public int keySize() {
        return keySize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** The header's name for the limit, e.g. TL_MAX_DENY_CIDR4. */
    public String limitConstant() {
        return "TL_MAX_" + name();
    }
}
