package io.convjob.cli;

import picocli.CommandLine;

/** An option that counts something (threads, rows): a positive int, else a usage error (exit 2). */
final class PositiveInt implements CommandLine.ITypeConverter<Integer> {
    @Override public Integer convert(String value) {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
        }
        if (n < 1) throw new CommandLine.TypeConversionException("must be >= 1, got " + n);
        return n;
    }
}
