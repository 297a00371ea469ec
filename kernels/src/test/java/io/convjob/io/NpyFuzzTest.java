package io.convjob.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.convjob.error.BadInputProperty;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/**
 * Fuzzes the {@code .npy} reader: any bytes give a valid tensor or a bad-input error. Seeds and regression inputs:
 * {@code src/test/resources/io/convjob/io/NpyFuzzTestInputs/npy/}. See the README, "Fuzzing".
 */
class NpyFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void npy(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** The target as Jazzer's command line runs it (long runs). */
    public static void fuzzerTestOneInput(byte[] data) {
        BadInputProperty.check(data, () -> {
            InputStream in = new ByteArrayInputStream(data);
            NamedTensor t = NpyReader.read(in, "fuzz.npy", "fuzz");
            if (t.data().length != NamedTensor.elementCount(t.shape())) throw BadInputProperty.invalid(t.toString());
        });
    }
}
