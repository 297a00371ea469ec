package io.convjob;

import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecException;
import io.convjob.spec.SpecParser;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The builder and the JSON spec are two doors to the same layer: same spec, same weights, same output. */
class PublicApiTest {

    @Test
    void builderAndSpecGiveTheSameLayer() {
        Conv built = Conv.builder(2, 3, 8, 3).stride(2).padding("SAME").key(0).build();
        ModelSpec spec = SpecParser.parse("{\"layer\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 8,"
                + " \"kernel_size\": 3, \"stride\": 2, \"padding\": \"same\", \"key\": 0}");
        Model model = Model.fromSpec(spec);
        assertEquals(spec.layers().get(0), built.spec());
        assertArrayEquals(model.parameters().get(0).weight(), built.weight());
        assertArrayEquals(model.parameters().get(0).bias(), built.bias());

        float[] data = new float[3 * 32 * 32];
        Random random = new Random(3);
        for (int i = 0; i < data.length; i++) data[i] = random.nextFloat();
        Tensor x = new Tensor(new int[] {3, 32, 32}, data);
        Tensor y = built.apply(x);
        assertArrayEquals(new int[] {8, 16, 16}, y.shape());
        assertArrayEquals(model.apply(x).data(), y.data());
    }

    @Test
    void transposeBuilderChecksLikeTheParser() {
        SpecException e = assertThrows(SpecException.class,
                () -> ConvTranspose.builder(2, 8, 3, 4).stride(2).outputPadding(2).key(1).build());
        assertEquals("output_padding: must be < stride (elementwise), got [2, 2] vs [2, 2]", e.getMessage());
        ConvTranspose up = ConvTranspose.builder(2, 8, 3, 4).stride(2).padding(1).key(1).build();
        assertArrayEquals(new int[] {3, 32, 32}, up.outputShape(new int[] {8, 16, 16}));
    }
}
