package dev.twinlane.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The example in docs/POLICY.md is a policy that parses and compiles, so the documentation cannot drift. */
class PolicyDocTest {
    @Test
    void theDocumentedExampleCompiles() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("twinlane.policy.doc", "../docs/POLICY.md")));
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        String example = doc.substring(start, doc.indexOf("```", start));
        PolicyFile p = PolicyParser.parse(example, "docs/POLICY.md");
        FakeResolver files = new FakeResolver().with("/etc/shadow", 1).with("/usr/bin/nc.openbsd", 2)
                .with("/sys/fs/cgroup/system.slice/backup.service", 3).with("/etc/passwd", 4);
        CompiledPolicy c = new PolicyCompiler(files, SurvivalList.of("/usr/bin/java", List.of())).compile(p, "doc");
        assertEquals(12, c.version());
        assertEquals(Mode.ENFORCE, c.mode());
        assertEquals(1, c.entries(PolicyMap.DENY_IPV4).size()); // 203.0.113.7, once (no mapped copy)
        assertEquals(1, c.entries(PolicyMap.DENY_IPV6).size()); // 2001:db8::7
        assertEquals(1, c.entries(PolicyMap.DENY_CIDR4).size()); // 10.0.0.0/8
        assertEquals(1, c.entries(PolicyMap.DENY_CIDR6).size()); // 2001:db8:1::/48
        assertEquals(1, c.entries(PolicyMap.DENY_PORT_RULE).size()); // tcp, connect: nothing to expand
        assertEquals(1, c.entries(PolicyMap.ALLOW_CGROUP).size());
    }
}
