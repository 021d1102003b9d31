package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.twinlane.wal.ChainReader;
import dev.twinlane.wal.KeyRing;
import dev.twinlane.wal.proof.RecordFormat;

/** Re-sent records against a log's recent ones, with the root key (MAC re-verified) and without (digest). */
class ChainCheckTest {
    /** Past the window, so that the ring has grown to it and wrapped. */
    private static final int RECORDS = ChainCheck.WINDOW + 3000;
    @TempDir
    static Path tmp;
    static List<byte[]> records = new ArrayList<>();
    static List<byte[]> prevs = new ArrayList<>();
    static List<byte[]> macs = new ArrayList<>();
    static String logId;
    static KeyRing keys;

    @BeforeAll
    static void log() throws Exception {
        try (TestHost h = new TestHost(tmp, "host-c", TestHost.sealKey(tmp), 5)) {
            h.append(RECORDS);
            h.log.syncNow();
            keys = KeyRing.load(h.keyFile);
            byte[] prev = null;
            try (ChainReader r = h.log.reader()) {
                while (r.next()) {
                    byte[] rec = Arrays.copyOf(r.bytes(), r.length());
                    byte[] mac = Arrays.copyOfRange(rec, rec.length - RecordFormat.MAC, rec.length);
                    records.add(Arrays.copyOf(rec, rec.length - RecordFormat.MAC));
                    prevs.add(prev);
                    macs.add(mac);
                    prev = mac;
                }
            }
            logId = h.log.logId();
        }
    }

    @Test
    void copiesWithTheRootKeyAreDroppedAndAlteredOnesFlagged() {
        resent(keys);
    }

    @Test
    void copiesWithoutAKeyAreDroppedAndAlteredOnesFlagged() {
        resent(null);
    }

    private void resent(KeyRing k) {
        ChainCheck c = new ChainCheck(logId, k, null);
        List<String> alerts = new ArrayList<>();
        ChainCheck.Findings f = (failure, seq, detail) -> alerts.add(seq + " " + failure);
        int n = records.size();
        // seq 1's prev_mac is MAC_0 of the GENESIS: start at seq 2, anchored
        for (int i = 1; i < n; i++) {
            assertEquals(ChainCheck.Verdict.ACCEPTED, c.offer(records.get(i), prevs.get(i), macs.get(i), f), "seq " + (i + 1));
        }
        for (int i : new int[] {n - 1, n - 2, n - ChainCheck.WINDOW + 1}) {
            assertEquals(ChainCheck.Verdict.DUPLICATE, c.offer(records.get(i), prevs.get(i), macs.get(i), f), "copy of " + (i + 1));
            byte[] altered = records.get(i).clone();
            altered[RecordFormat.HEADER + 40] ^= 1;
            assertEquals(ChainCheck.Verdict.REJECTED, c.offer(altered, prevs.get(i), macs.get(i), f), "altered " + (i + 1));
            assertTrue(alerts.remove((i + 1) + " modified"), alerts.toString());
        }
        byte[] old = records.get(5).clone();
        old[RecordFormat.HEADER + 40] ^= 1;
        assertEquals(ChainCheck.Verdict.DUPLICATE, c.offer(old, prevs.get(5), macs.get(5), f), "older than the window: unchecked");
        assertEquals(List.of(), alerts);
    }
}
