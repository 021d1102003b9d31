package dev.twinlane.records;

/**
 * Where the events a GAP record counts were lost: the record's {@code ring} field. 0 and 1 are
 * the kernel rings ({@link Ring} ids: reservations the kernel refused because the ring was full);
 * 2 is the security lane in user space (records read from the security ring, or kernel drop
 * counts, that the agent could not append to the security log before it stopped).
 */
public final class LossSource {
    public static final int SECURITY_RING = 0;
    public static final int OBSERVABILITY_RING = 1;
    public static final int SECURITY_LANE = 2;

    private LossSource() {
    }

    /** A name for logs and JSON: security_ring, observability_ring, security_lane, or ring_N. */
    public static String label(int ring) {
        switch (ring) {
            case SECURITY_RING: return "security_ring";
            case OBSERVABILITY_RING: return "observability_ring";
            case SECURITY_LANE: return "security_lane";
            default: return "ring_" + ring;
        }
    }

    /** For people: "security ring (kernel)", "security lane (user space)", ... */
    public static String describe(int ring) {
        switch (ring) {
            case SECURITY_RING: return "security ring (kernel)";
            case OBSERVABILITY_RING: return "observability ring (kernel)";
            case SECURITY_LANE: return "security lane (user space)";
            default: return "ring " + ring;
        }
    }
}
