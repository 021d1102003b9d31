package dev.twinlane.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * Imputation per method on a controlled clock: a series missing from a
 * window that lost records, or from windows the agent missed, is filled and
 * marked; a series present is never touched; a dead process is never filled.
 */
class ImputationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong clock = new AtomicLong();
    private final List<JsonNode> batches = new CopyOnWriteArrayList<>();
    private final RecordView view = new RecordView();

    private static byte[] syscall(long tgid, long nr, long latency) {
        ByteBuffer b = ByteBuffer.allocate(RecordKind.SYSCALL.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) RecordKind.SYSCALL.code()).putShort(2, (short) RecordKind.SYSCALL.size());
        b.putInt(RecordLayout.HEADER.field("tgid").offset(), (int) tgid);
        b.putLong(RecordLayout.SYSCALL.field("latency_ns").offset(), latency);
        b.putInt(RecordLayout.SYSCALL.field("nr").offset(), (int) nr);
        return b.array();
    }

    private static byte[] exit(long tgid, int status) {
        ByteBuffer b = ByteBuffer.allocate(RecordKind.EXIT.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) RecordKind.EXIT.code()).putShort(2, (short) RecordKind.EXIT.size());
        b.putInt(RecordLayout.HEADER.field("tgid").offset(), (int) tgid);
        b.putInt(RecordLayout.EXIT.field("exit_code").offset(), status);
        return b.array();
    }

    private void offer(ObservabilityLane lane, byte[] rec, int times) {
        for (int i = 0; i < times; i++) {
            assertTrue(lane.offer(view.wrap(rec, 0, rec.length)));
        }
    }

    /** Moves the clock to {@code ms} and lets the lane see it (a record or a tick closes windows). */
    private void at(ObservabilityLane lane, long ms) throws InterruptedException {
        lane.awaitIdle();
        clock.set(ms);
    }

    private JsonNode window(long startMs) {
        return batches.stream().filter(b -> b.get("window_start_ms").asLong() == startMs).findFirst()
                .orElseThrow(() -> new AssertionError("no batch for window " + startMs + ": " + batches));
    }

    private static List<JsonNode> series(JsonNode batch, long tgid) {
        List<JsonNode> out = new ArrayList<>();
        batch.get("syscalls").forEach(s -> {
            if (s.get("tgid").asLong() == tgid) {
                out.add(s);
            }
        });
        return out;
    }

    @ParameterizedTest
    @EnumSource(Imputation.class)
    void fillsOnlyMissingWindowsMarksThemAndLeavesObservedValuesAlone(Imputation method) throws Exception {
        ObservabilityLane lane = new ObservabilityLane(new ObservabilityLane.Settings().imputation(method).ringSize(1024),
                (json, n, start) -> batches.add(JSON.readTree(new String(json, 0, n, "UTF-8"))), clock::get).start();
        try {
            at(lane, 0);
            offer(lane, syscall(100, 1, 1000), 5);
            offer(lane, syscall(200, 2, 1000), 3);
            at(lane, 200);
            offer(lane, syscall(100, 1, 1000), 7);
            offer(lane, syscall(200, 2, 1000), 4);
            at(lane, 400);
            lane.reportKernelLoss(12);                 // window 400 lost records...
            offer(lane, syscall(100, 1, 1000), 9);     // ...and series 200 is missing from it
            at(lane, 600);
            offer(lane, syscall(100, 1, 1000), 2);     // no loss: a missing series stays missing
            at(lane, 1400);                            // the agent missed windows 800, 1000, 1200
            offer(lane, exit(200, 3 << 8), 1);
            offer(lane, syscall(100, 1, 1000), 1);
            at(lane, 1600);
            offer(lane, syscall(100, 1, 1000), 1);
            lane.reportKernelLoss(1);
            at(lane, 1800);
            offer(lane, syscall(100, 1, 1000), 1);
            lane.awaitIdle();
        } finally {
            lane.close();
        }

        // Observed values are exactly what was observed, never marked.
        assertEquals(5, series(window(0), 100).get(0).get("count").asLong());
        assertEquals(9, series(window(400), 100).get(0).get("count").asLong());
        for (JsonNode b : batches) {
            for (JsonNode s : b.get("syscalls")) {
                assertEquals(s.has("synthetic"), s.has("method"), "synthetic values name their method");
                if (!s.has("synthetic")) {
                    assertTrue(s.has("latency_sum_ns"), "observed values carry their measurements");
                }
            }
        }
        assertEquals(12, window(400).get("losses").get("kernel_drops").asLong());

        List<JsonNode> filled = series(window(400), 200);
        List<JsonNode> quiet = series(window(600), 200);
        assertTrue(quiet.isEmpty(), "a window without loss is not filled");
        if (method == Imputation.OFF) {
            assertTrue(filled.isEmpty());
            batches.forEach(b -> b.get("syscalls").forEach(s -> assertFalse(s.has("synthetic"))));
            return;
        }
        assertEquals(1, filled.size());
        JsonNode f = filled.get(0);
        assertTrue(f.get("synthetic").asBoolean());
        assertEquals(method.label(), f.get("method").asText());
        long expected = switch (method) {
            case LAST -> 4;
            case LINEAR -> 5;                       // 4 + (4 - 3)
            case EWMA -> Math.round(0.3 * 4 + 0.7 * 3);
            default -> -1;
        };
        assertEquals(expected, f.get("count").asLong());

        for (long missed : new long[] {800, 1000, 1200}) {
            JsonNode w = window(missed);
            assertTrue(w.get("paused").asBoolean());
            assertEquals(0, w.get("records").asLong());
            assertTrue(series(w, 100).get(0).get("synthetic").asBoolean(), "a live series is filled in a missed window");
        }
        assertFalse(window(1400).get("paused").asBoolean());
        assertEquals(3, window(1400).get("exits").get(0).get("exit_code").asInt());
        assertTrue(series(window(1600), 200).isEmpty(), "process 200 exited: never imputed again");
    }
}
