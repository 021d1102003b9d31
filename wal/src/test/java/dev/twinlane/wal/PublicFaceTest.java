package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins what other modules can name in wal: the log (builder, appender, reader, verifier, keys,
 * errors) and the read-only package of records and proofs. A type added to either fails here
 * until it is agreed on (this list, and its paragraph in wal/README.md) or made package-private.
 */
class PublicFaceTest {
    static final Set<String> LOG = Set.of("ChainedLog", "ChainedLog.Builder", "ChainedLog.Status", "ChainAppender",
            "ChainReader", "ChainVerifier", "ChainVerifier.Report", "ChainVerifier.Failure", "ChainVerifier.RecordMac",
            "WalException", "WalException.Full", "KeyRing", "KeyRing.RootKey", "SealKey");
    static final Set<String> PROOF = Set.of("proof.Kinds", "proof.RecordFormat", "proof.Genesis", "proof.NewLog",
            "proof.EpochSchedule", "proof.Seal", "proof.Checkpoint", "proof.CheckpointVerifier",
            "proof.CheckpointException", "proof.InclusionProof", "proof.ConsistencyProof", "proof.ProofGenerator",
            "proof.MerkleTree", "proof.MerkleTree.Leaves", "proof.LeavesFile", "proof.LeavesFile.Sink");

    @Test
    void onlyTheAgreedTypesCanBeNamedOutsideWal() throws Exception {
        Set<String> agreed = new TreeSet<>(LOG);
        agreed.addAll(PROOF);
        Set<String> reachable = reachableTypes();
        Set<String> added = new TreeSet<>(reachable);
        added.removeAll(agreed);
        Set<String> gone = new TreeSet<>(agreed);
        gone.removeAll(reachable);
        assertTrue(added.isEmpty(), "public types outside wal's agreed face " + added
                + ": make them package-private, or agree on them (PublicFaceTest and wal/README.md)");
        assertTrue(gone.isEmpty(), "agreed public types no longer public " + gone + ": update PublicFaceTest and wal/README.md");
        long topLevel = reachable.stream().filter(n -> !n.replaceFirst("^proof\\.", "").contains(".")).count();
        System.out.println("wal's public face: " + reachable.size() + " types, " + topLevel + " of them top-level: " + reachable);
    }

    @Test
    void theReadOnlyPackageNeedsNothingOfTheLog() throws IOException {
        Path proof = Path.of("src/main/java/dev/twinlane/wal/proof");
        try (Stream<Path> files = Files.list(proof)) {
            List<String> reaching = files.filter(f -> {
                try {
                    return Files.readString(f).lines().anyMatch(l -> l.startsWith("import dev.twinlane.wal.")
                            && !l.startsWith("import dev.twinlane.wal.proof."));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
            assertEquals(List.of(), reaching, "dev.twinlane.wal.proof holds no key and writes no log: it imports nothing of the log");
        }
    }

    @Test
    void everyAgreedTypeHasItsWordInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Set<String> missing = new TreeSet<>();
        for (String t : Stream.concat(LOG.stream(), PROOF.stream()).collect(Collectors.toList())) {
            String name = t.replaceFirst("^proof\\.", "");
            String simple = name.substring(name.lastIndexOf('.') + 1);
            if (!readme.contains("`" + name) && !readme.contains("`" + simple)) {
                missing.add(t);
            }
        }
        assertTrue(missing.isEmpty(), "wal/README.md does not name " + missing);
    }

    @Test
    void hiddenLibcStillBinds() {
        // jnr-ffi implements LibC in a class loader of its own: it must still reach the nested interface
        assertNotNull(NativeCalls.LIBC, "libc binding through jnr-ffi");
        assertEquals(9, NativeCalls.LIBC.posix_fadvise(-1, 0, 0, 0), "posix_fadvise on a bad fd returns EBADF (9)");
    }

    /** Types other packages can name: public, and every class around them public too, by their name in wal. */
    static Set<String> reachableTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(ChainedLog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> names = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList());
        }
        for (Path f : files) {
            String binary = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> c = Class.forName(binary, false, PublicFaceTest.class.getClassLoader());
            if (reachable(c)) {
                names.add(c.getName().substring("dev.twinlane.wal.".length()).replace('$', '.'));
            }
        }
        return names;
    }

    private static boolean reachable(Class<?> c) {
        if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) {
            return false;
        }
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }
}
