package dev.twinlane.router;

import java.util.Arrays;

import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;
import dev.twinlane.records.Ring;

/**
 * A configured rule that also sends a matching observability record to the
 * security lane, e.g. a failed privileged syscall. Every condition given must
 * hold; an empty list means any value. Evaluated per record without allocating.
 */
public final class PromotionRule {
    private static final int RET = RecordLayout.SYSCALL.field("ret").offset();
    private static final int NR = RecordLayout.SYSCALL.field("nr").offset();
    private static final int UID = RecordLayout.HEADER.field("uid").offset();

    private final String name;
    private final RecordKind kind;
    private final boolean failedOnly;
    private final long[] syscalls;
    private final long[] uids;

    public PromotionRule(String name, RecordKind kind, boolean failedOnly, long[] syscalls, long[] uids) {
        if (kind.ring() != Ring.OBSERVABILITY) {
            throw new IllegalArgumentException("rule " + name + ": only observability kinds can be promoted, not "
                    + kind.label());
        }
        if ((failedOnly || syscalls.length > 0) && kind != RecordKind.SYSCALL) {
            throw new IllegalArgumentException("rule " + name + ": 'failed' and 'syscalls' apply to kind syscall only");
        }
        this.name = name;
        this.kind = kind;
        this.failedOnly = failedOnly;
        this.syscalls = syscalls.clone();
        this.uids = uids.clone();
        Arrays.sort(this.syscalls);
        Arrays.sort(this.uids);
    }

    public String name() {
        return name;
    }

    public boolean matches(RecordView r) {
        if (r.kindCode() != kind.code()) {
            return false;
        }
        if (failedOnly && r.s64(RET) >= 0) {
            return false;
        }
        if (syscalls.length > 0 && Arrays.binarySearch(syscalls, r.u32(NR)) < 0) {
            return false;
        }
        return uids.length == 0 || Arrays.binarySearch(uids, r.u32(UID)) >= 0;
    }
}
