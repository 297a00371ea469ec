package io.convjob.spec;

/**
 * equinox's {@code padding} in canonical form: explicit {@code (lo, hi)} per spatial dim (negative
 * values crop, as lax allows), or one of the named paddings resolved against the input shape.
 */
public sealed interface Padding permits Padding.Explicit, Padding.Named {

    /** Explicit padding before ({@code lo}) and after ({@code hi}) each spatial dim. */
    record Explicit(Dims lo, Dims hi) implements Padding {
        public Explicit {
            if (lo.size() != hi.size()) throw new IllegalArgumentException("lo and hi differ in length");
        }

        public static Explicit symmetric(Dims both) { return new Explicit(both, both); }

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
