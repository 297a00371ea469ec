package io.convjob.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.convjob.error.BadInputProperty;

import java.io.ByteArrayInputStream;
import java.util.List;

/**
 * Fuzzes the {@code .eqx} reader (back-to-back {@code .npy} records): a list of valid tensors or a bad-input error.
 * Seeds: {@code src/test/resources/io/convjob/io/EqxFuzzTestInputs/eqx/}.
 */
class EqxFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void eqx(byte[] data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        BadInputProperty.check(data, () -> {
            List<NamedTensor> leaves = EqxReader.read(new ByteArrayInputStream(data), "fuzz.eqx");
            for (NamedTensor t : leaves) {
                if (t.data().length != NamedTensor.elementCount(t.shape())) throw BadInputProperty.invalid(t.toString());
            }
        });
    }
}
