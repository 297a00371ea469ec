package io.convjob.fast;

/**
 * The inner block of {@link ChannelBlockConv}: vectors run along output channels, not positions. The input is
 * channel-innermost ({@code in[point * inChannels + channel]}); one call sums one run of depth rows whose inputs are
 * consecutive floats (a tap's channels, or those of taps side by side along the innermost dim). For a few output
 * positions j and {@code V} vectors of output channels, {@code C[j][oc] += sum_{cFrom <= ci < cTo} W[ci][oc] *
 * in[inOff + pos[posOff + j] + ci]}: each step loads V weight vectors and broadcasts one input value per position, so
 * a position's input may sit anywhere (strides, dilation, short rows cost nothing), and consecutive steps read
 * consecutive floats. W is packed {@code [ci][V * lanes()]} from {@code wOff}; C is read and written
 * position-major, {@code acc[accOff + j * V * lanes() + oc]}, so K can be summed in blocks whose weights stay in L1.
 *
 * <p>ChannelBlockKernel256 and ChannelBlockKernel128 are generated from ChannelBlockKernel512 at build time (see
 * the {@code vector-species} execution in kernels/pom.xml): edit the 512-bit class only.
 */
interface ChannelBlockKernel {
    /** Floats per vector. */
    int lanes();

    /** 4 vectors of output channels x 6 positions (24 accumulators). */
    void tile4x6(float[] w, int wOff, float[] in, int inOff, int cFrom, int cTo, int[] pos, int posOff, float[] acc,
                 int accOff);

    /** 2 vectors of output channels x 12 positions (24 accumulators). */
    void tile2x12(float[] w, int wOff, float[] in, int inOff, int cFrom, int cTo, int[] pos, int posOff, float[] acc,
                  int accOff);

    /** 2 vectors of output channels x 6 positions (12 accumulators: for CPUs with 16 vector registers). */
    void tile2x6(float[] w, int wOff, float[] in, int inOff, int cFrom, int cTo, int[] pos, int posOff, float[] acc,
                 int accOff);
}
