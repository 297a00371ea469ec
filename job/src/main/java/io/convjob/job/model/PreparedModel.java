package io.convjob.job.model;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.shape.ModelChecks;
import io.convjob.shape.PoolChecks;
import io.convjob.shape.Shapes;
import io.convjob.spec.ConvLayerSpec;
import io.convjob.spec.FlattenSpec;
import io.convjob.spec.LayerSpec;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.PoolLayerSpec;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model checked on the driver against the input's sample shape, before any task starts.
 *
 * @param payload       what executors rebuild the model from
 * @param inputShape    one sample {@code (channels, *spatial)} as read
 * @param outputShape   one sample as written
 * @param macsPerSample multiply-accumulates per sample over all conv layers
 */
public record PreparedModel(ModelPayload payload, int[] inputShape, int[] outputShape, long macsPerSample) {

    /**
     * Parses the spec, loads the weights if a file is given (else draws them from the keys) and shape-checks the
     * whole stack.
     *
     * @param weights a weight file, or null for key-initialised layers
     * @throws io.convjob.error.InputException if the spec, the weights or the shape is wrong (one line)
     */
    public static PreparedModel prepare(String specJson, Path weights, WeightsLoader loader, int[] inputShape) {
        ModelSpec spec = SpecText.parse(specJson);
        ModelChecks.checkInputShape(spec, inputShape); // the whole stack, before any weights are drawn or read
        Model.ParamsSource params = weights == null ? Model.ParamsSource.fromKeys() : loader.load(spec, weights);
        ModelPayload payload = ModelPayload.of(specJson, spec, params);
        Model model = payload.toModel();
        int[] outputShape = model.outputShape(inputShape);
        return new PreparedModel(payload, inputShape.clone(), outputShape, macsPerSample(spec, inputShape));
    }

    /** Sum over conv layers of out_channels * prod(out spatial) * in/groups * prod(kernel). */
    static long macsPerSample(ModelSpec spec, int[] inputShape) {
        int[] shape = inputShape;
        long macs = 0;
        for (LayerSpec layer : spec.layers()) {
            if (layer instanceof ConvLayerSpec conv) {
                macs += Shapes.lower(conv, Arrays.copyOfRange(shape, 1, shape.length)).macsPerSample();
                shape = Shapes.outputShape(conv, shape);
            } else if (layer instanceof PoolLayerSpec || layer instanceof FlattenSpec) {
                shape = PoolChecks.outputShape(layer, shape, "", null); // pooling changes the shape, not the MACs
            }
        }
        return macs;
    }

    public int inputElements() { return Math.toIntExact(Tensor.elementCount(inputShape)); }
    public int outputElements() { return Math.toIntExact(Tensor.elementCount(outputShape)); }
}
