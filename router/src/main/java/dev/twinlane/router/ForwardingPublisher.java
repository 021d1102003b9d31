package dev.twinlane.router;

/** A security publisher that hands gaps, batch ends and ticks on to {@link #next()}; subclasses say how records go. */
abstract class ForwardingPublisher implements SecurityPublisher {
    /** Where everything goes on. */
    abstract SecurityPublisher next();

    @Override
    public void publishGap(int kernelRing, long count, long fromBootNs, long toBootNs) {
        next().publishGap(kernelRing, count, fromBootNs, toBootNs);
    }

    @Override
    public void endBatch() {
        next().endBatch();
    }

    @Override
    public void tick() {
        next().tick();
    }
}
