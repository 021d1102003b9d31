package dev.twinlane.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.twinlane.ingest.Deadman;
import dev.twinlane.ingest.IngestException;
import dev.twinlane.ingest.KernelClock;
import dev.twinlane.ingest.KernelIngest;
import dev.twinlane.ingest.PolicyApplier;
import dev.twinlane.ingest.PolicyDrift;
import dev.twinlane.ingest.PolicyEvent;
import dev.twinlane.ingest.StatxResolver;
import dev.twinlane.policy.BreakGlassState;
import dev.twinlane.policy.BreakGlassToken;
import dev.twinlane.policy.BundleVerifier;
import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.Mode;
import dev.twinlane.policy.PolicyCompiler;
import dev.twinlane.policy.PolicyException;
import dev.twinlane.policy.PolicyHistory;
import dev.twinlane.policy.Refusal;
import dev.twinlane.policy.SurvivalList;
import dev.twinlane.policy.TrustedKeys;
import dev.twinlane.policy.VerifiedPolicy;
import dev.twinlane.router.Router;

/**
 * The running agent's policy: what is in force, and every change to it. Apply, rollback, mode
 * changes (break-glass among them) and the deny-rate revert all pass here, one at a time (the
 * applier has one writer); each action and each refusal is one line on stderr and a policy
 * event record, which the router's security thread chains into the security log. A refusal
 * is found before the first map write, so it changes nothing in the kernel.
 */
final class PolicyPlane {
    /** What a request did: ok, and the line said on stderr and recorded. */
    record Result(boolean ok, String message) {
    }

    private final PolicySettings settings;
    private final Path stateDir;
    private final PolicyApplier applier;
    private final Deadman deadman;
    private final Router router;
    private final int pid = (int) ProcessHandle.current().pid();
    /** The policy in force as compiled (its mode the one in force); null when unknown (nothing applied). */
    private CompiledPolicy inForce;
    /** While a break-glass audit mode lasts: when its token expires (null: no break-glass in force). */
    private Instant breakGlassUntil;
    /** The mode the break-glass replaced, which comes back when its token expires. */
    private Mode beforeBreakGlass;
    /** breakGlassUntil on disk, so that a restarted agent still ends the break-glass. */
    private final BreakGlassState breakGlassState;
    /** Signed, expiring allow_cgroup entries; null when no whitelist is configured. */
    private final CgroupWhitelist whitelist;
    /** The whitelist entries the slot in force holds (merged into its allow_cgroup). */
    private List<CgroupWhitelist.Allowed> whitelisted = List.of();
    /** What the tamper check found so far, for status. */
    private final TamperLog tampering = new TamperLog();
    /** The files of rules resolved with statx through the agent's libc binding (cheaper than NIO's stat). */
    private final StatxResolver resolver = new StatxResolver();

    PolicyPlane(PolicySettings settings, Path dataDir, KernelIngest kernel, Router router) {
        this.settings = settings;
        this.stateDir = settings.stateDir(dataDir);
        this.applier = kernel.policyApplier();
        this.deadman = kernel.deadman();
        this.router = router;
        this.whitelist = settings.whitelist == null ? null : new CgroupWhitelist(settings.whitelist, settings.whitelistKey);
        this.breakGlassState = new BreakGlassState(stateDir);
    }

    /**
     * At start: takes over the pinned policy (or, when the pins are gone, e.g. after a reboot,
     * applies the state directory's current one again), then applies the configured file when
     * it is not the one in force. A refused file leaves the pinned policy in force.
     */
    synchronized void start() {
        PolicyApplier.InForce pinned = applier.inForce();
        Optional<VerifiedPolicy> current = Optional.empty();
        try {
            current = history(settings.requireSignature).current();
        } catch (PolicyException e) {
            say("the state directory's current policy is not used: " + e.getMessage());
        }
        if (current.isPresent() && pinned.version() == current.get().version()) {
            CompiledPolicy c = compile(current.get());
            inForce = new CompiledPolicy(c.version(), modeOf(pinned.mode()), c.entries());
            applier.adopt(inForce);   // the first tamper check compares the pins with it
        } else if (current.isPresent() && pinned.version() == 0) {
            put(Reason.RESTORE, current.get(), stateDir.resolve("current.policy").toString());
        }
        resumeBreakGlass();
        if (settings.file != null) {
            String text = current.map(VerifiedPolicy::input).orElse(null);
            if (inForce != null && readQuietly(settings.file).equals(text)) {
                say("policy version " + inForce.version() + " from " + settings.file + " is in force (pinned)");
            } else {
                apply(settings.file, settings.requireSignature);
            }
        }
        checkWhitelist(Instant.now());
    }

    /**
     * A break-glass begun by an earlier agent: the pinned policy is still in its audit mode, so
     * its expiry is taken over (the heartbeat ends it, at once if it has passed). Anything else
     * left in the state directory is stale and goes.
     */
    private void resumeBreakGlass() {
        Optional<Instant> until = breakGlassState.load();
        if (until.isEmpty()) {
            return;
        }
        if (inForce != null && inForce.mode() == Mode.AUDIT) {
            breakGlassUntil = until.get();
            beforeBreakGlass = Mode.ENFORCE;
            say("a break-glass of an earlier run is in force until " + until.get() + " (" + breakGlassState.path()
                    + "); enforce comes back then");
        } else {
            endBreakGlass();
        }
    }

    /** No break-glass in force any more (an apply, a rollback, a mode change or its expiry). */
    private void endBreakGlass() {
        breakGlassUntil = null;
        try {
            breakGlassState.clear();
        } catch (IOException e) {
            say("could not remove " + breakGlassState.path() + " (" + e.getMessage() + "): a restarted agent would"
                    + " take the break-glass over again and end it at once");
        }
    }

    private enum Reason { APPLY, RESTORE }

    synchronized Result apply(Path file, boolean requireSignature) {
        String source = file.toString();
        try {
            String text = read(file);
            PolicyHistory history = history(requireSignature || settings.requireSignature);
            VerifiedPolicy v = history.admit(text, source);
            Result r = put(Reason.APPLY, v, source);
            return recorded(history, v, source, r);
        } catch (PolicyException | IngestException e) {
            return refused(e);
        }
    }

    /** After the kernel took it: the counter. A failure here is no refusal (the policy is in force), said so. */
    private Result recorded(PolicyHistory history, VerifiedPolicy v, String source, Result applied) {
        try {
            history.recordApplied(v, source);
            return applied;
        } catch (PolicyException e) {
            String line = "policy version " + v.version() + " is in force, but the state directory could not record it"
                    + " (" + e.getMessage() + "): the same policy could be applied again";
            record(PolicyEvent.Kind.APPLY, 0, v.version(), v.version(), 0, inForce.digest(), line);
            return new Result(false, line);
        }
    }

    /** Compiles and applies a verified policy (every check done), and records it. */
    private Result put(Reason why, VerifiedPolicy v, String source) {
        long previous = version();
        CompiledPolicy c = compile(v);
        PolicyApplier.Applied a = applyWithWhitelist(c);
        inForce = c;
        endBreakGlass();   // the new policy's own mode is in force now
        String line = "policy version " + v.version() + " from " + source + (why == Reason.RESTORE
                ? " applied again (the pinned maps were gone)" : " applied") + ": mode "
                + c.mode().name().toLowerCase() + ", " + a.entries() + " map entries, slot " + a.slot() + ", "
                + String.format("%.1f ms", a.millis()) + ", " + (v.signed() ? "signed by key " + v.keyId().get() : "unsigned");
        record(PolicyEvent.Kind.APPLY, 0, v.version(), previous, a.clearNanos() + a.switchNanos(), c.digest(), line);
        return new Result(true, line);
    }

    /** The one deliberate way back: the previous policy, verified again, applied; the counter stays. */
    synchronized Result rollback() {
        try {
            PolicyHistory history = history(settings.requireSignature);
            Path previousFile = stateDir.resolve("previous.policy");
            if (Files.exists(previousFile)) {  // verified and compiled before the history changes
                compile(verifier(settings.requireSignature).verify(read(previousFile), previousFile.toString()));
            }
            PolicyHistory.Rollback rb = history.rollback();
            long previous = version();
            CompiledPolicy c = compile(rb.restored());
            PolicyApplier.Applied a = applyWithWhitelist(c);
            inForce = c;
            endBreakGlass();
            record(PolicyEvent.Kind.ROLLBACK, 0, rb.restored().version(), previous, a.clearNanos() + a.switchNanos(),
                    c.digest(), rb.message());
            return new Result(true, rb.message());
        } catch (PolicyException | IngestException e) {
            return refused(e);
        }
    }

    /**
     * Switches the policy in force between audit and enforce (same version, same rules).
     * Enforce to audit this way is break-glass: it needs a token signed by a trusted key.
     */
    synchronized Result mode(Mode want, String token) {
        try {
            if (inForce == null) {
                throw new PolicyException(version() == 0 ? "no policy is in force whose mode could change (apply one first)"
                        : "the policy in force (version " + version() + ", pinned) is not the state directory's current one,"
                        + " so its rules are not known here; apply a policy first");
            }
            if (inForce.mode() == want) {
                return new Result(true, "policy version " + inForce.version() + " is already in mode "
                        + want.name().toLowerCase());
            }
            PolicyEvent.Kind kind = PolicyEvent.Kind.MODE_CHANGE;
            String why = "";
            Instant glassUntil = null;
            if (want == Mode.AUDIT) {
                if (token == null || token.isBlank()) {
                    throw new Refusal(Refusal.Reason.BAD_TOKEN, "switching policy version " + inForce.version()
                            + " from enforce to audit needs a break-glass token (<unix seconds>:<signature>)");
                }
                BreakGlassToken t = BreakGlassToken.verify(token, trustedKeys(), Clock.systemUTC());
                kind = PolicyEvent.Kind.BREAK_GLASS;
                why = " (break-glass: token signed by key " + t.keyId() + ", valid until " + t.expires()
                        + "; enforce comes back then)";
                glassUntil = t.expires();
            }
            Mode before = inForce.mode();
            if (glassUntil != null) {
                breakGlassState.save(glassUntil);   // before the switch: a crash right after it still ends it
            }
            String line = switchMode(want, why);
            if (glassUntil == null) {
                endBreakGlass();
            }
            breakGlassUntil = glassUntil;
            beforeBreakGlass = before;
            record(kind, 0, inForce.version(), inForce.version(), 0, inForce.digest(), line);
            return new Result(true, line);
        } catch (PolicyException | IngestException e) {
            return refused(e);
        }
    }

    /**
     * Ends a break-glass whose token has expired (the heartbeat asks every second): the mode it
     * replaced comes back, said in one line and recorded as a mode_change event. A token bounds
     * the audit-only window, so an operator who forgets to switch back does not leave the host
     * unenforced.
     */
    synchronized void expireBreakGlass(Instant now) {
        if (breakGlassUntil == null || now.isBefore(breakGlassUntil) || inForce == null) {
            return;
        }
        Instant expired = breakGlassUntil;
        breakGlassUntil = null;
        try {
            String line = switchMode(beforeBreakGlass, " (break-glass token expired at " + expired
                    + ": the mode before it is back)");
            endBreakGlass();
            record(PolicyEvent.Kind.MODE_CHANGE, 0, inForce.version(), inForce.version(), 0, inForce.digest(), line);
        } catch (IngestException e) {
            breakGlassUntil = expired;   // tried again at the next check
            refused(e);
        }
    }

    /** When the break-glass in force ends (empty: none), for status. */
    synchronized Optional<Instant> breakGlassUntil() {
        return Optional.ofNullable(breakGlassUntil);
    }

    /** Every apply goes through here: the policy with the whitelisted cgroups allowed now. */
    private PolicyApplier.Applied applyWithWhitelist(CompiledPolicy c) {
        if (whitelist == null) {
            return applier.apply(c);
        }
        PolicyApplier.Applied a = applier.apply(whitelist.apply(c));
        whitelisted = whitelist.allowed();
        return a;
    }

    /**
     * The whitelist check (heartbeat, every second; and at start): the file read again when its
     * text changed, each ignored line (bad signature, expired, malformed, not a cgroup) said and
     * recorded once as a refusal event; when the entries in force changed (one added, one expired)
     * the policy in force is applied again with them, each change said and recorded as an apply
     * event. An entry that expires is out of the kernel within a second of its expiry.
     */
    synchronized void checkWhitelist(Instant now) {
        if (whitelist == null) {
            return;
        }
        CgroupWhitelist.Refresh r = whitelist.refresh(now);
        r.ignored().forEach(line -> record(PolicyEvent.Kind.REFUSAL, 0, 0, version(), 0, null, line));
        List<CgroupWhitelist.Allowed> wanted = whitelist.allowed();
        if (inForce == null || wanted.equals(whitelisted)) {
            return;
        }
        List<CgroupWhitelist.Allowed> before = whitelisted;
        try {
            PolicyApplier.Applied a = applyWithWhitelist(inForce);
            for (CgroupWhitelist.Allowed w : wanted) {
                if (!before.contains(w)) {
                    record(PolicyEvent.Kind.APPLY, 0, inForce.version(), inForce.version(), a.clearNanos() + a.switchNanos(),
                            inForce.digest(), "whitelist line " + w.line() + " (signed) allows until " + w.expires()
                            + " the cgroup " + w.path());
                }
            }
            for (CgroupWhitelist.Allowed w : before) {
                if (!wanted.contains(w)) {
                    record(PolicyEvent.Kind.APPLY, 0, inForce.version(), inForce.version(), a.clearNanos() + a.switchNanos(),
                            inForce.digest(), "whitelist line " + w.line() + (r.expired().contains(w)
                            ? " expired at " + w.expires() : " is gone") + ", no longer allowed: the cgroup " + w.path());
                }
            }
        } catch (IngestException e) {
            refused(e);
        }
    }

    /** The deny-rate revert: loudly to audit-only, when the policy in force enforces. */
    synchronized void revert(String why) {
        if (inForce == null || inForce.mode() == Mode.AUDIT) {
            return;
        }
        try {
            String line = switchMode(Mode.AUDIT, " (automatic revert: " + why + ")");
            record(PolicyEvent.Kind.REVERT, 0, inForce.version(), inForce.version(), 0, inForce.digest(), line);
        } catch (IngestException e) {
            refused(e);
        }
    }

    private String switchMode(Mode want, String why) {
        CompiledPolicy c = new CompiledPolicy(inForce.version(), want, inForce.entries());
        applyWithWhitelist(c);
        inForce = c;
        return "policy version " + c.version() + " now in mode " + want.name().toLowerCase() + why;
    }

    /**
     * Empties the inactive slot, which holds the policy before the one in force, once the grace
     * after the flip has passed (the heartbeat asks several times a second; nothing to do most
     * times): the next apply then only fills and flips, the operator's wait. A failure is said
     * and left to that apply, which clears what is left.
     */
    synchronized void prepareNextSlot() {
        try {
            applier.prepareIfDue();
        } catch (IngestException e) {
            say("could not empty the inactive policy slot ahead of the next apply (" + e.getMessage()
                    + "); that apply will");
        }
    }

    /** The heartbeat found that a program decided past the deadline since the last renewal. */
    synchronized void deadmanLapsed(String detail) {
        record(PolicyEvent.Kind.DEADMAN_LAPSE, 0, version(), version(), 0,
                inForce == null ? null : inForce.digest(), detail);
    }

    /**
     * The tamper check (heartbeat thread): reads policy_active, the slot in force's meta and maps,
     * and the deadman back from the kernel and compares them with what this agent wrote. Without
     * the BPF LSM any root process can rewrite them (bpftool map update/delete); this cannot stop
     * it, but finds it within one period and puts the policy back: the policy in force applied
     * again (into the other slot, then the flip, as any apply) and the deadline written again.
     * Each finding is one line and a tamper event. Synchronized with applies, so an apply in
     * progress is never taken for tampering. Returns the line recorded, or null when clean.
     */
    synchronized String checkTamper() {
        long start = System.nanoTime();
        PolicyDrift drift = applier.drift();
        long foreign = deadman.foreignDeadline();
        tampering.checked(System.nanoTime() - start);
        if (drift.clean() && foreign < 0) {
            return null;
        }
        List<String> found = new ArrayList<>();
        if (!drift.clean()) {
            found.add(drift.describe());
        }
        if (foreign >= 0) {
            found.add("policy_deadman deadline " + deadline(foreign) + " (written: " + deadline(deadman.writtenDeadline()) + ")");
        }
        String restored;
        boolean ok = true;
        try {
            if (!drift.clean()) {
                PolicyApplier.Applied a = applyWithWhitelist(inForce);
                restored = "restored: policy version " + a.version() + " applied again to slot " + a.slot();
            } else {
                restored = "restored:";
            }
            if (foreign >= 0) {
                deadman.restore();
                restored += (drift.clean() ? " " : ", ") + "the deadline written again";
            }
        } catch (IngestException e) {
            ok = false;
            restored = "NOT restored: " + e.getMessage();
        }
        String line = "tampered: " + String.join(", ", found) + "; " + restored;
        tampering.found(line, ok);
        record(PolicyEvent.Kind.TAMPER, 0, version(), version(), 0, inForce == null ? null : inForce.digest(), line);
        return line;
    }

    /** A check that could not read the maps: said once per failure, and a status problem until one succeeds. */
    synchronized void tamperCheckFailed(RuntimeException e) {
        tampering.failed("the policy tamper check failed: " + e.getMessage());
        say("the tamper check failed: " + e.getMessage());
    }

    /** A problem for status (a tampering that could not be restored, a check that failed), or null. */
    synchronized String tamperProblem() {
        return tampering.problem();
    }

    private static String deadline(long bootNanos) {
        return bootNanos == 0 ? "0 (off)" : "in " + (bootNanos - KernelClock.bootNanos()) / 1_000_000 + " ms";
    }

    /** What is in force, for show and status. */
    synchronized List<String> describe() {
        PolicyApplier.InForce f = applier.inForce();
        List<String> lines = new ArrayList<>();
        lines.add("policy version " + f.version() + " mode " + modeOf(f.mode()).name().toLowerCase() + " slot " + f.slot()
                + (f.version() == 0 ? " (none applied)" : "") + "; last applied version " + lastVersionQuietly()
                + "; state " + stateDir + (breakGlassUntil == null ? "" : "; break-glass until " + breakGlassUntil
                + ", then mode " + beforeBreakGlass.name().toLowerCase() + " again"));
        lines.add("policy pins " + settings.pinDir);
        long deadline = deadman.deadlineNanos();
        lines.add(deadline == 0 ? "policy deadman off"
                : "policy deadman ttl " + settings.deadmanTtl.toMillis() + " ms, deadline in "
                        + (deadline - KernelClock.bootNanos()) / 1_000_000 + " ms" + (deadman.lapseSeen() ? ", lapsed" : ""));
        lines.add(settings.tamperCheck.isZero() ? "policy tamper check off"
                : "policy tamper check every " + settings.tamperCheck.toMillis() + " ms: " + tampering.describe());
        lines.add("policy control " + settings.controlSocket);
        return lines;
    }

    /** The text in force (the bundle or file as applied), if the state directory holds it. */
    synchronized String text() {
        try {
            return readQuietly(stateDir.resolve("current.policy"));
        } catch (RuntimeException e) {
            return "";
        }
    }

    synchronized long version() {
        return applier.inForce().version();
    }

    synchronized Mode mode() {
        return modeOf(applier.inForce().mode());
    }

    private Result refused(RuntimeException e) {
        int reason = e instanceof Refusal r ? r.reason().ordinal() + 1 : 0;   // 1-based, 0: not a Refusal
        String line = "refused, nothing changed: " + e.getMessage();
        record(PolicyEvent.Kind.REFUSAL, reason, 0, version(), 0, null, line);
        return new Result(false, line);
    }

    private void record(PolicyEvent.Kind kind, int reason, long v, long previous, long applyNanos, byte[] digest,
            String detail) {
        say(detail);
        PolicyEvent e = new PolicyEvent(kind, applier.inForce().mode(), reason, v, previous, applyNanos, digest, detail);
        router.publishPolicyEvent(e.toRecord(pid, KernelClock.bootNanos()));
    }

    private static void say(String line) {
        System.err.println("twinlane policy: " + line);
    }

    private PolicyHistory history(boolean requireSignature) {
        return new PolicyHistory(stateDir, verifier(requireSignature));
    }

    /** The trusted keys are read for each request: a key removed or a directory made unsafe counts at once. */
    private BundleVerifier verifier(boolean requireSignature) {
        return new BundleVerifier(trustedKeys(), requireSignature);
    }

    private TrustedKeys trustedKeys() {
        return settings.trustedKeys == null ? TrustedKeys.of() : TrustedKeys.load(settings.trustedKeys);
    }

    private CompiledPolicy compile(VerifiedPolicy v) {
        return new PolicyCompiler(resolver, SurvivalList.of(SurvivalList.currentBinary(), List.of()))
                .compile(v.policy(), "policy version " + v.version());
    }

    private static Mode modeOf(int code) {
        return code == Mode.ENFORCE.code() ? Mode.ENFORCE : Mode.AUDIT;
    }

    private long lastVersionQuietly() {
        try {
            return history(false).lastVersion();
        } catch (PolicyException e) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException("cannot read policy " + file + ": " + e.getMessage(), e);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
