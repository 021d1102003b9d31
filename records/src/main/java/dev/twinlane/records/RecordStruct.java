package dev.twinlane.records;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The Java mirror of one struct in twinlane_records.h. */
public final class RecordStruct {
    private final String cName;
    private final int size;
    private final int minSize;
    private final List<Field> fields;

    RecordStruct(String cName, int size, RecordStruct base, Field... own) {
        this(cName, size, size, base, own);
    }

    private RecordStruct(String cName, int size, int minSize, RecordStruct base, Field... own) {
        this.cName = cName;
        this.size = size;
        this.minSize = minSize;
        List<Field> all = new ArrayList<>();
        if (base != null) {
            all.addAll(base.fields);
        }
        Collections.addAll(all, own);
        this.fields = List.copyOf(all);
    }

    public String cName() {
        return cName;
    }

    /** The largest record of this layout: sizeof the C struct. */
    public int size() {
        return size;
    }

    /** The smallest record: {@link #size()}, or for a trimmed layout its last field's offset plus 8. */
    public int minSize() {
        return minSize;
    }

    /**
     * This layout as a trimmed record (twinlane_records.h, "trimmed records"): it ends where its
     * last field's text does, NUL included, rounded up to 8 bytes.
     */
    RecordStruct trimmed() {
        Field tail = fields.get(fields.size() - 1);
        return new RecordStruct(cName, size, tail.offset() + TRIM_ALIGN, null, fields.toArray(new Field[0]));
    }

    /** A trimmed record's length is a multiple of this. */
    public static final int TRIM_ALIGN = 8;

    /** Every field, the embedded header's first, in offset order. */
    public List<Field> fields() {
        return fields;
    }

    public Field field(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException(cName + " has no field " + name);
    }
}
