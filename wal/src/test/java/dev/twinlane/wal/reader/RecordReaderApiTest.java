package dev.twinlane.wal.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.ChainVerifier;
import dev.twinlane.wal.SealKey;
import dev.twinlane.wal.proof.EpochSchedule;
import dev.twinlane.wal.proof.Genesis;
import dev.twinlane.wal.proof.Kinds;
import dev.twinlane.wal.proof.RecordFormat;
import dev.twinlane.wal.proof.Seal;

/**
 * The read-only API that exporters and SIEM consumers use, from outside the wal package: a
 * reader that gets a log's records one by one re-derives exactly what the writer chained.
 */
class RecordReaderApiTest {
    @TempDir
    Path tmp;

    @Test
    void aRemoteReaderChecksEveryRecordWithThePublicApiOnly() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        KeyRing.generate(keys.resolve("root.key"));
        KeyRing ring = KeyRing.load(keys.resolve("root.key"));
        SealKey seal = SealKey.generate(keys.resolve("seal.key"), keys.resolve("seal.pub"));
        try (ChainedLog log = ChainedLog.security(tmp.resolve("wal")).keys(ring).sealKey(seal)
                .epochEvery(40, Duration.ofHours(1)).sealEvery(150, Duration.ofHours(1)).build()) {
            for (int i = 0; i < 500; i++) {
                log.appender().append(1 + i % 3, new byte[] {(byte) i, (byte) (i >> 8), 7});
            }
        }
        List<byte[]> docs = new ArrayList<>();
        try (ChainedLog log = ChainedLog.security(tmp.resolve("wal")).keys(ring).sealKey(seal).build();
             ChainReader r = log.reader()) {
            while (r.next()) {
                docs.add(Arrays.copyOf(r.bytes(), r.length()));
            }
        }
        byte[] first = docs.get(0);
        int firstLen = first.length - RecordFormat.MAC;
        assertTrue(RecordFormat.wellFormed(first, 0, firstLen));
        assertEquals(Kinds.GENESIS, RecordFormat.kind(first, 0));
        Genesis g = Genesis.decode(first, RecordFormat.HEADER, RecordFormat.payloadLength(first, 0));
        assertNotNull(g);
        assertArrayEquals(seal.publicKey(), g.sealPublicKey());
        EpochSchedule schedule = g.schedule();
        ChainVerifier.RecordMac macs = new ChainVerifier.RecordMac(ring.newest(), g.logId());

        byte[] prev = g.mac0();
        int timePart = 0;
        int seals = 0;
        List<byte[]> prevs = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            byte[] d = docs.get(i);
            int len = d.length - RecordFormat.MAC;
            byte[] mac = Arrays.copyOfRange(d, len, d.length);
            assertTrue(RecordFormat.wellFormed(d, 0, len));
            assertEquals(i + 1, RecordFormat.seq(d, 0));
            assertEquals(ring.newest().id(), RecordFormat.keyId(d, 0));
            timePart = schedule.nextTimePart(timePart, RecordFormat.wallNanos(d, 0));
            int epoch = RecordFormat.epoch(d, 0);
            assertEquals(schedule.epoch(i + 1, timePart), epoch, "seq " + (i + 1));
            assertTrue(macs.verifies(epoch, prev, d, 0, len, mac), "seq " + (i + 1));
            if (RecordFormat.kind(d, 0) == Kinds.SEAL) {
                Seal s = Seal.decode(d, RecordFormat.HEADER, RecordFormat.payloadLength(d, 0));
                assertTrue(s.describes(i, prev, g.logId()), "a SEAL signs the record before it");
                assertTrue(s.verify(g.sealPublicKey()));
                assertFalse(s.verify(new byte[32]));
                seals++;
            }
            prevs.add(prev);
            prev = mac;
        }
        assertTrue(RecordFormat.epoch(docs.get(docs.size() - 1), 0) >= 12, "the key evolved");
        assertTrue(seals >= 3, "seals: " + seals);

        // out of order (a consumer re-reading): going back to an older epoch still verifies
        for (int i = docs.size() - 1; i >= 0; i -= 37) {
            byte[] d = docs.get(i);
            int len = d.length - RecordFormat.MAC;
            assertTrue(macs.verifies(RecordFormat.epoch(d, 0), prevs.get(i), d, 0, len,
                    Arrays.copyOfRange(d, len, d.length)), "seq " + (i + 1) + " again");
        }
        // one changed byte, the wrong epoch, the wrong predecessor: each refused
        byte[] d = docs.get(300).clone();
        int len = d.length - RecordFormat.MAC;
        byte[] mac = Arrays.copyOfRange(d, len, d.length);
        int epoch = RecordFormat.epoch(d, 0);
        assertTrue(macs.verifies(epoch, prevs.get(300), d, 0, len, mac));
        assertFalse(macs.verifies(epoch + 1, prevs.get(300), d, 0, len, mac));
        assertFalse(macs.verifies(epoch, prevs.get(299), d, 0, len, mac));
        d[RecordFormat.HEADER] ^= 1;
        assertFalse(macs.verifies(epoch, prevs.get(300), d, 0, len, mac));
        macs.erase();
    }
}
