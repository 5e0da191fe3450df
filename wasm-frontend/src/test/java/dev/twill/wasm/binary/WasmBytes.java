package dev.twill.wasm.binary;

import java.io.ByteArrayOutputStream;

/** Hand assembly of module bytes for tests: sections, vectors, LEB128, names. */
public final class WasmBytes {
    private WasmBytes() {}

    public static final byte[] HEADER = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

    /** Concatenates byte arrays and ints (each int one byte). */
    public static byte[] b(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof byte[] a) out.writeBytes(a);
            else if (p instanceof Integer i) out.write(i);
            else if (p instanceof String s) out.writeBytes(name(s));
            else throw new IllegalArgumentException(String.valueOf(p));
        }
        return out.toByteArray();
    }

    /** Unsigned LEB128, minimal length. */
    public static byte[] u(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return out.toByteArray();
    }

    /** Signed LEB128, minimal length. */
    public static byte[] s(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) return out.toByteArray();
        }
    }

    public static byte[] name(String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return b(u(utf8.length), utf8);
    }

    /** A vector: count, then the items. */
    public static byte[] vec(Object... items) {
        return b(u(items.length), b(items));
    }

    public static byte[] section(int id, Object... contents) {
        byte[] c = b(contents);
        return b(id, u(c.length), c);
    }

    public static byte[] module(Object... sections) {
        return b(HEADER, b(sections));
    }

    /** A function body: local groups (count, type pairs) and code. */
    public static byte[] body(byte[] locals, Object... code) {
        byte[] c = b(locals, b(code));
        return b(u(c.length), c);
    }

    /** A function type {@code params -> results}. */
    public static byte[] functype(byte[] params, byte[] results) {
        return b(0x60, u(params.length), params, u(results.length), results);
    }

    /** A module with the given types and one function per body ({@code funcTypes[i]} its type). */
    public static byte[] functions(byte[][] types, int[] funcTypes, byte[][] bodies, Object... extraBeforeCode) {
        Object[] ft = new Object[funcTypes.length];
        for (int i = 0; i < ft.length; i++) ft[i] = u(funcTypes[i]);
        return module(section(1, vec((Object[]) types)), section(3, vec(ft)), b(extraBeforeCode),
            section(10, vec((Object[]) bodies)));
    }
}
