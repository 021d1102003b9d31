package dev.twinlane.records;

/** enum tl_detection_field: which string of its subject record a detection record is about. */
public enum DetectionField {
    EXEC_FILENAME(1),
    /** The NUL-separated argv block; spans count its bytes. */
    EXEC_ARGS(2),
    FILE_PATH(3),
    KERNEL_READ_PATH(4),
    /** tl_header.comm, of any kind. */
    COMM(5);

    private static final DetectionField[] BY_CODE = values();
    private final int code;
    private final String label;

    DetectionField(int code) {
        this.code = code;
        this.label = name().toLowerCase(java.util.Locale.ROOT);
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    /** The field with this code, or null. */
    public static DetectionField of(int code) {
        return code >= 1 && code <= BY_CODE.length ? BY_CODE[code - 1] : null;
    }
}
