package dev.twinlane.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.RollCycles;

/** Keys and logs for tests, in a temporary directory. */
final class WalFixture {
    final Path root;
    final Path wal;
    final Path keyFile;
    final Path sealPrivate;
    final Path sealPublic;
    final KeyRing ring;
    final SealKey sealKey;

    WalFixture(Path root) throws IOException {
        this.root = root;
        this.wal = root.resolve("wal");
        Path keys = Files.createDirectories(root.resolve("keys"));
        this.keyFile = keys.resolve("root.key");
        KeyRing.generate(keyFile);
        this.sealPrivate = keys.resolve("seal.key");
        this.sealPublic = keys.resolve("seal.pub");
        this.sealKey = SealKey.generate(sealPrivate, sealPublic);
        this.ring = KeyRing.load(keyFile);
    }

    /** Small epochs and seals so that short logs exercise evolution and sealing. */
    ChainedLog.Builder builder() {
        return ChainedLog.security(wal).keys(ring).sealKey(sealKey)
                .epochEvery(50, Duration.ofSeconds(3600))
                .sealEvery(200, Duration.ofSeconds(3600))
                .syncEvery(Duration.ofMillis(20))
                .rollCycle(RollCycles.FAST_DAILY);
    }

    /** The same settings, but no root key: the writer starts from DIR/key.state. */
    ChainedLog.Builder stateBuilder() {
        return ChainedLog.security(wal).sealKey(sealKey)
                .epochEvery(50, Duration.ofSeconds(3600))
                .sealEvery(200, Duration.ofSeconds(3600))
                .syncEvery(Duration.ofMillis(20))
                .rollCycle(RollCycles.FAST_DAILY);
    }

    Path stateFile() {
        return wal.resolve(KeyState.FILE);
    }

    /** Where the writer remembers its log by default: beside the directory. */
    Path identityFile() {
        return root.resolve("wal.identity");
    }

    /**
     * As if the machine had rebooted since the writer opened the log (a power loss may have torn
     * what was not durable): the identity names another boot.
     */
    void pretendRebooted() throws IOException {
        String text = Files.readString(identityFile());
        Files.writeString(identityFile(), text.replaceAll("(?m)^boot-id=.*$", "boot-id=an-earlier-boot"));
    }

    ChainedLog open() {
        return builder().build();
    }

    ChainVerifier verifier() {
        return new ChainVerifier(ring, SealKey.loadPublic(sealPublic));
    }

    ChainVerifier.Report verify() throws IOException {
        return verifier().verify(wal, null);
    }

    /** The data documents of every cycle file, with where they are. */
    List<CycleFiles.Doc> docs() throws IOException {
        List<CycleFiles.Doc> out = new ArrayList<>();
        try (ChainVerifier.Docs docs = new ChainVerifier.Docs(CycleFiles.list(wal), 0, 0)) {
            CycleFiles.Doc d;
            while ((d = docs.next()) != null) {
                out.add(d);
            }
        }
        return out;
    }

    /** The data document of record {@code seq}. */
    CycleFiles.Doc doc(long seq) throws IOException {
        for (CycleFiles.Doc d : docs()) {
            if (StoredRecord.wellFormed(d.bytes) && StoredRecord.seq(d.bytes) == seq) {
                return d;
            }
        }
        throw new AssertionError("no record " + seq);
    }

    /** Where the complete documents of the newest cycle file end. */
    long end() throws IOException {
        List<Path> files = CycleFiles.list(wal);
        try (CycleFiles.Reader rd = new CycleFiles.Reader(files.get(files.size() - 1), 0)) {
            while (rd.next() != null) {
                // to the end
            }
            return rd.position();
        }
    }

    Path newestFile() throws IOException {
        List<Path> files = CycleFiles.list(wal);
        return files.get(files.size() - 1);
    }

    /** Like dd conv=notrunc: writes {@code bytes} at {@code offset} of {@code file}. */
    static void overwrite(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        }
    }

    /** Total size of the cycle files. */
    long cycleBytes() throws IOException {
        long n = 0;
        for (Path f : CycleFiles.list(wal)) {
            n += Files.size(f);
        }
        return n;
    }

    static void oneLine(String msg) {
        if (msg == null || msg.isBlank() || msg.contains("\n") || msg.contains("Exception") || msg.contains("\tat ")) {
            throw new AssertionError("not one clear line: " + msg);
        }
    }

    static byte[] payload(long i, int len) {
        byte[] p = new byte[len];
        for (int j = 0; j < len; j++) {
            p[j] = (byte) (i * 31 + j);
        }
        return p;
    }
}
