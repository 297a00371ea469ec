package io.convjob.torch;

import io.convjob.io.NamedTensor;

import java.util.Set;

/**
 * A PyTorch state dict as a file holds it: tensor names ({@code features.0.weight}) to tensors in PyTorch's
 * layout, read on demand. Two sources: a {@code torch.save} checkpoint ({@link TorchCheckpoint}) and a
 * {@code safetensors.torch.save_file} file ({@link SafetensorsStateDict}).
 */
public interface StateDict {

    /** The file, for messages: every error is one line led by it. */
    String source();

    /** Every key, in the file's order. */
    Set<String> keys();

    /**
     * The tensor's shape without reading its data.
     *
     * @throws io.convjob.io.WeightFormatException naming the key if it is not a tensor
     */
    int[] shape(String key);

    /**
     * The tensor as float32 in C order.
     *
     * @throws io.convjob.io.WeightFormatException naming the key if its dtype is not float32, float16, bfloat16
     *         or float64, or it is not a tensor
     */
    NamedTensor read(String key);
}
