package io.convjob.arrow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test-only reader of F32 tensors in a safetensors file (the project's real reader lives in kernels). */
record GoldenTensors(JsonNode header, ByteBuffer data) {

    record Tensor(int[] shape, float[] values) {
        /** The shape of one sample: all but the leading batch dimension. */
        int[] sampleShape() { return java.util.Arrays.copyOfRange(shape, 1, shape.length); }
        int batch() { return shape[0]; }
    }

    static Path conformanceDir() {
        String dir = System.getProperty("conformance.dir");
        if (dir == null) throw new IllegalStateException("system property conformance.dir is not set");
        return Path.of(dir);
    }

    static GoldenTensors read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buffer.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + headerLength, bytes.length - 8 - headerLength).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new GoldenTensors(header, data);
    }

    Tensor f32(String name) {
        JsonNode entry = header.get(name);
        if (entry == null || !"F32".equals(entry.get("dtype").asText())) throw new IllegalArgumentException("no F32 tensor " + name);
        int[] shape = new int[entry.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = entry.get("shape").get(i).asInt();
        int begin = entry.get("data_offsets").get(0).asInt();
        int end = entry.get("data_offsets").get(1).asInt();
        float[] values = new float[(end - begin) / Float.BYTES];
        data.slice(begin, end - begin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return new Tensor(shape, values);
    }
}
