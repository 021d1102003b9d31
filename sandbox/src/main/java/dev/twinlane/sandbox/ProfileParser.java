package dev.twinlane.sandbox;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the profile format (docs/SANDBOX.md): one directive a line, its key first, then values
 * separated by spaces; `#` starts a comment. Every problem is a {@link ProfileException} naming the
 * source, line and column; unknown keys and values are errors, never ignored.
 */
public final class ProfileParser {
    private static final int MAX_INCLUDE_DEPTH = 4;
    private static final int MAX_PORT = 65535;

    private final SyscallTable table;
    private final SortedSet<Integer> syscalls = new TreeSet<>();
    private final TreeMap<String, Long> paths = new TreeMap<>();
    private final Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
    private SortedSet<Integer> bindPorts;
    private SortedSet<Integer> connectPorts;
    private boolean dropCapabilities;
    private boolean logDenials;
    private int depth;

    private ProfileParser(SyscallTable table) {
        this.table = table;
    }

    /** Parses each source in turn into one profile (a file, then the command line's additions). */
    public static Profile parse(List<ProfileSource> sources) throws ProfileException {
        ProfileParser parser = new ProfileParser(SyscallTable.x86_64());
        for (ProfileSource source : sources) {
            parser.read(source);
        }
        if (!parser.syscalls.contains(parser.table.number("execve"))) {
            // the helper's own last call: without it no workload ever starts
            throw new ProfileException(sources.get(0).name(), 1, 1, "the profile does not allow execve, so the workload could not start (add: syscalls execve)");
        }
        return parser.profile();
    }

    private Profile profile() {
        return new Profile(syscalls, paths, bindPorts, connectPorts, namespaces, dropCapabilities, logDenials);
    }

    private void read(ProfileSource source) throws ProfileException {
        String[] lines = source.text().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            List<Token> tokens = Token.split(lines[i]);
            if (!tokens.isEmpty()) {
                directive(new Line(source.name(), i + 1, tokens));
            }
        }
    }

    private void directive(Line line) throws ProfileException {
        Token key = line.tokens.get(0);
        List<Token> values = line.tokens.subList(1, line.tokens.size());
        if (values.isEmpty()) {
            throw line.error(key, "'" + key.text + "' needs at least one value");
        }
        switch (key.text) {
            case "syscalls" -> syscalls(line, values);
            case "read" -> paths(line, values, PathAccess.READ);
            case "write" -> paths(line, values, PathAccess.WRITE);
            case "execute" -> paths(line, values, PathAccess.EXECUTE);
            case "bind" -> bindPorts = ports(line, values, bindPorts);
            case "connect" -> connectPorts = ports(line, values, connectPorts);
            case "namespaces" -> namespaces(line, values);
            case "capabilities" -> dropCapabilities = only(line, values, "none");
            case "log" -> logDenials = only(line, values, "denials");
            case "include" -> include(line, values);
            default -> throw line.error(key, "unknown key '" + key.text
                    + "' (keys: syscalls, read, write, execute, bind, connect, namespaces, capabilities, log, include)");
        }
    }

    private void syscalls(Line line, List<Token> values) throws ProfileException {
        for (Token v : values) {
            int nr = table.number(v.text);
            if (nr < 0) {
                throw line.error(v, "unknown system call '" + v.text + "' (x86_64, as named in asm/unistd_64.h)");
            }
            syscalls.add(nr);
        }
    }

    private void paths(Line line, List<Token> values, PathAccess access) throws ProfileException {
        for (Token v : values) {
            if (!v.text.startsWith("/") || v.text.contains("/../") || v.text.endsWith("/..") || v.text.contains("\0")) {
                throw line.error(v, "a path here is absolute and without '..', not '" + v.text + "'");
            }
            paths.merge(v.text, access.rights, (a, b) -> a | b);
        }
    }

    private SortedSet<Integer> ports(Line line, List<Token> values, SortedSet<Integer> before) throws ProfileException {
        SortedSet<Integer> ports = before == null ? new TreeSet<>() : before;
        if (values.size() == 1 && values.get(0).text.equals("none")) {
            return ports;
        }
        for (Token v : values) {
            int port = v.text.matches("[0-9]{1,5}") ? Integer.parseInt(v.text) : -1;
            if (port < 1 || port > MAX_PORT) {
                throw line.error(v, "a TCP port from 1 to 65535 (or the single word none), not '" + v.text + "'");
            }
            ports.add(port);
        }
        return ports;
    }

    private void namespaces(Line line, List<Token> values) throws ProfileException {
        for (Token v : values) {
            Namespace ns = Namespace.named(v.text);
            if (ns == null) {
                throw line.error(v, "unknown namespace '" + v.text + "' (user, mount, net, pid)");
            }
            namespaces.add(ns);
        }
    }

    private static boolean only(Line line, List<Token> values, String word) throws ProfileException {
        if (values.size() != 1 || !values.get(0).text.equals(word)) {
            Token bad = values.get(values.get(0).text.equals(word) ? 1 : 0);
            throw line.error(bad, "'" + line.tokens.get(0).text + "' takes only '" + word + "', not '" + bad.text + "'");
        }
        return true;
    }

    private void include(Line line, List<Token> values) throws ProfileException {
        Token name = values.get(0);
        if (values.size() > 1) {
            throw line.error(values.get(1), "include names one built-in profile");
        }
        ProfileSource builtin = BuiltinProfile.source(name.text);
        if (builtin == null) {
            throw line.error(name, "no built-in profile '" + name.text + "' (" + String.join(", ", BuiltinProfile.NAMES) + ")");
        }
        if (++depth > MAX_INCLUDE_DEPTH) {
            throw line.error(name, "includes nest deeper than " + MAX_INCLUDE_DEPTH);
        }
        read(builtin);
        depth--;
    }

    private record Line(String source, int number, List<Token> tokens) {
        ProfileException error(Token at, String problem) {
            return new ProfileException(source, number, at.column, problem);
        }
    }

    private record Token(String text, int column) {
        static List<Token> split(String line) {
            List<Token> tokens = new ArrayList<>();
            int i = 0;
            while (i < line.length() && line.charAt(i) != '#') {
                if (Character.isWhitespace(line.charAt(i))) {
                    i++;
                    continue;
                }
                int start = i;
                while (i < line.length() && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '#') {
                    i++;
                }
                tokens.add(new Token(line.substring(start, i), start + 1));
            }
            return tokens;
        }
    }
}
