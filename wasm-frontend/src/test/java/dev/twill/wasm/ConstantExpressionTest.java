package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/**
 * WebAssembly 3.0's constant expressions: {@code i32/i64 add sub mul} (wrapping) and {@code
 * global.get} of immutable globals defined before, in global initializers; 2.0's rules when
 * {@link EngineConfig#extendedConst(boolean)} is off. Modules are written byte by byte (wabt
 * 1.0.32 needs a flag for these expressions), and the expected values are worked out by hand.
 */
class ConstantExpressionTest {
    private static final int I32 = 0x7F, I64 = 0x7E;

    /** A module of immutable globals with these initializer bodies (without the end), each exported as g0, g1, ... */
    private static byte[] globals(int[] types, int[][] inits, boolean mutableFirst) {
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        section.write(types.length);
        for (int k = 0; k < types.length; k++) {
            section.write(types[k]);
            section.write(k == 0 && mutableFirst ? 1 : 0);
            for (int b : inits[k]) section.write(b);
            section.write(0x0B);
        }
        ByteArrayOutputStream exports = new ByteArrayOutputStream();
        exports.write(types.length);
        for (int k = 0; k < types.length; k++) {
            exports.write(2);
            exports.write('g');
            exports.write('0' + k);
            exports.write(0x03);
            exports.write(k);
        }
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00});
        m.write(6);
        m.write(section.size());
        m.writeBytes(section.toByteArray());
        m.write(7);
        m.write(exports.size());
        m.writeBytes(exports.toByteArray());
        return m.toByteArray();
    }

    @Test
    void arithmeticAndEarlierGlobalsInInitializers() {
        byte[] wasm = globals(new int[] {I32, I64, I32, I32}, new int[][] {
            {0x41, 6, 0x41, 7, 0x6C},                           // 6 * 7 = 42
            {0x42, 5, 0x42, 8, 0x7D},                           // 5 - 8 = -3
            {0x23, 0, 0x41, 0x80, 0x80, 0x04, 0x6C, 0x41, 1, 0x6A},   // g0 * 65536 + 1 = 2752513
            {0x41, 0x80, 0x80, 0x04, 0x41, 0x80, 0x80, 0x04, 0x6C},   // 65536 * 65536 wraps to 0
        }, false);
        try (Engine engine = new Engine(); Module module = Module.compile(engine, wasm); Store store = new Store(engine)) {
            Instance instance = new Linker(engine).instantiate(store, module);
            assertEquals(42, instance.global("g0").get());
            assertEquals(-3, instance.global("g1").get());
            assertEquals(2_752_513, instance.global("g2").get());
            assertEquals(0, instance.global("g3").get());
        }
    }

    @Test
    void invalidConstantExpressions() {
        try (Engine engine = new Engine()) {
            // a later global, a mutable one, an operand of the wrong type, one operand short
            assertRejected(engine, globals(new int[] {I32, I32}, new int[][] {{0x23, 1}, {0x41, 1}}, false), "unknown global 1");
            assertRejected(engine, globals(new int[] {I32, I32}, new int[][] {{0x41, 1}, {0x23, 0}}, true), "constant expression required");
            assertRejected(engine, globals(new int[] {I32}, new int[][] {{0x41, 1, 0x42, 1, 0x6A}}, false), "type mismatch");
            assertRejected(engine, globals(new int[] {I32}, new int[][] {{0x41, 1, 0x6A}}, false), "type mismatch");
            assertRejected(engine, globals(new int[] {I32}, new int[][] {{0x41, 1, 0x41, 2}}, false), "type mismatch");
        }
        try (Engine engine = new Engine(new EngineConfig().extendedConst(false))) {
            assertRejected(engine, globals(new int[] {I32}, new int[][] {{0x41, 6, 0x41, 7, 0x6C}}, false), "constant expression required");
            assertRejected(engine, globals(new int[] {I32, I32}, new int[][] {{0x41, 1}, {0x23, 0}}, false), "unknown global 0");
        }
    }

    private static void assertRejected(Engine engine, byte[] wasm, String reason) {
        CompileError e = assertThrows(CompileError.class, () -> Module.compile(engine, wasm).close());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
