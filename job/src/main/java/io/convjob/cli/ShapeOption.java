package io.convjob.cli;

import picocli.CommandLine;

import java.util.Arrays;

/** Parses {@code C,D1,D2,...} into a sample shape. */
public final class ShapeOption {
    private ShapeOption() {}

    /** @throws CommandLine.ParameterException naming {@code option} if {@code value} is not a shape */
    public static int[] parse(CommandLine cli, String option, String value) {
        try {
            int[] shape = Arrays.stream(value.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int d : shape) if (d < 0) throw new NumberFormatException();
            if (shape.length < 2) throw new NumberFormatException();
            return shape;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cli, option + ": '" + value
                    + "' is not a shape like C,D1,D2 (channels then spatial sizes, non-negative ints)");
        }
    }
}
