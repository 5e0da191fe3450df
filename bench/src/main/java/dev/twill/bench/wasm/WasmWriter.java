package dev.twill.bench.wasm;

import java.io.ByteArrayOutputStream;

/** A growable byte buffer with the WebAssembly binary format's primitive encodings (LEB128, names, sections). */
final class WasmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    WasmWriter u8(int b) {
        out.write(b);
        return this;
    }

    WasmWriter u32(long v) {
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return this;
    }

    WasmWriter s64(long v) {
        while (true) {
            int b = (int) (v & 0x7f);
            v >>= 7;
            boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) return this;
        }
    }

    WasmWriter f64(double d) {
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 0; i < 8; i++) out.write((int) (bits >>> (8 * i)));
        return this;
    }

    WasmWriter name(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        u32(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    WasmWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** Appends section {@code id} holding {@code body}'s bytes, size-prefixed. */
    WasmWriter section(int id, WasmWriter body) {
        byte[] b = body.toByteArray();
        u8(id).u32(b.length);
        return bytes(b);
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
