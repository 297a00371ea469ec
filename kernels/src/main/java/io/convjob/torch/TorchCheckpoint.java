package io.convjob.torch;

import io.convjob.io.FloatDtype;
import io.convjob.error.InputException;
import io.convjob.io.NamedTensor;
import io.convjob.io.WeightFormatException;
import io.convjob.torch.RestrictedUnpickler.Tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code torch.save(model.state_dict(), "m.pt")} checkpoint read in pure Java: the zip holding
 * {@code <name>/data.pkl} (the dict, pickled) and {@code <name>/data/<key>} (one raw storage per key).
 *
 * <p>The pickle goes through {@link RestrictedUnpickler} with an allow-list of exactly what a state dict needs:
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} / {@code _rebuild_parameter}, and the
 * {@code torch.*Storage} type tags of persistent ids. A pickled module, an optimizer's custom class or a payload
 * calling {@code os.system} is refused with one line before anything is built. Nested dicts (e.g.
 * {@code {"model": state_dict}}) are flattened with dotted names, as PyTorch names sub-modules.
 */
public final class TorchCheckpoint implements StateDict {

    /** A {@code torch.*Storage} type tag; {@code dtype} is null for the non-float types we refuse on use. */
    record StorageType(String name, String torchDtype, FloatDtype dtype) {
        @Override public String toString() { return "torch." + name; }
    }

    /** A persistent id {@code ('storage', type, key, location, numel)}: one storage file of the archive. */
    record Storage(StorageType type, String key, long numel) {}

    /** What {@code _rebuild_tensor_v2} returns: a view into a storage. */
    record TensorView(Storage storage, long offset, int[] size, long[] stride) {}

    private static final Map<String, StorageType> STORAGE_TYPES = storageTypes();

    private final String source;
    private final ZipArchive zip;
    private final String prefix;
    private final ByteOrder byteOrder;
    private final Map<String, Object> values; // key -> TensorView, or another value (refused on use)

    private TorchCheckpoint(String source, ZipArchive zip, String prefix, ByteOrder byteOrder, Map<String, Object> values) {
        this.source = source;
        this.zip = zip;
        this.prefix = prefix;
        this.byteOrder = byteOrder;
        this.values = values;
    }

    /**
     * Reads a local checkpoint. The file stays open until every tensor needed has been read: call
     * {@link #readAll} or read through {@link #read} while the reader is reachable.
     *
     * @throws WeightFormatException one line naming the file: not a zip checkpoint, truncated, a refused pickle
     */
    public static TorchCheckpoint open(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
        return open(new InMemoryChannel(bytes), file.toString());
    }

    /**
     * Reads a checkpoint from any seekable channel (a local file, HDFS or S3 behind an adapter).
     *
     * @param source the file's name for messages
     */
    public static TorchCheckpoint open(SeekableByteChannel channel, String source) {
        try {
            ZipArchive zip = openZip(channel, source);
            String pickleName = findPickle(zip, source);
            String prefix = pickleName.substring(0, pickleName.length() - "data.pkl".length());
            ByteOrder order = byteOrder(zip, prefix, source);
            Object root;
            try {
                root = RestrictedUnpickler.load(zip.read(zip.entries().get(pickleName)), new StateDictGlobals());
            } catch (RestrictedUnpickler.RefusedPickleException e) {
                throw new WeightFormatException(source + ": refused: " + e.getMessage());
            } catch (RestrictedUnpickler.MalformedPickleException e) {
                throw new WeightFormatException(source + ": " + pickleName + ": " + e.getMessage());
            }
            if (!(root instanceof Map<?, ?> dict)) {
                throw new WeightFormatException(source + ": holds " + pythonType(root)
                        + ", not a state dict; save model.state_dict()");
            }
            Map<String, Object> flat = new LinkedHashMap<>();
            flatten("", dict, flat, source, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
            return new TorchCheckpoint(source, zip, prefix, order, Collections.unmodifiableMap(flat));
        } catch (ZipArchive.ZipFormatException e) {
            throw new WeightFormatException(source + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    @Override public String source() { return source; }
    @Override public Set<String> keys() { return values.keySet(); }

    @Override public int[] shape(String key) { return view(key).size().clone(); }

    @Override public NamedTensor read(String key) {
        TensorView view = view(key);
        Storage storage = view.storage();
        FloatDtype dtype = storage.type().dtype();
        if (dtype == null) {
            throw new WeightFormatException(source + ": key '" + key + "' is a tensor of " + storage.type().torchDtype()
                    + " (torch." + storage.type().name() + "); supported: float32, float16, bfloat16, float64");
        }
        long count = NamedTensor.elementCount(view.size());
        if (count > Integer.MAX_VALUE - 8) {
            throw new WeightFormatException(source + ": key '" + key + "' has " + count + " elements, more than a Java array holds");
        }
        long lastIndex;
        try {
            lastIndex = view.offset();
            for (int d = 0; d < view.size().length; d++) {
                if (view.size()[d] > 0) lastIndex = Math.addExact(lastIndex, Math.multiplyExact(view.size()[d] - 1L, view.stride()[d]));
            }
        } catch (ArithmeticException e) {
            throw new WeightFormatException(source + ": key '" + key + "' has strides beyond any storage");
        }
        if (view.offset() < 0 || view.offset() > storage.numel() || (count > 0 && lastIndex >= storage.numel())) {
            throw new WeightFormatException(source + ": key '" + key + "' reaches element " + lastIndex
                    + " of a storage of " + storage.numel());
        }
        float[] elements = storageFloats(storage, key);
        return new NamedTensor(key, view.size(), gather(view, elements, (int) count),
                storage.type().torchDtype());
    }

    /** Every float tensor, in the file's order. */
    public Map<String, NamedTensor> readAll() {
        Map<String, NamedTensor> out = new LinkedHashMap<>();
        for (String key : values.keySet()) out.put(key, read(key));
        return out;
    }

    private TensorView view(String key) {
        Object value = values.get(key);
        if (value == null) throw new WeightFormatException(source + ": no key '" + key + "'");
        if (!(value instanceof TensorView view)) {
            throw new WeightFormatException(source + ": key '" + key + "' holds " + pythonType(value) + ", not a tensor");
        }
        return view;
    }

    private float[] storageFloats(Storage storage, String key) {
        String name = prefix + "data/" + storage.key();
        ZipArchive.Entry entry = zip.entries().get(name);
        if (entry == null) {
            throw new WeightFormatException(source + ": key '" + key + "': storage " + name + " is missing from the archive");
        }
        FloatDtype dtype = storage.type().dtype();
        byte[] bytes;
        try {
            bytes = zip.read(entry);
        } catch (ZipArchive.ZipFormatException e) {
            throw new WeightFormatException(source + ": key '" + key + "': " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
        if (storage.numel() > bytes.length / dtype.size()) {
            throw new WeightFormatException(source + ": key '" + key + "': storage " + name + " has " + bytes.length
                    + " bytes, too few for its " + storage.numel() + " elements of " + storage.type().torchDtype());
        }
        float[] out = new float[(int) storage.numel()];
        dtype.decode(ByteBuffer.wrap(bytes).order(byteOrder), out, 0, out.length);
        return out;
    }

    /** The view's elements in C order; a contiguous view is one copy. */
    private static float[] gather(TensorView view, float[] storage, int count) {
        int[] size = view.size();
        long[] stride = view.stride();
        if (isContiguous(size, stride)) {
            return Arrays.copyOfRange(storage, (int) view.offset(), (int) view.offset() + count);
        }
        float[] out = new float[count];
        int[] index = new int[size.length];
        for (int i = 0; i < count; i++) {
            long at = view.offset();
            for (int d = 0; d < size.length; d++) at += index[d] * stride[d];
            out[i] = storage[(int) at];
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) break;
                index[d] = 0;
            }
        }
        return out;
    }

    private static boolean isContiguous(int[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected *= size[d];
        }
        return true;
    }

    private static ZipArchive openZip(SeekableByteChannel channel, String source) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(2);
        channel.position(0);
        channel.read(magic);
        if (magic.position() == 2 && magic.get(0) == (byte) 0x80 && magic.get(1) == 0x02) {
            throw new WeightFormatException(source + ": a legacy (pre-1.6) torch.save file; re-save it with"
                    + " torch.save(state_dict, path) from PyTorch 1.6 or later");
        }
        return ZipArchive.open(channel);
    }

    private static String findPickle(ZipArchive zip, String source) {
        String found = null;
        for (String name : zip.entries().keySet()) {
            if (name.endsWith("data.pkl") && name.indexOf('/') == name.length() - "data.pkl".length() - 1) {
                if (found != null) throw new WeightFormatException(source + ": holds two pickles, " + found + " and " + name);
                found = name;
            }
        }
        if (found == null) {
            throw new WeightFormatException(source + ": a zip without <name>/data.pkl, not a torch.save checkpoint");
        }
        return found;
    }

    private static ByteOrder byteOrder(ZipArchive zip, String prefix, String source) throws IOException {
        ZipArchive.Entry entry = zip.entries().get(prefix + "byteorder");
        if (entry == null) return ByteOrder.LITTLE_ENDIAN; // written only since PyTorch 2.1; older files are little-endian
        String order = new String(zip.read(entry), StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new WeightFormatException(source + ": unknown byteorder '" + order + "'");
        };
    }

    private static void flatten(String path, Map<?, ?> dict, Map<String, Object> out, String source,
                                java.util.Set<Object> open) {
        if (open.size() == MAX_DICT_NESTING) {
            throw new WeightFormatException(source + ": dicts nest deeper than the limit of " + MAX_DICT_NESTING
                    + " levels (at key '" + shortKey(path) + "')");
        }
        if (!open.add(dict)) {
            throw new WeightFormatException(source + ": key '" + path.substring(0, path.length() - 1)
                    + "' holds a dict that contains itself");
        }
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new WeightFormatException(source + ": a state dict key is " + pythonType(e.getKey())
                        + " " + RestrictedUnpickler.describe(e.getKey()) + ", not a string");
            }
            if (e.getValue() instanceof Map<?, ?> inner) flatten(path + key + ".", inner, out, source, open);
            else out.put(path + key, e.getValue());
        }
        open.remove(dict);
    }

    /** Far deeper than any state dict ({@code {"model": {"encoder": ...}}}); keeps a hostile pickle off the stack. */
    static final int MAX_DICT_NESTING = 64;

    private static String shortKey(String path) {
        return path.length() <= 120 ? path : path.substring(0, 120) + "...";
    }

    static String pythonType(Object value) {
        if (value == RestrictedUnpickler.NONE) return "None";
        if (value instanceof Long || value instanceof BigInteger) return "an int";
        if (value instanceof Double) return "a float";
        if (value instanceof Boolean) return "a bool";
        if (value instanceof String) return "a str";
        if (value instanceof byte[]) return "bytes";
        if (value instanceof Tuple) return "a tuple";
        if (value instanceof List) return "a list";
        if (value instanceof Map) return "a dict";
        if (value instanceof TensorView) return "a tensor";
        return "a " + value.getClass().getSimpleName();
    }

    private static Map<String, StorageType> storageTypes() {
        Map<String, StorageType> m = new LinkedHashMap<>();
        m.put("FloatStorage", new StorageType("FloatStorage", "float32", FloatDtype.F32));
        m.put("HalfStorage", new StorageType("HalfStorage", "float16", FloatDtype.F16));
        m.put("BFloat16Storage", new StorageType("BFloat16Storage", "bfloat16", FloatDtype.BF16));
        m.put("DoubleStorage", new StorageType("DoubleStorage", "float64", FloatDtype.F64));
        String[][] refused = {{"LongStorage", "int64"}, {"IntStorage", "int32"}, {"ShortStorage", "int16"},
                {"CharStorage", "int8"}, {"ByteStorage", "uint8"}, {"BoolStorage", "bool"},
                {"ComplexFloatStorage", "complex64"}, {"ComplexDoubleStorage", "complex128"},
                {"QInt8Storage", "qint8"}, {"QUInt8Storage", "quint8"}, {"QInt32Storage", "qint32"}};
        for (String[] r : refused) m.put(r[0], new StorageType(r[0], r[1], null));
        return Map.copyOf(m);
    }

    /** The allow-list: what a state dict's pickle may name and call. */
    private static final class StateDictGlobals implements RestrictedUnpickler.Globals {

        @Override public Object resolve(String module, String name) {
            String qualified = module + "." + name;
            switch (qualified) {
                case "collections.OrderedDict":
                    return (RestrictedUnpickler.Callable) args -> {
                        if (args.size() != 0) throw new RestrictedUnpickler.MalformedPickleException("OrderedDict with arguments");
                        return new LinkedHashMap<>();
                    };
                case "torch._utils._rebuild_tensor_v2":
                    return (RestrictedUnpickler.Callable) StateDictGlobals::rebuildTensor;
                case "torch._utils._rebuild_parameter":
                case "torch._utils._rebuild_parameter_with_state":
                    return (RestrictedUnpickler.Callable) args -> {
                        if (args.size() < 1 || !(args.get(0) instanceof TensorView t)) {
                            throw new RestrictedUnpickler.MalformedPickleException("_rebuild_parameter without a tensor");
                        }
                        return t;
                    };
                default:
                    break;
            }
            if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) return STORAGE_TYPES.get(name);
            String hint = module.startsWith("torch.nn") || module.equals("__main__")
                    ? " (a whole pickled model, not a state dict: save model.state_dict() instead)"
                    : " (not something a state dict holds; nothing was executed)";
            throw new RestrictedUnpickler.RefusedPickleException("the pickle names '" + qualified + "'" + hint);
        }

        @Override public Object persistentLoad(Object pid) {
            if (pid instanceof Tuple t && t.size() == 5 && "storage".equals(t.get(0))
                    && t.get(1) instanceof StorageType type && t.get(2) instanceof String key && t.get(4) instanceof Long numel
                    && numel >= 0) {
                return new Storage(type, key, numel);
            }
            throw new RestrictedUnpickler.RefusedPickleException("persistent id " + RestrictedUnpickler.describe(pid)
                    + " is not a storage");
        }

        @Override public void build(Object target, Object state) {
            // OrderedDict.__reduce__ carries the instance __dict__ (the state dict's _metadata): nothing we use
            if (target instanceof LinkedHashMap<?, ?> && state instanceof Map<?, ?>) return;
            throw new RestrictedUnpickler.RefusedPickleException("sets state on " + pythonType(target)
                    + " (only an OrderedDict's attributes may be set)");
        }

        /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])} */
        private static Object rebuildTensor(Tuple args) {
            if (args.size() < 4 || !(args.get(0) instanceof Storage storage) || !(args.get(1) instanceof Long offset)
                    || !(args.get(2) instanceof Tuple size) || !(args.get(3) instanceof Tuple stride)
                    || size.size() != stride.size()) {
                throw new RestrictedUnpickler.MalformedPickleException("_rebuild_tensor_v2 with unexpected arguments");
            }
            int[] dims = new int[size.size()];
            long[] strides = new long[size.size()];
            for (int i = 0; i < dims.length; i++) {
                if (!(size.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE
                        || !(stride.get(i) instanceof Long s) || s < 0) {
                    throw new RestrictedUnpickler.MalformedPickleException("_rebuild_tensor_v2 with a bad size or stride");
                }
                dims[i] = (int) (long) d;
                strides[i] = s;
            }
            return new TensorView(storage, offset, dims, strides);
        }
    }

    /** A byte array as a read-only seekable channel. */
    static final class InMemoryChannel implements SeekableByteChannel {
        private final byte[] bytes;
        private long position;
        private boolean open = true;

        InMemoryChannel(byte[] bytes) { this.bytes = bytes; }

        @Override public int read(ByteBuffer dst) {
            if (position >= bytes.length) return -1;
            int n = (int) Math.min(dst.remaining(), bytes.length - position);
            dst.put(bytes, (int) position, n);
            position += n;
            return n;
        }

        @Override public int write(ByteBuffer src) { throw new UnsupportedOperationException("read-only"); }
        @Override public long position() { return position; }
        @Override public SeekableByteChannel position(long p) { position = p; return this; }
        @Override public long size() { return bytes.length; }
        @Override public SeekableByteChannel truncate(long size) { throw new UnsupportedOperationException("read-only"); }
        @Override public boolean isOpen() { return open; }
        @Override public void close() { open = false; }
    }
}
