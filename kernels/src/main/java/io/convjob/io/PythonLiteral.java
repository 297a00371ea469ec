package io.convjob.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal subset a {@code .npy} header uses (numpy reads it with {@code ast.literal_eval}):
 * dicts, tuples and lists (to {@link List}), strings, integers (to {@link Long}, Python 2's {@code L} suffix
 * allowed), {@code True}/{@code False} and {@code None} (to {@code null}).
 */
final class PythonLiteral {

    /** Thrown with a short reason; the caller adds the file. */
    static final class SyntaxException extends Exception {
        SyntaxException(String message) { super(message); }
    }

    /**
     * How deep dicts, tuples and lists may nest: a numpy header nests two levels ({@code {'shape': (2, 3)}}); the
     * limit keeps a hostile header ({@code ((((...}) from exhausting the stack.
     */
    static final int MAX_NESTING = 32;

    private final String text;
    private int pos;
    private int depth;

    private PythonLiteral(String text) { this.text = text; }

    static Object parse(String text) throws SyntaxException {
        PythonLiteral parser = new PythonLiteral(text);
        Object value = parser.value();
        parser.skipSpace();
        if (parser.pos != text.length()) throw parser.error("unexpected text after the literal");
        return value;
    }

    private Object value() throws SyntaxException {
        skipSpace();
        if (pos >= text.length()) throw error("unexpected end");
        char c = text.charAt(pos);
        if (c == '{' || c == '(' || c == '[') {
            if (depth == MAX_NESTING) throw error("nested deeper than the limit of " + MAX_NESTING + " levels");
            depth++;
            Object container = c == '{' ? dict() : c == '(' ? sequence('(', ')') : sequence('[', ']');
            depth--;
            return container;
        }
        if (c == '\'' || c == '"') return string();
        if (c == '-' || Character.isDigit(c)) return integer();
        if (text.startsWith("True", pos)) { pos += 4; return Boolean.TRUE; }
        if (text.startsWith("False", pos)) { pos += 5; return Boolean.FALSE; }
        if (text.startsWith("None", pos)) { pos += 4; return null; }
        throw error("unexpected character '" + c + "'");
    }

    private Map<Object, Object> dict() throws SyntaxException {
        Map<Object, Object> map = new LinkedHashMap<>();
        pos++;
        while (true) {
            skipSpace();
            if (peek() == '}') { pos++; return map; }
            Object key = value();
            skipSpace();
            expect(':');
            Object value = value();
            if (map.containsKey(key)) throw error("duplicate key " + key);
            map.put(key, value);
            if (!separator('}')) { pos++; return map; }
        }
    }

    private List<Object> sequence(char open, char close) throws SyntaxException {
        List<Object> items = new ArrayList<>();
        pos++;
        while (true) {
            skipSpace();
            if (peek() == close) { pos++; return items; }
            items.add(value());
            if (!separator(close)) { pos++; return items; }
        }
    }

    /** After an item: true if a comma follows (more may come), false if the closing bracket is next. */
    private boolean separator(char close) throws SyntaxException {
        skipSpace();
        char c = peek();
        if (c == ',') { pos++; return true; }
        if (c == close) return false;
        throw error("expected ',' or '" + close + "'");
    }

    private String string() throws SyntaxException {
        char quote = text.charAt(pos++);
        StringBuilder out = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) return out.toString();
            if (c == '\\') {
                if (pos >= text.length()) break;
                c = text.charAt(pos++);
            }
            out.append(c);
        }
        throw error("unterminated string");
    }

    private Long integer() throws SyntaxException {
        int start = pos;
        if (peek() == '-') pos++;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        String digits = text.substring(start, pos);
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) pos++;
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("bad integer '" + digits + "'");
        }
    }

    private void expect(char c) throws SyntaxException {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private char peek() throws SyntaxException {
        if (pos >= text.length()) throw error("unexpected end");
        return text.charAt(pos);
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private SyntaxException error(String reason) {
        return new SyntaxException(reason + " at char " + pos);
    }
}
