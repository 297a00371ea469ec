package io.convjob;

import io.convjob.init.ConvParams;
import io.convjob.io.EqxReader;
import io.convjob.io.NamedTensor;
import io.convjob.io.SafetensorsReader;
import io.convjob.io.WeightFormatException;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.PoolReduction;
import io.convjob.spec.PoolSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A model's parameters from a weight file, checked against its spec:
 * {@code .safetensors} ({@code weight}/{@code bias}, or {@code layers.{i}.weight}/{@code layers.{i}.bias} in a
 * stack), or equinox's {@code tree_serialise_leaves} {@code .eqx} / a plain {@code .npy} (arrays in layer order:
 * weight, then bias when {@code use_bias}; each MaxPool/AvgPool's 0-d reduction init, checked and dropped). Bias may be {@code (out,)} or equinox's {@code (out, 1, ..., 1)}.
 */
public final class ModelWeights {
    private final Map<Integer, ConvParams> byLayer;

    private ModelWeights(Map<Integer, ConvParams> byLayer) { this.byLayer = byLayer; }

    /** Reads and checks every tensor of {@code file} against {@code spec}; nothing in the file may go unused. */
    public static ModelWeights load(ModelSpec spec, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) return fromNamed(spec, SafetensorsReader.readAll(file), file);
        if (name.endsWith(".eqx")) return fromSequence(spec, EqxReader.read(file), file);
        if (name.endsWith(".npy")) return fromSequence(spec, EqxReader.read(file), file);
        throw new WeightFormatException(file + ": unknown weight format; use .safetensors, .eqx or .npy");
    }

    /** As a source for {@link Model#fromSpec(ModelSpec, Model.ParamsSource)}. */
    public Model.ParamsSource asSource() {
        return (index, layer, path) -> byLayer.get(index);
    }

    /** The tensor names a weight file uses for layer {@code index}: {@code weight} or {@code layers.3.weight}. */
    public static String tensorName(ModelSpec spec, int index, String leaf) {
        return spec.stack() ? "layers." + index + "." + leaf : leaf;
    }

    static ModelWeights fromNamed(ModelSpec spec, Map<String, NamedTensor> tensors, Path file) {
        Map<Integer, ConvParams> out = new LinkedHashMap<>();
        TreeSet<String> unused = new TreeSet<>(tensors.keySet());
        for (int i = 0; i < spec.layers().size(); i++) {
            if (!(spec.layers().get(i) instanceof ConvLayerSpec conv)) continue;
            String wName = tensorName(spec, i, "weight");
            String bName = tensorName(spec, i, "bias");
            NamedTensor w = tensors.get(wName);
            if (w == null) throw new WeightFormatException(file + ": tensor '" + wName + "' is missing");
            NamedTensor b = tensors.get(bName);
            if (conv.useBias() && b == null) {
                throw new WeightFormatException(file + ": tensor '" + bName + "' is missing (use_bias is true)");
            }
            if (!conv.useBias() && b != null) {
                throw new WeightFormatException(file + ": tensor '" + bName + "' given but use_bias is false");
            }
            unused.remove(wName);
            unused.remove(bName);
            out.put(i, params(conv, w, b, file));
        }
        if (!unused.isEmpty()) {
            throw new WeightFormatException(file + ": tensor '" + unused.first() + "' matches no layer of the spec");
        }
        return new ModelWeights(out);
    }

    static ModelWeights fromSequence(ModelSpec spec, List<NamedTensor> arrays, Path file) {
        Map<Integer, ConvParams> out = new LinkedHashMap<>();
        int expected = 0;
        for (LayerSpec l : spec.layers()) {
            if (l instanceof ConvLayerSpec c) expected += c.useBias() ? 2 : 1;
            if (l instanceof PoolSpec) expected++;
        }
        if (arrays.size() != expected) {
            throw new WeightFormatException(file + ": holds " + arrays.size() + " arrays, the spec needs " + expected
                    + " (weight, then bias when use_bias, per conv layer; the 0-d init value of each MaxPool/AvgPool;"
                    + " in layer order)");
        }
        int next = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            if (spec.layers().get(i) instanceof PoolSpec pool) {
                checkPoolInit(pool, arrays.get(next++), tensorName(spec, i, "init"), file);
                continue;
            }
            if (!(spec.layers().get(i) instanceof ConvLayerSpec conv)) continue;
            NamedTensor w = arrays.get(next++).withName(tensorName(spec, i, "weight"));
            NamedTensor b = conv.useBias() ? arrays.get(next++).withName(tensorName(spec, i, "bias")) : null;
            out.put(i, params(conv, w, b, file));
        }
        return new ModelWeights(out);
    }

    /**
     * equinox's MaxPool / AvgPool keep their reduction's {@code init} as a leaf, so {@code tree_serialise_leaves}
     * writes it: MaxPool {@code -inf} (float64), AvgPool {@code 0} (int64). Any other value would pool differently.
     */
    private static void checkPoolInit(PoolSpec pool, NamedTensor init, String name, Path file) {
        float want = pool.reduction() == PoolReduction.MAX ? Float.NEGATIVE_INFINITY : 0f;
        if (init.rank() != 0 || init.data()[0] != want) {
            throw new WeightFormatException(file + ": record '" + name + "' for " + pool.layerName() + " is "
                    + init.sourceDtype() + " " + Arrays.toString(init.shape()) + (init.rank() == 0 ? " = "
                    + init.data()[0] : "") + ", expected its 0-d reduction init " + want);
        }
    }

    private static ConvParams params(ConvLayerSpec conv, NamedTensor w, NamedTensor b, Path file) {
        int[] wShape = conv.weightShape();
        if (!Arrays.equals(w.shape(), wShape)) {
            throw new WeightFormatException(file + ": tensor '" + w.name() + "' has shape " + Arrays.toString(w.shape())
                    + ", expected " + Arrays.toString(wShape));
        }
        float[] bias = null;
        if (b != null) {
            if (!isBiasShape(b.shape(), conv)) {
                int[] eqx = new int[conv.numSpatialDims() + 1];
                Arrays.fill(eqx, 1);
                eqx[0] = conv.outChannels();
                throw new WeightFormatException(file + ": tensor '" + b.name() + "' has shape "
                        + Arrays.toString(b.shape()) + ", expected [" + conv.outChannels() + "] or "
                        + Arrays.toString(eqx));
            }
            bias = b.data();
        }
        return new ConvParams(w.data(), bias);
    }

    private static boolean isBiasShape(int[] shape, ConvLayerSpec conv) {
        if (shape.length == 1) return shape[0] == conv.outChannels();
        if (shape.length != conv.numSpatialDims() + 1 || shape[0] != conv.outChannels()) return false;
        for (int i = 1; i < shape.length; i++) if (shape[i] != 1) return false;
        return true;
    }

    /** The parameters of every conv layer under the names a {@code .safetensors} file uses; bias as equinox shapes it. */
    public static List<NamedTensor> namedTensors(ModelSpec spec, Map<Integer, ConvParams> params) {
        List<NamedTensor> out = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            if (!(spec.layers().get(i) instanceof ConvLayerSpec conv)) continue;
            ConvParams p = params.get(i);
            out.add(NamedTensor.of(tensorName(spec, i, "weight"), conv.weightShape(), p.weight()));
            if (p.bias() != null) {
                int[] bShape = new int[conv.numSpatialDims() + 1];
                Arrays.fill(bShape, 1);
                bShape[0] = conv.outChannels();
                out.add(NamedTensor.of(tensorName(spec, i, "bias"), bShape, p.bias()));
            }
        }
        return out;
    }
}
