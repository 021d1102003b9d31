package dev.twinlane.agent;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Version;
import dev.twinlane.wal.SealKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `twinlane check-proof`: verifies what `twinlane prove` printed, with the seal public key alone. */
@Command(name = "check-proof", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Verifies an inclusion or consistency proof printed by `twinlane prove` with the log's Ed25519"
                + " seal public key alone (no HMAC key): each checkpoint's signature, then the proof. One line out.",
        footer = "Exit status: 0 the proof holds, 1 it does not (or the files are unreadable), 2 usage.")
final class CheckProofCommand implements Callable<Integer> {
    /** A proof of a tree of 2^63 leaves has fewer than 200 lines: anything much larger is not one. */
    private static final long MAX_PROOF = 1 << 20;

    @Option(names = "--key", paramLabel = "PUBFILE", required = true, description = "the seal public key file (seal.pub)")
    Path key;

    @Parameters(paramLabel = "PROOF", description = "the proof file (`-` for stdin)")
    String proof;

    @Override
    public Integer call() throws IOException {
        byte[] publicKey = SealKey.loadPublic(key);
        String text = read();
        try {
            System.out.println(ProofText.check(text, publicKey));
            return 0;
        } catch (ProofText.ProofException e) {
            System.out.println("REFUSED: " + e.getMessage());
            return 1;
        }
    }

    private String read() throws IOException {
        byte[] raw = proof.equals("-") ? System.in.readNBytes((int) MAX_PROOF + 1) : readFile(Path.of(proof));
        if (raw.length > MAX_PROOF) {
            throw new IOException(proof + " is larger than " + MAX_PROOF + " bytes: not a proof");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(proof + " is not UTF-8 text: not a proof");
        }
    }

    private static byte[] readFile(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IOException("no proof file " + p);
        }
        if (Files.size(p) > MAX_PROOF) {
            throw new IOException(p + " is larger than " + MAX_PROOF + " bytes: not a proof");
        }
        return Files.readAllBytes(p);
    }
}
