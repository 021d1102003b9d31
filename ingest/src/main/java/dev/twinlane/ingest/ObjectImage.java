package dev.twinlane.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The bytes of one compiled BPF object, checked before libbpf sees them:
 * an ELF64 little-endian BPF relocatable, within a size bound, whose SHA-256
 * equals the digest recorded at build time (seed 004, AS-2). The checked
 * bytes are the bytes loaded, so nothing can swap the file in between.
 */
public final class ObjectImage {
    public static final int MAX_BYTES = 4 << 20;
    private static final int EM_BPF = 247;

    private final String name;
    private final byte[] bytes;
    private final String sha256;

    private ObjectImage(String name, byte[] bytes, String sha256) {
        this.name = name;
        this.bytes = bytes;
        this.sha256 = sha256;
    }

    /** Loads a packaged object (resource bpf/NAME) and checks it against bpf/digests. */
    public static ObjectImage packaged(String name) {
        return check(name, readResource("bpf/" + name), buildDigests().get(name));
    }

    /** Loads an object from a file, checking it against the packaged digest of the same name. */
    public static ObjectImage fromFile(Path file) {
        String name = file.getFileName().toString();
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IngestException("refusing " + file + ": larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IngestException("cannot read BPF object " + file + ": " + e.getMessage());
        }
        return check(name, bytes, buildDigests().get(name));
    }

    static ObjectImage check(String name, byte[] bytes, String expectedSha256) {
        if (bytes.length > MAX_BYTES) {
            throw new IngestException("refusing " + name + ": larger than " + MAX_BYTES + " bytes");
        }
        requireBpfElf(name, bytes);
        String actual = sha256(bytes);
        if (expectedSha256 == null) {
            throw new IngestException("refusing " + name + ": no build-time digest recorded for it");
        }
        if (!actual.equals(expectedSha256)) {
            throw new IngestException("refusing " + name + ": SHA-256 " + actual
                    + " does not match the build-time digest " + expectedSha256 + " (tampered or stale object)");
        }
        return new ObjectImage(name, bytes, actual);
    }

    private static void requireBpfElf(String name, byte[] b) {
        boolean elf = b.length >= 64 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
        if (!elf) {
            throw new IngestException("refusing " + name + ": not an ELF file");
        }
        if (b[4] != 2 || b[5] != 1) {
            throw new IngestException("refusing " + name + ": not a 64-bit little-endian ELF object");
        }
        int type = (b[16] & 0xFF) | (b[17] & 0xFF) << 8;
        int machine = (b[18] & 0xFF) | (b[19] & 0xFF) << 8;
        if (machine != EM_BPF || type != 1) {
            throw new IngestException("refusing " + name + ": not a BPF relocatable object (e_machine="
                    + machine + ", e_type=" + type + ")");
        }
    }

    public String name() {
        return name;
    }

    byte[] bytes() {
        return bytes;
    }

    public String sha256() {
        return sha256;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digests file written by build-bpf.sh: "HEX  NAME" lines. */
    static Map<String, String> buildDigests() {
        Map<String, String> digests = new HashMap<>();
        for (String line : new String(readResource("bpf/digests"), StandardCharsets.US_ASCII).split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                digests.put(parts[1], parts[0]);
            }
        }
        return digests;
    }

    private static byte[] readResource(String path) {
        try (InputStream in = ObjectImage.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IngestException("packaged resource " + path + " is missing: rebuild ebpf-programs");
            }
            byte[] b = in.readNBytes(MAX_BYTES + 1);
            if (b.length > MAX_BYTES) {
                throw new IngestException("refusing " + path + ": larger than " + MAX_BYTES + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new IngestException("cannot read " + path + ": " + e.getMessage());
        }
    }
}
