package dev.twinlane.sandbox;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Landlock half of the agent's self-hardening, seen from inside the agent: the launcher's
 * helper (`twinlane-sandbox-exec --confine-writes DIR... -- java ...`) applied it before the JVM
 * started and said so in {@link #ENV}. An environment variable is anyone's to set, so a claim of
 * protection is believed only after a write outside the grants failed with EACCES.
 */
public final class WriteConfinement {
    /** Set by the helper: "abi=N handled=0xR", or "none: why". */
    public static final String ENV = "TWINLANE_LANDLOCK";
    /** Where a trial write goes: directories root may write to that the agent never needs. */
    private static final List<Path> TRIAL_DIRS = List.of(Path.of("/dev/shm"), Path.of("/tmp"), Path.of("/var/tmp"));

    private WriteConfinement() {
    }

    /**
     * One clause for the start line and status: "landlock: ..." with the ABI and the writable
     * directories, or why it is not in force. {@code unapplied} says why no helper ran when
     * {@link #ENV} is absent.
     */
    public static String describe(String claim, List<Path> grants, String unapplied) {
        if (claim == null) {
            return "landlock: not applied (" + unapplied + ")";
        }
        if (claim.startsWith("none: ")) {
            return "landlock: not applied (" + claim.substring(6) + ")";
        }
        int abi = abi(claim);
        if (abi < 1) {
            return "landlock: not applied (" + ENV + " is '" + claim + "', not what the helper writes)";
        }
        String refuted = trial(grants, abi);
        if (refuted != null) {
            return refuted;
        }
        String missing = unhandled(abi);
        return "landlock: ABI " + abi + ", writes only beneath " + grants.stream().map(Path::toString)
                .collect(Collectors.joining(", ")) + (missing.isEmpty() ? "" : "; not confined at this ABI: " + missing);
    }

    /** The write rights this ABI lacks, named; ABI 1 also refuses every rename or link across directories. */
    static String unhandled(int abi) {
        List<String> missing = new ArrayList<>();
        if (abi < 2) {
            missing.add("refer (renames and links across directories always fail)");
        }
        if (abi < 3) {
            missing.add("truncate");
        }
        if (abi < 5) {
            missing.add("ioctl on devices");
        }
        return String.join(", ", missing);
    }

    private static int abi(String claim) {
        if (!claim.startsWith("abi=")) {
            return -1;
        }
        int end = claim.indexOf(' ');
        try {
            return Integer.parseInt(claim.substring(4, end < 0 ? claim.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Null when creating a file outside the grants failed with EACCES, else the clause that says what is not known. */
    private static String trial(List<Path> grants, int abi) {
        for (Path dir : TRIAL_DIRS) {
            // access(2) is DAC alone (Landlock does not answer it): a refusal below is Landlock's
            if (!Files.isDirectory(dir) || !Files.isWritable(dir) || grants.stream().anyMatch(dir::startsWith)) {
                continue;
            }
            Path file = dir.resolve(".twinlane-landlock-trial-" + ProcessHandle.current().pid());
            try {
                Files.createFile(file);
                Files.delete(file);
                return "landlock: NOT in force (" + ENV + " claims ABI " + abi + ", but a file could be created in " + dir + ")";
            } catch (AccessDeniedException e) {
                return null;
            } catch (IOException e) {
                // e.g. a read-only mount (EROFS): says nothing about Landlock; the next directory may
            }
        }
        return "landlock: unverified (" + ENV + " claims ABI " + abi + "; none of " + TRIAL_DIRS
                + " was left outside the grants to try a write in)";
    }
}
