package dev.twinlane.cli;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: the project's version (written into this jar by the build) and, when the jar sits
 * in a git checkout (as the launcher runs it), the commit checked out now; only asked for by --version,
 * so the git call costs nothing otherwise.
 */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String commit = commit();
        return new String[]{Cli.ROOT + " " + project() + (commit.isEmpty() ? "" : " (git " + commit + ")")};
    }

    static String project() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            p.load(in);
        } catch (Exception e) {
            return "(version unknown)";
        }
        return p.getProperty("version", "(version unknown)");
    }

    /** The short commit of the checkout this code was loaded from, "-dirty" when it has changes; "" when none. */
    static String commit() {
        try {
            Path here = Path.of(Version.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(here) ? here : here.getParent();
            Process git = new ProcessBuilder("git", "-C", dir.toString(), "describe", "--always", "--dirty",
                    "--abbrev=12", "--exclude=*").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!git.waitFor(2, TimeUnit.SECONDS)) {
                git.destroy();
                return "";
            }
            return git.exitValue() == 0 ? out : "";
        } catch (Exception e) {
            return ""; // no git, no checkout: the version alone
        }
    }
}
