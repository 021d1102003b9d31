package dev.twinlane.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * x86_64 system call numbers by name, from the table build-native.sh extracts out of the kernel
 * headers (asm/unistd_64.h) at build time, so no number is typed by hand.
 */
public final class SyscallTable {
    private static final String RESOURCE = "native/syscalls-x86_64.tsv";
    private static final SyscallTable X86_64 = load();

    private final Map<String, Integer> numbers;

    private SyscallTable(Map<String, Integer> numbers) {
        this.numbers = numbers;
    }

    public static SyscallTable x86_64() {
        return X86_64;
    }

    /** The number of a system call, or -1 when the headers this was built with do not name it. */
    public int number(String name) {
        return numbers.getOrDefault(name, -1);
    }

    public Map<String, Integer> all() {
        return Map.copyOf(numbers);
    }

    private static SyscallTable load() {
        try (InputStream in = SyscallTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the syscall table " + RESOURCE + " is missing: sandbox/build-native.sh did not run");
            }
            Map<String, Integer> numbers = new TreeMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    numbers.put(line.substring(0, tab), Integer.parseInt(line.substring(tab + 1)));
                }
            }
            return new SyscallTable(numbers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
