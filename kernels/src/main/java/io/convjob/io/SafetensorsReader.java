package io.convjob.io;

import io.convjob.error.InputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}}, then the data section.
 *
 * <p>{@link #open} validates the whole header as strictly as the reference implementation (known dtypes, offsets
 * inside the data section, sizes matching shape times dtype size, tensors tiling the data section without overlap,
 * gap or trailing bytes); tensors are then read on demand, each byte once, in 1 MiB chunks. F32, F16, BF16 and F64
 * are read as float32; integer tensors (e.g. a JAX key, U32) through {@link #readIntegers}.
 * Every problem is a {@link WeightFormatException} naming the file.
 */
public final class SafetensorsReader implements Closeable {

    /** The reference implementation's limit on the JSON header. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";
    private static final int CHUNK_BYTES = 1 << 20;
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** One tensor as the header describes it; {@code begin}/{@code end} are byte offsets into the data section. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        public Entry { shape = shape.clone(); }
        @Override public int[] shape() { return shape.clone(); }
        public long byteLength() { return end - begin; }
        @Override public boolean equals(Object o) {
            return o instanceof Entry e && name.equals(e.name) && dtype.equals(e.dtype)
                    && Arrays.equals(shape, e.shape) && begin == e.begin && end == e.end;
        }
        @Override public int hashCode() { return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end); }
        @Override public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + "]";
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final Map<String, Entry> entries;

    private SafetensorsReader(Path file, FileChannel channel, long dataStart,
                              Map<String, String> metadata, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = metadata;
        this.entries = entries;
    }

    /**
     * Opens the file and validates its header. Close the reader when done.
     *
     * @throws InputException if the file does not exist
     * @throws WeightFormatException if the file is not a valid safetensors file
     */
    public static SafetensorsReader open(Path file) {
        FileChannel channel = openChannel(file);
        try {
            return readHeader(file, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    /** All tensors as float32, in header order; fails on the first tensor whose dtype is not a supported float. */
    public static Map<String, NamedTensor> readAll(Path file) {
        try (SafetensorsReader reader = open(file)) {
            return reader.readAll();
        }
    }

    public Path file() { return file; }

    /** The {@code __metadata__} map (empty if absent), in file order. */
    public Map<String, String> metadata() { return metadata; }

    /** The tensors' header entries, in header order. */
    public List<Entry> entries() { return List.copyOf(entries.values()); }

    public boolean contains(String name) { return entries.containsKey(name); }

    /**
     * One tensor as float32.
     *
     * @throws WeightFormatException if there is no such tensor or its dtype is not F32, F16, BF16 or F64
     */
    public NamedTensor read(String name) {
        Entry entry = entry(name);
        FloatDtype dtype = floatDtype(entry);
        int count = elementCount(entry);
        float[] data = new float[count];
        int perChunk = CHUNK_BYTES / dtype.size;
        readChunks(entry, perChunk * dtype.size, (buffer, done) -> {
            int n = buffer.remaining() / dtype.size;
            dtype.decode(buffer, data, done, n);
            return n;
        });
        return new NamedTensor(name, entry.shape, data, entry.dtype);
    }

    /** All tensors as float32, in header order; checks every dtype before reading any data. */
    public Map<String, NamedTensor> readAll() {
        entries.values().forEach(this::floatDtype);
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        for (String name : entries.keySet()) tensors.put(name, read(name));
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * An integer tensor (U8..U64, I8..I64) as longs; unsigned values are zero-extended, U64 keeps its 64 bits.
     *
     * @throws WeightFormatException if there is no such tensor or it is not of an integer dtype
     */
    public long[] readIntegers(String name) {
        Entry entry = entry(name);
        SafetensorsDtype dtype = SafetensorsDtype.valueOf(entry.dtype);
        if (!dtype.isInteger()) {
            throw WeightFormatException.of(file, "tensor '" + name + "' has dtype " + entry.dtype
                    + "; expected an integer dtype (U8..U64, I8..I64)");
        }
        long[] values = new long[elementCount(entry)];
        readChunks(entry, CHUNK_BYTES, (buffer, done) -> {
            int n = buffer.remaining() / dtype.size;
            for (int i = 0; i < n; i++) values[done + i] = dtype.readInteger(buffer);
            return n;
        });
        return values;
    }

    /**
     * An F64 tensor at full precision (reference outputs, e.g. equinox's float64 {@code y64}).
     *
     * @throws WeightFormatException if there is no such tensor or it is not F64
     */
    public double[] readDoubles(String name) {
        Entry entry = entry(name);
        if (!entry.dtype.equals("F64")) {
            throw WeightFormatException.of(file, "tensor '" + name + "' has dtype " + entry.dtype + "; expected F64");
        }
        double[] values = new double[elementCount(entry)];
        readChunks(entry, CHUNK_BYTES, (buffer, done) -> {
            int n = buffer.remaining() / Double.BYTES;
            buffer.asDoubleBuffer().get(values, done, n);
            return n;
        });
        return values;
    }

    @Override public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }

    // ---- reading data ----

    /** Consumes a little-endian chunk; returns how many elements it decoded. */
    private interface ChunkDecoder {
        int decode(ByteBuffer chunk, int elementsDone);
    }

    private void readChunks(Entry entry, int chunkBytes, ChunkDecoder decoder) {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(chunkBytes, Math.max(entry.byteLength(), 1)))
                .order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + entry.begin;
        long end = dataStart + entry.end;
        int done = 0;
        try {
            while (position < end) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                readFully(file, channel, buffer, position);
                position += buffer.position();
                buffer.flip();
                done += decoder.decode(buffer, done);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }


    private Entry entry(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw WeightFormatException.of(file, "no tensor '" + name + "'; it has " + String.join(", ", entries.keySet()));
        }
        return entry;
    }

    private FloatDtype floatDtype(Entry entry) {
        return SafetensorsDtype.valueOf(entry.dtype).asFloat().orElseThrow(() -> unsupported(file, entry.name, entry.dtype));
    }

    private int elementCount(Entry entry) {
        long count = NamedTensor.elementCount(entry.shape);
        if (count > Integer.MAX_VALUE - 8) {
            throw WeightFormatException.of(file, "tensor '" + entry.name + "' has " + count
                    + " elements, more than a Java array holds");
        }
        return (int) count;
    }

    private static WeightFormatException unsupported(Path file, String name, String dtype) {
        return WeightFormatException.of(file, "tensor '" + name + "' has dtype " + dtype
                + "; supported: " + SafetensorsDtype.SUPPORTED_FLOATS);
    }

    // ---- header ----

    private static FileChannel openChannel(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot open: " + e.getMessage(), e);
        }
    }

    private static SafetensorsReader readHeader(Path file, FileChannel channel) {
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw WeightFormatException.of(file, "truncated: " + fileSize
                        + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, channel, lengthField, 0);
            long headerLength = lengthField.flip().getLong();
            if (headerLength < 0 || headerLength > fileSize - 8) {
                throw WeightFormatException.of(file, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the " + (fileSize - 8) + " bytes after the length field (truncated or not safetensors)");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw WeightFormatException.of(file, "header length " + headerLength + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(file, channel, headerBytes, 8);
            JsonNode header = parseJson(file, headerBytes.flip());
            long dataStart = 8 + headerLength;
            HeaderParser parser = new HeaderParser(file, fileSize - dataStart);
            return parser.parse(header, channel, dataStart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw WeightFormatException.of(file, "file shrank while being read");
            }
        }
    }

    private static JsonNode parseJson(Path file, ByteBuffer bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw WeightFormatException.of(file, "header is not valid UTF-8");
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw WeightFormatException.of(file, "header is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage().replaceAll("\\s+", " ").trim();
            throw WeightFormatException.of(file, "header is not valid JSON (at char "
                    + e.getLocation().getCharOffset() + "): " + detail);
        }
    }

    /** Turns the header object into metadata and entries, checking each rule with a message naming the tensor. */
    private static final class HeaderParser {
        private final Path file;
        private final long dataLength;

        HeaderParser(Path file, long dataLength) {
            this.file = file;
            this.dataLength = dataLength;
        }

        SafetensorsReader parse(JsonNode header, FileChannel channel, long dataStart) {
            Map<String, String> metadata = Map.of();
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals(METADATA_KEY)) {
                    metadata = metadata(field.getValue());
                } else {
                    entries.put(field.getKey(), entry(field.getKey(), field.getValue()));
                }
            }
            checkTiling(entries.values());
            return new SafetensorsReader(file, channel, dataStart, metadata, Collections.unmodifiableMap(entries));
        }

        private Map<String, String> metadata(JsonNode node) {
            if (!node.isObject()) throw fail(METADATA_KEY + " is not an object");
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getValue().isTextual()) {
                    throw fail(METADATA_KEY + " '" + field.getKey() + "' is not a string: " + field.getValue());
                }
                metadata.put(field.getKey(), field.getValue().textValue());
            }
            return Collections.unmodifiableMap(metadata);
        }

        private Entry entry(String name, JsonNode node) {
            String tensor = "tensor '" + name + "'";
            if (!node.isObject()) throw fail(tensor + ": entry is not an object: " + node);
            JsonNode dtypeNode = node.get("dtype");
            if (dtypeNode == null || !dtypeNode.isTextual()) throw fail(tensor + ": 'dtype' is missing or not a string");
            String dtypeName = dtypeNode.textValue();
            SafetensorsDtype dtype = SafetensorsDtype.parse(dtypeName)
                    .orElseThrow(() -> unsupported(file, name, dtypeName));
            int[] shape = shape(tensor, node.get("shape"));
            long[] offsets = offsets(tensor, node.get("data_offsets"));
            long begin = offsets[0];
            long end = offsets[1];
            if (end > dataLength) {
                throw fail(tensor + ": data_offsets [" + begin + ", " + end + "] end beyond the " + dataLength
                        + "-byte data section (truncated file?)");
            }
            long expected;
            try {
                expected = Math.multiplyExact(NamedTensor.elementCount(shape), (long) dtype.size);
            } catch (ArithmeticException e) {
                throw fail(tensor + ": shape " + Arrays.toString(shape) + " is too large");
            }
            if (end - begin != expected) {
                throw fail(tensor + ": shape " + Arrays.toString(shape) + " of " + dtypeName + " needs " + expected
                        + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
            }
            return new Entry(name, dtypeName, shape, begin, end);
        }

        private int[] shape(String tensor, JsonNode node) {
            if (node == null || !node.isArray()) throw fail(tensor + ": 'shape' is missing or not a list");
            int[] shape = new int[node.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode dim = node.get(i);
                if (!dim.isIntegralNumber() || !dim.canConvertToInt() || dim.intValue() < 0) {
                    throw fail(tensor + ": 'shape' must hold non-negative integers, got " + node);
                }
                shape[i] = dim.intValue();
            }
            return shape;
        }

        private long[] offsets(String tensor, JsonNode node) {
            String rule = tensor + ": 'data_offsets' must be [begin, end] with 0 <= begin <= end, got " + node;
            if (node == null || !node.isArray() || node.size() != 2) throw fail(rule);
            long[] offsets = new long[2];
            for (int i = 0; i < 2; i++) {
                JsonNode value = node.get(i);
                if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) throw fail(rule);
                offsets[i] = value.longValue();
            }
            if (offsets[0] > offsets[1]) throw fail(rule);
            return offsets;
        }

        /** As the reference implementation: sorted by offset, tensors cover the data section exactly. */
        private void checkTiling(Iterable<Entry> entries) {
            List<Entry> sorted = new ArrayList<>();
            entries.forEach(sorted::add);
            sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long covered = 0;
            Entry previous = null;
            for (Entry entry : sorted) {
                if (entry.begin < covered) {
                    throw fail("tensors '" + previous.name + "' [" + previous.begin + ", " + previous.end + "] and '"
                            + entry.name + "' [" + entry.begin + ", " + entry.end + "] overlap");
                }
                if (entry.begin > covered) {
                    throw fail("bytes [" + covered + ", " + entry.begin + ") of the data section belong to no tensor"
                            + " (gap before '" + entry.name + "')");
                }
                covered = entry.end;
                previous = entry;
            }
            if (covered != dataLength) {
                throw fail("the data section has " + dataLength + " bytes but its tensors end at " + covered);
            }
        }

        private WeightFormatException fail(String detail) {
            return WeightFormatException.of(file, detail);
        }
    }

    private static void closeQuietly(FileChannel channel, RuntimeException primary) {
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
