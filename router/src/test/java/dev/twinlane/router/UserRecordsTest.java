package dev.twinlane.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.ingest.PolicyEvent;
import dev.twinlane.ingest.RecordJson;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordView;

/** Policy events reach the security publisher whole, in order, and none is lost silently at a stop. */
class UserRecordsTest {
    private static byte[] event(PolicyEvent.Kind kind, long version, String detail) {
        return new PolicyEvent(kind, 1, 0, version, version - 1, 2_500_000, null, detail).toRecord(4242, 1_000_000 + version);
    }

    @Test
    void eventsArePublishedInOrderAsPolicyRecords() {
        UserRecords events = new UserRecords();
        Collected lane = new Collected();
        events.offer(event(PolicyEvent.Kind.APPLY, 12, ""));
        events.offer(event(PolicyEvent.Kind.REFUSAL, 12, "policy version 12 is not above 12: a replay"));
        events.offer(event(PolicyEvent.Kind.ROLLBACK, 13, "rolled back deliberately"));
        assertEquals(3, events.drainTo(lane));
        assertEquals(0, events.drainTo(lane), "each event once");

        List<Long> kinds = new ArrayList<>();
        for (byte[] b : lane.records) {
            RecordView r = new RecordView().wrap(b, 0, b.length);
            assertEquals(RecordView.OK, r.check());
            assertEquals(RecordKind.POLICY, r.kind());
            kinds.add(r.number("event"));
        }
        assertEquals(List.of(1L, 2L, 3L), kinds);
        RecordView refusal = new RecordView().wrap(lane.records.get(1), 0, lane.records.get(1).length);
        String json = RecordJson.render(refusal);
        assertTrue(json.contains("\"event\":\"refusal\"") && json.contains("\"source\":\"user\"")
                && json.contains("a replay") && json.contains("\"tgid\":4242"), json);
    }

    @Test
    void aLongDetailIsTruncatedWithItsTrueLengthAndAnEventAfterTheStopIsCounted() {
        UserRecords events = new UserRecords();
        Collected lane = new Collected();
        events.offer(event(PolicyEvent.Kind.MODE_CHANGE, 2, "x".repeat(300)));
        events.close();
        events.offer(event(PolicyEvent.Kind.APPLY, 3, ""));
        assertEquals(2, events.lostAtClose(), "the one queued at the stop and the one after it");
        assertEquals(0, events.drainTo(lane));
        byte[] r = event(PolicyEvent.Kind.MODE_CHANGE, 2, "x".repeat(300));
        RecordView v = new RecordView().wrap(r, 0, r.length);
        assertEquals(300, v.number("detail_len"));
        assertEquals(127, v.text(RecordKind.POLICY.layout().field("detail")).length());
    }

    @Test
    void somethingThatIsNotARecordIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UserRecords().offer(new byte[] {8, 0, 3, 0}));
    }
}
