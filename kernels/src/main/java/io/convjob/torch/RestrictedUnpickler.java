package io.convjob.torch;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader that only builds data: dicts, lists, tuples, numbers, strings, and the few callables its
 * {@link Globals} allow. It never loads or instantiates a class by name: a {@code GLOBAL} the allow-list does not
 * know, and every opcode that builds objects some other way ({@code INST}, {@code OBJ}, {@code NEWOBJ},
 * extension registry, text persistent ids), is refused with {@link RefusedPickleException}.
 *
 * <p>Values: {@code None} is {@link #NONE}; ints are {@link Long} (or {@link BigInteger} beyond 64 bits); floats
 * {@link Double}; str {@link String}; bytes {@code byte[]}; tuples {@link Tuple}; lists {@link ArrayList}; dicts
 * {@link LinkedHashMap} (insertion order, as Python keeps it).
 */
final class RestrictedUnpickler {

    /** Python's None (the stack and maps here hold no Java nulls). */
    static final Object NONE = new Object() {
        @Override public String toString() { return "None"; }
    };

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        Tuple { items = List.copyOf(items); }
        int size() { return items.size(); }
        Object get(int i) { return items.get(i); }
        /** Shallow: a pickle may nest tuples thousands deep, and messages print values. */
        @Override public String toString() { return "(" + items.stream().map(RestrictedUnpickler::describe)
                .collect(java.util.stream.Collectors.joining(", ")) + (items.size() == 1 ? ",)" : ")"); }
    }

    /** A callable the allow-list let through, applied by {@code REDUCE}. */
    @FunctionalInterface
    interface Callable {
        Object call(Tuple args);
    }

    /** What {@code GLOBAL} and {@code BINPERSID} may produce; everything else is refused. */
    interface Globals {
        /** The value of {@code module.name}, or a {@link RefusedPickleException} naming it. */
        Object resolve(String module, String name);

        /** The object a persistent id stands for (PyTorch: a storage). */
        Object persistentLoad(Object pid);

        /** {@code BUILD}: sets {@code state} on {@code target}; only objects the globals made may accept it. */
        void build(Object target, Object state);
    }

    /** Marks where {@code MARK} was pushed. */
    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final Globals globals;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(byte[] pickle, Globals globals) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.globals = globals;
    }

    /**
     * Reads one pickle to its {@code STOP}.
     *
     * @throws RefusedPickleException for anything not on the allow-list
     * @throws MalformedPickleException for a truncated or inconsistent pickle
     */
    static Object load(byte[] pickle, Globals globals) {
        RestrictedUnpickler unpickler = new RestrictedUnpickler(pickle, globals);
        try {
            return unpickler.run();
        } catch (java.nio.BufferUnderflowException e) {
            throw unpickler.malformed("ends inside a value (truncated)");
        }
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining()) throw malformed("ends before its STOP opcode (truncated)");
            int position = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO: any version; the opcodes below decide what is accepted
                case 0x95 -> bytes(8); // FRAME: a length hint only
                case '.' -> {
                    Object result = pop();
                    if (!stack.isEmpty()) throw malformed("stack not empty at STOP");
                    return result;
                }
                case '(' -> stack.add(MARK);
                case ')' -> push(new Tuple(List.of()));
                case 't' -> push(new Tuple(popMark()));
                case 0x85 -> push(new Tuple(List.of(pop())));
                case 0x86 -> {
                    Object b = pop();
                    Object a = pop();
                    push(new Tuple(List.of(a, b)));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(new Tuple(List.of(a, b, c)));
                }
                case ']' -> push(new ArrayList<>());
                case '}' -> push(new LinkedHashMap<>());
                case 'N' -> push(NONE);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 0x8a -> push(longValue(bytes(in.get() & 0xff)));
                case 0x8b -> push(longValue(bytes(length(in.getInt()))));
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).getDouble()); // big-endian, unlike the rest
                case 'X' -> push(utf8(bytes(length(in.getInt()))));
                case 0x8c -> push(utf8(bytes(in.get() & 0xff)));
                case 0x8d -> push(utf8(bytes(length(in.getLong()))));
                case 'C' -> push(bytes(in.get() & 0xff));
                case 'B' -> push(bytes(length(in.getInt())));
                case 'q' -> memo.put((long) (in.get() & 0xff), peek());
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'h' -> push(memoGet(in.get() & 0xff));
                case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
                case '0' -> pop();
                case '2' -> push(peek());
                case '1' -> popMark();
                case 'a' -> {
                    Object item = pop();
                    list(peek()).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = key(pop());
                    dict(peek()).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) throw malformed("SETITEMS with an odd number of items");
                    Map<Object, Object> dict = dict(peek());
                    for (int i = 0; i < items.size(); i += 2) dict.put(key(items.get(i)), items.get(i + 1));
                }
                case 'c' -> push(globals.resolve(line(), line()));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw malformed("STACK_GLOBAL needs two strings");
                    }
                    push(globals.resolve(m, n));
                }
                case 'R' -> {
                    Object args = pop();
                    Object callable = pop();
                    if (!(callable instanceof Callable c)) {
                        throw new RefusedPickleException("calls " + describe(callable) + ", which is not an allowed callable");
                    }
                    if (!(args instanceof Tuple t)) throw malformed("REDUCE arguments are not a tuple");
                    push(c.call(t));
                }
                case 'Q' -> push(globals.persistentLoad(pop()));
                case 'b' -> {
                    Object state = pop();
                    globals.build(peek(), state);
                }
                default -> throw new RefusedPickleException("opcode " + opcodeName(op) + " at byte " + position
                        + " is not allowed (a state dict needs only dicts, tensors and plain values)");
            }
        }
    }

    private void push(Object value) { stack.add(value); }

    private Object pop() {
        if (stack.isEmpty()) throw malformed("pops an empty stack");
        Object v = stack.remove(stack.size() - 1);
        if (v == MARK) throw malformed("pops a MARK");
        return v;
    }

    private Object peek() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw malformed("reads an empty stack");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) throw malformed("has no MARK to pop to");
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long index) {
        Object v = memo.get(index);
        if (v == null) throw malformed("reads memo entry " + index + ", which was never stored");
        return v;
    }

    /**
     * A dict key must be a plain value: a state dict's keys are strings, and hashing a list or a tuple that nests
     * itself thousands deep (which a pickle can build) would exhaust the stack.
     */
    private Object key(Object key) {
        if (key instanceof String || key instanceof Long || key instanceof BigInteger || key instanceof Double
                || key instanceof Boolean || key == NONE) {
            return key;
        }
        throw malformed("uses " + describe(key) + " as a dict key (a state dict's keys are strings)");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target) {
        if (target instanceof ArrayList<?> l) return (List<Object>) l;
        throw malformed("appends to " + describe(target) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object target) {
        if (target instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
        throw malformed("sets an item on " + describe(target) + ", not a dict");
    }

    private byte[] bytes(int n) {
        if (in.remaining() < n) throw malformed("ends inside a value (truncated)");
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) throw malformed("declares a length of " + n + " bytes beyond its end");
        return (int) n;
    }

    private String line() {
        int start = in.position();
        while (in.hasRemaining()) {
            if (in.get() == '\n') {
                byte[] b = new byte[in.position() - 1 - start];
                in.get(start, b);
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw malformed("ends inside a GLOBAL name (truncated)");
    }

    private static String utf8(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    /** Little-endian two's complement, as LONG1/LONG4 store it. */
    private static Object longValue(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** A value for a message, never recursing into containers and never longer than a short line. */
    static String describe(Object v) {
        if (v == null) return "nothing";
        if (v instanceof String s) return "'" + (s.length() <= 80 ? s : s.substring(0, 80) + "...") + "'";
        if (v instanceof Map) return "a dict";
        if (v instanceof List) return "a list";
        if (v instanceof Tuple t) return "a tuple of " + t.size();
        if (v instanceof byte[] b) return "bytes of length " + b.length;
        if (v instanceof Long || v instanceof Double || v instanceof Boolean || v == NONE) return String.valueOf(v);
        if (v instanceof BigInteger b) return b.bitLength() < 200 ? b.toString() : "an int of " + b.bitLength() + " bits";
        if (v instanceof Callable) return "an allowed callable";
        String text = String.valueOf(v);
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private MalformedPickleException malformed(String detail) {
        return new MalformedPickleException("pickle " + detail + " (at byte " + in.position() + ")");
    }

    private static String opcodeName(int op) {
        String name = switch (op) {
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 'P' -> "PERSID";
            case 0x82, 0x83, 0x84 -> "EXT";
            case 'S', 'V', 'I', 'L', 'F', 'g', 'p', 'd', 'l' -> "text-protocol opcode";
            default -> "unknown opcode";
        };
        return String.format("0x%02x (%s)", op, name);
    }

    /** The pickle tries something a state dict never needs: never run, reported as one line. */
    static final class RefusedPickleException extends RuntimeException {
        RefusedPickleException(String message) { super(message); }
    }

    /** The pickle is truncated or inconsistent. */
    static final class MalformedPickleException extends RuntimeException {
        MalformedPickleException(String message) { super(message); }
    }
}
