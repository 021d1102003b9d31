package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.twinlane.records.DenialSource;
import dev.twinlane.records.DetectionField;
import dev.twinlane.records.Field;
import dev.twinlane.records.RecordKind;
import dev.twinlane.records.RecordLayout;
import dev.twinlane.records.RecordStruct;
import dev.twinlane.records.Ring;

/**
 * The C header is the source of truth: build-bpf.sh compiles layout_dump.c
 * against twinlane_records.h with gcc and packages its output as
 * bpf/layout.txt. Every struct, field, offset, size and constant must match
 * the Java side exactly, both ways.
 */
class RecordLayoutDriftTest {
    @Test
    void javaLayoutsMatchTheCHeader() throws IOException {
        Map<String, String> c = new TreeMap<>();
        Map<String, String> consts = new TreeMap<>();
        for (String line : layoutTxt().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[0].equals("const")) {
                consts.put(f[1], f[2]);
            } else if (f.length == 4) {
                c.put(f[0] + "." + f[1], f[2] + " " + f[3]);
            }
        }
        Map<String, String> java = new TreeMap<>();
        for (RecordStruct s : RecordLayout.ALL) {
            java.put(s.cName() + ".-", "0 " + s.size());
            for (Field f : s.fields()) {
                if (s != RecordLayout.HEADER && RecordLayout.HEADER.fields().stream().anyMatch(h -> h == f)) {
                    continue; // the embedded header is checked once, as tl_header
                }
                java.put(s.cName() + "." + f.name(), f.offset() + " " + f.size());
            }
        }
        assertEquals(c, java, "Java RecordLayout drifted from twinlane_records.h");

        assertEquals(String.valueOf(RecordLayout.ABI_VERSION), consts.get("TL_ABI_VERSION"));
        assertEquals(String.valueOf(RecordLayout.COMM_LEN), consts.get("TL_COMM_LEN"));
        assertEquals(String.valueOf(RecordLayout.PATH_MAX), consts.get("TL_PATH_MAX"));
        assertEquals(String.valueOf(RecordLayout.ARGS_MAX), consts.get("TL_ARGS_MAX"));
        assertEquals(String.valueOf(RecordLayout.PREFIX_MAX), consts.get("TL_PREFIX_MAX"));
        for (RecordKind k : RecordKind.values()) {
            assertEquals(String.valueOf(k.code()), consts.get("TL_KIND_" + k.name()), "kind code of " + k);
        }
        long cKinds = consts.keySet().stream().filter(n -> n.startsWith("TL_KIND_")).count();
        assertEquals(cKinds, RecordKind.values().length, "a kind exists on one side only");
        assertEquals("0", consts.get("TL_PATH_FULL"));
        assertEquals("1", consts.get("TL_PATH_UNKNOWN"));
        assertEquals("2", consts.get("TL_PATH_NAME_ONLY"));
        for (PolicyEvent.Kind k : PolicyEvent.Kind.values()) {
            assertEquals(String.valueOf(k.code()), consts.get("TL_POLICY_" + k.name()), "policy event code of " + k);
        }
        assertEquals(consts.keySet().stream().filter(n -> n.startsWith("TL_POLICY_")).count(),
                PolicyEvent.Kind.values().length, "a policy event exists on one side only");
        for (DetectionField f : DetectionField.values()) {
            assertEquals(String.valueOf(f.code()), consts.get("TL_FIELD_" + f.name()), "detection field code of " + f);
        }
        assertEquals(consts.keySet().stream().filter(n -> n.startsWith("TL_FIELD_")).count(),
                DetectionField.values().length, "a detection field exists on one side only");
        for (DenialSource d : DenialSource.values()) {
            assertEquals(String.valueOf(d.code()), consts.get("TL_DENIAL_" + d.name()), "denial source code of " + d);
        }
        assertEquals(consts.keySet().stream().filter(n -> n.startsWith("TL_DENIAL_")).count(),
                DenialSource.values().length, "a denial source exists on one side only");
        assertEquals(String.valueOf(SandboxDenial.EXEC_ID_FROM_EXEC), consts.get("TL_EXEC_ID_FROM_EXEC"));
        assertEquals(String.valueOf(SandboxDenial.EXEC_ID_UNKNOWN), consts.get("TL_EXEC_ID_UNKNOWN"));
        assertEquals(String.valueOf(RecordLayout.BLOCKERS_MAX), consts.get("TL_BLOCKERS_MAX"));
        assertEquals(String.valueOf(RecordLayout.RULE_NAME_MAX), consts.get("TL_RULE_NAME_MAX"));
        assertEquals(String.valueOf(RecordLayout.EVIDENCE_MAX), consts.get("TL_EVIDENCE_MAX"));
        for (Ring r : Ring.values()) {
            assertEquals(String.valueOf(r.id()), consts.get("TL_RING_" + r.name()), "ring id of " + r);
        }
    }

    static String layoutTxt() throws IOException {
        try (InputStream in = RecordLayoutDriftTest.class.getClassLoader().getResourceAsStream("bpf/layout.txt")) {
            assertNotNull(in, "bpf/layout.txt is not on the classpath: ebpf-programs was not built");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
