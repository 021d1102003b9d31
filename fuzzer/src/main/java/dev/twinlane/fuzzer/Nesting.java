package dev.twinlane.fuzzer;

import java.util.SplittableRandom;

/** A payload inside another language's string or another command: the nesting mutation. */
final class Nesting {
    private static final String[] WRAPPERS = {
        "sh -c '%s'", "bash -c \"%s\"", "$(%s)", "`%s`", "eval \"%s\"", "su -c '%s'",
        "python3 -c 'import os; os.system(\"%s\")'", "{\"message\": \"%s\"}", "<msg>%s</msg>",
        "```\n%s\n```", "2025-01-01T00:00:00Z ERROR app[42]: %s", "user_agent=\"%s\"", "<!-- %s -->",
        "GET /?q=%s HTTP/1.1", "xargs -0 sh -c '%s'", "ssh host '%s'", "echo '%s' | sh", "[%s]",
        "time=1 level=warn msg=\"%s\"", "/bin/sh -c \"%s\"", "watch -n1 '%s'", "nohup %s &",
    };

    private Nesting() {
    }

    static String wrap(String s, SplittableRandom r) {
        return WRAPPERS[r.nextInt(WRAPPERS.length)].replace("%s", s);
    }
}
