package dev.twinlane.wire.ocsf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.twinlane.wire.ocsf.OcsfSchema.Attr;
import dev.twinlane.wire.ocsf.OcsfSchema.Type;

/**
 * Checks one event against the vendored OCSF schema: its class (through {@code extends}, the
 * profiles and the dictionary), the version it claims, required attributes (the profiles' only
 * when declared), no attribute the class or object does not have, no deprecated one, no profile
 * attribute without its profile in {@code metadata.profiles}, enum values and their string
 * siblings, {@code type_uid}, attribute types (integer_t is 32-bit, port_t 0-65535, ip_t's regex,
 * ...), objects' constraints, and nested objects recursively. Stricter than the OCSF server in
 * one way: what it reports as warnings (a sibling that is not the caption) is an error here.
 */
public final class OcsfValidator {
    /** Enums the OCSF server generates per class (the files hold base_event's 0 only): checked by classification(). */
    private static final Set<String> GENERATED = Set.of("class_uid", "category_uid");
    private final OcsfSchema schema;

    public OcsfValidator(OcsfSchema schema) {
        this.schema = schema;
    }

    public static OcsfValidator vendored() {
        return new OcsfValidator(OcsfSchema.vendored());
    }

    /** Throws an AssertionError naming every problem of an invalid event (for tests). */
    public void assertValid(JsonNode event) {
        List<String> problems = problems(event);
        if (!problems.isEmpty()) {
            throw new AssertionError("not valid OCSF " + schema.version() + ": " + problems + " in " + event);
        }
    }

    /** Every problem of the event, one line each, with the attribute's path; empty when valid. */
    public List<String> problems(JsonNode event) {
        List<String> out = new ArrayList<>();
        if (event == null || !event.isObject()) {
            out.add("an event is a JSON object");
            return out;
        }
        Type c = event.path("class_uid").canConvertToInt() ? schema.eventClass(event.get("class_uid").asInt()) : null;
        if (c == null) {
            out.add("class_uid " + event.path("class_uid") + " is not a known class");
            return out;
        }
        JsonNode md = event.path("metadata");
        if (!schema.version().equals(md.path("version").asText())) {
            out.add("metadata.version " + md.path("version") + " is not " + schema.version());
        }
        Set<String> profiles = new HashSet<>(OcsfSchema.names(md.path("profiles")));
        for (String p : profiles) {
            if (!c.profiles().contains(p)) {
                out.add("metadata.profiles: '" + p + "' is not a profile of " + c.name());
            }
        }
        classification(event, c, out);
        object(event, c, "", profiles, out);
        return out;
    }

    private static void classification(JsonNode e, Type c, List<String> out) {
        expect(e, "category_uid", String.valueOf(c.categoryUid()), out);
        expect(e, "class_name", c.caption(), out);
        expect(e, "category_name", c.categoryCaption(), out);
        int activity = e.path("activity_id").asInt(-1);
        long typeUid = c.uid() * 100L + activity;
        expect(e, "type_uid", String.valueOf(typeUid), out);
        if (e.has("type_name")) {
            String caption = c.attributes().get("activity_id").enumCaptions().getOrDefault(String.valueOf(activity), "?");
            String named = activity == 99 ? e.path("activity_name").asText() : caption;
            if (!e.get("type_name").asText().equals(c.caption() + ": " + named)) {
                out.add("type_name '" + e.get("type_name").asText() + "' is not '" + c.caption() + ": " + named + "'");
            }
        }
    }

    private static void expect(JsonNode e, String name, String want, List<String> out) {
        if (e.has(name) && !e.get(name).asText().equals(want)) {
            out.add(name + " " + e.get(name) + " is not " + want);
        }
    }

    private void object(JsonNode node, Type t, String path, Set<String> profiles, List<String> out) {
        if (!node.isObject()) {
            out.add(path + ": a " + t.name() + " is an object, not " + node.getNodeType());
            return;
        }
        for (Attr a : t.attributes().values()) {
            if (a.required() && !node.has(a.name()) && (a.profile() == null || profiles.contains(a.profile()))) {
                out.add(at(path, a.name()) + ": required by " + t.name() + ", missing");
            }
        }
        node.fields().forEachRemaining(f -> {
            String p = at(path, f.getKey());
            Attr a = t.attributes().get(f.getKey());
            if (a == null) {
                out.add(p + ": not an attribute of " + t.name());
                return;
            }
            if (a.profile() != null && !profiles.contains(a.profile())) {
                out.add(p + ": an attribute of the " + a.profile() + " profile, which metadata.profiles does not list");
            }
            if (a.deprecated()) {
                out.add(p + ": deprecated");
            }
            if (a.isArray()) {
                if (!f.getValue().isArray()) {
                    out.add(p + ": an array, not " + f.getValue().getNodeType());
                    return;
                }
                f.getValue().forEach(v -> value(v, a, p + "[]", profiles, out));
            } else {
                value(f.getValue(), a, p, profiles, out);
            }
            enumValue(node, a, p, out);
        });
        constraints(node, t, path, out);
    }

    private void value(JsonNode v, Attr a, String path, Set<String> profiles, List<String> out) {
        String type = a.type();
        if (type.equals("object")) {
            if (!v.isObject()) {
                out.add(path + ": an object, not " + v.getNodeType());
            }
            return; // the generic object (unmapped): any members
        }
        if (schema.isObjectType(type)) {
            Type t = schema.object(type);
            if (t == null) {
                out.add(path + ": object type " + type + " is not vendored");
            } else {
                object(v, t, path, profiles, out);
            }
            return;
        }
        primitive(v, type, path, out);
    }

    private void primitive(JsonNode v, String type, String path, List<String> out) {
        JsonNode def = schema.primitive(type);
        if (def.isMissingNode()) {
            out.add(path + ": unknown type " + type);
            return;
        }
        String base = def.has("type") ? def.get("type").asText() : type;
        boolean ok = switch (base) {
            case "string_t" -> v.isTextual();
            case "integer_t" -> v.isIntegralNumber() && v.canConvertToInt();
            case "long_t" -> v.isIntegralNumber() && v.canConvertToLong();
            case "float_t" -> v.isNumber();
            case "boolean_t" -> v.isBoolean();
            case "json_t" -> true;
            default -> false;
        };
        if (!ok) {
            out.add(path + ": " + v + " is not a " + type);
            return;
        }
        if (def.has("range") && (v.asLong() < def.get("range").get(0).asLong() || v.asLong() > def.get("range").get(1).asLong())) {
            out.add(path + ": " + v + " is out of " + type + "'s range " + def.get("range"));
        }
        if (def.has("regex") && !Pattern.compile(def.get("regex").asText()).matcher(v.asText()).find()) {
            out.add(path + ": '" + v.asText() + "' is not a " + type);
        }
        if (def.has("max_len") && v.asText().length() > def.get("max_len").asInt()) {
            out.add(path + ": longer than " + type + "'s " + def.get("max_len"));
        }
    }

    /** An _id's value is one of its enum; its sibling says the caption, or (99, Other) what it is. */
    private static void enumValue(JsonNode node, Attr a, String path, List<String> out) {
        Map<String, String> captions = a.enumCaptions();
        JsonNode v = node.get(a.name());
        if (GENERATED.contains(a.name()) || captions.isEmpty() || !v.isIntegralNumber()) {
            return;
        }
        String caption = captions.get(v.asText());
        if (caption == null) {
            out.add(path + ": " + v + " is not one of " + captions.keySet());
            return;
        }
        String sibling = a.sibling();
        if (sibling == null) {
            return;
        }
        JsonNode s = node.get(sibling);
        if (v.asInt() == 99) {
            if (s == null || s.asText().isEmpty()) {
                out.add(path + ": 99 (Other) wants " + sibling + " to say what it is");
            }
        } else if (s != null && !s.asText().equals(caption)) {
            out.add(path + ": " + v + " is '" + caption + "', but " + sibling + " says '" + s.asText() + "'");
        }
    }

    private static void constraints(JsonNode node, Type t, String path, List<String> out) {
        JsonNode atLeastOne = t.constraints().path("at_least_one");
        if (atLeastOne.isArray() && atLeastOne.size() > 0 && OcsfSchema.names(atLeastOne).stream().noneMatch(node::has)) {
            out.add((path.isEmpty() ? t.name() : path) + ": wants at least one of " + atLeastOne);
        }
        JsonNode justOne = t.constraints().path("just_one");
        if (justOne.isArray() && justOne.size() > 0 && OcsfSchema.names(justOne).stream().filter(node::has).count() != 1) {
            out.add((path.isEmpty() ? t.name() : path) + ": wants exactly one of " + justOne);
        }
    }

    private static String at(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
