package dev.twinlane.siem;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The last text decoded at one place, kept: a host, log id, key id or message key repeats from
 * message to message (a poll's messages are runs of one host's), so it is compared, not decoded
 * into a new String each time.
 */
final class LastText {
    private byte[] bytes = new byte[0];
    private String text = "";

    /** The UTF-8 text of {@code b[from, to)}. */
    String of(byte[] b, int from, int to) {
        if (!Arrays.equals(bytes, 0, bytes.length, b, from, to)) {
            bytes = Arrays.copyOfRange(b, from, to);
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        return text;
    }
}
