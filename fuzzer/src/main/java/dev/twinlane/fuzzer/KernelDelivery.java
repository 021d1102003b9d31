package dev.twinlane.fuzzer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivers payloads through the kernel's own paths, in a scratch directory: an exec of a copy of
 * /bin/true with the crafted arguments, and an open of the crafted path. A path payload is opened
 * as {@code SCRATCH/w/ID/d/d/.../PAYLOAD}, with as many {@code d} levels as its {@code ..} steps
 * need to stay inside {@code w/ID}; every directory it passes through and the file it ends at are
 * made before the agent starts, so only the crafted open is watched (prefix {@code SCRATCH/w/}). Runs where the JVM
 * encodes file names and arguments as UTF-8, so the kernel sees the payload's own bytes.
 */
public final class KernelDelivery {
    private final Path scratch;
    private final Path binary;
    private final List<Payload> payloads;
    private final List<String> openPaths = new ArrayList<>();
    private final List<Delivered> delivered = new ArrayList<>();

    /** What reached the kernel: the exec's pid (tgid) and program, or the exact string opened. */
    public record Delivered(Payload payload, long pid, String program, String openedPath, String error) {
    }

    private KernelDelivery(Path scratch, List<Payload> payloads) {
        this.scratch = scratch;
        this.binary = scratch.resolve("bin/true");
        this.payloads = payloads;
    }

    /** Checks the encoding, makes the scratch directory, the program and every path's file. */
    public static KernelDelivery prepare(Path scratch, List<Payload> payloads) throws IOException {
        String jnu = System.getProperty("sun.jnu.encoding", "");
        if (!Charset.forName(jnu.isEmpty() ? "US-ASCII" : jnu).name().equals("UTF-8")) {
            throw new IllegalStateException("file names and arguments would be encoded as " + jnu
                    + ", not UTF-8: run with a UTF-8 locale (e.g. LC_ALL=C.UTF-8)");
        }
        KernelDelivery d = new KernelDelivery(scratch, payloads);
        Files.createDirectories(d.binary.getParent());
        Files.copy(Path.of("/bin/true"), d.binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        for (Payload p : payloads) {
            d.openPaths.add(p.channel() == Payload.Channel.FILE ? d.makeTarget(p) : null);
        }
        return d;
    }

    /** The prefix the agent must watch so that the crafted opens are recorded. */
    public String watchPrefix() {
        return scratch.resolve("w") + "/";
    }

    private String makeTarget(Payload p) throws IOException {
        Path home = scratch.resolve("w").resolve(Integer.toString(p.id()));
        String relative = relativePath(home, p);
        Files.createDirectories(home);
        walk(home, relative, true);
        return Path.of(home + "/" + relative).toString();
    }

    /** The payload's path under home, behind as many {@code d/} as its {@code ..} steps need. */
    static String relativePath(Path home, Payload p) throws IOException {
        for (int depth = 0; depth <= 64; depth++) {
            String relative = "d/".repeat(depth) + p.path();
            if (walk(home, relative, false)) {
                return relative;
            }
        }
        throw new IllegalStateException("payload " + p.id() + " climbs more than 64 levels: " + p.path());
    }

    /**
     * Follows the path as the kernel will (each directory must exist before a {@code ..} after it
     * leaves it), making the directories and the file when {@code make}; false when it would leave home.
     */
    private static boolean walk(Path home, String relative, boolean make) throws IOException {
        String[] parts = relative.split("/");
        Path at = home;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            at = part.equals("..") ? at.getParent() : at.resolve(part);
            if (!at.startsWith(home) || at.equals(home) && i == parts.length - 1) {
                return false;
            }
            if (make && i < parts.length - 1 && !part.equals("..")) {
                Files.createDirectories(at);
            }
        }
        if (make && !Files.exists(at)) {
            Files.createFile(at);
        }
        return true;
    }

    /** Delivers every payload, in order, while the agent runs. */
    public List<Delivered> deliverAll() throws InterruptedException {
        for (int i = 0; i < payloads.size(); i++) {
            Payload p = payloads.get(i);
            delivered.add(p.channel() == Payload.Channel.ARGV ? exec(p) : open(p, openPaths.get(i)));
        }
        return delivered;
    }

    private Delivered exec(Payload p) throws InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(p.argv());
        try {
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            proc.waitFor();
            return new Delivered(p, proc.pid(), binary.toString(), null, null);
        } catch (IOException e) {
            return new Delivered(p, -1, binary.toString(), null, e.getMessage());
        }
    }

    private static Delivered open(Payload p, String path) {
        try (FileChannel ch = FileChannel.open(Path.of(path), StandardOpenOption.READ)) {
            return new Delivered(p, ProcessHandle.current().pid(), null, path, null);
        } catch (IOException e) {
            return new Delivered(p, ProcessHandle.current().pid(), null, path, e.toString());
        }
    }
}
