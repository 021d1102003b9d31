package dev.twinlane.policy;

import java.util.Random;

/** Texts changed at random, for the tests that hold a fast reader to the one it stands in for. */
final class Mutations {
    private Mutations() {
    }

    /** Up to {@code most} characters inserted, deleted or replaced, each new one from {@code noise}. */
    static String mutate(String text, String noise, int most, Random r) {
        StringBuilder b = new StringBuilder(text);
        for (int i = 0; i < 1 + r.nextInt(most) && b.length() > 0; i++) {
            int at = r.nextInt(b.length());
            char c = noise.charAt(r.nextInt(noise.length()));
            switch (r.nextInt(3)) {
                case 0 -> b.insert(at, c);
                case 1 -> b.deleteCharAt(at);
                default -> b.setCharAt(at, c);
            }
        }
        return b.toString();
    }
}
