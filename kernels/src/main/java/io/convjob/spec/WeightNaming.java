package io.convjob.spec;

import java.util.List;
import java.util.Objects;

/** How a weight file names a model's parameters and lays them out. */
public sealed interface WeightNaming {

    /** equinox's: {@code weight}/{@code bias}, or {@code layers.{i}.weight} in a stack; equinox's layouts. */
    WeightNaming EQUINOX = new Equinox();

    record Equinox() implements WeightNaming {}

    /**
     * A PyTorch state dict: {@code {prefix}{module}.weight} with PyTorch's layouts (a ConvTranspose weight is
     * {@code (in, out / groups, *kernel)}, equinox's {@code (out, in / groups, *kernel)} flipped).
     *
     * @param modules per entry of the spec's layers: its state dict name (the index in the list, or the
     *                {@code "name"} the spec gave)
     * @param prefix  the sub-module the layers sit in, e.g. {@code features.} (empty: the top level)
     */
    record PyTorch(List<String> modules, String prefix) implements WeightNaming {
        public PyTorch {
            modules = List.copyOf(modules);
            Objects.requireNonNull(prefix, "prefix");
        }

        /** The state dict key of {@code leaf} ({@code weight} or {@code bias}) of layer {@code index}. */
        public String key(int index, String leaf) {
            return prefix + modules.get(index) + "." + leaf;
        }
    }
}
