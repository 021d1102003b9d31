package dev.twinlane.siem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.CheckpointException;
import dev.twinlane.wal.proof.CheckpointVerifier;
import dev.twinlane.wal.proof.ConsistencyProof;

/**
 * The SIEM consumer as a witness of each host's log: per log id, the latest checkpoint it
 * accepted, kept in a state file (one line per log, rewritten atomically: temporary file, fsync,
 * rename, fsync of the directory) so a restart keeps it. A new checkpoint is accepted only when
 * its signature verifies and a consistency proof from the accepted size to it verifies: a log
 * that was cut short and re-signed, even with the real seal key, is refused and reported.
 * Checkpoint messages at or before the seals-topic offset of the last one judged are skipped
 * (the topic is read from its start at each start): each is accepted or reported once.
 */
final class Witness {
    /**
     * What was accepted for one log, and the seals-topic position of the last checkpoint message
     * judged for it (accepted or refused), so a restart neither re-accepts nor re-reports one.
     */
    record Accepted(long size, byte[] root, String origin, int partition, long offset) {
    }

    /** Why a checkpoint was refused: the failure name of the Detection Finding and its message. */
    record Refusal(String failure, String detail) {
    }

    private final Path file;
    private final Map<String, Accepted> accepted = new TreeMap<>();

    /** {@code file} null: in memory only (tests of other things). */
    Witness(Path file) throws IOException {
        this.file = file;
        if (file != null && Files.exists(file)) {
            load();
        }
    }

    Accepted accepted(String logId) {
        return accepted.get(logId);
    }

    /** Whether the message at this seals-topic position was seen before the accepted checkpoint. */
    boolean seen(String logId, int partition, long offset) {
        Accepted a = accepted.get(logId);
        return a != null && a.partition() == partition && offset <= a.offset();
    }

    /**
     * Null when {@code note} is accepted (and persisted), else why not. {@code proofs}: old size →
     * consistency proof hashes from it to this checkpoint.
     */
    Refusal offer(String host, String logId, byte[] sealKey, String note, Map<Long, List<byte[]>> proofs,
                  int partition, long offset) throws IOException {
        Checkpoint c;
        try {
            String origin = note.substring(0, Math.max(0, note.indexOf('\n')));
            if (!origin.endsWith("/" + logId)) {
                return judged(logId, partition, offset, new Refusal("bad-checkpoint", "host " + host
                        + ": a checkpoint of origin '" + origin + "' came as log " + logId + "'s"));
            }
            c = new CheckpointVerifier(origin, sealKey, origin).verify(note);
        } catch (CheckpointException | IllegalArgumentException e) {
            return judged(logId, partition, offset, new Refusal("bad-checkpoint", "host " + host + ": checkpoint refused: "
                    + e.getMessage()));
        }
        Accepted old = accepted.get(logId);
        if (old != null) {
            Refusal r = extends_(host, old, c, proofs.get(old.size()));
            if (r != null || old.size() == c.size()) { // refused, or the same checkpoint again
                return judged(logId, partition, offset, r);
            }
        }
        accepted.put(logId, new Accepted(c.size(), c.rootHash(), c.origin(), partition, offset));
        save();
        return null;
    }

    /** Remembers the message's position for a log already witnessed (so a restart skips it); returns {@code r}. */
    private Refusal judged(String logId, int partition, long offset, Refusal r) throws IOException {
        Accepted old = accepted.get(logId);
        if (old != null) {
            accepted.put(logId, new Accepted(old.size(), old.root(), old.origin(), partition, offset));
            save();
        }
        return r;
    }

    private static Refusal extends_(String host, Accepted old, Checkpoint c, List<byte[]> proof) {
        String sizes = "host " + host + ": old size " + old.size() + ", new size " + c.size();
        if (c.size() < old.size()) {
            return new Refusal("checkpoint-smaller", sizes + ": the log signed a checkpoint smaller than one it had"
                    + " signed before (cut short and re-signed?)");
        }
        if (c.size() == old.size()) {
            return java.util.Arrays.equals(old.root(), c.rootHash()) ? null : new Refusal("checkpoint-fork",
                    sizes + ": two different roots signed for the same size (a forked log)");
        }
        if (proof == null) {
            return new Refusal("checkpoint-inconsistent", sizes + ": no consistency proof from the accepted size came"
                    + " with it; not accepted");
        }
        if (!ConsistencyProof.verify(old.size(), c.size(), proof, old.root(), c.rootHash())) {
            return new Refusal("checkpoint-inconsistent", sizes + ": the consistency proof does not verify: the new"
                    + " log does not extend the one witnessed (rewritten or forked)");
        }
        return null;
    }

    private void load() throws IOException {
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            try {
                if (f.length != 6 || !f[0].matches("[0-9a-f]{32}")) {
                    throw new IllegalArgumentException("not 'log-id size root origin partition offset'");
                }
                byte[] root = Base64.getDecoder().decode(f[2]);
                if (root.length != 32) {
                    throw new IllegalArgumentException("the root is not 32 bytes");
                }
                accepted.put(f[0], new Accepted(Long.parseLong(f[1]), root, f[3], Integer.parseInt(f[4]), Long.parseLong(f[5])));
            } catch (IllegalArgumentException e) {
                throw new IOException("witness state " + file + " line " + n + " is damaged (" + e.getMessage()
                        + "); restore it from a backup: without it this consumer cannot tell a cut-short log");
            }
        }
    }

    private void save() throws IOException {
        if (file == null) {
            return;
        }
        StringBuilder b = new StringBuilder("# twinlane siem witness: log-id size root origin partition offset\n");
        for (Map.Entry<String, Accepted> e : accepted.entrySet()) {
            Accepted a = e.getValue();
            b.append(e.getKey()).append(' ').append(a.size()).append(' ').append(Base64.getEncoder().encodeToString(a.root()))
                    .append(' ').append(a.origin()).append(' ').append(a.partition()).append(' ').append(a.offset()).append('\n');
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
