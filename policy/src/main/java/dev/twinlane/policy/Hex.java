package dev.twinlane.policy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex text and SHA-256, the two encodings every signed artifact here uses. */
final class Hex {
    private Hex() {
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The bytes of exactly {@code bytes * 2} lower- or upper-case hex digits, or null. */
    static byte[] parse(String s, int bytes) {
        if (s == null || s.length() != bytes * 2 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return null;
        }
        return HexFormat.of().parseHex(s);
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
