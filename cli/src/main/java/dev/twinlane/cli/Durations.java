package dev.twinlane.cli;

import java.time.Duration;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** 10s, 1.5s, 500ms, 250us, 2m, or a bare number of seconds: the forms every command and the config file accept. */
public final class Durations {
    private Durations() {
    }

    /** The duration, or IllegalArgumentException. */
    public static Duration parse(String v) {
        try {
            if (v.endsWith("us")) {
                return Duration.ofNanos(Long.parseLong(v.substring(0, v.length() - 2)) * 1000);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
            }
            return Duration.ofSeconds(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a duration like 30s or 500ms, not '" + v + "'");
        }
    }

    /** An option's value: any duration. */
    public static final class Any implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            try {
                return parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("wants a duration like 10s or 500ms, not '" + v + "'");
            }
        }
    }

    /** An option's value: a duration longer than 0 (0.0001s and NaN s come out as 0 ms, so they are refused too). */
    public static final class Positive implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            Duration d = new Any().convert(v);
            if (d.isNegative() || d.toMillis() == 0) {
                throw new TypeConversionException("must be longer than 0, like 10s or 500ms, not '" + v + "'");
            }
            return d;
        }
    }
}
