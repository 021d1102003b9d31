package dev.twinlane.records;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The Java mirror of one struct in twinlane_records.h. */
public final class RecordStruct {
    private final String cName;
    private final int size;
    private final List<Field> fields;

    RecordStruct(String cName, int size, RecordStruct base, Field... own) {
        this.cName = cName;
        this.size = size;
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

    public int size() {
        return size;
    }

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
