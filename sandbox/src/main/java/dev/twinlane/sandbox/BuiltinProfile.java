package dev.twinlane.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The profiles that come with twinlane, in the profile format (resources profiles/NAME.profile). */
public final class BuiltinProfile {
    public static final List<String> NAMES = List.of("minimal", "build", "network");

    private BuiltinProfile() {
    }

    /** The built-in profile of this name, or null. */
    public static ProfileSource source(String name) {
        if (!NAMES.contains(name)) {
            return null;
        }
        String file = name + ".profile";
        try (InputStream in = BuiltinProfile.class.getResourceAsStream("profiles/" + file)) {
            return new ProfileSource(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
