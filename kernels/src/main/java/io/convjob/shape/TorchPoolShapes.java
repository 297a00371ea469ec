package io.convjob.shape;

import io.convjob.spec.PoolReduction;
import io.convjob.spec.SpecException;
import io.convjob.spec.TorchAdaptivePoolSpec;
import io.convjob.spec.TorchPoolSpec;

/**
 * PyTorch's pooling windows, one dim at a time, as ATen computes them ({@code pooling_output_shape},
 * {@code avg_pool*d}'s divisor, {@code adaptive_*_pool}'s start/end index), including the shape-dependent
 * refusals PyTorch makes when called. Messages name the argument, without the JSON path prefix.
 */
final class TorchPoolShapes {
    private TorchPoolShapes() {}

    /**
     * Output size {@code floor((in + 2p - d(k-1) - 1 [+ s-1 with ceil_mode]) / s) + 1}; with ceil_mode the last
     * window is dropped if it would start inside the right padding.
     */
    static WindowMap sliding(TorchPoolSpec p, int d, int in) {
        int k = p.kernelSize().get(d);
        int s = p.stride().get(d);
        int pad = p.padding().get(d);
        int dil = p.dilation().get(d);
        long effective = (long) dil * (k - 1) + 1;
        long out = Math.floorDiv(in + 2L * pad - effective + (p.ceilMode() ? s - 1 : 0), (long) s) + 1;
        if (p.ceilMode() && (out - 1) * s >= (long) in + pad) out--;
        if (out < 1) {
            throw new SpecException("kernel_size: " + p.layerName() + " of spatial dim " + d + " (size " + in
                    + ", padding " + pad + ", effective kernel " + effective + ") gives output size " + out
                    + " (PyTorch refuses: output size is too small)");
        }
        WindowMap.Divisor divisor = p.reduction() == PoolReduction.MAX ? WindowMap.Divisor.KERNEL
                : p.countIncludePad() ? WindowMap.Divisor.PADDED : WindowMap.Divisor.IN_BOUNDS;
        WindowMap map = WindowMap.sliding(in, k, s, dil, pad, pad, (int) out, divisor);
        if (p.divisorOverride() == 0) return map;
        // the override divides the whole window: put it on dim 0, 1 on the others (the divisor is a product)
        int[] start = new int[map.outSize()];
        int[] count = new int[map.outSize()];
        float[] div = new float[map.outSize()];
        for (int o = 0; o < start.length; o++) {
            start[o] = map.start(o);
            count[o] = map.count(o);
            div[o] = d == 0 ? p.divisorOverride() : 1f;
        }
        return WindowMap.of(in, map.step(), start, count, div);
    }

    static WindowMap adaptive(TorchAdaptivePoolSpec a, int d, int in) {
        int t = a.outputSize().get(d) == 0 ? in : a.outputSize().get(d);
        if (in == 0) {
            throw new SpecException("output_size: " + a.layerName() + " needs non-empty spatial dims, got size 0 in"
                    + " spatial dim " + d + " (as PyTorch)");
        }
        return WindowMap.torchAdaptive(in, t);
    }
}
