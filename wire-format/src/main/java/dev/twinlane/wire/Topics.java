package dev.twinlane.wire;

/** The three topics' default names; each topic's message schema is its *Message class. */
public final class Topics {
    /** {@link SecurityMessage}: every record of a host's security log, key = host id. */
    public static final String SECURITY = "twinlane.security";
    /** {@link SealMessage}: each log's GENESIS and latest SEAL, compacted, key = log id. */
    public static final String SEALS = "twinlane.seals";
    /** {@link ObservabilityMessage}: the observability lane's batches, key = host id. */
    public static final String OBSERVABILITY = "twinlane.observability";

    private Topics() {
    }
}
