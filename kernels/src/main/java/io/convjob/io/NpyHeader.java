package io.convjob.io;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The dict of a {@code .npy} header: {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. */
record NpyHeader(String descr, boolean fortranOrder, int[] shape) {

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** Parses the header text, requiring exactly numpy's three keys; {@code source} leads every message. */
    static NpyHeader parse(String text, String source) {
        Object literal;
        try {
            literal = PythonLiteral.parse(text);
        } catch (PythonLiteral.SyntaxException e) {
            throw WeightFormatException.of(source, "malformed .npy header (" + e.getMessage() + "): " + quoted(text));
        }
        if (!(literal instanceof Map<?, ?> dict) || !dict.keySet().equals(KEYS)) {
            throw WeightFormatException.of(source, ".npy header must be a dict with keys 'descr', 'fortran_order', "
                    + "'shape'; got " + quoted(text));
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw WeightFormatException.of(source, "structured dtype " + quoted(String.valueOf(dict.get("descr"))) + " not supported; supported: "
                    + NpyReader.SUPPORTED_DESCRS);
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortranOrder)) {
            throw WeightFormatException.of(source, "'fortran_order' must be True or False, got "
                    + quoted(String.valueOf(dict.get("fortran_order"))));
        }
        return new NpyHeader(descr, fortranOrder, shape(dict.get("shape"), source));
    }

    private static int[] shape(Object value, String source) {
        if (value instanceof List<?> dims) {
            int[] shape = new int[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(dims.get(i) instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) return badShape(value, source);
                shape[i] = (int) (long) dim;
            }
            return shape;
        }
        return badShape(value, source);
    }

    private static int[] badShape(Object value, String source) {
        throw WeightFormatException.of(source, "'shape' must be a tuple of non-negative integers, got "
                + quoted(String.valueOf(value)));
    }

    /** Header text for a one-line message: stripped, and cut short if long (a header may have up to 1 MiB). */
    static String quoted(String text) {
        String s = text.strip();
        return s.length() <= QUOTE_CHARS ? s : s.substring(0, QUOTE_CHARS) + "... (" + s.length() + " chars)";
    }

    private static final int QUOTE_CHARS = 200;

    /** Python's repr of the shape tuple: {@code ()}, {@code (4,)}, {@code (4, 2, 5)}. */
    static String pythonShape(int[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) out.append(i == 0 ? "" : ", ").append(shape[i]);
        return out.append(')').toString();
    }

    @Override public int[] shape() { return shape.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof NpyHeader h && descr.equals(h.descr) && fortranOrder == h.fortranOrder
                && Arrays.equals(shape, h.shape);
    }

    @Override public int hashCode() { return descr.hashCode() * 31 + Arrays.hashCode(shape) + (fortranOrder ? 1 : 0); }

    @Override public String toString() {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + pythonShape(shape) + ", }";
    }
}
