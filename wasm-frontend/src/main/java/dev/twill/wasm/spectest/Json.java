package dev.twill.wasm.spectest;

import dev.twill.CompileError;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader (RFC 8259) for the command lists {@code wast2json} writes. It has
 * no dependency and builds a plain tree: objects are {@link Map}s in source order, arrays {@link
 * List}s, strings {@link String}s, numbers {@link Long} when integral and in range else {@link
 * Double}, and {@code true}/{@code false}/{@code null} as {@link Boolean} and {@code null}.
 *
 * <p>Strict means that anything RFC 8259 does not allow is an error, never guessed at: trailing
 * commas, single quotes, comments, leading zeros, {@code NaN}, unescaped control characters in
 * strings, and anything after the top-level value except whitespace. A duplicate key is
 * rejected too (RFC 8259 leaves it open; here it could only hide a mistake). Lone surrogate
 * escapes are kept as they are, since they are legal JSON. Parse errors are {@link
 * CompileError}s at {@code source:line:column}; the typed accessors at the end throw {@link
 * IllegalArgumentException} naming the member that does not fit.
 *
 * <p>Algorithm: recursive descent over the characters with a cursor; the nesting depth is bounded
 * so hostile input cannot overflow the Java stack.
 */
public final class Json {
    /** Deeper nesting than this is rejected; wast2json output nests at most about six levels. */
    private static final int MAX_DEPTH = 512;

    private final String source;
    private final String text;
    private int pos;
    private int depth;

    private Json(String source, String text) {
        this.source = source;
        this.text = text;
    }

    /** Parses {@code text}; {@code source} names it in error messages (a file name, or null). */
    public static Object parse(String source, String text) {
        Json p = new Json(source, text);
        p.skipWhitespace();
        Object v = p.value();
        p.skipWhitespace();
        if (p.pos != text.length()) throw p.error("unexpected content after the JSON value");
        return v;
    }

    private Object value() {
        if (pos >= text.length()) throw error("unexpected end of input, expected a value");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character " + describe(c) + ", expected a value");
            }
        };
    }

    private Map<String, Object> object() {
        enter();
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a string key");
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value();
            if (map.containsKey(key)) {
                pos = keyPos;
                throw error("duplicate key \"" + key + "\"");
            }
            map.put(key, v);
            skipWhitespace();
            char c = next("',' or '}'");
            if (c == '}') break;
            if (c != ',') {
                pos--;
                throw error("unexpected character " + describe(c) + ", expected ',' or '}'");
            }
        }
        depth--;
        return map;
    }

    private List<Object> array() {
        enter();
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value());
            skipWhitespace();
            char c = next("',' or ']'");
            if (c == ']') break;
            if (c != ',') {
                pos--;
                throw error("unexpected character " + describe(c) + ", expected ',' or ']'");
            }
        }
        depth--;
        return list;
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(runStart, pos) : sb.append(text, runStart, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) throw error("unescaped control character " + describe(c) + " in string");
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) sb = new StringBuilder();
            sb.append(text, runStart, pos);
            pos++;
            char e = next("an escape character");
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append((char) hex4());
                default -> {
                    pos--;
                    throw error("invalid escape \\" + e);
                }
            }
            runStart = pos;
        }
    }

    private int hex4() {
        if (pos + 4 > text.length()) throw error("truncated \\u escape");
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos), 16);
            if (d < 0) throw error("invalid hex digit in \\u escape");
            v = v * 16 + d;
            pos++;
        }
        return v;
    }

    /** RFC 8259 §6: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
    private Object number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) throw error("leading zero in number");
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("expected a digit after '.'");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("expected a digit in the exponent");
            while (isDigit(peek())) pos++;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException tooBig) {
                // falls through to a double, as JSON numbers have no fixed precision
            }
        }
        return Double.parseDouble(s);
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, pos)) throw error("unexpected character " + describe(text.charAt(pos)) + ", expected a value");
        pos += word.length();
        return v;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    /** The current character, or 0 at the end (0 is never valid where it is tested). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private char next(String expected) {
        if (pos >= text.length()) throw error("unexpected end of input, expected " + expected);
        return text.charAt(pos++);
    }

    private void expect(char c) {
        char got = next("'" + c + "'");
        if (got != c) {
            pos--;
            throw error("unexpected character " + describe(got) + ", expected '" + c + "'");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(char c) {
        return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private CompileError error(String reason) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(pos, text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return CompileError.at(source, line, end - lineStart + 1, reason);
    }

    // ---- typed access helpers for the tree, with errors that name the missing piece ----

    /** {@code o} as an object, or an IllegalArgumentException naming {@code what}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asObject(Object o, String what) {
        if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException(what + ": expected a JSON object, got " + kind(o));
    }

    /** {@code o} as an array, or an IllegalArgumentException naming {@code what}. */
    @SuppressWarnings("unchecked")
    public static List<Object> asArray(Object o, String what) {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw new IllegalArgumentException(what + ": expected a JSON array, got " + kind(o));
    }

    /** The string member {@code key} of {@code obj}; an IllegalArgumentException if absent or not a string. */
    public static String string(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        if (v instanceof String s) return s;
        throw new IllegalArgumentException("member \"" + key + "\": expected a string, got " + kind(v));
    }

    /** The string member {@code key}, or null when absent. */
    public static String optString(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        if (v == null) return null;
        if (v instanceof String s) return s;
        throw new IllegalArgumentException("member \"" + key + "\": expected a string, got " + kind(v));
    }

    /** The integer member {@code key}, or {@code dflt} when absent. */
    public static long integer(Map<String, Object> obj, String key, long dflt) {
        Object v = obj.get(key);
        if (v == null) return dflt;
        if (v instanceof Long l) return l;
        throw new IllegalArgumentException("member \"" + key + "\": expected an integer, got " + kind(v));
    }

    /** The array member {@code key}, or an empty list when absent. */
    public static List<Object> optArray(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        return v == null ? Collections.emptyList() : asArray(v, "member \"" + key + "\"");
    }

    private static String kind(Object o) {
        if (o == null) return "null or nothing";
        if (o instanceof Map) return "an object";
        if (o instanceof List) return "an array";
        if (o instanceof String) return "a string";
        if (o instanceof Boolean) return "a boolean";
        return "a number";
    }
}
