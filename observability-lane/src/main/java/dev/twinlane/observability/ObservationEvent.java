package dev.twinlane.observability;

import dev.twinlane.records.RecordView;

/** One preallocated entry of the observability lane's ring. */
final class ObservationEvent {
    /** Observability records are at most 120 bytes (tl_tcp_state). */
    static final int CAPACITY = 256;

    enum Type { RECORD, TICK, LOSS }

    final byte[] data = new byte[CAPACITY];
    Type type;
    int length;
    long lossCount;

    void record(RecordView view) {
        view.copyTo(data, 0);
        length = view.length();
        type = Type.RECORD;
    }

    void tick() {
        type = Type.TICK;
        length = 0;
    }

    void loss(long count) {
        type = Type.LOSS;
        lossCount = count;
        length = 0;
    }
}
