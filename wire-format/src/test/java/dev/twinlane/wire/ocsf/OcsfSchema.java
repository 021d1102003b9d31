package dev.twinlane.wire.ocsf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OCSF schema as the upstream repository writes it (the files vendored under
 * {@code src/test/resources/ocsf-schema/}), resolved the way the OCSF server resolves it: a
 * class or object is its {@code extends} chain, each level's {@code $include}d profiles merged in
 * first and its own attributes over them, each attribute completed from {@code dictionary.json}.
 * An attribute that only a profile brings in belongs to that profile: an event may use it only
 * when it lists the profile in {@code metadata.profiles}.
 */
public final class OcsfSchema {
    private static final String ROOT = "/ocsf-schema/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One attribute of a resolved class or object. */
    public record Attr(String name, JsonNode def, String profile, JsonNode dictionary) {
        public boolean required() {
            return "required".equals(def.path("requirement").asText());
        }

        /** The dictionary's type name, or the class's or object's own. */
        public String type() {
            return def.has("type") ? def.get("type").asText() : dictionary.path("type").asText();
        }

        public boolean isArray() {
            return def.path("is_array").asBoolean(dictionary.path("is_array").asBoolean(false));
        }

        public boolean deprecated() {
            return def.has("@deprecated") || dictionary.has("@deprecated");
        }

        /** id to caption: the dictionary's values with the class's or object's over them; empty when no enum. */
        public Map<String, String> enumCaptions() {
            Map<String, String> m = new LinkedHashMap<>();
            for (JsonNode src : List.of(dictionary.path("enum"), def.path("enum"))) {
                src.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().path("caption").asText()));
            }
            return m;
        }

        /** The string attribute that names an _id attribute's value, or null. */
        public String sibling() {
            return dictionary.has("sibling") ? dictionary.get("sibling").asText() : null;
        }
    }

    /** A resolved class or object. */
    public record Type(String name, String caption, int uid, int categoryUid, String categoryCaption,
                       Map<String, Attr> attributes, Set<String> profiles, JsonNode constraints) {
    }

    private final String version;
    private final JsonNode dictionary;
    private final JsonNode types;
    private final JsonNode categories;
    private final Map<String, JsonNode> classFiles = new HashMap<>();
    private final Map<String, JsonNode> objectFiles = new HashMap<>();
    private final Map<Integer, Type> classesByUid = new HashMap<>();
    private final Map<String, Type> objects = new HashMap<>();

    private OcsfSchema() {
        version = read("version.json").path("version").asText();
        JsonNode dict = read("dictionary.json");
        dictionary = dict.path("attributes");
        types = dict.path("types").path("attributes");
        categories = read("categories.json").path("attributes");
        for (String path : text("FILES").split("\n")) {
            if (path.startsWith("events/")) {
                JsonNode n = read(path);
                classFiles.put(n.path("name").asText(), n);
            } else if (path.startsWith("objects/")) {
                JsonNode n = read(path);
                objectFiles.put(n.path("name").asText(), n);
            }
        }
        for (String name : classFiles.keySet()) {
            Type t = resolve(name, classFiles);
            classesByUid.put(t.uid(), t);
        }
    }

    private static final OcsfSchema VENDORED = new OcsfSchema();

    /** The vendored 1.8.0 schema (loaded once). */
    public static OcsfSchema vendored() {
        return VENDORED;
    }

    public String version() {
        return version;
    }

    /** The class with this class_uid, or null when it is not vendored. */
    public Type eventClass(int classUid) {
        return classesByUid.get(classUid);
    }

    /** The object named so, or null when it is not vendored. */
    public synchronized Type object(String name) {
        if (!objectFiles.containsKey(name)) {
            return null;
        }
        return objects.computeIfAbsent(name, n -> resolve(n, objectFiles));
    }

    /** A dictionary type ({@code port_t}, ...): its base type, range, regex; missing node when unknown. */
    public JsonNode primitive(String typeName) {
        return types.path(typeName);
    }

    public boolean isObjectType(String typeName) {
        return objectFiles.containsKey(typeName) || (!types.has(typeName) && !typeName.endsWith("_t"));
    }

    private Type resolve(String name, Map<String, JsonNode> files) {
        JsonNode f = files.get(name);
        if (f == null) {
            throw new IllegalStateException("OCSF schema file of '" + name + "' is not vendored");
        }
        Type parent = f.has("extends") ? resolve(f.get("extends").asText(), files) : null;
        Map<String, Attr> attrs = new LinkedHashMap<>(parent == null ? Map.of() : parent.attributes());
        Set<String> profiles = new LinkedHashSet<>(parent == null ? Set.of() : parent.profiles());
        f.path("profiles").forEach(p -> profiles.add(p.asText()));
        JsonNode own = f.path("attributes");
        for (JsonNode include : own.path("$include")) {
            JsonNode profile = read(include.asText());
            String profileName = profile.path("name").asText();
            profiles.add(profileName);
            profile.path("attributes").fields().forEachRemaining(e -> merge(attrs, e.getKey(), e.getValue(), profileName));
        }
        own.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("$include")) {
                merge(attrs, e.getKey(), e.getValue(), null);
            }
        });
        String category = f.has("category") ? f.get("category").asText() : null;
        int categoryUid = category != null ? categories.path(category).path("uid").asInt(0)
                : parent == null ? 0 : parent.categoryUid();
        String categoryCaption = category != null ? categories.path(category).path("caption").asText("Other")
                : parent == null ? "" : parent.categoryCaption();
        int uid = f.has("uid") ? categoryUid * 1000 + f.get("uid").asInt() : parent == null ? 0 : parent.uid();
        JsonNode constraints = f.has("constraints") ? f.get("constraints")
                : parent == null ? JSON.createObjectNode() : parent.constraints();
        return new Type(name, f.path("caption").asText(), uid, categoryUid, categoryCaption, attrs, profiles, constraints);
    }

    /**
     * Merges one level's definition over what the levels above gave. A profile's attribute stays
     * the profile's only while no class or object defines it itself; an explicit "profile" says.
     */
    private void merge(Map<String, Attr> attrs, String name, JsonNode def, String fromProfile) {
        Attr old = attrs.get(name);
        JsonNode merged = old == null ? def.deepCopy() : deepMerge(old.def().deepCopy(), def);
        String profile;
        if (def.has("profile")) {
            profile = def.get("profile").isNull() ? null : def.get("profile").asText();
        } else if (fromProfile != null) {
            profile = old != null && old.profile() == null ? null : fromProfile;
        } else {
            profile = null;
        }
        attrs.put(name, new Attr(name, merged, profile, dictionary.path(name)));
    }

    private static JsonNode deepMerge(JsonNode into, JsonNode over) {
        if (!(into instanceof ObjectNode target) || !over.isObject()) {
            return over.deepCopy();
        }
        Iterator<Map.Entry<String, JsonNode>> it = over.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode mine = target.get(e.getKey());
            target.set(e.getKey(), mine == null ? e.getValue().deepCopy() : deepMerge(mine, e.getValue()));
        }
        return target;
    }

    private static JsonNode read(String path) {
        try {
            return JSON.readTree(text(path));
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }

    private static String text(String path) {
        try (InputStream in = OcsfSchema.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("OCSF schema file " + path + " is not vendored");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }

    /** The profile names of a {@code metadata.profiles} array (strings only; anything else is the validator's to flag). */
    static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
