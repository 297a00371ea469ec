package io.convjob.shape;

import java.util.Arrays;
import java.util.List;

/**
 * A model's shapes for one input sample, as {@link ModelChecks#walk} found them.
 *
 * @param inputShape   one input sample {@code (channels, *spatial)}
 * @param outputShapes per entry of the spec's {@code layers}, its output sample shape
 * @param macs         per entry, multiply-accumulates per sample ({@link Shapes#macsPerSample}; 0 for an activation)
 */
public record ModelShapes(int[] inputShape, List<int[]> outputShapes, long[] macs) {
    public ModelShapes {
        inputShape = inputShape.clone();
        outputShapes = outputShapes.stream().map(int[]::clone).toList();
        macs = macs.clone();
    }

    @Override public int[] inputShape() { return inputShape.clone(); }
    @Override public long[] macs() { return macs.clone(); }

    /** The output sample shape of entry {@code index}. */
    public int[] outputShape(int index) { return outputShapes.get(index).clone(); }

    /** The model's output sample shape. */
    public int[] outputShape() {
        return outputShapes.isEmpty() ? inputShape.clone() : outputShape(outputShapes.size() - 1);
    }

    public long totalMacs() { return Arrays.stream(macs).sum(); }
}
