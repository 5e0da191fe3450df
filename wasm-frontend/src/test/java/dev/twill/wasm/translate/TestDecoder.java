package dev.twill.wasm.translate;

import dev.twill.wasm.binary.ConstExpr;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.validate.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Test inputs: runs wat2wasm on test resources, decodes and validates the result, and evaluates
 * the constant expressions a test instance needs.
 */
final class TestDecoder {
    private final byte[] b;
    private int pos;

    private TestDecoder(byte[] b) {
        this.b = b;
    }

    /** Compiles {@code resource} (a .wat under this package's test resources) with wat2wasm. */
    static byte[] wat(String resource) {
        try (InputStream in = TestDecoder.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + resource);
            return watText(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles WAT source text with wat2wasm. */
    static byte[] watText(String text) {
        try {
            Path dir = Files.createTempDirectory("twill-wat");
            Path src = dir.resolve("m.wat"), out = dir.resolve("m.wasm");
            Files.writeString(src, text);
            Process p;
            try {
                p = new ProcessBuilder("wat2wasm", src.toString(), "-o", out.toString())
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("wat2wasm (wabt) is not installed; install wabt to run the translator tests", e);
            }
            String msg = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("wat2wasm failed: " + msg);
            byte[] bytes = Files.readAllBytes(out);
            Files.delete(src);
            Files.delete(out);
            Files.delete(dir);
            return bytes;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decodes and validates with the real decoder and validator. */
    static WasmModule decode(byte[] bytes) {
        WasmModule m = ModuleDecoder.decode(bytes);
        Validator.validate(m);
        return m;
    }

    private int u32() {
        int r = 0, shift = 0;
        while (true) {
            int x = b[pos++];
            r |= (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return r;
            shift += 7;
        }
    }

    private long s64() {
        long r = 0;
        int shift = 0, x;
        do {
            x = b[pos++];
            r |= (long) (x & 0x7F) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        if (shift < 64 && (x & 0x40) != 0) r |= -1L << shift;
        return r;
    }

    /** Evaluates a constant expression of a global or segment offset (no global.get of imports needed here). */
    static long evalConst(ConstExpr e, long vmctx, dev.twill.wasm.vm.VmContextLayout layout, long[] globalValues) {
        TestDecoder d = new TestDecoder(e.code());
        int op = d.b[d.pos++] & 0xFF;
        switch (op) {
            case 0x41: return (int) d.s64();
            case 0x42: return d.s64();
            case 0x43: return d.fixed(4);
            case 0x44: return d.fixed(8);
            case 0xD0: return 0;
            case 0xD2: return vmctx + layout.funcRefOffset(d.u32());
            case 0x23: return globalValues[d.u32()];
            default: throw new IllegalStateException("const expr op 0x" + Integer.toHexString(op));
        }
    }

    private long fixed(int n) {
        long v = 0;
        for (int k = 0; k < n; k++) v |= (b[pos + k] & 0xFFL) << (8 * k);
        pos += n;
        return v;
    }
}
