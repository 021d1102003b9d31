/*
 * Prints the layout of the policy maps' keys and values in twinlane_policy.h as
 * "struct field offset size" lines ("struct - 0 size" for the whole) and the
 * limits as "const NAME value" lines, in the format of ebpf-programs'
 * layout_dump.c. PolicyLayoutTest compiles it with gcc and checks the Java
 * encoders against it.
 */
#include <stddef.h>
#include <stdio.h>
#include "twinlane_policy.h"

#define S(t) printf("%s - 0 %zu\n", #t, sizeof(struct t))
#define F(t, f) printf("%s %s %zu %zu\n", #t, #f, offsetof(struct t, f), sizeof(((struct t *)0)->f))
#define E(n) printf("const %s %lld\n", #n, (long long)(n))

int main(void)
{
	S(tl_inode_key); F(tl_inode_key, ino); F(tl_inode_key, dev);
	S(tl_prefix_key); F(tl_prefix_key, prefixlen); F(tl_prefix_key, path);
	S(tl_cidr4_key); F(tl_cidr4_key, prefixlen); F(tl_cidr4_key, addr);
	S(tl_cidr6_key); F(tl_cidr6_key, prefixlen); F(tl_cidr6_key, addr);
	S(tl_port_key); F(tl_port_key, port); F(tl_port_key, protocol); F(tl_port_key, direction);
	S(tl_policy_meta); F(tl_policy_meta, version); F(tl_policy_meta, mode);

	E(TL_MAX_DENY_INODE); E(TL_MAX_DENY_PREFIX); E(TL_MAX_DENY_EXEC); E(TL_MAX_DENY_IPV4);
	E(TL_MAX_DENY_IPV6); E(TL_MAX_DENY_CIDR4); E(TL_MAX_DENY_CIDR6); E(TL_MAX_DENY_PORT_RULE);
	E(TL_MAX_ALLOW_CGROUP); E(TL_MAX_WATCH_INODE); E(TL_MAX_WATCH_PREFIX); E(TL_MAX_SURVIVAL_INODE);
	E(TL_DIR_CONNECT); E(TL_DIR_BIND); E(TL_PROTO_TCP); E(TL_PROTO_UDP);
	E(TL_MODE_AUDIT); E(TL_MODE_ENFORCE); E(TL_PREFIX_MAX); E(TL_POLICY_ABI_VERSION);
	return 0;
}
