package io.convjob.torch;

import io.convjob.Model;
import io.convjob.init.ConvParams;
import io.convjob.io.NamedTensor;
import io.convjob.io.WeightFormatException;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.WeightNaming;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A PyTorch spec's parameters from a state dict ({@code .pt}/{@code .pth} from {@code torch.save}, or
 * {@code .safetensors} from {@code safetensors.torch.save_file}), by the state dict's own names, converted to
 * equinox's layouts: a Conv weight is {@code (out, in / groups, *kernel)} in both; a ConvTranspose weight is
 * {@code (in, out / groups, *kernel)} in PyTorch and becomes equinox's {@code (out, in / groups, *kernel)} with
 * the kernel flipped, since equinox's ConvTranspose correlates where PyTorch's is the adjoint of Conv.
 *
 * <p>Every key under the prefix must belong to a layer and every layer's keys must be there with PyTorch's shape.
 */
public final class TorchWeights {
    private TorchWeights() {}

    /** Reads {@code file} for {@code spec} (a spec in PyTorch's form); one line naming file and key on any mismatch. */
    public static Model.ParamsSource load(ModelSpec spec, Path file) {
        Map<Integer, ConvParams> params = fromStateDict(spec, open(file));
        return (index, layer, path) -> params.get(index);
    }

    /** A {@code .safetensors} file by its name, any other name as a {@code torch.save} checkpoint. */
    public static StateDict open(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") ? SafetensorsStateDict.open(file) : TorchCheckpoint.open(file);
    }

    /** Each conv layer's parameters in equinox's layout, by its index in the spec's layers. */
    public static Map<Integer, ConvParams> fromStateDict(ModelSpec spec, StateDict dict) {
        if (!(spec.naming() instanceof WeightNaming.PyTorch naming)) {
            throw new IllegalArgumentException("not a PyTorch spec");
        }
        String source = dict.source();
        TreeSet<String> unused = new TreeSet<>();
        for (String key : dict.keys()) if (key.startsWith(naming.prefix())) unused.add(key);
        if (unused.isEmpty() && !naming.prefix().isEmpty()) {
            throw new WeightFormatException(source + ": no key starts with the weights prefix '" + naming.prefix()
                    + "'" + firstKeys(dict));
        }
        Map<Integer, ConvParams> out = new LinkedHashMap<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            if (!(spec.layers().get(i) instanceof ConvLayerSpec conv)) continue;
            String what = "layers[" + i + "] (" + conv.layerName() + conv.numSpatialDims() + "d)";
            String wKey = naming.key(i, "weight");
            String bKey = naming.key(i, "bias");
            if (!dict.keys().contains(wKey)) {
                throw new WeightFormatException(source + ": key '" + wKey + "' is missing, the weight of " + what
                        + firstKeys(dict));
            }
            if (conv.useBias() && !dict.keys().contains(bKey)) {
                throw new WeightFormatException(source + ": key '" + bKey + "' is missing, the bias of " + what
                        + " (bias=true)");
            }
            if (!conv.useBias() && dict.keys().contains(bKey)) {
                throw new WeightFormatException(source + ": key '" + bKey + "' is given but " + what + " has bias=false");
            }
            unused.remove(wKey);
            unused.remove(bKey);
            float[] weight = weight(conv, checked(dict, wKey, torchWeightShape(conv), what));
            float[] bias = conv.useBias() ? checked(dict, bKey, new int[] {conv.outChannels()}, what).data() : null;
            out.put(i, new ConvParams(weight, bias));
        }
        if (!unused.isEmpty()) {
            throw new WeightFormatException(source + ": key '" + unused.first() + "' matches no layer of the spec"
                    + (unused.size() > 1 ? " (and " + (unused.size() - 1) + " more)" : "")
                    + (naming.prefix().isEmpty() ? "; use --weights-prefix to pick a sub-module" : ""));
        }
        return out;
    }

    /** PyTorch's weight shape: {@code (out, in / groups, *k)} for Conv, {@code (in, out / groups, *k)} for ConvTranspose. */
    public static int[] torchWeightShape(ConvLayerSpec conv) {
        int[] shape = conv.weightShape();
        if (conv instanceof ConvTransposeSpec) {
            shape[0] = conv.inChannels();
            shape[1] = conv.outChannels() / conv.groups();
        }
        return shape;
    }

    private static NamedTensor checked(StateDict dict, String key, int[] expected, String what) {
        int[] shape = dict.shape(key);
        if (!Arrays.equals(shape, expected)) {
            throw new WeightFormatException(dict.source() + ": key '" + key + "' has shape " + Arrays.toString(shape)
                    + ", " + what + " needs " + Arrays.toString(expected));
        }
        return dict.read(key);
    }

    /** The weight in equinox's layout. */
    private static float[] weight(ConvLayerSpec conv, NamedTensor torch) {
        if (!(conv instanceof ConvTransposeSpec)) return torch.data();
        return transposeWeight(torch.data(), conv.inChannels(), conv.outChannels(), conv.groups(),
                (int) conv.kernelSize().product());
    }

    /**
     * PyTorch {@code (in, out/g, *k)} to equinox {@code (out, in/g, *k)} with every spatial axis flipped: within
     * group {@code g}, {@code eqx[g*outG + o][i][k] = torch[g*inG + i][o][K-1-k]} (flipping all axes of a C-order
     * kernel reverses its flat index).
     */
    static float[] transposeWeight(float[] torch, int in, int out, int groups, int kernel) {
        int inG = in / groups;
        int outG = out / groups;
        float[] eqx = new float[torch.length];
        for (int g = 0; g < groups; g++) {
            for (int o = 0; o < outG; o++) {
                for (int i = 0; i < inG; i++) {
                    int to = (((g * outG + o) * inG) + i) * kernel;
                    int from = (((g * inG + i) * outG) + o) * kernel;
                    for (int k = 0; k < kernel; k++) eqx[to + k] = torch[from + kernel - 1 - k];
                }
            }
        }
        return eqx;
    }

    private static String firstKeys(StateDict dict) {
        if (dict.keys().isEmpty()) return "; the state dict is empty";
        StringBuilder sb = new StringBuilder("; the file has ");
        int shown = 0;
        for (String key : dict.keys()) {
            if (shown == 3) return sb.append(", ... (").append(dict.keys().size()).append(" keys)").toString();
            sb.append(shown++ == 0 ? "" : ", ").append('\'').append(key).append('\'');
        }
        return sb.toString();
    }
}
