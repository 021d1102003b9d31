package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's refusals: tampered objects, files that are not BPF objects, oversized maps (seed 004, AS-2). */
class ObjectImageTest {
    @TempDir
    Path tmp;

    @Test
    void packagedObjectsMatchTheirBuildTimeDigests() {
        ObjectImage img = ObjectImage.packaged(KernelIngest.TRACEPOINTS);
        assertEquals(ObjectImage.buildDigests().get(KernelIngest.TRACEPOINTS), img.sha256());
    }

    @Test
    void aTamperedObjectIsRefused() throws IOException {
        ObjectImage good = ObjectImage.packaged(KernelIngest.OBSERVABILITY);
        byte[] bytes = good.bytes().clone();
        bytes[bytes.length / 2] ^= 0x01;
        Path copy = tmp.resolve(KernelIngest.OBSERVABILITY);
        Files.write(copy, bytes);
        IngestException e = assertThrows(IngestException.class, () -> ObjectImage.fromFile(copy));
        assertTrue(e.getMessage().startsWith("refusing observability.bpf.o: SHA-256 "), e.getMessage());
        assertTrue(e.getMessage().contains("does not match the build-time digest"), e.getMessage());
    }

    @Test
    void anUntouchedCopyIsAccepted() throws IOException {
        Path copy = tmp.resolve(KernelIngest.OBSERVABILITY);
        Files.write(copy, ObjectImage.packaged(KernelIngest.OBSERVABILITY).bytes());
        assertEquals(ObjectImage.buildDigests().get(KernelIngest.OBSERVABILITY), ObjectImage.fromFile(copy).sha256());
    }

    @Test
    void filesThatAreNotBpfObjectsAreRefused() throws IOException {
        Path text = tmp.resolve("observability.bpf.o");
        Files.writeString(text, "#!/bin/sh\necho not an object, but long enough to have an ELF header's worth\n");
        assertEquals("refusing observability.bpf.o: not an ELF file",
                assertThrows(IngestException.class, () -> ObjectImage.fromFile(text)).getMessage());

        byte[] hostElf = Files.readAllBytes(Path.of("/bin/true"));
        IngestException e = assertThrows(IngestException.class, () -> ObjectImage.check("true", hostElf, "00"));
        assertTrue(e.getMessage().contains("not a BPF relocatable object (e_machine=62"), e.getMessage());

        byte[] huge = new byte[ObjectImage.MAX_BYTES + 1];
        assertTrue(assertThrows(IngestException.class, () -> ObjectImage.check("big", huge, "00"))
                .getMessage().contains("larger than"));
    }

    @Test
    void anObjectWithoutABuildDigestIsRefused() throws IOException {
        Path stranger = tmp.resolve("stranger.bpf.o");
        Files.write(stranger, ObjectImage.packaged(KernelIngest.MAPS).bytes());
        assertEquals("refusing stranger.bpf.o: no build-time digest recorded for it",
                assertThrows(IngestException.class, () -> ObjectImage.fromFile(stranger)).getMessage());
    }

    @Test
    void mapsAboveTheConfiguredLimitAreRefusedBeforeLoading() {
        IngestConfig tight = new IngestConfig().mapLimits(1000, 1 << 30);
        IngestException e = assertThrows(IngestException.class, () -> KernelIngest.start(tight).close());
        assertTrue(e.getMessage().matches("refusing maps\\.bpf\\.o: map \\w+ declares 65536 entries, above the limit 1000"),
                e.getMessage());
    }
}
