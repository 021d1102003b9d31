package dev.twinlane.detector;

/**
 * Normalised text with, for each char, the raw input bytes it came from ([start, end)).
 * A CharSequence over a reused array, so a Matcher can be reset onto it without a copy.
 */
final class Text implements CharSequence {
    char[] chars;
    int[] start;
    int[] end;
    int length;

    Text(int capacity) {
        chars = new char[capacity];
        start = new int[capacity];
        end = new int[capacity];
    }

    void clear(int capacity) {
        if (chars.length < capacity) {
            chars = new char[capacity];
            start = new int[capacity];
            end = new int[capacity];
        }
        length = 0;
    }

    void add(char c, int rawStart, int rawEnd) {
        chars[length] = c;
        start[length] = rawStart;
        end[length] = rawEnd;
        length++;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        return chars[index];
    }

    @Override
    public CharSequence subSequence(int from, int to) {
        return new String(chars, from, to - from);
    }

    @Override
    public String toString() {
        return new String(chars, 0, length);
    }
}
