package dev.twinlane.ingest;

import static dev.twinlane.ingest.Native.libbpf;

import java.util.Set;

import jnr.ffi.Pointer;

import dev.twinlane.records.Ring;

/**
 * Real in-kernel load for benchmarks and decoder tests: loadgen.bpf.o, run by
 * BPF_PROG_TEST_RUN, emits records into its own ring buffer with bpf_loop.
 * Nothing here touches the product's rings.
 */
public final class LoadGenerator implements AutoCloseable {
    public static final String OBJECT = "loadgen.bpf.o";
    public static final String RING = "loadgen_ring";
    private static final int ARGS_SIZE = 24;
    private static final int OPTS_SIZE = 80; // sizeof(struct bpf_test_run_opts), libbpf 1.1

    private final BpfObject object;
    private final int progFd;
    private final int rawProgFd;
    private final int securityProgFd;
    private final int ringBytes;
    private final Pointer args = Native.allocate(ARGS_SIZE);
    private final Pointer opts = Native.allocate(OPTS_SIZE);

    private LoadGenerator(int ringBytes, KernelIngest kernel) {
        this.ringBytes = ringBytes;
        this.object = BpfObject.open(ObjectImage.packaged(OBJECT));
        object.setMaxEntries(RING, ringBytes);
        if (kernel != null) {
            object.reuseMap(Ring.SECURITY.mapName(), kernel.mapFd(Ring.SECURITY.mapName()));
        }
        object.autoloadOnly(Set.of("loadgen", "loadgen_raw", "loadgen_security"));
        int err = object.load();
        if (err != 0) {
            object.close();
            throw new IngestException("cannot load " + OBJECT + ": " + Native.strerror(err));
        }
        this.progFd = object.programFd("loadgen");
        this.rawProgFd = object.programFd("loadgen_raw");
        this.securityProgFd = object.programFd("loadgen_security");
    }

    /** A generator whose ring holds {@code ringBytes} (a power of two). */
    public static LoadGenerator open(int ringBytes) {
        return new LoadGenerator(ringBytes, null);
    }

    /** A generator that can also write into {@code kernel}'s security ring ({@link #emitSecurity}). */
    public static LoadGenerator attachedTo(KernelIngest kernel, int ringBytes) {
        return new LoadGenerator(ringBytes, kernel);
    }

    /**
     * Emits {@code count} well-formed connect records (source test_run, ktime_ns =
     * boot clock at emission, start_ns = index) into the security ring; returns how many fit.
     */
    public long emitSecurity(long count) {
        return emitSecurityFrom(0, count);
    }

    /** As {@link #emitSecurity}, numbering the records from {@code first}. */
    public long emitSecurityFrom(long first, long count) {
        args.putLong(16, first);
        return run(securityProgFd, count, 0, 0);
    }

    public RingBufferReader reader() {
        return RingBufferReader.open("loadgen", object.mapFd(RING), ringBytes);
    }

    public int ringFd() {
        return object.mapFd(RING);
    }

    /** Emits well-formed 64-byte tl_loadgen records; returns how many fit in the ring. */
    public long emit(long count) {
        args.putLong(16, 0);
        return run(progFd, count, 0, 0);
    }

    /**
     * Emits up to 64 records of {@code size} bytes (1..1024) whose kind field
     * says {@code kind}, whatever that kind's real size: malformed on purpose.
     */
    public long emitRaw(long count, int kind, int size) {
        return run(rawProgFd, count, kind, size);
    }

    private long run(int fd, long count, int kind, int size) {
        args.putLong(0, count);
        args.putInt(8, kind);
        args.putInt(12, size);
        for (int i = 0; i < OPTS_SIZE; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, OPTS_SIZE);       // sz
        opts.putAddress(32, args.address()); // ctx_in
        opts.putInt(48, ARGS_SIZE);       // ctx_size_in
        if (libbpf().bpf_prog_test_run_opts(fd, opts) != 0) {
            throw new IngestException("BPF_PROG_TEST_RUN of loadgen failed: " + Native.strerror(Native.errno()));
        }
        return args.getLong(0);
    }

    @Override
    public void close() {
        object.close();
    }
}
