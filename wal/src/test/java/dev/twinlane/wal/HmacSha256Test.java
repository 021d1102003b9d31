package dev.twinlane.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha256Test {
    @Test
    void rfc4231TestCase2() {
        byte[] key = "Jefe".getBytes();
        byte[] data = "what do ya want for nothing?".getBytes();
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HexFormat.of().formatHex(HmacSha256.mac(key, data)));
    }

    @Test
    void sameAsJdkMacForManyInputsAndKeys() throws Exception {
        Random rnd = new Random(7);
        HmacSha256 h = new HmacSha256();
        Mac jdk = Mac.getInstance("HmacSHA256");
        for (int i = 0; i < 500; i++) {
            byte[] key = new byte[1 + rnd.nextInt(100)];
            byte[] msg = new byte[rnd.nextInt(1500)];
            rnd.nextBytes(key);
            rnd.nextBytes(msg);
            h.init(key);
            int split = msg.length == 0 ? 0 : rnd.nextInt(msg.length);
            h.update(msg, 0, split);
            h.update(msg, split, msg.length - split);
            byte[] out = new byte[32];
            h.doFinal(out, 0);
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            assertArrayEquals(jdk.doFinal(msg), out);
            // a second MAC under the same key, without init
            h.update(msg, 0, msg.length);
            h.doFinal(out, 0);
            assertArrayEquals(jdk.doFinal(msg), out);
        }
    }
}
