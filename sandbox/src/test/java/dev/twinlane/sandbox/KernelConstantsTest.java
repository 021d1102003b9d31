package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The constants the compiler writes into profiles are the kernel headers' (src/test/c/kernel_constants.c, built with gcc). */
class KernelConstantsTest {
    @TempDir
    Path tmp;

    @Test
    void seccompBpfAndLandlockConstantsMatchTheHeaders() throws Exception {
        Map<String, Long> java = new TreeMap<>();
        for (Field f : SeccompFilter.class.getDeclaredFields()) {
            // every int constant but the tree's leaf size is a kernel constant, named as kernel_constants.c prints it
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && !f.getName().equals("LEAF")) {
                f.setAccessible(true);
                java.put(f.getName(), (long) f.getInt(null));
            }
        }
        for (PathAccess a : PathAccess.values()) {
            java.put(a.name(), a.rights);
        }
        assertEquals(java, headers());
    }

    private Map<String, Long> headers() throws Exception {
        Path source = Path.of(System.getProperty("twinlane.sandbox.c"), "kernel_constants.c");
        Path binary = tmp.resolve("kernel_constants");
        Process gcc = new ProcessBuilder("gcc", "-Wall", "-Werror", source.toString(), "-o", binary.toString())
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), log);
        Process run = new ProcessBuilder(binary.toString()).start();
        Map<String, Long> out = new TreeMap<>();
        for (String line : new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(" ");
            out.put(f[0], Long.parseLong(f[1]));
        }
        assertEquals(0, run.waitFor());
        return out;
    }
}
