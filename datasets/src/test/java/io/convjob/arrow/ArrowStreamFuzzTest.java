package io.convjob.arrow;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link TensorFileReader} from Arrow IPC streams (no magic, no footer, batches until the end marker).
 * Seeds and regression inputs: {@code src/test/resources/io/convjob/arrow/ArrowStreamFuzzTestInputs/stream/}.
 */
class ArrowStreamFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void stream(byte[] data) {
        TensorFileFuzzing.check(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        TensorFileFuzzing.check(data);
    }
}
