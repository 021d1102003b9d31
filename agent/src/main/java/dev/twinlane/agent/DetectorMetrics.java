package dev.twinlane.agent;

import dev.twinlane.detector.ThreatClass;
import dev.twinlane.router.Router;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/** The detector's counts (kept by the router's threads), read when scraped. */
final class DetectorMetrics {
    private DetectorMetrics() {
    }

    static void bind(MeterRegistry registry, Router router) {
        FunctionCounter.builder("twinlane.detector.strings.scanned", router, Router::detectorScanned)
                .description("strings of records the detector scanned (each argv element and each joined argv count one)")
                .register(registry);
        for (ThreatClass c : ThreatClass.values()) {
            FunctionCounter.builder("twinlane.detector.hits", router, r -> r.detectorHits(c)).tag("class", c.label())
                    .description("detection records made, by threat class").register(registry);
        }
    }
}
