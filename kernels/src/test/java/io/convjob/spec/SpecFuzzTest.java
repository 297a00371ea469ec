package io.convjob.spec;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.convjob.error.BadInputProperty;

import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the spec parser (equinox and PyTorch forms, pooling, preprocess) with JSON-ish text: a checked
 * {@link ModelSpec} or a bad-input error. Seeds: {@code src/test/resources/io/convjob/spec/SpecFuzzTestInputs/spec/}.
 */
class SpecFuzzTest {

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"layer\"", "\"layers\"", "\"Conv\"", "\"ConvTranspose\"", "\"Conv2d\"", "\"ConvTranspose3d\"",
            "\"in_channels\"", "\"out_channels\"", "\"kernel_size\"", "\"stride\"", "\"padding\"", "\"dilation\"",
            "\"groups\"", "\"use_bias\"", "\"padding_mode\"", "\"output_padding\"", "\"num_spatial_dims\"", "\"key\"",
            "\"framework\"", "\"pytorch\"", "\"preprocess\"", "\"resize\"", "\"center_crop\"", "\"mean\"", "\"std\"",
            "\"MaxPool\"", "\"AvgPool\"", "\"AdaptiveAvgPool\"", "\"relu\"", "\"flatten\"", "\"SAME\"", "\"VALID\"",
            "\"CIRCULAR\"", "\"REFLECT\"", "\"channels\"", "\"dtype\"", "\"float32\"", "\"threefry_partitionable\"",
            "\"weights_prefix\"", "\"bias\"", "\"ceil_mode\"", "\"output_size\""})
    void spec(byte[] data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        BadInputProperty.check(data, () -> {
            ModelSpec spec = SpecParser.parse(new String(data, StandardCharsets.UTF_8));
            if (spec == null || spec.layers().isEmpty()) throw BadInputProperty.invalid("spec " + spec);
        });
    }
}
