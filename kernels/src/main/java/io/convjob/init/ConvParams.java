package io.convjob.init;

/**
 * The initial parameters of an equinox Conv or ConvTranspose layer.
 *
 * @param weight the weight of shape {@code (out_channels, in_channels / groups, *kernel_size)}, flat in C order
 * @param bias the bias, one per output channel (equinox's shape {@code (out_channels, 1, ..., 1)}), or null
 *     when the layer has no bias
 */
public record ConvParams(float[] weight, float[] bias) {}
