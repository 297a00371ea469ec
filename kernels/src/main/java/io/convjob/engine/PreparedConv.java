package io.convjob.engine;

import io.convjob.shape.ConvGeometry;

/** One layer ready to run on batches of one input shape. Thread-safe: concurrent calls may share it. */
public interface PreparedConv {

    ConvGeometry geometry();

    /**
     * {@code y[b] = conv(x[b]) + bias} for {@code b < batch}.
     *
     * @param x       {@code (batch, inChannels, *inShape)}, C order, from offset 0
     * @param y       {@code (batch, outChannels, *outShape)}, C order, from offset 0; fully overwritten
     * @param threads how many threads this call may use (1 = the calling thread only)
     */
    void run(float[] x, float[] y, int batch, int threads);
}
