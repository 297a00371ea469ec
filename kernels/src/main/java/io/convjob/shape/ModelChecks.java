package io.convjob.shape;

import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.FlattenSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.PaddingMode;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.SpecException;
import io.convjob.spec.WeightNaming;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one walk of a model's shapes: checks a sample shape {@code (channels, *spatial)} against a whole model
 * before any data moves (each layer's rank, equinox's call-time check; channels chaining from layer to layer; the
 * shape-dependent refusals of lax and jnp.pad) and yields every entry's output shape and MACs, which
 * {@code describe}, {@code bench} and {@code run} share. Output sizes of 0 pass (empty tensors, as in equinox).
 */
public final class ModelChecks {
    private ModelChecks() {}

    /** The output sample shape of {@code model} for {@code sampleShape}; checks as {@link #walk}. */
    public static int[] checkInputShape(ModelSpec model, int[] sampleShape) {
        return walk(model, sampleShape).outputShape();
    }

    /**
     * Walks {@code model} from {@code sampleShape} (no batch dim), lowering each layer once.
     *
     * @throws SpecException one line: the input rank a layer needs vs the shape it gets, an
     *         {@code in_channels} that does not match the channels arriving, negative padding larger than
     *         a dimension (lax), or REFLECT / REPLICATE / CIRCULAR padding of an empty dimension (jnp.pad)
     */
    public static ModelShapes walk(ModelSpec model, int[] sampleShape) {
        for (int size : sampleShape) {
            if (size < 0) {
                throw new SpecException("input: shape " + Arrays.toString(sampleShape) + " has a negative size");
            }
        }
        SizeLimits.checkSample(sampleShape, "input");
        int[] shape = sampleShape.clone();
        String from = null; // where the current shape comes from: null = the input
        List<LayerSpec> layers = model.layers();
        List<int[]> outputs = new ArrayList<>();
        long[] macs = new long[layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            String name = model.stack() ? ModelSpec.stackPath(i) : "";
            String p = name.isEmpty() ? "" : name + ".";
            boolean torch = model.naming() instanceof WeightNaming.PyTorch;
            if (layers.get(i) instanceof PoolLayerSpec || layers.get(i) instanceof FlattenSpec) {
                int[] in = shape;
                shape = PoolChecks.outputShape(layers.get(i), shape, name, from); // pooling changes the shape, no MACs
                if (torch) checkTorchNotEmpty(in, shape, p);
                SizeLimits.checkSample(shape, where(name));
                outputs.add(shape.clone());
                from = name;
                continue;
            }
            if (!(layers.get(i) instanceof ConvLayerSpec layer)) { // activations keep the shape
                outputs.add(shape.clone());
                continue;
            }
            checkRank(layer, shape, name, from);
            if (shape[0] != layer.inChannels()) {
                throw new SpecException(p + "in_channels: " + layer.inChannels() + " does not match the " + shape[0]
                        + " channels " + (from == null ? "of the input shape " + Arrays.toString(shape)
                        : "coming from " + from));
            }
            ConvGeometry g;
            try {
                g = Shapes.lower(layer, Arrays.copyOfRange(shape, 1, shape.length));
            } catch (SpecException e) { // a size beyond Java's limits, named without the layer's path
                throw e.at(p);
            }
            checkPadding(g, p);
            if (torch) checkTorchPadding(g, p);
            int[] in = shape;
            shape = new int[shape.length];
            shape[0] = layer.outChannels();
            System.arraycopy(g.outShape(), 0, shape, 1, g.spatialDims());
            SizeLimits.checkSample(shape, where(name));
            try {
                macs[i] = Shapes.macsPerSample(layer, g);
            } catch (SpecException e) {
                throw e.at(p);
            }
            if (torch) checkTorchNotEmpty(in, shape, p);
            outputs.add(shape.clone());
            from = name;
        }
        long total = 0;
        for (long m : macs) {
            total += m;
            if (total < 0) throw new SpecException("input: shape " + Arrays.toString(sampleShape)
                    + " needs more than " + SizeLimits.count(Long.MAX_VALUE) + " MACs per sample");
        }
        return new ModelShapes(sampleShape, outputs, macs);
    }

    private static String where(String name) {
        return name.isEmpty() ? "output" : name + " output";
    }

    private static void checkRank(ConvLayerSpec layer, int[] shape, String name, String from) {
        int n = layer.numSpatialDims();
        if (shape.length == n + 1) return;
        String needs = " needs rank " + (n + 1) + " (channels, " + n + " spatial dim" + (n == 1 ? "" : "s")
                + "), got shape " + Arrays.toString(shape);
        if (from == null) {
            String who = name.isEmpty() ? layer.layerName() : name + " (" + layer.layerName() + ")";
            throw new SpecException("input: " + who + needs);
        }
        throw new SpecException(name + ".num_spatial_dims: " + layer.layerName() + needs + " from " + from);
    }

    /** equinox returns an empty tensor where a window does not fit; PyTorch refuses ("output size is too small"). */
    private static void checkTorchNotEmpty(int[] in, int[] out, String p) {
        for (int d = 1; d < out.length; d++) {
            if (out[d] == 0) {
                throw new SpecException(p + "kernel_size: input " + Arrays.toString(in) + " gives output "
                        + Arrays.toString(out) + ", empty in spatial dim " + (d - 1)
                        + " (PyTorch refuses: the kernel does not fit the padded input)");
            }
        }
    }

    /**
     * PyTorch refuses reflect padding as wide as the input and circular padding wider than it, where jnp.pad
     * would reflect or wrap again: a PyTorch-form spec gets PyTorch's refusal, not a different answer.
     */
    private static void checkTorchPadding(ConvGeometry g, String p) {
        for (int d = 0; d < g.spatialDims(); d++) {
            int in = g.inShape()[d];
            int widest = Math.max(g.preLo()[d], g.preHi()[d]);
            boolean refused = switch (g.preMode()) {
                case REFLECT -> widest >= in;
                case CIRCULAR -> widest > in;
                default -> false;
            };
            if (refused) {
                throw new SpecException(p + "padding: PyTorch's " + g.preMode().name().toLowerCase(java.util.Locale.ROOT)
                        + " padding needs padding " + (g.preMode() == PaddingMode.REFLECT ? "<" : "<=")
                        + " the input size, got " + widest + " for spatial dim " + d + " of size " + in);
            }
        }
    }

    /** lax refuses a padded size below 0; jnp.pad refuses to pad an empty axis in a non-constant mode. */
    private static void checkPadding(ConvGeometry g, String p) {
        for (int d = 0; d < g.spatialDims(); d++) {
            int in = g.inShape()[d];
            if (in == 0 && (g.preLo()[d] > 0 || g.preHi()[d] > 0)) {
                throw new SpecException(p + "padding_mode: " + g.preMode() + " cannot pad spatial dim " + d
                        + " of size 0 (jnp.pad refuses to pad an empty axis)");
            }
            long prePadded = (long) in + g.preLo()[d] + g.preHi()[d];
            long dilated = prePadded <= 0 ? 0 : (prePadded - 1) * g.lhsDilation()[d] + 1;
            if (dilated + g.padLo()[d] + g.padHi()[d] < 0) {
                throw new SpecException(p + "padding: lax padding [" + g.padLo()[d] + ", " + g.padHi()[d]
                        + "] crops spatial dim " + d + " of size " + dilated
                        + " below 0 (lax rejects negative padding larger than the dimension)");
            }
        }
    }
}
