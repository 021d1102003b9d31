package dev.twinlane.wal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the writer remembers about its log <em>outside</em> the log directory, so that a log
 * directory deleted, emptied or swapped for another is noticed instead of silently becoming a
 * new chain at seq 1 (default file: {@code DIR.identity} beside the directory; the agent keeps
 * {@code DATA/state/NAME.identity}). Text, key=value, written atomically and durably:
 * <pre>
 * log-id=32 hex            the log the directory holds
 * state=open|closed        closed: written by a clean close, after the final SEAL was durable
 * boot-id=...              /proc/sys/kernel/random/boot_id when the writer opened the log
 * durable-seq=N            highest seq known durable when this was written
 * last-seq=N, last-mac=hex the last record at a clean close (the clean-close marker)
 * seal.0.*=...             the latest durable seal, with where its SEAL record is; seal.1.* ...
 *                          older ones (at most {@link #SEALS}), so that a start can check the
 *                          log from a seal some way back (see TailRecovery)
 * </pre>
 * Not secret (nothing in it is a key); the seal in it is signed.
 */
final class Identity {
    static final String OPEN = "open";
    static final String CLOSED = "closed";
    /** Seals kept: the newest and older ones (see {@link #keep}). */
    static final int SEALS = 16;

    final Path file;
    final byte[] logId;
    final String state;
    final String bootId;
    final long durableSeq;
    final long lastSeq;
    final byte[] lastMac;
    /** Durable seals, newest first. */
    final List<DurableSeal> seals;
    final String directory;

    Identity(Path file, byte[] logId, String state, String bootId, long durableSeq, long lastSeq, byte[] lastMac,
             List<DurableSeal> seals, String directory) {
        this.file = file;
        this.logId = logId.clone();
        this.state = state;
        this.bootId = bootId;
        this.durableSeq = durableSeq;
        this.lastSeq = lastSeq;
        this.lastMac = lastMac == null ? null : lastMac.clone();
        this.seals = List.copyOf(seals);
        this.directory = directory;
    }

    String logIdHex() {
        return KeyFiles.hex(logId);
    }

    boolean closedCleanly() {
        return CLOSED.equals(state) && lastMac != null;
    }

    /** Null when the file does not exist; a one-line WalException when it is not an identity file. */
    static Identity read(Path file) {
        Map<String, String> kv;
        try {
            kv = DurableSeal.keyValues(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new WalException("cannot read the log identity file " + file + ": " + e.getMessage());
        }
        String what = "log identity file " + file;
        try {
            byte[] logId = KeyFiles.unhex(kv.get("log-id"), 16, what + " log-id");
            String state = kv.get("state");
            if (!OPEN.equals(state) && !CLOSED.equals(state)) {
                throw new WalException(what + ": state is neither open nor closed");
            }
            String lastMacHex = kv.get("last-mac");
            byte[] lastMac = lastMacHex == null || lastMacHex.isEmpty() ? null : KeyFiles.unhex(lastMacHex, 32, what + " last-mac");
            List<DurableSeal> seals = new ArrayList<>();
            for (int i = 0; kv.containsKey("seal." + i + ".seq"); i++) {
                DurableSeal seal = DurableSeal.fromFields(kv, "seal." + i + ".", what);
                if (seal == null) {
                    throw new WalException(what + ": seal " + i + " in it is malformed");
                }
                seals.add(seal);
            }
            return new Identity(file, logId, state, kv.getOrDefault("boot-id", ""),
                    Long.parseLong(kv.getOrDefault("durable-seq", "0")), Long.parseLong(kv.getOrDefault("last-seq", "0")),
                    lastMac, seals, kv.getOrDefault("directory", ""));
        } catch (NullPointerException | NumberFormatException e) {
            throw new WalException(what + " is not a twinlane-wal identity file (missing or bad field)");
        }
    }

    void write() throws IOException {
        StringBuilder sb = new StringBuilder()
                .append("# twinlane-wal identity: the log this writer keeps in ").append(directory).append('\n')
                .append("# kept outside the log directory: the writer refuses to start a new chain where this log was\n")
                .append("log-id=").append(logIdHex()).append('\n')
                .append("directory=").append(directory).append('\n')
                .append("state=").append(state).append('\n')
                .append("boot-id=").append(bootId).append('\n')
                .append("durable-seq=").append(durableSeq).append('\n');
        if (lastMac != null) {
            sb.append("last-seq=").append(lastSeq).append('\n').append("last-mac=").append(KeyFiles.hex(lastMac)).append('\n');
        }
        for (int i = 0; i < seals.size(); i++) {
            sb.append(seals.get(i).fields("seal." + i + "."));
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        KeyFiles.writeAtomically(file, sb.toString().getBytes(StandardCharsets.US_ASCII), false);
    }

    /**
     * The seals to keep after {@code added} became durable ({@code seals} newest first): at most
     * {@link #SEALS}, the newest always, and reaching back to the newest one that is at least
     * {@code span} records older than {@code added} (none older than that), so that a start can
     * check that many records back from the newest seal. Over the limit, the seal whose removal
     * leaves the smallest hole goes, so the ones kept stay about evenly spread.
     */
    static List<DurableSeal> keep(List<DurableSeal> seals, DurableSeal added, long span) {
        List<DurableSeal> out = new ArrayList<>();
        out.add(added);
        for (DurableSeal s : seals) {
            if (s.recordSeq >= out.get(out.size() - 1).recordSeq || !Arrays.equals(s.logId, added.logId)) {
                continue;
            }
            out.add(s);
            if (s.recordSeq <= added.recordSeq - span) {
                break; // far enough back: nothing older is needed
            }
        }
        while (out.size() > SEALS) {
            int drop = 1;
            long hole = Long.MAX_VALUE;
            for (int i = 1; i < out.size() - 1; i++) {
                long h = out.get(i - 1).recordSeq - out.get(i + 1).recordSeq;
                if (h < hole) {
                    hole = h;
                    drop = i;
                }
            }
            out.remove(drop);
        }
        return out;
    }

    /** This kernel boot's id, or "" when unknown: the same boot means no power was lost since. */
    static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
