package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PayloadGeneratorTest {
    @Test
    void theSameSeedGivesTheSamePayloadsAndAnotherSeedOthers() {
        for (ThreatClass c : ThreatClass.values()) {
            List<Payload> a = new PayloadGenerator(7).generate(c, 200, 0);
            assertEquals(a, new PayloadGenerator(7).generate(c, 200, 0), c + ": deterministic per seed");
            assertNotEquals(a, new PayloadGenerator(8).generate(c, 200, 0), c + ": the seed matters");
            // payload i does not depend on how many were asked for (--count) or on the other classes
            assertEquals(a.subList(0, 50), new PayloadGenerator(7).generate(c, 50, 0));
        }
    }

    @Test
    void everyPayloadFitsItsChannelAndMostAreDistinct() {
        for (ThreatClass c : ThreatClass.values()) {
            List<Payload> ps = new PayloadGenerator(1).generate(c, 1000, 0);
            Set<List<String>> distinct = new HashSet<>();
            for (Payload p : ps) {
                assertEquals(c, p.threat());
                assertTrue(p.channel() == Payload.Channel.ARGV ? PayloadGenerator.fitsArgv(p.argv()) : PayloadGenerator.fitsPath(p.path()),
                        p.toString());
                distinct.add(p.strings());
            }
            assertTrue(distinct.size() > 900, c + ": " + distinct.size() + " distinct of 1000");
            assertTrue(ps.stream().anyMatch(p -> p.channel() == Payload.Channel.FILE), c + " has path payloads");
            assertTrue(ps.stream().anyMatch(p -> p.argv().size() > 1), c + " has payloads split across argv");
        }
    }

    @Test
    void everyMutationIsUsed() {
        Set<Mutation> seen = EnumSet.noneOf(Mutation.class);
        for (Payload p : new PayloadGenerator(3).generate(ThreatClass.COMMAND_INJECTION, 2000, 0)) {
            for (Mutation m : Mutation.values()) {
                if (p.how().matches(".*\\b" + m + "\\b.*")) {
                    seen.add(m);
                }
            }
        }
        assertEquals(EnumSet.allOf(Mutation.class), seen);
    }

    @Test
    void mutationsRewriteAsNamed() {
        assertEquals("%63%75%72%6C", Mutation.percent("curl", false));
        assertEquals("%2563%2575%2572%256C", Mutation.percent("curl", true));
        assertEquals("\\x63\\x75\\x72\\x6c", Mutation.escape("curl", "\\x%02x"));
        assertEquals("\\143\\165\\162\\154", Mutation.escape("curl", "\\%03o"));
        assertEquals("ｃｕｒｌ", Mutation.fullWidth("curl"));
    }
}
