package dev.twinlane.records;

/** The two kernel ring buffers; ids match enum tl_ring. */
public enum Ring {
    SECURITY(0, "security_ring"),
    OBSERVABILITY(1, "observability_ring");

    private final int id;
    private final String mapName;

    Ring(int id, String mapName) {
        this.id = id;
        this.mapName = mapName;
    }

    public int id() {
        return id;
    }

    public String mapName() {
        return mapName;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
