package dev.twinlane.ingest;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.twinlane.records.DenialSource;

/**
 * Turns the kernel's audit records into sandbox denials. A seccomp denial is one record
 * (AUDIT_SECCOMP) and leaves at once. A Landlock denial (AUDIT_LANDLOCK_ACCESS) names the domain,
 * the missing rights and the object but not the process: that is in the event's AUDIT_SYSCALL
 * record (same serial), which the kernel writes at the system call's exit, before the event's
 * end (AUDIT_EOE). So a Landlock denial waits for either, at most {@link #MAX_PENDING} of them
 * and {@link #MAX_WAIT_MS}; one that leaves without its SYSCALL record takes the pid of the
 * process that created the domain (AUDIT_LANDLOCK_DOMAIN), which is the sandbox helper, hence
 * the workload's tgid unless the workload forked. Not thread-safe: the reader's thread only.
 */
public final class AuditDenials {
    public static final int SECCOMP = 1326;
    public static final int SYSCALL = 1300;
    public static final int EOE = 1320;
    public static final int LANDLOCK_ACCESS = 1423;
    public static final int LANDLOCK_DOMAIN = 1424;
    static final int MAX_PENDING = 64;
    static final long MAX_WAIT_MS = 1000;
    private static final int MAX_DOMAINS = 256;

    /** Where denials and problems go. */
    public interface Sink {
        void denial(SandboxDenial d);

        /** A record that could not be read, or a Landlock denial that left without its process: {@code reason}. */
        void problem(String reason);
    }

    private final Sink sink;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<Long, Integer> domainCreators = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > MAX_DOMAINS;
        }
    };

    public AuditDenials(Sink sink) {
        this.sink = sink;
    }

    /** Whether records of this type matter here (the others are not even decoded: with auditd's rules the stream can be busy). */
    public static boolean wants(int type) {
        return type == SECCOMP || type == SYSCALL || type == EOE || type == LANDLOCK_ACCESS || type == LANDLOCK_DOMAIN;
    }

    /** One record from the audit stream; other types are ignored before they are parsed. */
    public void accept(int type, String text, long nowMillis) {
        if (!wants(type) || ((type == SYSCALL || type == EOE) && pending.isEmpty())) {
            return;   // with auditd's syscall rules these are most of the stream: parsed only when a denial waits
        }
        AuditMessage m;
        try {
            m = AuditMessage.parse(type, text);
        } catch (IllegalArgumentException e) {
            sink.problem("unparsable");
            return;
        }
        switch (type) {
            case SECCOMP -> sink.denial(seccomp(m));
            case LANDLOCK_DOMAIN -> {
                if (m.text("status").equals("allocated")) {
                    domainCreators.put(m.hex("domain"), (int) m.number("pid", 0));
                }
            }
            case LANDLOCK_ACCESS -> {
                pending.add(new Pending(m, nowMillis));
                if (pending.size() > MAX_PENDING) {
                    leave(pending.poll(), null);
                }
            }
            default -> complete(m);
        }
        expire(nowMillis);
    }

    /** Lets Landlock denials that waited too long leave; call it when no record came for a while. */
    public void expire(long nowMillis) {
        while (!pending.isEmpty() && nowMillis - pending.peek().since >= MAX_WAIT_MS) {
            leave(pending.poll(), null);
        }
    }

    private void complete(AuditMessage m) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.access.serial() == m.serial()) {
                it.remove();
                leave(p, m.type() == SYSCALL ? m : null);
            }
        }
    }

    private static SandboxDenial seccomp(AuditMessage m) {
        return new SandboxDenial(DenialSource.SECCOMP, (int) m.number("pid", 0), (int) m.number("uid", -1),
                (int) m.number("gid", -1), m.text("comm"), (int) m.number("syscall", -1), 0,
                m.number("code", 0), m.serial(), m.timeMillis(), 0, "", "");
    }

    private void leave(Pending p, AuditMessage syscall) {
        AuditMessage a = p.access;
        long domain = a.hex("domain");
        int pid;
        if (syscall != null) {
            pid = (int) syscall.number("pid", 0);
        } else {
            pid = domainCreators.getOrDefault(domain, 0);
            sink.problem("landlock_without_syscall");
        }
        long exit = syscall == null ? 0 : syscall.number("exit", 0);
        sink.denial(new SandboxDenial(DenialSource.LANDLOCK, pid,
                syscall == null ? -1 : (int) syscall.number("uid", -1), syscall == null ? -1 : (int) syscall.number("gid", -1),
                syscall == null ? "" : syscall.text("comm"), syscall == null ? -1 : (int) syscall.number("syscall", -1),
                exit < 0 ? (int) -exit : 0, 0, a.serial(), a.timeMillis(), domain, a.text("blockers"), object(a)));
    }

    /** What Landlock names: a path, or a TCP address and port (daddr/dest for connect, saddr/src for bind). */
    private static String object(AuditMessage a) {
        if (!a.text("path").isEmpty()) {
            return a.text("path");
        }
        if (!a.text("daddr").isEmpty() || !a.text("dest").isEmpty()) {
            return a.text("daddr") + ":" + a.text("dest");
        }
        if (!a.text("saddr").isEmpty() || !a.text("src").isEmpty()) {
            return a.text("saddr") + ":" + a.text("src");
        }
        return a.text("name");
    }

    private record Pending(AuditMessage access, long since) {
    }
}
