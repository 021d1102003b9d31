package dev.twinlane.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Set;

/** Key-file hygiene and small atomic file writes shared by keys, seals and metadata. */
final class KeyFiles {
    private static final Set<PosixFilePermission> OPEN_TO_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private KeyFiles() {
    }

    /**
     * Refuses a secret file that anyone but its owner may read or write, or, for the writer,
     * that root does not own. Messages are one line and say how to fix it.
     */
    static void requirePrivate(Path file, boolean requireRootOwner) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            for (PosixFilePermission p : perms) {
                if (OPEN_TO_OTHERS.contains(p)) {
                    throw new WalException("key file " + file + " is accessible to group or others (mode "
                            + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + file);
                }
            }
            if (requireRootOwner) {
                int uid = (Integer) Files.getAttribute(file, "unix:uid");
                if (uid != 0) {
                    throw new WalException("key file " + file + " is owned by uid " + uid
                            + ", not root; run: chown root:root " + file);
                }
            }
        } catch (NoSuchFileException e) {
            throw new WalException("key file " + file + " does not exist");
        } catch (IOException e) {
            throw new WalException("cannot read key file " + file + ": " + e.getMessage());
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] unhex(String s, int expectedBytes, String what) {
        String t = s.trim();
        if (t.length() != expectedBytes * 2) {
            throw new WalException(what + ": expected " + expectedBytes * 2 + " hex digits, found " + t.length());
        }
        try {
            return HexFormat.of().parseHex(t);
        } catch (IllegalArgumentException e) {
            throw new WalException(what + ": not hexadecimal");
        }
    }

    /** Writes then renames, syncing file and directory: readers see the old or the new file. */
    static void writeAtomically(Path file, byte[] content, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(dir);
    }

    /** fsync of a directory, so a created or renamed entry survives power loss (Linux). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
