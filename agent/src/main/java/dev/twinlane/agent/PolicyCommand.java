package dev.twinlane.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.twinlane.cli.Choice;
import dev.twinlane.cli.Cli;
import dev.twinlane.cli.UsageException;
import dev.twinlane.cli.Version;
import dev.twinlane.policy.BundleSigner;
import dev.twinlane.policy.PolicyBundle;
import dev.twinlane.policy.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `twinlane policy ...`: keys and bundles are made here, on any machine; apply, show, rollback
 * and mode go to the running agent through its control socket ({@link AgentControl}), which
 * checks, applies and records each of them (docs/POLICY.md).
 */
@Command(name = "policy", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Signed deny policies: make keys and bundles, and apply, show, roll back or switch the mode of"
                + " the running agent's policy (docs/POLICY.md).",
        subcommands = {PolicyCommand.Keygen.class, PolicyCommand.Sign.class, PolicyCommand.Apply.class,
                PolicyCommand.Show.class, PolicyCommand.Rollback.class, PolicyCommand.Mode.class})
final class PolicyCommand implements Callable<Integer> {
    @Override
    public Integer call() throws UsageException {
        throw new UsageException("policy needs a subcommand: keygen, sign, apply, show, rollback or mode");
    }

    /** Where the running agent listens; the agent's own default unless said otherwise. */
    static final class Socket {
        @Option(names = "--socket", paramLabel = "PATH", description = "the agent's control socket (default: ${DEFAULT-VALUE})")
        Path path = ControlServer.DEFAULT_PATH;

        AgentControl agent() {
            if (!Files.exists(path)) {
                throw new IllegalStateException("no agent listens on " + path + " (is one running with a policy: section"
                        + " in its configuration? --socket names another)");
            }
            return new AgentControl(path);
        }
    }

    /** Prints the agent's one line (stdout when it acted, stderr when it refused); exit 1 on a refusal. */
    static int answer(AgentControl.Reply r) {
        if (r.ok()) {
            System.out.println(r.message());
            return 0;
        }
        System.err.println("twinlane policy: " + r.message());
        return Cli.FAILURE;
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Makes an Ed25519 signing key: the private file (mode 600) and its public key, for the"
                    + " agents' trusted-key directory.")
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "the private key file to write")
        Path out;

        @Option(names = "--public", paramLabel = "FILE", description = "the public key file (default: FILE.pub)")
        Path publicFile;

        @Override
        public Integer call() {
            Path pub = publicFile != null ? publicFile : Path.of(out + ".pub");
            SigningKey k = SigningKey.generate(out, pub);
            System.out.println("key " + k.keyId() + ": private " + out + ", public " + pub
                    + " (copy the public one into the agents' trusted-key directory)");
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Signs a policy file into a bundle (format, policy version, sha256, key id, Ed25519"
                    + " signature). The policy is parsed first: a bad one is not signed.")
    static final class Sign implements Callable<Integer> {
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "the private signing key")
        Path key;

        @Option(names = "--out", paramLabel = "FILE", description = "the bundle to write (default: POLICY.bundle)")
        Path out;

        @Parameters(paramLabel = "POLICY", description = "the policy file (YAML, docs/POLICY.md)")
        Path policy;

        @Override
        public Integer call() throws IOException {
            String text = Files.readString(policy, StandardCharsets.UTF_8);
            PolicyBundle b = BundleSigner.sign(text, policy.toString(), SigningKey.load(key));
            Path target = out != null ? out : Path.of(policy + ".bundle");
            Files.writeString(target, b.render(), StandardCharsets.UTF_8);
            System.out.println("signed policy version " + b.policyVersion() + " with key " + b.keyId() + ": " + target);
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Has the running agent apply a policy file or bundle: checked in full, compiled, switched"
                    + " in atomically; refused (and nothing changed) when unsigned with --require-signature or the"
                    + " configuration's require_signature, signed by an unknown key, tampered, or not above the"
                    + " version in force.")
    static final class Apply implements Callable<Integer> {
        @Option(names = "--require-signature", description = "refuse a policy that is not a bundle signed by a trusted key")
        boolean requireSignature;

        @Mixin
        Socket socket = new Socket();

        @Parameters(paramLabel = "BUNDLE|FILE", description = "a signed bundle or a policy file")
        Path policy;

        @Override
        public Integer call() throws IOException {
            return answer(socket.agent().apply(policy, requireSignature));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Prints the policy in force in the running agent: version, mode and its text.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Socket socket = new Socket();

        @Override
        public Integer call() throws IOException {
            AgentControl.Reply r = socket.agent().show();
            int status = answer(r);
            if (r.ok() && r.body().hasNonNull("text")) {
                System.out.print(r.body().get("text").asText());
            }
            return status;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Puts the previous policy back in force, deliberately and recorded as such (the version"
                    + " counter stays: the policy rolled back from cannot be replayed).")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        Socket socket = new Socket();

        @Override
        public Integer call() throws IOException {
            return answer(socket.agent().rollback());
        }
    }

    @Command(name = "mode", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Switches the policy in force to audit-only or back to enforce. Enforce to audit is"
                    + " break-glass: it needs a token TIMESTAMP:SIGNATURE (Ed25519 by a trusted key, valid 24 h).")
    static final class Mode implements Callable<Integer> {
        @Parameters(paramLabel = "MODE", converter = ModeChoice.class, completionCandidates = ModeChoice.class,
                description = "audit or enforce")
        String mode;

        @Option(names = "--token", paramLabel = "TOKEN", description = "the break-glass token (enforce to audit)")
        String token;

        @Mixin
        Socket socket = new Socket();

        @Override
        public Integer call() throws IOException {
            return answer(socket.agent().mode(mode, token));
        }
    }

    /** audit | enforce, with their completions. */
    static final class ModeChoice extends Choice<String> {
        ModeChoice() {
            super("audit", "audit", "enforce", "enforce");
        }
    }
}
