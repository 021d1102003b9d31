package dev.twinlane.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    ChainedLog open() {
        return builder().build();
    }

    ChainVerifier verifier() {
        return new ChainVerifier(ring, SealKey.loadPublic(sealPublic));
    }

    VerifyReport verify() throws IOException {
        return verifier().verify(wal, null);
    }

    static byte[] payload(long i, int len) {
        byte[] p = new byte[len];
        for (int j = 0; j < len; j++) {
            p[j] = (byte) (i * 31 + j);
        }
        return p;
    }
}
