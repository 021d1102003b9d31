package dev.twinlane.records;

/** One field of a C record struct: name as in twinlane_records.h, offset and size in bytes. */
public record Field(String name, int offset, int size, FieldType type) {
}
