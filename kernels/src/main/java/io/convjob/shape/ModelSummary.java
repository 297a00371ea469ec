package io.convjob.shape;

import io.convjob.spec.ActivationSpec;
import io.convjob.spec.AdaptivePoolSpec;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.ConvTransposeSpec;
import io.convjob.spec.FlattenSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.PoolLayerSpec;
import io.convjob.spec.PoolSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A model summary: per layer its arguments, output shape, parameter count and MACs per sample. */
public record ModelSummary(List<Row> rows, int[] inputShape) {

    /** One layer; {@code outputShape} and {@code macs} are null/-1 without an input shape. */
    public record Row(int index, String layer, String arguments, int[] outputShape, long parameters, long macs) {}

    /**
     * @param sampleShape {@code (channels, *spatial)} of one input sample, or null for parameters only
     * @throws SpecException if the sample shape does not fit the model (see {@link ModelChecks#walk})
     */
    public static ModelSummary of(ModelSpec spec, int[] sampleShape) {
        ModelShapes shapes = sampleShape == null ? null : ModelChecks.walk(spec, sampleShape);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec ls = spec.layers().get(i);
            int[] shape = shapes == null ? null : shapes.outputShape(i);
            if (ls instanceof ActivationSpec a) {
                rows.add(new Row(i, a.activation().specName(), "", shape, 0, 0));
                continue;
            }
            if (ls instanceof PoolLayerSpec || ls instanceof FlattenSpec) {
                rows.add(new Row(i, ls instanceof PoolLayerSpec p ? p.layerName() : FlattenSpec.NAME,
                        ls instanceof PoolLayerSpec p ? poolArguments(p) : "", shape == null ? null : shape.clone(),
                        0, 0));
                continue;
            }
            ConvLayerSpec c = (ConvLayerSpec) ls;
            rows.add(new Row(i, c.layerName() + c.numSpatialDims() + "d", arguments(c), shape, c.parameterCount(),
                    shapes == null ? -1 : shapes.macs()[i]));
        }
        return new ModelSummary(rows, sampleShape);
    }

    private static String poolArguments(PoolLayerSpec p) {
        if (p instanceof AdaptivePoolSpec a) return "target=" + a.targetShape();
        PoolSpec s = (PoolSpec) p;
        StringBuilder sb = new StringBuilder("k=").append(s.kernelSize());
        if (!s.stride().allEqual(1)) sb.append(" s=").append(s.stride());
        if (!s.padding().lo().allEqual(0) || !s.padding().hi().allEqual(0)) sb.append(" p=").append(s.padding());
        if (s.useCeil()) sb.append(" ceil");
        return sb.toString();
    }

    private static String arguments(ConvLayerSpec c) {
        StringBuilder sb = new StringBuilder();
        sb.append(c.inChannels()).append("->").append(c.outChannels()).append(" k=").append(c.kernelSize());
        if (!c.stride().allEqual(1)) sb.append(" s=").append(c.stride());
        sb.append(" p=").append(c.padding());
        if (c instanceof ConvTransposeSpec t && !t.outputPadding().allEqual(0)) sb.append(" op=").append(t.outputPadding());
        if (!c.dilation().allEqual(1)) sb.append(" d=").append(c.dilation());
        if (c.groups() != 1) sb.append(" g=").append(c.groups());
        if (c.paddingMode() != io.convjob.spec.PaddingMode.ZEROS) sb.append(' ').append(c.paddingMode());
        if (!c.useBias()) sb.append(" no-bias");
        return sb.toString();
    }

    public long totalParameters() { return rows.stream().mapToLong(Row::parameters).sum(); }

    /** MACs per sample, or -1 without an input shape. */
    public long totalMacs() {
        return inputShape == null ? -1 : rows.stream().mapToLong(Row::macs).sum();
    }

    /** A fixed-width text table, like a model summary. */
    public String toTable() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"#", "layer", "arguments", "output shape", "params", "MACs"});
        if (inputShape != null) cells.add(new String[] {"", "input", "", Arrays.toString(inputShape), "", ""});
        for (Row r : rows) {
            cells.add(new String[] {String.valueOf(r.index()), r.layer(), r.arguments(),
                    r.outputShape() == null ? "-" : Arrays.toString(r.outputShape()),
                    String.format("%,d", r.parameters()), r.macs() < 0 ? "-" : String.format("%,d", r.macs())});
        }
        cells.add(new String[] {"", "total", "", "", String.format("%,d", totalParameters()),
                totalMacs() < 0 ? "-" : String.format("%,d", totalMacs())});
        int[] width = new int[6];
        for (String[] row : cells) for (int i = 0; i < 6; i++) width[i] = Math.max(width[i], row[i].length());
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            String[] row = cells.get(r);
            for (int i = 0; i < 6; i++) {
                boolean numeric = i == 0 || i >= 4;
                String fmt = "%" + (numeric ? "" : "-") + width[i] + "s";
                sb.append(String.format(fmt, row[i])).append(i < 5 ? "  " : "");
            }
            sb.append('\n');
            if (r == 0 || r == cells.size() - 2) sb.append("-".repeat(Arrays.stream(width).sum() + 10)).append('\n');
        }
        return sb.toString();
    }
}
