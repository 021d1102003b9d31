package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyHistoryTest {
    @TempDir
    Path dir;
    SigningKey key;
    PolicyHistory history;

    @BeforeEach
    void setUp() {
        key = SigningKey.generate(dir.resolve("k"), dir.resolve("k.pub"));
        history = new PolicyHistory(dir.resolve("state"), new BundleVerifier(TrustedKeys.of(key.publicKey()), true));
    }

    @Test
    void appliesInIncreasingVersionsAndPersistsTheCounter() {
        apply(3);
        apply(5);
        assertEquals(5, history.lastVersion());
        assertEquals(5, history.current().orElseThrow().version());
        // a fresh instance (a restarted agent) reads the same state
        PolicyHistory again = new PolicyHistory(dir.resolve("state"),
                new BundleVerifier(TrustedKeys.of(key.publicKey()), true));
        assertEquals(5, again.lastVersion());
        assertRefused(Refusal.Reason.NOT_NEWER, "b: policy version 4 is not above the last applied version 5"
                + " (a rollback); refused (to go back deliberately, use policy rollback)", () -> again.admit(bundle(4), "b"));
    }

    @Test
    void replayAndRollbackAreRefused() {
        String v5 = bundle(5);
        history.recordApplied(history.admit(v5, "b"), "b");
        assertRefused(Refusal.Reason.NOT_NEWER, "b: policy version 5 is not above the last applied version 5"
                + " (a replay); refused (to go back deliberately, use policy rollback)", () -> history.admit(v5, "b"));
        assertRefused(Refusal.Reason.NOT_NEWER, null, () -> history.admit(bundle(2), "b"));
        // recording without admitting first is refused too
        VerifiedPolicy old = new BundleVerifier(TrustedKeys.of(key.publicKey()), true).verify(bundle(4), "b");
        assertRefused(Refusal.Reason.NOT_NEWER, null, () -> history.recordApplied(old, "b"));
        assertEquals(5, history.lastVersion());
    }

    @Test
    void rollbackRestoresThePreviousPolicyAndSaysSo() {
        apply(6);
        apply(7);
        PolicyHistory.Rollback r = history.rollback();
        assertEquals(6, r.restored().version());
        assertEquals(7, r.from());
        assertEquals("policy rolled back deliberately from version 7 to version 6; the version counter stays at 7,"
                + " so the next policy applied must be above it", r.message());
        assertEquals(6, history.current().orElseThrow().version());
        assertEquals(7, history.lastVersion());
        // only one step back is kept, and the version rolled back from is not accepted again
        assertRefused(Refusal.Reason.NO_PREVIOUS, null, history::rollback);
        assertRefused(Refusal.Reason.NOT_NEWER, null, () -> history.admit(bundle(7), "b"));
        apply(8);
    }

    @Test
    void rollbackWorksWhenTheCurrentPolicysKeyWasRemoved() {
        SigningKey second = SigningKey.generate(dir.resolve("k2"), dir.resolve("k2.pub"));
        PolicyHistory both = new PolicyHistory(dir.resolve("state"),
                new BundleVerifier(TrustedKeys.of(key.publicKey(), second.publicKey()), true));
        both.recordApplied(both.admit(bundle(6), "b"), "b");
        String v7 = BundleSigner.sign("version: 7\nmode: audit\n", "p", second).render();
        both.recordApplied(both.admit(v7, "b"), "b");
        // the second key is withdrawn: version 7 no longer verifies, version 6 does
        PolicyHistory.Rollback r = history.rollback();
        assertEquals(6, r.restored().version());
        assertEquals(7, r.from());
    }

    @Test
    void rollbackWithNothingBeforeIsRefused() {
        apply(1);
        assertRefused(Refusal.Reason.NO_PREVIOUS, "no previous policy to roll back to (" + dir.resolve("state")
                .resolve("previous.policy") + " does not exist; only one step back is kept)", history::rollback);
    }

    @Test
    void aDamagedCounterIsAnErrorNotAReset() throws Exception {
        apply(4);
        Files.writeString(dir.resolve("state/version"), "garbage");
        PolicyException e = assertThrows(PolicyException.class, () -> history.admit(bundle(5), "b"));
        assertTrue(e.getMessage().contains("is damaged; refusing to guess"), e.getMessage());
    }

    @Test
    void theCounterFileIsReplacedWholeNotEdited() throws Exception {
        VersionCounter c = new VersionCounter(dir.resolve("counter"));
        assertEquals(0, c.last());
        c.advance(9, "x");
        assertEquals("# twinlane: highest applied policy version\n9\n", Files.readString(dir.resolve("counter")));
        assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }

    private void apply(long version) {
        history.recordApplied(history.admit(bundle(version), "b"), "b");
    }

    private String bundle(long version) {
        return BundleSigner.sign("version: " + version + "\nmode: audit\n", "p", key).render();
    }

    private static void assertRefused(Refusal.Reason reason, String message, org.junit.jupiter.api.function.Executable e) {
        Refusal r = assertThrows(Refusal.class, e);
        assertEquals(reason, r.reason(), r.getMessage());
        if (message != null) {
            assertEquals(message, r.getMessage());
        }
    }
}
