package dev.twinlane.agent;

import dev.twinlane.siem.Siem;

/** `twinlane siem --bootstrap HOST:PORT [--key FILE] [--seal-key PUBFILE] [--out FILE]`: see siem/. */
final class SiemCommand implements Command {
    public String name() {
        return "siem";
    }

    public String summary() {
        return Siem.usage();
    }

    public int run(String[] args) throws Exception {
        try {
            return Siem.run(args);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
