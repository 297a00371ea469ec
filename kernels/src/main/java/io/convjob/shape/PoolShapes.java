package io.convjob.shape;

import io.convjob.spec.AdaptivePoolSpec;
import io.convjob.spec.FlattenSpec;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.PoolSpec;
import io.convjob.spec.SpecException;

import java.util.Arrays;

/**
 * Lowers a pooling layer to its {@link PoolGeometry} exactly as equinox 0.13.8 computes it, with the refusals
 * equinox makes only when called (they depend on the input shape). Messages name the argument, without the JSON
 * path prefix (callers add it).
 */
public final class PoolShapes {
    private PoolShapes() {}

    /**
     * @param sampleShape {@code (channels, *spatial)}
     * @throws SpecException {@code input: ...} for the wrong rank; {@code padding: ...} when use_ceil's extra
     *         padding exceeds the kernel size or negative padding crops a dim below 0; {@code target_shape: ...}
     *         for a target larger than the input
     */
    public static PoolGeometry lower(PoolLayerSpec layer, int[] sampleShape) {
        int n = layer.numSpatialDims();
        if (sampleShape.length != n + 1) {
            throw new SpecException("input: " + layer.layerName() + " needs rank " + (n + 1) + " (channels, " + n
                    + " spatial dim" + (n == 1 ? "" : "s") + "), got shape " + Arrays.toString(sampleShape));
        }
        WindowMap[] maps = new WindowMap[n];
        for (int d = 0; d < n; d++) {
            int in = sampleShape[d + 1];
            maps[d] = layer instanceof PoolSpec p ? sliding(p, d, in) : adaptive((AdaptivePoolSpec) layer, d, in);
        }
        return new PoolGeometry(layer.reduction(), maps);
    }

    /** {@code (channels, *out spatial)}. */
    public static int[] outputShape(PoolLayerSpec layer, int[] sampleShape) {
        int[] out = lower(layer, sampleShape).outShape();
        int[] shape = new int[out.length + 1];
        shape[0] = sampleShape[0];
        System.arraycopy(out, 0, shape, 1, out.length);
        return shape;
    }

    /** flatten: {@code (channels * prod(spatial),)}. */
    public static int[] outputShape(FlattenSpec flatten, int[] sampleShape) {
        long n = 1;
        for (int s : sampleShape) n *= s;
        if (n > Integer.MAX_VALUE) {
            throw new SpecException("input: flatten of " + Arrays.toString(sampleShape) + " has more than 2^31 values");
        }
        return new int[] {(int) n};
    }

    /** equinox's Pool: use_ceil adds stride to hi when the windows do not end at the padded end; floor otherwise. */
    private static WindowMap sliding(PoolSpec p, int d, int in) {
        int k = p.kernelSize().get(d);
        int s = p.stride().get(d);
        int lo = p.padding().lo().get(d);
        int hi = p.padding().hi().get(d);
        if (p.useCeil() && Math.floorMod((long) in + lo + hi - k, s) != 0) {
            hi += s;
            if (hi > k) {
                throw new SpecException("padding: use_ceil raises the right padding of spatial dim " + d + " to " + hi
                        + " (padding " + p.padding().hi().get(d) + " + stride " + s + ") for input size " + in
                        + ", more than kernel_size " + k + " (equinox refuses this when called)");
            }
        }
        long padded = (long) in + lo + hi;
        if (padded < 0) {
            throw new SpecException("padding: [" + lo + ", " + hi + "] crops spatial dim " + d + " of size " + in
                    + " below 0 (lax rejects negative padding larger than the dimension)");
        }
        long out = padded < k ? 0 : (padded - k) / s + 1;
        if (out > Integer.MAX_VALUE - 8) {
            throw new SpecException("kernel_size: spatial dim " + d + " would have " + out + " outputs, too many");
        }
        return WindowMap.sliding(in, k, s, 1, lo, hi, (int) out, WindowMap.Divisor.KERNEL);
    }

    private static WindowMap adaptive(AdaptivePoolSpec a, int d, int in) {
        int t = a.targetShape().get(d);
        if (t > in) {
            throw new SpecException("target_shape: " + t + " in spatial dim " + d + " is larger than the input size "
                    + in + " (equinox's adaptive pooling needs 1 <= target <= size; it fails with ZeroDivisionError)");
        }
        return WindowMap.equinoxAdaptive(in, t);
    }
}
