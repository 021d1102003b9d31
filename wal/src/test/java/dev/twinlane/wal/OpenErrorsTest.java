package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Refusals and unreadable inputs: one clear line each, never a stack trace or a hang. */
class OpenErrorsTest {
    @TempDir
    Path tmp;

    private static void oneLine(String msg) {
        assertFalse(msg == null || msg.isBlank() || msg.contains("\n") || msg.contains("Exception"), "one clear line: " + msg);
    }

    @Test
    void keyFileReadableByOthersIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Files.setPosixFilePermissions(fx.keyFile, PosixFilePermissions.fromString("rw-r--r--"));
        WalException e = assertThrows(WalException.class, () -> ChainedLog.security(fx.wal).keys(KeyRing.load(fx.keyFile)).build());
        oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
        assertFalse(Files.exists(fx.wal.resolve("metadata.cq4t")), "nothing was created");
    }

    @Test
    void keyFileNotOwnedByRootIsRefusedByTheWriter() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Files.setAttribute(fx.keyFile, "unix:uid", 65534);
        KeyRing ring = KeyRing.load(fx.keyFile); // the verifier may read it (auditors need not be root)
        WalException e = assertThrows(WalException.class, () -> ChainedLog.security(fx.wal).keys(ring).build());
        oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("not root"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    @Test
    void sealKeyReadableByGroupIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Files.setPosixFilePermissions(fx.sealPrivate, PosixFilePermissions.fromString("rw-r-----"));
        WalException e = assertThrows(WalException.class, () -> SealKey.load(fx.sealPrivate));
        oneLine(e.getMessage());
    }

    @Test
    void secondWriterIsRefused() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            WalException e = assertThrows(WalException.class, fx::open);
            oneLine(e.getMessage());
            assertTrue(e.getMessage().contains("another writer"), e.getMessage());
        }
    }

    @Test
    void emptyAndMissingDirectories() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ChainVerifier.Report r = fx.verifier().verify(empty, null);
        assertEquals(ChainVerifier.Failure.UNREADABLE, r.failure(), r.line());
        oneLine(r.line());
        System.out.println("empty dir: " + r.line());
        r = fx.verifier().verify(tmp.resolve("nowhere"), null);
        assertEquals(ChainVerifier.Failure.UNREADABLE, r.failure(), r.line());
    }

    @Test
    void directoryOfGarbageFiles() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        Path junk = Files.createDirectories(tmp.resolve("junk"));
        Random rnd = new Random(3);
        for (String name : List.of("20240101F.cq4", "20240102F.cq4", "metadata.cq4t", "notes.txt")) {
            byte[] b = new byte[4096 + rnd.nextInt(100_000)];
            rnd.nextBytes(b);
            Files.write(junk.resolve(name), b);
        }
        ChainVerifier.Report r = fx.verifier().verify(junk, null);
        assertEquals(ChainVerifier.Failure.UNREADABLE, r.failure(), r.line());
        oneLine(r.line());
        System.out.println("garbage dir: " + r.line());
        Files.createDirectories(fx.wal);
        for (Path p : Files.list(junk).toList()) {
            Files.copy(p, fx.wal.resolve(p.getFileName()));
        }
        WalException e = assertThrows(WalException.class, fx::open);
        oneLine(e.getMessage());
        System.out.println("writer on garbage: " + e.getMessage());
    }

    @Test
    void halfWrittenCycleFile() throws Exception {
        WalFixture fx = new WalFixture(tmp);
        try (ChainedLog log = fx.open()) {
            for (int i = 0; i < 300; i++) {
                log.appender().append(1, WalFixture.payload(i, 200));
            }
        }
        Path file = CycleFiles.list(fx.wal).get(0);
        CycleFiles.Doc cut = null;
        try (CycleFiles.Reader rd = new CycleFiles.Reader(file, 0)) {
            for (int i = 0; i < 150; i++) {
                cut = rd.next();
            }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(cut.offset + 4 + cut.bytes.length / 2);
        }
        ChainVerifier.Report r = fx.verify();
        assertEquals(ChainVerifier.Failure.UNREADABLE, r.failure(), r.line());
        assertEquals(StoredRecord.seq(cut.bytes), r.seq(), r.line());
        oneLine(r.line());
        System.out.println("half-written file: " + r.line());
        // the writer sees the cut record as torn, but a durable seal covers it: it refuses
        WalException e = assertThrows(WalException.class, fx::open);
        oneLine(e.getMessage());
        System.out.println("writer on half-written file: " + e.getMessage());
    }

    @Test
    void notAChainAtAll() throws IOException {
        WalFixture fx = new WalFixture(tmp);
        Tamper.write(fx.wal, List.of(new byte[]{1, 2, 3}, new byte[100]));
        ChainVerifier.Report r = fx.verify();
        assertEquals(ChainVerifier.Failure.UNREADABLE, r.failure(), r.line());
        oneLine(r.line());
    }
}
