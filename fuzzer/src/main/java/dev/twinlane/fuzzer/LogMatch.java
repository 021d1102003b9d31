package dev.twinlane.fuzzer;

import dev.twinlane.detector.ThreatClass;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordView;

/**
 * Joins what was delivered with the security log read back: each exec payload with the exec record
 * of its pid and program, each path payload with the file_open record of the exact string opened;
 * recorded when the record holds the payload whole (no truncation); detected by the detection
 * records that follow it ({@link DetectionJoin}).
 */
public final class LogMatch {
    private static final Field ARGS = RecordLayout.EXEC.field("args");
    private final List<byte[]> records;
    private final Map<String, Integer> subjects = new HashMap<>();
    private final RecordView view = new RecordView();

    /** records: the security log's kernel records, in log order. */
    public LogMatch(List<byte[]> records) {
        this.records = records;
        for (int i = 0; i < records.size(); i++) {
            RecordView r = at(i);
            if (r.check() != RecordView.OK) {
                continue;
            }
            if (r.kind() == RecordKind.EXEC) {
                subjects.putIfAbsent("exec " + r.number("tgid") + " " + r.text("filename"), i);
            } else if (r.kind() == RecordKind.FILE_OPEN) {
                subjects.putIfAbsent("open " + r.number("tgid") + " " + r.text("path"), i);
            }
        }
    }

    private RecordView at(int i) {
        byte[] b = records.get(i);
        return view.wrap(b, 0, b.length);
    }

    public List<Outcome> match(List<KernelDelivery.Delivered> delivered) {
        List<Outcome> out = new ArrayList<>(delivered.size());
        for (KernelDelivery.Delivered d : delivered) {
            out.add(one(d));
        }
        return out;
    }

    private Outcome one(KernelDelivery.Delivered d) {
        if (d.error() != null) {
            return new Outcome(d.payload(), false, List.of(), null, "not delivered: " + d.error());
        }
        String key = d.program() != null ? "exec " + d.pid() + " " + d.program() : "open " + d.pid() + " " + d.openedPath();
        Integer at = subjects.get(key);
        if (at == null) {
            return new Outcome(d.payload(), false, List.of(), null, "no record");
        }
        boolean whole = d.program() != null ? argvOf(at(at)).equals(d.payload().argv()) : wholePath(at(at), d.openedPath());
        List<ThreatClass> classes = new ArrayList<>();
        String evidence = null;
        for (int i = at + 1; i < records.size() && DetectionJoin.isDetection(at(i)); i++) {
            RecordView r = at(i);
            classes.add(DetectionJoin.threatClass(r));
            evidence = evidence == null ? DetectionJoin.describe(r) : evidence;
        }
        return new Outcome(d.payload(), whole, classes, evidence, whole ? null : "record differs (truncated?)");
    }

    /** argv[1..] of an exec record, when it holds them all. */
    static List<String> argvOf(RecordView r) {
        long len = r.number("args_len");
        if (len > ARGS.size()) {
            return List.of();
        }
        byte[] b = r.bytes(ARGS.offset(), (int) len);
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                out.add(new String(Arrays.copyOfRange(b, from, i), StandardCharsets.UTF_8));
                from = i + 1;
            }
        }
        return out.isEmpty() ? out : out.subList(1, out.size());
    }

    private static boolean wholePath(RecordView r, String path) {
        return r.number("path_len") == path.getBytes(StandardCharsets.UTF_8).length && r.text("path").equals(path);
    }
}
