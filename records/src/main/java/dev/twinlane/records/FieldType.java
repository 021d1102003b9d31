package dev.twinlane.records;

/** How the bytes of one record field are read. */
public enum FieldType {
    U8, U16, U32, S32, U64, S64,
    /** NUL-padded text. */
    CHARS,
    /** NUL-separated strings (argv). */
    STRINGS,
    /** An IPv4 or IPv6 address in network order; the struct's family field says which. */
    IP,
    /** Opaque bytes. */
    BYTES
}
