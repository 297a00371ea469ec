package io.convjob.spec;

import java.util.Arrays;
import java.util.Locale;

/**
 * equinox's {@code padding} in canonical form: explicit {@code (lo, hi)} per spatial dim (negative
 * values crop, as lax allows), or one of the named paddings resolved against the input shape.
 */
public sealed interface Padding permits Padding.Explicit, Padding.Named {

    /**
     * equinox's string form, any case; the one reading of it for the JSON parser and the builder.
     *
     * @throws SpecException {@code padding: string must be SAME, SAME_LOWER or VALID (any case), got "x"}
     */
    static Named named(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (Named named : Named.values()) {
            if (named.name().equals(upper)) return named;
        }
        throw new SpecException("padding: string must be SAME, SAME_LOWER or VALID (any case), got \"" + name + "\"");
    }

    /** Explicit padding before ({@code lo}) and after ({@code hi}) each spatial dim. */
    record Explicit(Dims lo, Dims hi) implements Padding {
        public Explicit {
            if (lo.size() != hi.size()) throw new IllegalArgumentException("lo and hi differ in length");
        }

        public static Explicit symmetric(Dims both) { return new Explicit(both, both); }

        /**
         * {@code (lo, hi)} per spatial dim; the one reading of the pairs form for the JSON parser and the builder.
         *
         * @throws SpecException {@code padding: each pair must be [lo, hi], got [0, 1, 2] in [[0, 1, 2], [0, 1]]}
         */
        public static Explicit pairs(int[][] pairs) {
            int[] lo = new int[pairs.length];
            int[] hi = new int[pairs.length];
            for (int d = 0; d < pairs.length; d++) {
                if (pairs[d].length != 2) {
                    throw new SpecException("padding: each pair must be [lo, hi], got " + Arrays.toString(pairs[d])
                            + " in " + Arrays.deepToString(pairs));
                }
                lo[d] = pairs[d][0];
                hi[d] = pairs[d][1];
            }
            return new Explicit(Dims.of(lo), Dims.of(hi));
        }

        @Override public String toString() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < lo.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append('[').append(lo.get(i)).append(", ").append(hi.get(i)).append(']');
            }
            return sb.append(']').toString();
        }
    }

    /** The string paddings; an odd total puts the extra element at the end (SAME) or start (SAME_LOWER). */
    enum Named implements Padding { SAME, SAME_LOWER, VALID }
}
