package io.convjob.arrow;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link TensorFileReader} from Arrow IPC files ({@code ARROW1} magic, footer, random access).
 * Seeds and regression inputs: {@code src/test/resources/io/convjob/arrow/ArrowFileFuzzTestInputs/file/}.
 */
class ArrowFileFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void file(byte[] data) {
        TensorFileFuzzing.check(data);
    }

    /** The target as Jazzer's command line runs it (long runs). */
    public static void fuzzerTestOneInput(byte[] data) {
        TensorFileFuzzing.check(data);
    }
}
