package dev.twinlane.ingest;

import java.nio.charset.StandardCharsets;

import jnr.ffi.Pointer;

/**
 * The kernel's audit stream, read without auditd: a NETLINK_AUDIT socket bound to the multicast
 * group AUDIT_NLGRP_READLOG receives a copy of every audit record the kernel emits (root, or
 * CAP_AUDIT_READ), beside auditd if one runs, and takes nothing from it. Also the kernel's audit
 * status (AUDIT_GET) and its enabled switch (AUDIT_SET), for the agent to report and, only when
 * configured, turn on.
 */
public final class AuditStream implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_AUDIT = 9;
    private static final int AUDIT_NLGRP_READLOG = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int AUDIT_GET = 1000;
    private static final int AUDIT_SET = 1001;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_ACK = 4;
    private static final int AUDIT_STATUS_ENABLED = 1;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    public static final int ENOBUFS = 105;
    /** MAX_AUDIT_MESSAGE_LENGTH (8970) and the netlink header, rounded up. */
    private static final int BUFFER = 16384;

    private final int fd;
    private final Pointer buffer = Native.allocate(BUFFER);

    private AuditStream(int fd) {
        this.fd = fd;
    }

    /** Joins the read-log group; recv waits at most {@code timeoutMs}. */
    public static AuditStream readLog(int timeoutMs) {
        int fd = open();
        AuditStream s = new AuditStream(fd);
        Pointer addr = sockaddr(AUDIT_NLGRP_READLOG);
        if (Native.LIBC.bind(fd, addr, 12) < 0) {
            int e = Native.errno();
            s.close();
            throw new IngestException("the audit stream (netlink group AUDIT_NLGRP_READLOG): " + Native.strerror(e)
                    + (e == 1 ? "; reading it needs root or CAP_AUDIT_READ" : ""));
        }
        Pointer tv = Native.allocate(16);
        tv.putLong(0, timeoutMs / 1000);
        tv.putLong(8, (timeoutMs % 1000) * 1000L);
        if (Native.LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16) < 0) {  // without it a stop would wait forever
            int e = Native.errno();
            s.close();
            throw new IngestException("the audit stream's receive timeout (SO_RCVTIMEO): " + Native.strerror(e));
        }
        Pointer size = Native.allocate(4);
        size.putInt(0, 1 << 20);  // bursts of denials; falls back to the default when refused
        Native.LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4);
        return s;
    }

    /**
     * The next audit record into {@code out} (its type; its text on demand, until the next call);
     * false when none came within the timeout. Throws with errno ENOBUFS after the socket
     * overflowed (records were lost).
     */
    public boolean next(Record out) {
        while (true) {
            long n = Native.LIBC.recv(fd, buffer, BUFFER, 0);
            if (n < 0) {
                int e = Native.errno();
                if (e == EINTR) {
                    continue;
                }
                if (e == EAGAIN) {
                    return false;
                }
                throw new Failure(e, "reading the audit stream: " + Native.strerror(e));
            }
            if (n < 16) {
                continue;
            }
            out.type = buffer.getShort(4) & 0xffff;
            out.length = (int) Math.min(n, buffer.getInt(0));
            out.from = this;
            return true;
        }
    }

    /** The kernel's audit_enabled: 0 off, 1 on, 2 on and locked until reboot. */
    public static int enabled() {
        try (AuditStream s = new AuditStream(open())) {
            s.request(AUDIT_GET, 0, null);
            while (true) {
                long n = Native.LIBC.recv(s.fd, s.buffer, BUFFER, 0);
                if (n < 0) {
                    throw new IngestException("audit status (AUDIT_GET): " + Native.strerror(Native.errno()));
                }
                int type = s.buffer.getShort(4) & 0xffff;
                if (type == AUDIT_GET) {
                    return s.buffer.getInt(16 + 4);
                }
                if (type == NLMSG_ERROR && s.buffer.getInt(16) != 0) {
                    throw new IngestException("audit status (AUDIT_GET): " + Native.strerror(-s.buffer.getInt(16)));
                }
            }
        }
    }

    /** Sets the kernel's audit_enabled (AUDIT_SET); a locked setting (2) refuses with EPERM. */
    public static void setEnabled(int value) {
        try (AuditStream s = new AuditStream(open())) {
            s.request(AUDIT_SET, NLM_F_ACK, new int[] {AUDIT_STATUS_ENABLED, value});
            long n = Native.LIBC.recv(s.fd, s.buffer, BUFFER, 0);
            if (n < 0) {
                throw new IngestException("audit enable (AUDIT_SET): " + Native.strerror(Native.errno()));
            }
            if ((s.buffer.getShort(4) & 0xffff) == NLMSG_ERROR && s.buffer.getInt(16) != 0) {
                throw new IngestException("audit enable (AUDIT_SET): " + Native.strerror(-s.buffer.getInt(16)));
            }
        }
    }

    private void request(int type, int flags, int[] status) {
        int len = 16 + (status == null ? 0 : 40);   // struct audit_status's first ten fields
        buffer.setMemory(0, len, (byte) 0);
        buffer.putInt(0, len);
        buffer.putShort(4, (short) type);
        buffer.putShort(6, (short) (NLM_F_REQUEST | flags));
        buffer.putInt(8, 1);
        for (int i = 0; status != null && i < status.length; i++) {
            buffer.putInt(16 + 4 * i, status[i]);
        }
        if (Native.LIBC.send(fd, buffer, len, 0) < 0) {
            throw new IngestException("audit request " + type + ": " + Native.strerror(Native.errno()));
        }
    }

    private static int open() {
        int fd = Native.LIBC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
        if (fd < 0) {
            throw new IngestException("a NETLINK_AUDIT socket: " + Native.strerror(Native.errno()));
        }
        return fd;
    }

    private static Pointer sockaddr(int groups) {
        Pointer a = Native.allocate(12);
        a.setMemory(0, 12, (byte) 0);
        a.putShort(0, (short) AF_NETLINK);
        a.putInt(8, groups);
        return a;
    }

    @Override
    public void close() {
        Native.LIBC.close(fd);
    }

    /** One record's type and text, reused by the caller; the text is decoded only when asked for. */
    public static final class Record {
        private int type;
        private int length;
        private AuditStream from;

        public int type() {
            return type;
        }

        /** The record's text (after the netlink header, without trailing NULs); valid until the next read. */
        public String text() {
            int end = length;
            while (end > 16 && from.buffer.getByte(end - 1) == 0) {
                end--;
            }
            byte[] text = new byte[end - 16];
            from.buffer.get(16, text, 0, text.length);
            return new String(text, StandardCharsets.UTF_8);
        }
    }

    /** A read that failed with this errno. */
    public static final class Failure extends RuntimeException {
        private final int errno;

        Failure(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
