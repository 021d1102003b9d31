package dev.twinlane.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Compiled profiles under DIR/profiles, each named by the SHA-256 of the format version, the
 * built-in profiles' texts (a file may include them) and the sources' names and texts: a profile
 * whose text did not change is not parsed or compiled again. Written whole and renamed into place,
 * so a reader sees an old file or a new one, never half of one.
 */
public final class ProfileCache {
    private static final String SUFFIX = ".tlsb";
    private final Path dir;

    public ProfileCache(Path dir) {
        this.dir = dir.resolve("profiles");
    }

    /** The compiled file for these sources, compiled and stored only when not cached yet. */
    public Path compiled(List<ProfileSource> sources) throws ProfileException, IOException {
        Path file = file(sources);
        return Files.isRegularFile(file) ? file : store(file, CompiledProfile.compile(ProfileParser.parse(sources)));
    }

    /** Where these sources' compiled file is (or would be) kept. */
    public Path file(List<ProfileSource> sources) {
        return dir.resolve(key(sources) + SUFFIX);
    }

    private Path store(Path file, byte[] compiled) throws IOException {
        createPrivateDirectories(dir);
        Path tmp = Files.createTempFile(dir, "compile-", ".tmp");
        try {
            Files.write(tmp, compiled);
            return Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    static String key(List<ProfileSource> sources) {
        MessageDigest sha = sha256();
        sha.update(("twinlane-sandbox/" + CompiledProfile.FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
        for (String name : BuiltinProfile.NAMES) {
            update(sha, BuiltinProfile.source(name));
        }
        for (ProfileSource s : sources) {
            update(sha, s);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, ProfileSource s) {
        // lengths first, so that no two lists of sources hash the same bytes
        byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
        byte[] text = s.text().getBytes(StandardCharsets.UTF_8);
        sha.update((name.length + ":" + text.length + ":").getBytes(StandardCharsets.UTF_8));
        sha.update(name);
        sha.update(text);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
