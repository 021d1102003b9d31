package dev.twinlane.agent;

import java.util.Locale;

import dev.twinlane.records.RecordKind;
import dev.twinlane.wal.proof.Kinds;

/**
 * Record kinds by name, for people: kernel kinds by their tl_kind name (RecordKind, the Java mirror of
 * twinlane_records.h: exec, file_open, connect, ...), the logs' own kinds by wal's names (genesis, gap,
 * seal, ...), the observability log's batches; any other as kind-N.
 */
final class KindNames {
    private KindNames() {
    }

    static String of(int code) {
        RecordKind k = RecordKind.of(code);
        if (k != null) {
            return k.label();
        }
        if (code == ObservabilityLogSink.BATCH_KIND) {
            return "batch";
        }
        return code > Kinds.MAX_APP_KIND ? Kinds.name(code).toLowerCase(Locale.ROOT) : "kind-" + code;
    }
}
