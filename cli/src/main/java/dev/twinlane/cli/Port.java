package dev.twinlane.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An option's value: a TCP or UDP port, 1 to 65535, written as plain digits (no sign, no spaces, no exponent). */
public final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String v) {
        if (!v.isEmpty() && v.length() <= 5 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int p = Integer.parseInt(v);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        }
        throw new TypeConversionException("wants a port number from 1 to 65535, not '" + v + "'");
    }
}
