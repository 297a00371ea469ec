package io.convjob.job.model;

import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.shape.ModelChecks;
import io.convjob.shape.ModelShapes;
import io.convjob.spec.ModelSpec;

import io.convjob.storage.Storage;

/**
 * A model checked on the driver against the input's sample shape, before any task starts: its spec parsed and
 * checked once, its shapes and MACs walked once, its weights drawn or read once.
 *
 * @param payload       what executors rebuild the model from (the spec's JSON and the weights)
 * @param inputShape    one sample {@code (channels, *spatial)} as read
 * @param outputShape   one sample as written
 * @param macsPerSample multiply-accumulates per sample over all conv layers
 * @param model         the driver's model, built from the driver's parse; tasks in the driver's JVM reuse it
 */
public record PreparedModel(ModelPayload payload, int[] inputShape, int[] outputShape, long macsPerSample,
        Model model) {

    /**
     * Parses the spec, shape-checks the whole stack, then loads the weights if a file is given (else draws them
     * from the keys).
     *
     * @param weights a weight file on {@code storage} (any Hadoop path), or null for key-initialised layers
     * @throws io.convjob.error.InputException if the spec, the weights or the shape is wrong (one line)
     */
    public static PreparedModel prepare(String specJson, String weights, WeightsLoader loader, Storage storage, int[] inputShape) {
        return prepare(specJson, SpecText.parse(specJson), weights, loader, storage, inputShape);
    }

    /** As {@link #prepare(String, String, WeightsLoader, Storage, int[])} with the spec already parsed from {@code specJson}. */
    public static PreparedModel prepare(String specJson, ModelSpec spec, String weights, WeightsLoader loader,
            Storage storage, int[] inputShape) {
        ModelShapes shapes = ModelChecks.walk(spec, inputShape); // the whole stack, before any weights are drawn or read
        Model.ParamsSource params = weights == null ? Model.ParamsSource.fromKeys()
                : storage.withLocalFile("--weights", weights, local -> loader.load(spec, local));
        ModelPayload payload = ModelPayload.of(specJson, spec, params);
        return new PreparedModel(payload, inputShape.clone(), shapes.outputShape(), shapes.totalMacs(),
                payload.toModel(spec));
    }

    public int inputElements() { return Math.toIntExact(Tensor.elementCount(inputShape)); }
    public int outputElements() { return Math.toIntExact(Tensor.elementCount(outputShape)); }
}
