package dev.twinlane.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import dev.twinlane.wal.ChainedLog;
import dev.twinlane.wal.proof.Checkpoint;
import dev.twinlane.wal.proof.ConsistencyProof;
import dev.twinlane.wal.proof.ProofGenerator;
import dev.twinlane.wire.CheckpointMessage;

/**
 * Turns each new checkpoint of the security log into a {@link CheckpointMessage} with consistency
 * proofs from the sizes of the last {@value #KEEP} checkpoints published before it, which a
 * witness may hold. Those sizes are kept in CURSOR_DIR/security.checkpoints (one per line,
 * written atomically), so they survive a restart. Exporter thread only.
 */
final class CheckpointPublisher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.twinlane.export");
    static final int KEEP = 16;
    private final ChainedLog log;
    private final Path file;
    private final List<Long> sizes = new ArrayList<>();
    private ProofGenerator proofs;
    /** The last checkpoint sent ("size root"): a checkpoint is published when it differs, smaller ones included. */
    private String lastSent = "";
    /** The checkpoint object last looked at (the log replaces it with each new one). */
    private Checkpoint lastLooked;

    CheckpointPublisher(ChainedLog log, Path cursorDir) {
        this.log = log;
        this.file = cursorDir.resolve("security.checkpoints");
        load();
    }

    /** After a send failed and a new producer took over: the latest checkpoint goes out again (it may have been lost). */
    void resend() {
        lastSent = "";
        lastLooked = null;
    }

    /** The message of a checkpoint not sent yet, or null. */
    byte[] next(String host) throws IOException {
        Checkpoint c = log.checkpoint();
        if (c == lastLooked || host == null) {
            return null; // the usual case, after each record: one volatile read
        }
        if (id(c).equals(lastSent)) {
            lastLooked = c;
            return null;
        }
        if (proofs == null) {
            proofs = ProofGenerator.open(log.directory(), 0);
        }
        if (proofs.extend(c.size()) < c.size()) {
            return null; // the leaves file is behind its checkpoint for a moment: next time
        }
        List<CheckpointMessage.Proof> list = new ArrayList<>();
        for (long old : sizes) {
            if (old > 0 && old < c.size()) {
                ConsistencyProof p = proofs.consistency(old, c.size());
                list.add(new CheckpointMessage.Proof(old, p.path()));
            }
        }
        byte[] m = CheckpointMessage.encode(log.logId(), host, c.size(), c.note(), list);
        lastSent = id(c);
        lastLooked = c;
        remember(c.size());
        return m;
    }

    private static String id(Checkpoint c) {
        return c.size() + " " + java.util.Base64.getEncoder().encodeToString(c.rootHash());
    }

    private void remember(long size) {
        sizes.remove(size);
        sizes.add(size);
        while (sizes.size() > KEEP) {
            sizes.remove(0);
        }
        StringBuilder b = new StringBuilder("# twinlane export: tree sizes of the checkpoints published, oldest first\n"
                + "log-id=" + log.logId() + "\nlast=" + lastSent + "\n");
        for (long s : sizes) {
            b.append(s).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.US_ASCII)));
                ch.force(false);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "export security: cannot write " + file + ": " + e);
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            if (!lines.contains("log-id=" + log.logId())) {
                return; // another log's: its sizes mean nothing here
            }
            for (String l : lines) {
                if (l.matches("[0-9]{1,18}")) {
                    sizes.add(Long.parseLong(l));
                }
            }
            for (String l : lines) {
                if (l.startsWith("last=")) {
                    lastSent = l.substring(5); // a restart does not publish the same checkpoint again
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "export security: cannot read " + file + " (" + e
                    + "); checkpoints go out with proofs from the sizes published from now on");
        }
    }

    @Override
    public void close() throws IOException {
        if (proofs != null) {
            proofs.close();
        }
    }
}
