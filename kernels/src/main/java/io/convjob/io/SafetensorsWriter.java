package io.convjob.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes float32 tensors as a {@code .safetensors} file the way the reference implementation does: tensors sorted
 * by name (its order for a single dtype), a compact JSON header with {@code __metadata__} first, padded with spaces
 * to a multiple of 8 bytes. The file appears atomically (temp file in the same directory, then renamed).
 */
public final class SafetensorsWriter {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int CHUNK_FLOATS = 1 << 16;

    private SafetensorsWriter() {}

    public static void write(Path file, Collection<NamedTensor> tensors) {
        write(file, tensors, Map.of());
    }

    /**
     * @param metadata written sorted by key (empty: no {@code __metadata__} entry)
     * @throws IllegalArgumentException if two tensors share a name or one is named {@code __metadata__}
     * @throws UncheckedIOException if the file cannot be written (the target is then left as it was)
     */
    public static void write(Path file, Collection<NamedTensor> tensors, Map<String, String> metadata) {
        List<NamedTensor> ordered = inWriteOrder(tensors);
        byte[] header = header(ordered, metadata);
        AtomicFile.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(length.array());
            out.write(header);
            for (NamedTensor tensor : ordered) writeFloats(out, tensor.data());
        });
    }

    private static List<NamedTensor> inWriteOrder(Collection<NamedTensor> tensors) {
        Set<String> names = new HashSet<>();
        for (NamedTensor tensor : tensors) {
            if (tensor.name().equals(SafetensorsReader.METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be named " + SafetensorsReader.METADATA_KEY);
            }
            if (!names.add(tensor.name())) throw new IllegalArgumentException("two tensors named '" + tensor.name() + "'");
        }
        List<NamedTensor> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(NamedTensor::name));
        return ordered;
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes. */
    static byte[] header(List<NamedTensor> ordered, Map<String, String> metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(SafetensorsReader.METADATA_KEY);
                for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (NamedTensor tensor : ordered) {
                long end = offset + 4L * tensor.data().length;
                json.writeObjectFieldStart(tensor.name());
                json.writeStringField("dtype", "F32");
                json.writeArrayFieldStart("shape");
                for (int dim : tensor.shape()) json.writeNumber(dim);
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                json.writeNumber(end);
                json.writeEndArray();
                json.writeEndObject();
                offset = end;
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padding = (8 - bytes.size() % 8) % 8;
        for (int i = 0; i < padding; i++) bytes.write(' ');
        return bytes.toByteArray();
    }

    /** Little-endian float32, in chunks so large tensors need no second full-size buffer. */
    static void writeFloats(OutputStream out, float[] data) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(4 * Math.min(CHUNK_FLOATS, Math.max(data.length, 1)))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < data.length; start += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, data.length - start);
            chunk.clear();
            chunk.asFloatBuffer().put(data, start, n);
            out.write(chunk.array(), 0, 4 * n);
        }
    }
}
