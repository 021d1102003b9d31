package dev.twinlane.observability;

import java.util.Locale;

/** How a missing window of a series is filled; every filled value is marked synthetic. */
public enum Imputation {
    OFF, LAST, LINEAR, EWMA;

    static final double EWMA_ALPHA = 0.3;

    public static Imputation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("imputation method must be off, last, linear or ewma, not '" + s + "'");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value to impute from a series' history (observed values only). */
    long fill(SeriesHistory h) {
        switch (this) {
            case LAST: return h.last;
            case LINEAR: return Math.max(0, h.last + (h.last - h.previous));
            case EWMA: return Math.round(h.ewma);
            default: throw new IllegalStateException("imputation is off");
        }
    }
}
