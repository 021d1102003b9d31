package dev.twinlane.records;

/** Record kinds of enum tl_kind, with their ring and layout. */
public enum RecordKind {
    EXEC(1, Ring.SECURITY, RecordLayout.EXEC),
    FILE_OPEN(2, Ring.SECURITY, RecordLayout.FILE_OPEN),
    CONNECT(3, Ring.SECURITY, RecordLayout.NET),
    BIND(4, Ring.SECURITY, RecordLayout.NET),
    PTRACE(5, Ring.SECURITY, RecordLayout.PTRACE),
    KERNEL_READ(6, Ring.SECURITY, RecordLayout.KERNEL_READ),
    BPF(7, Ring.SECURITY, RecordLayout.BPF),
    /** From user space (the agent), in the security lane: see {@link PolicyEvent}. */
    POLICY(8, Ring.SECURITY, RecordLayout.POLICY),
    /** From user space (the agent's detector), right after its subject record in the security lane. */
    DETECTION(9, Ring.SECURITY, RecordLayout.DETECTION),
    /** From user space (the agent's audit reader): a sandboxed workload's seccomp or Landlock denial. */
    SANDBOX_DENIAL(10, Ring.SECURITY, RecordLayout.SANDBOX_DENIAL),
    FORK(32, Ring.OBSERVABILITY, RecordLayout.FORK),
    EXIT(33, Ring.OBSERVABILITY, RecordLayout.EXIT),
    SYSCALL(34, Ring.OBSERVABILITY, RecordLayout.SYSCALL),
    TCP_STATE(35, Ring.OBSERVABILITY, RecordLayout.TCP_STATE),
    LOADGEN(127, null, RecordLayout.LOADGEN);

    public static final int MAX_CODE = 127;
    private static final RecordKind[] BY_CODE = new RecordKind[MAX_CODE + 1];

    static {
        for (RecordKind k : values()) {
            BY_CODE[k.code] = k;
        }
    }

    private final int code;
    private final Ring ring;
    private final RecordStruct layout;
    private final String label;

    RecordKind(int code, Ring ring, RecordStruct layout) {
        this.code = code;
        this.ring = ring;
        this.layout = layout;
        this.label = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The kind with this tl_kind code, or null. */
    public static RecordKind of(int code) {
        return code >= 0 && code <= MAX_CODE ? BY_CODE[code] : null;
    }

    public int code() {
        return code;
    }

    /** The ring that carries this kind; null for the benchmark's load records. */
    public Ring ring() {
        return ring;
    }

    public RecordStruct layout() {
        return layout;
    }

    /** The largest record of this kind. */
    public int size() {
        return layout.size();
    }

    /** The smallest record of this kind: less than {@link #size()} for a trimmed kind (file_open). */
    public int minSize() {
        return layout.minSize();
    }

    public String label() {
        return label;
    }
}
