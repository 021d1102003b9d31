package dev.twinlane.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What the agent says of the helper's claim when it cannot be a protection (the claim checked
 * against real rules is LandlockRunTest's, in the agent module).
 */
class WriteConfinementTest {
    private static final List<Path> GRANTS = List.of(Path.of("/var/lib/twinlane"));

    @Test
    void noClaimSaysWhyNoHelperRan() {
        assertEquals("landlock: not applied (--no-self-harden)", WriteConfinement.describe(null, GRANTS, "--no-self-harden"));
    }

    @Test
    void theHelpersReasonIsPassedOn() {
        assertEquals("landlock: not applied (this kernel has no Landlock)",
                WriteConfinement.describe("none: this kernel has no Landlock", GRANTS, "unused"));
    }

    @Test
    void aClaimTheHelperDoesNotWriteIsNamed() {
        assertEquals("landlock: not applied (TWINLANE_LANDLOCK is 'yes', not what the helper writes)",
                WriteConfinement.describe("yes", GRANTS, "unused"));
        assertTrue(WriteConfinement.describe("abi=x", GRANTS, "unused").startsWith("landlock: not applied ("));
    }

    @Test
    void aClaimWithoutRulesIsRefutedByAWrite() {
        // this test's JVM has no Landlock domain: the trial file is created, so the claim is not believed
        String line = WriteConfinement.describe("abi=7 handled=0xfff2", GRANTS, "unused");
        assertTrue(line.startsWith("landlock: NOT in force (TWINLANE_LANDLOCK claims ABI 7, but a file could be created in /"), line);
    }

    @Test
    void olderAbisNameTheRightsTheyLack() {
        assertEquals("", WriteConfinement.unhandled(5));
        assertEquals("ioctl on devices", WriteConfinement.unhandled(4));
        assertEquals("truncate, ioctl on devices", WriteConfinement.unhandled(2));
        assertTrue(WriteConfinement.unhandled(1).startsWith("refer (renames and links across directories always fail), truncate"));
    }
}
