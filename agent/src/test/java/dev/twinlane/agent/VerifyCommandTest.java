package dev.twinlane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.SealKey;

/** `twinlane verify`: one line out, exit code by outcome. */
class VerifyCommandTest {
    @TempDir
    Path tmp;
    Path wal;
    Path key;
    Path sealPub;

    @BeforeEach
    void makeLog() throws Exception {
        wal = tmp.resolve("wal");
        key = tmp.resolve("root.key");
        sealPub = tmp.resolve("seal.pub");
        KeyRing.generate(key);
        SealKey.generate(tmp.resolve("seal.key"), sealPub);
        try (ChainedLog log = ChainedLog.security(wal).keys(KeyRing.load(key))
                .sealKey(SealKey.load(tmp.resolve("seal.key"))).build()) {
            for (int i = 0; i < 200; i++) {
                log.appender().append(1 + i % 2, new byte[]{(byte) i, 2, 3, 4, 5, 6, 7, 8});
            }
            log.appender().gap(5, 0, 10, 20);
            log.appender().seal();
        }
    }

    private String[] run(int expectedExit, String... args) {
        Console c = Console.run(args);
        int code = c.code();
        String o = c.out().trim();
        String e = c.err().lines()
                .filter(l -> !l.startsWith("SLF4J")).reduce("", (a, b) -> a + b + "\n").trim();
        System.out.println("verify " + String.join(" ", args).replace(tmp.toString(), "T") + " -> exit " + code
                + ": " + (o.isEmpty() ? e : o));
        assertEquals(expectedExit, code, o + " / " + e);
        return new String[]{o, e};
    }

    @Test
    void okWithCountsByKind() {
        String[] r = run(0, "verify", "--wal", wal.toString(), "--key", key.toString(), "--seal",
                wal.resolve("seal.latest").toString(), "--seal-pub", sealPub.toString());
        assertTrue(r[0].startsWith("OK 203 records"), r[0]);
        // kinds by name: tl_kind's (exec is 1) and the log's own
        assertTrue(r[0].contains(": exec 100, file_open 100, genesis 1, gap 1, seal 1;"), r[0]);
    }

    @Test
    void modifiedRecordGivesItsSeqAndExit3() throws Exception {
        Path cycle;
        try (Stream<Path> s = Files.list(wal)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] all = Files.readAllBytes(cycle);
        int at = indexOf(all, new byte[]{(byte) 77, 2, 3, 4, 5, 6, 7, 8}); // the payload of seq 78
        try (FileChannel ch = FileChannel.open(cycle, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{9}), at + 3);
        }
        String[] r = run(3, "verify", "--wal", wal.toString(), "--key", key.toString());
        assertEquals("FAIL seq 79: modified (MAC does not verify)", r[0]);
    }

    @Test
    void wrongKeyExit8AndUnreadableExit9() throws Exception {
        Path other = tmp.resolve("other.key");
        KeyRing.generate(other);
        String[] r = run(8, "verify", "--wal", wal.toString(), "--key", other.toString());
        assertTrue(r[0].startsWith("FAIL seq 1: wrong-key"), r[0]);
        r = run(9, "verify", "--wal", Files.createDirectories(tmp.resolve("empty")).toString(), "--key", key.toString());
        assertTrue(r[0].startsWith("FAIL unreadable"), r[0]);
    }

    @Test
    void usageAndKeyFileErrorsAreOneLine() throws Exception {
        String[] r = run(2, "verify", "--wal", wal.toString());
        assertEquals("twinlane verify: needs --key FILE (see ./twinlane verify --help)", r[1]);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        r = run(1, "verify", "--wal", wal.toString(), "--key", key.toString());
        assertFalse(r[1].contains("\n") || r[1].contains("Exception"), r[1]);
        assertTrue(r[1].contains("chmod 600"), r[1]);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("payload not found");
    }
}
