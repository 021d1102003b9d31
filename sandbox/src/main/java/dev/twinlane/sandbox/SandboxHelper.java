package dev.twinlane.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * twinlane-sandbox-exec, the native helper that applies a compiled profile to itself and execs the
 * workload. It travels inside the jar (built by sandbox/build-native.sh) and is written once to
 * DIR/bin under a name carrying its SHA-256, so a new build never runs an old helper.
 */
public final class SandboxHelper {
    private static final String RESOURCE = "native/twinlane-sandbox-exec";
    private static volatile byte[] binary;

    private final Path file;

    private SandboxHelper(Path file) {
        this.file = file;
    }

    /** The helper, written to DIR/bin when it is not there yet. */
    public static SandboxHelper installed(Path dir) throws IOException {
        byte[] bytes = binary();
        Path bin = dir.resolve("bin");
        Path file = bin.resolve("twinlane-sandbox-exec-" + HexFormat.of().formatHex(ProfileCache.sha256().digest(bytes), 0, 8));
        if (!Files.isExecutable(file)) {
            ProfileCache.createPrivateDirectories(bin);
            Path tmp = Files.createTempFile(bin, "helper-", ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return new SandboxHelper(file);
    }

    /** The command line that runs CMD under the compiled profile. */
    public List<String> command(Path compiled, List<String> cmd) {
        List<String> all = new ArrayList<>(cmd.size() + 2);
        all.add(file.toString());
        all.add(compiled.toString());
        all.addAll(cmd);
        return all;
    }

    public Path file() {
        return file;
    }

    private static byte[] binary() throws IOException {
        byte[] b = binary;
        if (b == null) {
            try (InputStream in = SandboxHelper.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("the helper " + RESOURCE + " is missing: sandbox/build-native.sh did not run");
                }
                b = in.readAllBytes();
            }
            binary = b;
        }
        return b;
    }
}
