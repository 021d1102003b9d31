package dev.twinlane.bench.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.twinlane.ingest.StatxResolver;
import dev.twinlane.policy.CompiledPolicy;
import dev.twinlane.policy.PathResolver;
import dev.twinlane.policy.PolicyCompiler;
import dev.twinlane.policy.PolicyFile;
import dev.twinlane.policy.PolicyParser;
import dev.twinlane.policy.SurvivalList;

/**
 * The benchmark's rules: per 100, 30 IPv4 addresses, 30 IPv6 addresses, 8 IPv4 networks, 8 IPv6
 * networks, 20 files (deny by inode) and 4 ports, matching nothing the host uses. The file rules
 * need real files (their inode is the rule), made in {@code files}.
 */
final class PolicyMix {
    static final String SOURCE = "bench.yaml";

    private final Path files;

    PolicyMix(Path files) {
        this.files = files;
    }

    /** n rules of the mix, without version and mode. */
    String rules(int n) throws IOException {
        return rules(n, 0, 100);
    }

    /** The rules of the mix whose kind (rule index mod 100) is in [from, to). */
    String rules(int n, int from, int to) throws IOException {
        StringBuilder net = new StringBuilder();
        StringBuilder fileRules = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int kind = i % 100;
            int k = i / 100;
            int j = k * 30 + (kind % 30);   // index within its kind
            if (kind < from || kind >= to) {
                continue;
            }
            if (kind < 30) {
                net.append("    - addr: 198.").append(18 + j / 65536).append('.').append(j / 256 % 256).append('.')
                        .append(j % 256).append('\n');
            } else if (kind < 60) {
                net.append("    - addr: 2001:db8::").append(Integer.toHexString(j / 65536)).append(':')
                        .append(Integer.toHexString(j % 65536)).append('\n');
            } else if (kind < 68) {
                int c = k * 8 + kind - 60;
                net.append("    - cidr: ").append(240 + c / 65536).append('.').append(c / 256 % 256).append('.')
                        .append(c % 256).append(".0/24\n");
            } else if (kind < 76) {
                int c = k * 8 + kind - 68;
                net.append("    - cidr: 2001:db8:1:").append(Integer.toHexString(c)).append("::/64\n");
            } else if (kind < 96) {
                Path f = files.resolve("f" + (k * 20 + kind - 76));
                if (!Files.exists(f)) {
                    Files.createFile(f);
                }
                fileRules.append("    - ").append(f).append('\n');
            } else {
                net.append("    - {port: ").append(61000 + k * 4 + kind - 96).append(", protocol: tcp, direction: connect}\n");
            }
        }
        return "deny:\n" + (fileRules.length() > 0 ? "  files:\n" + fileRules : "")
                + (net.length() > 0 ? "  network:\n" + net : "");
    }

    static String policy(long version, String rules) {
        return "version: " + version + "\nmode: audit\n" + rules;
    }

    /** What the agent does with a policy's text: parse, check, resolve the files on this host (statx), compile. */
    static CompiledPolicy compile(String text) {
        return compile(PolicyParser.parse(text, SOURCE), new StatxResolver());
    }

    static CompiledPolicy compile(PolicyFile parsed, PathResolver resolver) {
        return new PolicyCompiler(resolver, SurvivalList.of(SurvivalList.currentBinary(), List.of())).compile(parsed, SOURCE);
    }
}
