package dev.twinlane.security;

/**
 * Events that did not reach the security log: {@code count} events of one source (a GAP
 * record's ring field, see {@code dev.twinlane.records.LossSource}) between two boot times
 * (CLOCK_BOOTTIME ns; 0 when not known).
 */
public record Loss(int ring, long count, long fromNs, long toNs) {
}
