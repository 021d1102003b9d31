package dev.twinlane.siem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.twinlane.wire.RecordCorpus;

/**
 * The consumer splices each event's verification in two bytes before its end, without looking:
 * for every record kind the OCSF mapping knows, that is where a scan of the event's JSON finds the
 * end of its unmapped object (the last member, with no verification of its own).
 */
class OcsfSpliceTest {
    @Test
    void everyKindsEventEndsWithItsUnmappedObject() {
        for (RecordCorpus.Input in : RecordCorpus.all().values()) {
            byte[] e = RecordCorpus.event(in);
            assertEquals(e.length - 2, JsonScan.verificationAt(e, e.length), in.name());
        }
    }
}
