package dev.twinlane.policy;

import java.time.Instant;

/** A path a signed whitelist entry allows, until it expires (24 h after it was issued). */
public record WhitelistEntry(String path, Instant issued, Instant expires, int line) {
}
