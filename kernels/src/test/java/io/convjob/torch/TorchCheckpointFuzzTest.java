package io.convjob.torch;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.convjob.error.BadInputProperty;
import io.convjob.io.NamedTensor;

import java.util.Arrays;

/**
 * Fuzzes the PyTorch checkpoint reader (zip central directory, restricted unpickler, tensor views): opening gives
 * a state dict or a bad-input error, and so does reading each of its keys.
 * Seeds: {@code src/test/resources/io/convjob/torch/TorchCheckpointFuzzTestInputs/checkpoint/}.
 */
class TorchCheckpointFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void checkpoint(byte[] data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        BadInputProperty.check(data, () -> {
            TorchCheckpoint checkpoint = TorchCheckpoint.open(new TorchCheckpoint.InMemoryChannel(data), "fuzz.pt");
            for (String key : checkpoint.keys()) {
                BadInputProperty.check(data, () -> {
                    int[] shape = checkpoint.shape(key);
                    NamedTensor t = checkpoint.read(key);
                    if (!Arrays.equals(shape, t.shape()) || t.data().length != NamedTensor.elementCount(shape)) {
                        throw BadInputProperty.invalid(key + ": " + Arrays.toString(shape) + " vs " + t);
                    }
                });
            }
        });
    }
}
