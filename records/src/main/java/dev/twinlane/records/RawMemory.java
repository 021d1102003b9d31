package dev.twinlane.records;

import java.lang.reflect.Field;

import sun.misc.Unsafe;

/**
 * The JVM's {@link Unsafe}: {@link RecordView} reads records in mapped ring memory and in byte
 * arrays through it without copies, and ingest's ring reader follows the kernel's protocol with it.
 */
public final class RawMemory {
    public static final Unsafe UNSAFE = unsafe();

    private RawMemory() {
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
