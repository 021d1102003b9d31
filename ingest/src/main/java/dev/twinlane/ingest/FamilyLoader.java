package dev.twinlane.ingest;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Loads one program family into the kernel, sharing the maps created by the
 * maps object. When the kernel refuses the family as a whole, each program is
 * tried alone, so one refused hook costs only itself, with its own reason.
 */
final class FamilyLoader {
    private final Map<String, Integer> sharedMaps;
    private final IngestConfig config;

    FamilyLoader(Map<String, Integer> sharedMaps, IngestConfig config) {
        this.sharedMaps = sharedMaps;
        this.config = config;
    }

    /** The loaded object (null when nothing loaded) and, per wanted program, 0 or the errno that refused it. */
    record Result(BpfObject object, Map<String, Integer> errors) {
    }

    Result load(ObjectImage image, Set<String> wanted) {
        Map<String, Integer> errors = new LinkedHashMap<>();
        if (wanted.isEmpty()) {
            return new Result(null, errors);
        }
        BpfObject whole = openShared(image);
        whole.autoloadOnly(wanted);
        int err = whole.load();
        if (err == 0) {
            wanted.forEach(p -> errors.put(p, 0));
            audit(image, wanted, 0);
            return new Result(whole, errors);
        }
        whole.close();
        Set<String> loadable = new LinkedHashSet<>();
        for (String program : wanted) {
            try (BpfObject alone = openShared(image)) {
                alone.autoloadOnly(Set.of(program));
                int e = alone.load();
                errors.put(program, e);
                if (e == 0) {
                    loadable.add(program);
                }
            }
        }
        for (Map.Entry<String, Integer> e : errors.entrySet()) {
            if (e.getValue() != 0) {
                audit(image, Set.of(e.getKey()), e.getValue());
            }
        }
        if (loadable.isEmpty()) {
            return new Result(null, errors);
        }
        BpfObject part = openShared(image);
        part.autoloadOnly(loadable);
        int again = part.load();
        if (again != 0) {
            part.close();
            loadable.forEach(p -> errors.put(p, again));
            audit(image, loadable, again);
            return new Result(null, errors);
        }
        audit(image, loadable, 0);
        return new Result(part, errors);
    }

    private BpfObject openShared(ObjectImage image) {
        BpfObject obj = BpfObject.open(image);
        obj.checkMapLimits(config.maxMapEntries, config.maxRingBytes);
        for (String map : obj.mapNames()) {
            Integer fd = sharedMaps.get(map);
            if (fd != null) {
                obj.reuseMap(map, fd);
            }
        }
        return obj;
    }

    private void audit(ObjectImage image, Set<String> programs, int errno) {
        config.audit.event("load", "object", image.name(), "sha256", image.sha256(),
                "programs", String.join(",", programs),
                "result", errno == 0 ? "ok" : Native.strerror(errno));
    }
}
