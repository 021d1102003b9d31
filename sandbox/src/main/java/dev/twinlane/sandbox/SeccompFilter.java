package dev.twinlane.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * Compiles a syscall allowlist into a seccomp classic BPF program (struct sock_filter[], 8 bytes
 * each, as seccomp(SECCOMP_SET_MODE_FILTER) takes it). The program checks the architecture first
 * (a call through another ABI, e.g. int 0x80, would name other syscalls by the same numbers: the
 * process is killed), refuses x32 calls (nr with bit 30) with EPERM, then finds the number in a
 * binary search tree of the allowed ones: about log2(n) + 8 comparisons instead of n.
 */
final class SeccompFilter {
    static final int INSTRUCTION_BYTES = 8;
    private static final int LEAF = 8;
    static final int LD_W_ABS = 0x20;
    static final int JEQ_K = 0x15;
    static final int JGE_K = 0x35;
    static final int JA = 0x05;
    static final int RET_K = 0x06;
    static final int OFFSET_NR = 0;
    static final int OFFSET_ARCH = 4;
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int X32_SYSCALL_BIT = 0x40000000;
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_ALLOW = 0x7fff0000;
    static final int RET_ERRNO_EPERM = 0x00050000 | 1;
    static final int SECCOMP_SET_MODE_FILTER = 1;
    static final int SECCOMP_FILTER_FLAG_TSYNC = 1;
    static final int PR_SET_NO_NEW_PRIVS = 38;

    private SeccompFilter() {
    }

    /** An allowlist: the numbers given pass, every other call fails with EPERM. */
    static byte[] compile(SortedSet<Integer> allowed) {
        return program(allowed, RET_ALLOW, RET_ERRNO_EPERM);
    }

    /** A denylist: the numbers given fail with EPERM, every other call passes. */
    static byte[] denying(SortedSet<Integer> denied) {
        return program(denied, RET_ERRNO_EPERM, RET_ALLOW);
    }

    private static byte[] program(SortedSet<Integer> listed, int matched, int other) {
        List<long[]> program = new ArrayList<>();
        program.add(insn(LD_W_ABS, 0, 0, OFFSET_ARCH));
        program.add(insn(JEQ_K, 1, 0, AUDIT_ARCH_X86_64));
        program.add(insn(RET_K, 0, 0, RET_KILL_PROCESS));
        program.add(insn(LD_W_ABS, 0, 0, OFFSET_NR));
        program.add(insn(JGE_K, 0, 1, X32_SYSCALL_BIT));
        program.add(insn(RET_K, 0, 0, RET_ERRNO_EPERM));
        program.addAll(tree(listed.stream().mapToInt(Integer::intValue).toArray(), 0, listed.size(), matched, other));
        ByteBuffer out = ByteBuffer.allocate(program.size() * INSTRUCTION_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] i : program) {
            out.putShort((short) i[0]).put((byte) i[1]).put((byte) i[2]).putInt((int) i[3]);
        }
        return out.array();
    }

    /** Returns matched for nr in sorted[from, to), other for the rest; every jump lands inside the subtree. */
    private static List<long[]> tree(int[] sorted, int from, int to, int matched, int other) {
        List<long[]> out = new ArrayList<>();
        if (to - from <= LEAF) {
            for (int i = from; i < to; i++) {
                out.add(insn(JEQ_K, to - i, 0, sorted[i])); // to ret matched, past the rest and ret other
            }
            out.add(insn(RET_K, 0, 0, other));
            out.add(insn(RET_K, 0, 0, matched));
            return out;
        }
        int mid = (from + to) >>> 1;
        List<long[]> left = tree(sorted, from, mid, matched, other);
        out.add(insn(JGE_K, 0, 1, sorted[mid])); // true: the next insn jumps right; false: left starts after it
        out.add(insn(JA, 0, 0, left.size()));
        out.addAll(left);
        out.addAll(tree(sorted, mid, to, matched, other));
        return out;
    }

    private static long[] insn(int code, int jt, int jf, int k) {
        return new long[] {code, jt, jf, k & 0xffffffffL};
    }
}
