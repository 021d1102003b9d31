package dev.twinlane.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.CheckpointException;
import dev.twinlane.wal.proof.ProofGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `twinlane prove`: an inclusion proof of one record, or a consistency proof between two
 * checkpoints, over a log's leaves file (DIR/merkle.leaves), in the text form of {@link ProofText}.
 * Needs no key: whoever checks the proof checks the checkpoints' signatures.
 */
@Command(name = "prove", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Prints a proof that `twinlane check-proof` verifies with the seal public key alone: that record"
                + " SEQ is in the log at a checkpoint (--seq), or that one checkpoint's log extends another's"
                + " (--consistency OLD NEW). Read-only; format: docs/CLI.md and wal/README.md.",
        footer = "Exit status: 0, 1 when no proof can be made (a seq beyond the checkpoint, a checkpoint of another"
                + " log), 2 usage.")
final class ProveCommand implements Callable<Integer> {
    @Option(names = "--wal", paramLabel = "DIR", required = true, description = "the log's directory (its merkle.leaves)")
    Path wal;

    @Option(names = "--seq", paramLabel = "N", description = "prove that record N is in the log")
    Long seq;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "with --seq: the checkpoint to prove against (default: DIR/checkpoint.latest)")
    Path checkpoint;

    @Option(names = "--consistency", arity = "2", paramLabel = "CHECKPOINT",
            description = "OLD NEW: prove that the log at checkpoint NEW extends the log at checkpoint OLD")
    List<Path> consistency;

    @Override
    public Integer call() throws Exception {
        if ((seq == null) == (consistency == null)) {
            throw new UsageException("give either --seq N or --consistency OLD NEW");
        }
        if (consistency != null && checkpoint != null) {
            throw new UsageException("--checkpoint goes with --seq; --consistency names its two checkpoints");
        }
        System.out.print(seq != null ? inclusion() : consistency());
        return 0;
    }

    private String inclusion() throws IOException {
        Checkpoint c = read(checkpoint != null ? checkpoint : wal.resolve("checkpoint.latest"));
        if (seq < 1 || seq > c.size()) {
            throw new IllegalArgumentException("seq " + seq + " is not in the checkpoint's tree of " + c.size() + " records");
        }
        try (ProofGenerator g = open(c.size())) {
            matches(g, c);
            return ProofText.inclusion(seq, g.inclusion(seq, c.size()), g.leafHash(seq - 1), c);
        }
    }

    private String consistency() throws IOException {
        Checkpoint o = read(consistency.get(0));
        Checkpoint n = read(consistency.get(1));
        if (o.size() < 1 || o.size() > n.size()) {
            throw new IllegalArgumentException("no consistency proof from tree size " + o.size() + " to " + n.size()
                    + " (the old checkpoint must be of 1 to " + n.size() + " records)");
        }
        try (ProofGenerator g = open(n.size())) {
            matches(g, o);
            matches(g, n);
            return ProofText.consistency(g.consistency(o.size(), n.size()), o, n);
        }
    }

    private ProofGenerator open(long size) throws IOException {
        ProofGenerator g;
        try {
            g = ProofGenerator.open(wal, size);
        } catch (NoSuchFileException e) {
            throw new IOException(wal + " has no merkle.leaves (not a security log with its Merkle tree)");
        }
        if (g.size() < size) {
            g.close();
            throw new IOException(wal + " has " + g.size() + " leaves, fewer than the checkpoint's " + size);
        }
        return g;
    }

    /** A checkpoint of another log (or of a cut and re-grown one) cannot be proven from these leaves. */
    private void matches(ProofGenerator g, Checkpoint c) {
        if (!Arrays.equals(g.root(c.size()), c.rootHash())) {
            throw new IllegalArgumentException("the log's tree of " + c.size() + " records does not have the root of "
                    + "the checkpoint (" + c + "): it is not this log's checkpoint");
        }
    }

    private static Checkpoint read(Path file) throws IOException {
        String note;
        try {
            note = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("no checkpoint file " + file);
        }
        try {
            return Checkpoint.parseUnverified(note);
        } catch (CheckpointException e) {
            throw new IOException(file + " is not a checkpoint: " + e.getMessage());
        }
    }
}
