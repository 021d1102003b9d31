package dev.twinlane.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import dev.twinlane.records.LossSource;
import dev.twinlane.security.Loss;

/**
 * Security events that the security log did not take and that no GAP record names yet, kept
 * where a full data volume cannot stop us from writing them: {@code DATA/security.losses}, a
 * file of {@link #SIZE} bytes written with zeros when it is first created (at a start, when
 * there is space), so that every later update overwrites blocks the file already owns and
 * needs no new ones (true of tmpfs, ext4, xfs; not of copy-on-write file systems such as
 * btrfs or ZFS, where an overwrite allocates).
 *
 * <p>Two slots of {@link #SLOT} bytes, written alternately with {@code pwrite} and
 * {@code fdatasync}, each with a generation and a CRC-32C: a write torn by a power loss
 * leaves the other slot, the previous state, intact. A slot holds up to {@link #MAX_ENTRIES}
 * entries (boot id, GAP ring, count, first and last boot time), one per boot and source.
 * The agent adds to it at a stop that could not append everything, and removes entries once
 * the GAP records it wrote for them are durable.
 */
final class LossJournal implements AutoCloseable {
    static final String FILE = "security.losses";
    static final int SIZE = 4096;
    static final int SLOT = 2048;
    static final int MAX_ENTRIES = 32;
    private static final int HEAD = 24;
    private static final int ENTRY = 48;
    private static final long MAGIC = 0x3130_5353_4F4C_4C54L;  // "TLLOSS01", little-endian

    /** {@code count} events of GAP ring {@code ring} lost in boot {@code bootId} between two boot times. */
    record Entry(String bootId, int ring, long count, long fromNs, long toNs) {
        String describe() {
            return count + " from the " + LossSource.describe(ring);
        }
    }

    /** The journal does not exist and cannot be created (a full file system at the first start). */
    static final class CannotCreate extends IOException {
        private static final long serialVersionUID = 1L;

        CannotCreate(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private long generation;
    private int slot = -1;
    private List<Entry> entries;

    private LossJournal(Path path, FileChannel channel, long generation, int slot, List<Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.generation = generation;
        this.slot = slot;
        this.entries = entries;
    }

    /**
     * Opens the journal, creating it full-size with zeros when it does not exist. Refuses one
     * whose two slots both fail their checksum: it may hold losses that would then go unrecorded.
     */
    static LossJournal open(Path file) throws IOException {
        if (!Files.exists(file)) {
            create(file);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = ch.size();
            ByteBuffer all = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
            while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                // read it whole
            }
            if (size != SIZE) {
                throw new IOException("loss journal " + file + " is " + size + " bytes, not " + SIZE
                        + ": not written by this agent; move it away to start (losses it may hold would not be recorded)");
            }
            byte[] bytes = all.array();
            long bestGen = -1;
            int best = -1;
            List<Entry> bestEntries = List.of();
            boolean anyData = false;
            for (int s = 0; s < 2; s++) {
                ByteBuffer b = ByteBuffer.wrap(bytes, s * SLOT, SLOT).slice().order(ByteOrder.LITTLE_ENDIAN);
                if (!allZero(bytes, s * SLOT, SLOT)) {
                    anyData = true;
                }
                List<Entry> e = decode(b);
                if (e != null && b.getLong(8) > bestGen) {
                    bestGen = b.getLong(8);
                    best = s;
                    bestEntries = e;
                }
            }
            if (best < 0 && anyData) {
                throw new IOException("loss journal " + file + " is damaged (neither slot passes its checksum); it may name"
                        + " security events an earlier run could not log. Keep a copy, then remove it to start");
            }
            return new LossJournal(file, ch, Math.max(bestGen, 0), best, new ArrayList<>(bestEntries));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void create(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer zeros = ByteBuffer.allocate(SIZE);
            while (zeros.hasRemaining()) {
                ch.write(zeros);
            }
            ch.force(true);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the message below is the one that matters
            }
            throw new CannotCreate("cannot create the loss journal " + file + " (" + e.getMessage()
                    + "); it needs " + SIZE + " bytes of the data directory's file system", e);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(file.toAbsolutePath().getParent());
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Null when the slot is not a valid one. */
    private static List<Entry> decode(ByteBuffer b) {
        if (b.getLong(0) != MAGIC) {
            return null;
        }
        int n = b.getInt(16);
        if (n < 0 || n > MAX_ENTRIES) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), b.arrayOffset(), SLOT - 4);
        if ((int) crc.getValue() != b.getInt(SLOT - 4)) {
            return null;
        }
        List<Entry> out = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < n; i++) {
            int o = HEAD + i * ENTRY;
            byte[] boot = new byte[16];
            b.get(o, boot);
            out.add(new Entry(hex.formatHex(boot), b.getInt(o + 16), b.getLong(o + 24), b.getLong(o + 32), b.getLong(o + 40)));
        }
        return out;
    }

    private static boolean allZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    Path path() {
        return path;
    }

    /** The losses no GAP record names yet. */
    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized long total() {
        long n = 0;
        for (Entry e : entries) {
            n += e.count();
        }
        return n;
    }

    /** Adds losses of this boot (same boot and ring: counts add up, spans widen); durable on return. */
    synchronized void add(List<Loss> losses) throws IOException {
        if (losses.isEmpty()) {
            return;
        }
        List<Entry> next = new ArrayList<>(entries);
        String boot = bootId();
        for (Loss l : losses) {
            int at = -1;
            for (int i = 0; i < next.size(); i++) {
                if (next.get(i).ring() == l.ring() && next.get(i).bootId().equals(boot)) {
                    at = i;
                }
            }
            if (at < 0 && next.size() == MAX_ENTRIES) {
                // no room for another boot: merge into this source's last entry (its span then mixes boots)
                for (int i = 0; i < next.size(); i++) {
                    if (next.get(i).ring() == l.ring()) {
                        at = i;
                    }
                }
                if (at < 0) {
                    at = next.size() - 1;
                }
            }
            if (at < 0) {
                next.add(new Entry(boot, l.ring(), l.count(), l.fromNs(), l.toNs()));
            } else {
                Entry e = next.get(at);
                long from = e.fromNs() == 0 ? l.fromNs() : l.fromNs() == 0 ? e.fromNs() : Math.min(e.fromNs(), l.fromNs());
                next.set(at, new Entry(e.bootId(), e.ring(), e.count() + l.count(), from, Math.max(e.toNs(), l.toNs())));
            }
        }
        write(next);
    }

    /** Removes entries that GAP records now name (durably); durable on return. */
    synchronized void remove(List<Entry> recorded) throws IOException {
        List<Entry> next = new ArrayList<>(entries);
        boolean changed = false;
        for (Entry e : recorded) {
            changed |= next.remove(e);
        }
        if (changed) {
            write(next);
        }
    }

    /** Writes {@code next} into the slot not holding the current state, then fdatasync. */
    private void write(List<Entry> next) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SLOT).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC);
        b.putLong(8, generation + 1);
        b.putInt(16, next.size());
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < next.size(); i++) {
            Entry e = next.get(i);
            int o = HEAD + i * ENTRY;
            b.put(o, hex.parseHex(e.bootId()));
            b.putInt(o + 16, e.ring());
            b.putLong(o + 24, e.count());
            b.putLong(o + 32, e.fromNs());
            b.putLong(o + 40, e.toNs());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, SLOT - 4);
        b.putInt(SLOT - 4, (int) crc.getValue());
        int target = slot == 0 ? 1 : 0;
        long pos = (long) target * SLOT;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
        channel.force(false);
        generation++;
        slot = target;
        entries = next;
    }

    private static String cachedBootId;

    /** This boot's id (/proc/sys/kernel/random/boot_id) as 32 hex digits; boot times are only comparable within one boot. */
    static synchronized String bootId() {
        if (cachedBootId == null) {
            String id;
            try {
                id = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim().replace("-", "");
            } catch (IOException e) {
                id = "";
            }
            cachedBootId = id.length() == 32 ? id : "0".repeat(32);
        }
        return cachedBootId;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
