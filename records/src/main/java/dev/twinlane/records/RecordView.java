package dev.twinlane.records;

import static dev.twinlane.records.RawMemory.UNSAFE;

import java.nio.charset.StandardCharsets;

import sun.misc.Unsafe;

/**
 * A flyweight over one record, in mapped ring memory or in a byte array.
 * It is valid only until the reader moves on: copy what you keep
 * ({@link #copyTo(byte[], int)}). Reads are little-endian, as the kernel wrote them.
 */
public final class RecordView {
    /** Results of {@link #check()}. */
    public static final int OK = 0;
    public static final int TRUNCATED = 1;
    public static final int OVERSIZED = 2;
    public static final int UNKNOWN_KIND = 3;
    public static final int SIZE_MISMATCH = 4;
    /** A trimmed record whose length is not a multiple of 8 or whose last byte is not the text's NUL. */
    public static final int BAD_TRIM = 5;
    private static final String[] PROBLEMS = {"ok", "truncated", "oversized", "unknown kind", "size field mismatch",
        "badly trimmed"};

    private Object base;
    private long address;
    private int length;

    /** Points the view at off-heap memory. */
    public RecordView wrap(long address, int length) {
        this.base = null;
        this.address = address;
        this.length = length;
        return this;
    }

    /** Points the view at a byte array. */
    public RecordView wrap(byte[] bytes, int offset, int length) {
        this.base = bytes;
        this.address = Unsafe.ARRAY_BYTE_BASE_OFFSET + (long) offset;
        this.length = length;
        return this;
    }

    public int length() {
        return length;
    }

    /** The tl_kind code; 0 when the record is too short to have one. */
    public int kindCode() {
        return length >= 2 ? u16(RecordLayout.KIND_OFFSET) : 0;
    }

    public RecordKind kind() {
        return RecordKind.of(kindCode());
    }

    /** Whether the bytes form a whole record of a known kind; one of the constants above. */
    public int check() {
        if (length < 4) {
            return TRUNCATED;
        }
        RecordKind k = kind();
        if (k == null) {
            return UNKNOWN_KIND;
        }
        if (length < k.minSize()) {
            return TRUNCATED;
        }
        if (length > k.size()) {
            return OVERSIZED;
        }
        if (u16(RecordLayout.SIZE_OFFSET) != length) {
            return SIZE_MISMATCH;
        }
        // A trimmed record's text ends inside it: every reader that stops at a NUL stays inside.
        if (length < k.size() && ((length & (RecordStruct.TRIM_ALIGN - 1)) != 0 || u8(length - 1) != 0)) {
            return BAD_TRIM;
        }
        return OK;
    }

    public static String problem(int checkResult) {
        return PROBLEMS[checkResult];
    }

    /** One line describing why a record was rejected. */
    public String describeProblem(int checkResult) {
        return "malformed record (" + problem(checkResult) + "): kind=" + kindCode() + " length=" + length
                + (length >= 4 ? " size_field=" + u16(RecordLayout.SIZE_OFFSET) : "")
                + (kind() == null ? "" : kind().minSize() < kind().size() ? " expected=" + kind().minSize() + ".." + kind().size()
                        : " expected=" + kind().size());
    }

    public int u8(int offset) {
        return UNSAFE.getByte(base, address + offset) & 0xFF;
    }

    public int u16(int offset) {
        return UNSAFE.getShort(base, address + offset) & 0xFFFF;
    }

    public int s32(int offset) {
        return UNSAFE.getInt(base, address + offset);
    }

    public long u32(int offset) {
        return UNSAFE.getInt(base, address + offset) & 0xFFFF_FFFFL;
    }

    public long s64(int offset) {
        return UNSAFE.getLong(base, address + offset);
    }

    /** A field's value as a long: U64 values above 2^63 come back negative (read them unsigned). */
    public long number(Field f) {
        switch (f.type()) {
            case U8: return u8(f.offset());
            case U16: return u16(f.offset());
            case U32: return u32(f.offset());
            case S32: return s32(f.offset());
            case U64:
            case S64: return s64(f.offset());
            default: throw new IllegalArgumentException(f.name() + " is not a number");
        }
    }

    public long number(String fieldName) {
        return number(kind().layout().field(fieldName));
    }

    /** A NUL-terminated text field (allocates: not for the hot path). */
    public String text(Field f) {
        int n = 0;
        int max = Math.min(f.size(), length - f.offset());
        while (n < max && UNSAFE.getByte(base, address + f.offset() + n) != 0) {
            n++;
        }
        return new String(bytes(f.offset(), n), StandardCharsets.UTF_8);
    }

    public String text(String fieldName) {
        return text(kind().layout().field(fieldName));
    }

    public byte[] bytes(int offset, int n) {
        byte[] out = new byte[n];
        UNSAFE.copyMemory(base, address + offset, out, Unsafe.ARRAY_BYTE_BASE_OFFSET, n);
        return out;
    }

    /** Copies {@code n} bytes from {@code offset} of the record (no allocation). */
    public void copyTo(int offset, int n, byte[] dst, int dstOffset) {
        if (offset < 0 || n < 0 || n > length - offset || dstOffset < 0 || n > dst.length - dstOffset) {
            throw new IndexOutOfBoundsException(n + " bytes at " + offset + " of a record of " + length + " into "
                    + dst.length + " at " + dstOffset);
        }
        UNSAFE.copyMemory(base, address + offset, dst, Unsafe.ARRAY_BYTE_BASE_OFFSET + (long) dstOffset, n);
    }

    /** The one copy of a record out of the ring. */
    public void copyTo(byte[] dst, int dstOffset) {
        // an unchecked copy past the array's end would corrupt the heap (seen: a JVM crash)
        if (dstOffset < 0 || length > dst.length - dstOffset) {
            throw new IndexOutOfBoundsException("record of " + length + " bytes into " + dst.length + " at " + dstOffset);
        }
        UNSAFE.copyMemory(base, address, dst, Unsafe.ARRAY_BYTE_BASE_OFFSET + (long) dstOffset, length);
    }

    /** The one copy of a record out of the ring, to off-heap memory. */
    public void copyTo(long dstAddress) {
        UNSAFE.copyMemory(base, address, null, dstAddress, length);
    }
}
