package dev.twinlane.wal.proof;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Published RFC 6962 / Certificate Transparency reference values. */
class MerkleVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** transparency-dev/merkle testonly/constants.go LeafInputs() (the CT reference leaves). */
    static final String[] LEAF_INPUTS = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f"};
    /** Same file, RootHashes(): roots of the trees of 0..8 of those leaves. */
    static final String[] ROOTS = {
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
    /** Same file, NodeHashes() level 0: the leaf hashes. */
    static final String[] LEAF_HASHES = {
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"};

    static List<byte[]> leafHashes() {
        List<byte[]> l = new ArrayList<>();
        for (String s : LEAF_INPUTS) {
            l.add(MerkleTree.leafHash(HEX.parseHex(s)));
        }
        return l;
    }

    static MerkleTree referenceTree() {
        List<byte[]> leaves = leafHashes();
        MerkleTree t = new MerkleTree((index, count, dst) -> {
            for (int i = 0; i < count; i++) {
                System.arraycopy(leaves.get((int) index + i), 0, dst, i * 32, 32);
            }
        });
        for (byte[] h : leaves) {
            t.append(h, 0);
        }
        return t;
    }

    @Test
    void leafHashesAndRootsAreTheCtReferenceValues() {
        List<byte[]> leaves = leafHashes();
        for (int i = 0; i < leaves.size(); i++) {
            assertEquals(LEAF_HASHES[i], HEX.formatHex(leaves.get(i)), "leaf " + i);
        }
        MerkleTree incremental = new MerkleTree();
        assertEquals(ROOTS[0], HEX.formatHex(incremental.root()));
        for (int n = 1; n <= 8; n++) {
            incremental.append(leaves.get(n - 1), 0);
            assertEquals(ROOTS[n], HEX.formatHex(incremental.root()), "frontier root at size " + n);
        }
        MerkleTree t = referenceTree();
        for (int n = 0; n <= 8; n++) {
            assertEquals(ROOTS[n], HEX.formatHex(t.root(n)), "root(" + n + ")");
        }
    }

    /** golang.org/x/mod sumdb/tlog note_test.go TestFormatTree: RecordHash("hello world"). */
    @Test
    void leafHashIsGoTlogsRecordHash() {
        assertEquals("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",
                Base64.getEncoder().encodeToString(MerkleTree.leafHash("hello world".getBytes(StandardCharsets.US_ASCII))));
    }

    /** Every vector of transparency-dev/merkle testdata/{inclusion,consistency} (see merkle-vectors/SOURCE.md). */
    @Test
    void transparencyDevProofVectors() throws IOException {
        String index = read("INDEX");
        int checked = 0;
        for (String name : index.split("\n")) {
            if (!name.endsWith(".json")) {
                continue;
            }
            String json = read(name);
            boolean wantErr = Boolean.parseBoolean(field(json, "wantErr"));
            List<byte[]> proof = hashes(json);
            boolean ok;
            if (name.startsWith("inclusion/")) {
                ok = InclusionProof.verify(Long.parseUnsignedLong(field(json, "leafIdx")), Long.parseUnsignedLong(field(json, "treeSize")),
                        b64(field(json, "leafHash")), proof, b64(field(json, "root")));
            } else {
                ok = ConsistencyProof.verify(Long.parseUnsignedLong(field(json, "size1")), Long.parseUnsignedLong(field(json, "size2")),
                        proof, b64(field(json, "root1")), b64(field(json, "root2")));
            }
            assertEquals(!wantErr, ok, name + ": " + field(json, "desc"));
            checked++;
        }
        assertEquals(196, checked);
    }

    /** Our own proofs of the reference tree equal the published happy-path proofs. */
    @Test
    void generatedProofsEqualThePublishedOnes() throws IOException {
        MerkleTree t = referenceTree();
        for (String name : new String[] {"inclusion/1/happy-path.json", "inclusion/2/happy-path.json",
                "inclusion/3/happy-path.json", "inclusion/4/happy-path.json"}) {
            String json = read(name);
            InclusionProof p = t.inclusionProof(Long.parseUnsignedLong(field(json, "leafIdx")), Long.parseUnsignedLong(field(json, "treeSize")));
            assertProof(hashes(json), p.path(), name);
        }
        for (String name : new String[] {"consistency/1/happy-path.json", "consistency/2/happy-path.json",
                "consistency/3/happy-path.json", "consistency/4/happy-path.json"}) {
            String json = read(name);
            ConsistencyProof p = t.consistencyProof(Long.parseUnsignedLong(field(json, "size1")), Long.parseUnsignedLong(field(json, "size2")));
            assertProof(hashes(json), p.path(), name);
        }
    }

    private static void assertProof(List<byte[]> want, List<byte[]> got, String name) {
        assertEquals(want.size(), got.size(), name);
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i), got.get(i), name + " [" + i + "]");
        }
    }

    private static String read(String name) throws IOException {
        try (InputStream in = MerkleVectorsTest.class.getResourceAsStream("/merkle-vectors/" + name)) {
            assertTrue(in != null, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*(\"([^\"]*)\"|[-0-9a-z]+)").matcher(json);
        if (!m.find()) {
            return null;
        }
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    private static List<byte[]> hashes(String json) {
        Matcher m = Pattern.compile("\"proof\"\\s*:\\s*(null|\\[([^\\]]*)\\])").matcher(json);
        List<byte[]> l = new ArrayList<>();
        if (m.find() && m.group(2) != null) {
            Matcher s = Pattern.compile("\"([^\"]*)\"").matcher(m.group(2));
            while (s.find()) {
                l.add(b64(s.group(1)));
            }
        }
        return l;
    }

    private static byte[] b64(String s) {
        return s == null ? null : Base64.getDecoder().decode(s);
    }
}
