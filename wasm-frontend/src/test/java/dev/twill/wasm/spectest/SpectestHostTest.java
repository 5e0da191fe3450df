package dev.twill.wasm.spectest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpectestHostTest {
    /** The hand-encoded host module is byte for byte what wat2wasm makes of the same text. */
    @Test
    void binaryMatchesWat2wasm(@TempDir Path dir) throws Exception {
        assertTrue(Wabt.available(), Wabt.MISSING);
        Path wat = dir.resolve("spectest.wat");
        Files.writeString(wat, """
                (module
                 (table 10 20 funcref) (memory 1 2)
                 (global i32 (i32.const 666)) (global i64 (i64.const 666))
                 (global f32 (f32.const 666.6)) (global f64 (f64.const 666.6))
                 (export "table" (table 0)) (export "memory" (memory 0))
                 (export "global_i32" (global 0)) (export "global_i64" (global 1))
                 (export "global_f32" (global 2)) (export "global_f64" (global 3)))
                """);
        assertArrayEquals(Wabt.wat2wasm(wat), SpectestHost.binary());
    }

    /** LEB128 examples from WebAssembly 2.0 §5.2.2 and worked by hand. */
    @Test
    void leb128() {
        assertArrayEquals(new byte[] {(byte) 0xE5, (byte) 0x8E, 0x26}, unsigned(624485));
        assertArrayEquals(new byte[] {0x00}, unsigned(0));
        assertArrayEquals(new byte[] {0x7F}, unsigned(127));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x01}, unsigned(128));
        assertArrayEquals(new byte[] {(byte) 0xC0, (byte) 0xBB, 0x78}, signed(-123456));
        assertArrayEquals(new byte[] {0x7F}, signed(-1));
        assertArrayEquals(new byte[] {(byte) 0x40 | (byte) 0x80, 0x00}, signed(64));
        assertArrayEquals(new byte[] {0x40}, signed(-64));
        assertArrayEquals(new byte[] {(byte) 0x9A, 0x05}, signed(666));
    }

    private static byte[] unsigned(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SpectestHost.unsigned(out, v);
        return out.toByteArray();
    }

    private static byte[] signed(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SpectestHost.signed(out, v);
        return out.toByteArray();
    }
}
