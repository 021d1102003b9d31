package dev.twinlane.detector;

import static dev.twinlane.detector.Reading.normal;
import static dev.twinlane.detector.Reading.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;

import org.junit.jupiter.api.Test;

/**
 * Encodings short payloads use: base64 under 16 chars (x';-- is eCc7LS0=) when its text is
 * ASCII with a payload's punctuation, '+' for a blank as forms write it, a backslash before
 * every char; and the look-alikes of each that stay as they are.
 */
class ShortEncodingsTest {
    private final Reading reading = new Reading();

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(Payloads.utf8(s));
    }

    @Test
    void shortBase64WithAPayloadsPunctuationIsDecoded() {
        assertEquals("eCc7LS0=", b64("x';--"));
        assertEquals("payload=x';--", normal("payload=" + b64("x';--")));
        assertEquals(ThreatClass.SQL_INJECTION, reading.scan("/tmp/w/1/" + b64("admin'/*")));
        assertEquals(ThreatClass.SQL_INJECTION, reading.scan("b64=" + b64("\u0430dmin';--")), "a look-alike inside");
        assertFalse(plain("q=" + b64("x';--")));
    }

    @Test
    void shortWordsThatDecodeByChanceStay() {
        // "bindings" decodes to well-formed UTF-8 with a ')' in it, whoami's base64 to ASCII without punctuation
        for (String s : new String[] {"/usr/share/man/man1/gcloud_iam_policy-bindings_list.1.gz", "packages", "whoami",
                "id=" + b64("whoami")}) {
            assertTrue(plain(s), s);
        }
    }

    @Test
    void plusSignsOfAFormAreBlanks() {
        reading.assertReads("admin'+or+1=1--", "admin' or 1=1--", ThreatClass.SQL_INJECTION);
        assertEquals(ThreatClass.SQL_INJECTION, reading.scan("test@example.com'))++order+by+1--+-"));
        assertEquals(ThreatClass.COMMAND_INJECTION, reading.scan("x+;+rm+-rf+--no-preserve-root+/+;+echo+"));
        assertFalse(plain("x+;+rm+-rf+/"));
    }

    @Test
    void aPlusAloneInAWordOrAnEncodedPlusStays() {
        assertEquals("chmod u+s /usr/bin/foo", normal("chmod u+s /usr/bin/foo"));
        assertEquals("g++-12 x.c++", normal("g++-12 x.c++"));
        assertEquals("admin'+or+1=1", normal("admin'%2Bor%2B1=1"), "%2B is a plus, not a blank");
        assertTrue(plain("g++-12 -O2 x.c++ /usr/lib/libstdc++.so.6"));
    }

    @Test
    void aBackslashBeforeEveryCharQuotesEach() {
        assertEquals("9999'--", normal("\\9\\9\\9\\9\\'\\-\\-"));
        reading.assertReads("\\'\\=\\' \\'\\o\\r\\'", "'=' 'or'", ThreatClass.SQL_INJECTION);
    }

    @Test
    void aWindowsPathKeepsItsBackslashes() {
        assertEquals("..\\..\\windows\\win.ini", normal("..\\..\\windows\\win.ini"));
        assertEquals("c:\\windows\\system32", normal("C:\\Windows\\System32"));
        assertEquals("x; curl", normal("x; c\\url"), "elsewhere a backslash between letters quotes the letter");
    }
}
