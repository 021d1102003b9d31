package dev.twinlane.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.twinlane.policy.MapEntry;
import dev.twinlane.policy.PolicyMap;

/** The two filling threads get halves of equal insert cost, every entry exactly once. */
class SlotFillerSplitTest {
    @Test
    void aTrieEntryWeighsAsMuchAsThreeHashEntries() {
        List<SlotFiller.Part> parts = List.of(part(PolicyMap.DENY_IPV4, 3000), part(PolicyMap.DENY_CIDR4, 1000));
        List<SlotFiller.Part> first = new ArrayList<>();
        List<SlotFiller.Part> rest = new ArrayList<>();
        SlotFiller.split(parts, first, rest);
        // cost 3000 + 3 * 1000: the IPv4 addresses are one half, the networks the other
        assertEquals(List.of(PolicyMap.DENY_IPV4), first.stream().map(SlotFiller.Part::map).toList());
        assertEquals(List.of(PolicyMap.DENY_CIDR4), rest.stream().map(SlotFiller.Part::map).toList());
        assertEquals(3000, first.get(0).entries().size());
        assertEquals(1000, rest.get(0).entries().size());
    }

    @Test
    void theMapOnTheBoundaryIsCutAndNoEntryIsLostOrDoubled() {
        List<SlotFiller.Part> parts = List.of(part(PolicyMap.DENY_INODE, 2000), part(PolicyMap.DENY_IPV6, 3001),
                part(PolicyMap.DENY_CIDR6, 801), part(PolicyMap.DENY_PORT_RULE, 400));
        List<SlotFiller.Part> first = new ArrayList<>();
        List<SlotFiller.Part> rest = new ArrayList<>();
        SlotFiller.split(parts, first, rest);
        long total = parts.stream().mapToLong(SlotFiller.Part::cost).sum();
        long mine = first.stream().mapToLong(SlotFiller.Part::cost).sum();
        assertEquals(total / 2, mine, SlotFiller.TRIE_COST);
        for (SlotFiller.Part p : parts) {
            List<MapEntry> back = new ArrayList<>();
            first.stream().filter(q -> q.map() == p.map()).forEach(q -> back.addAll(q.entries()));
            rest.stream().filter(q -> q.map() == p.map()).forEach(q -> back.addAll(q.entries()));
            assertEquals(p.entries(), back, p.map().mapName());
        }
    }

    private static SlotFiller.Part part(PolicyMap m, int n) {
        List<MapEntry> e = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[m.keySize()];
            key[0] = (byte) i;
            key[key.length - 1] = (byte) (i >> 8);
            e.add(new MapEntry(key, new byte[] {1}));
        }
        return new SlotFiller.Part(m, e);
    }
}
