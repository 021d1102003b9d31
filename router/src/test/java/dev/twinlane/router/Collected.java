package dev.twinlane.router;

import java.util.ArrayList;
import java.util.List;

import dev.twinlane.records.RecordView;

/** The security lane's side in tests: keeps a copy of each published record. */
final class Collected implements SecurityPublisher {
    final List<byte[]> records = new ArrayList<>();

    @Override
    public void publish(RecordView r) {
        byte[] b = new byte[r.length()];
        r.copyTo(b, 0);
        records.add(b);
    }

    @Override
    public void publishGap(int kernelRing, long count, long fromBootNs, long toBootNs) {
    }

    @Override
    public void endBatch() {
    }

    @Override
    public void tick() {
    }

    RecordView view(int i) {
        return new RecordView().wrap(records.get(i), 0, records.get(i).length);
    }
}
