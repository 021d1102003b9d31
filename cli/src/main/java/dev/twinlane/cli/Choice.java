package dev.twinlane.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An option's value: one of a few words. A subclass serves as both the option's converter and its
 * completion candidates, so help, completion and the error name the same words.
 */
public abstract class Choice<T> implements ITypeConverter<T>, Iterable<String> {
    private final Map<String, T> values;

    /** Word, value, word, value, ... in the order help lists them. */
    @SuppressWarnings("unchecked")
    protected Choice(Object... wordsAndValues) {
        values = new LinkedHashMap<>();
        for (int i = 0; i < wordsAndValues.length; i += 2) {
            values.put((String) wordsAndValues[i], (T) wordsAndValues[i + 1]);
        }
    }

    @Override
    public T convert(String v) {
        T t = values.get(v);
        if (t == null) {
            throw new TypeConversionException("wants " + words() + ", not '" + v + "'");
        }
        return t;
    }

    @Override
    public Iterator<String> iterator() {
        return values.keySet().iterator();
    }

    /** "audit or enforce", "security, observability or all". */
    private String words() {
        List<String> w = new ArrayList<>(values.keySet());
        String last = w.remove(w.size() - 1);
        return w.isEmpty() ? last : String.join(", ", w) + " or " + last;
    }
}
