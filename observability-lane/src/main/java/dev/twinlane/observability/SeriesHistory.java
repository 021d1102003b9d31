package dev.twinlane.observability;

/** The observed past of one series: enough for every imputation method. */
final class SeriesHistory {
    long last;
    long previous;
    double ewma;
    int observations;
    /** Consecutive windows filled by imputation since the last observation. */
    int imputedRun;

    void observe(long value) {
        previous = observations == 0 ? value : last;
        last = value;
        ewma = observations == 0 ? value : Imputation.EWMA_ALPHA * value + (1 - Imputation.EWMA_ALPHA) * ewma;
        observations++;
        imputedRun = 0;
    }
}
