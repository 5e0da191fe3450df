package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link WasmFunction#call} through the buffered entry trampoline: arguments past the argument
 * registers (stack slots of both classes), results past the result registers (the return
 * area), narrow and float values in raw bits, traps, and a host function re-entering wasm on
 * the same thread (which reuses the thread's buffer) in the middle of a call. Expected values
 * are Java's arithmetic on the same inputs.
 */
class RawCallTest {
    private static final String MODULE = """
            (module
              (import "host" "reenter" (func $reenter (param i32) (result i32)))
              ;; 9 i64 and 10 f64 parameters: 3 integer and 2 float ones go on the stack
              (func (export "spill")
                (param i64 f64 i64 f64 i64 f64 i64 f64 i64 f64 i64 f64 i64 f64 i64 f64 i64 f64 f64)
                (result i64 f64 i32 f32 i64 i64 f64)
                (i64.sub (local.get 16) (local.get 0))
                (f64.sub (local.get 18) (local.get 1))
                (i32.wrap_i64 (local.get 14))
                (f32.demote_f64 (local.get 17))
                (i64.add (local.get 2) (local.get 12))
                (i64.mul (local.get 4) (local.get 10))
                (f64.mul (local.get 3) (local.get 15)))
              (func (export "f32id") (param f32 i32) (result f32 i32) (local.get 0) (local.get 1))
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func $inner (export "inner") (param i32 i64 i64 i64 i64 i64 i64 i64) (result i64 i64 i64)
                (i64.extend_i32_s (local.get 0)) (local.get 7) (i64.add (local.get 1) (local.get 6)))
              (func (export "outer") (param i32 f64 f64) (result i32 f64 i64 i64)
                (call $reenter (local.get 0))
                (f64.add (local.get 1) (local.get 2))
                (i64.const 7)
                (i64.const -7)))
            """;

    @Test
    void argumentsAndResultsPastTheRegisters() throws Exception {
        try (Engine engine = new Engine(); Store store = new Store(engine); Module m = Module.compile(engine, wasm())) {
            Linker linker = new Linker(engine);
            WasmFunction[] inner = new WasmFunction[1];
            linker.defineFunction("host", "reenter", new dev.twill.wasm.binary.FuncType(new byte[] {0x7F}, new byte[] {0x7F}),
                    (caller, args) -> {
                        long[] r = inner[0].call(args[0], 1, 2, 3, 4, 5, 6, 700);
                        return new long[] {r[0] + r[1] + r[2]};
                    });
            Instance instance = linker.instantiate(store, m);
            inner[0] = instance.function("inner");

            long[] args = new long[19];
            long[] ints = new long[19];
            double[] floats = new double[19];
            for (int k = 0; k < 19; k++) {
                boolean isFloat = (k % 2 == 1) || k == 18;
                if (isFloat) {
                    floats[k] = k * 1.5 - 7.25;
                    args[k] = Double.doubleToRawLongBits(floats[k]);
                } else {
                    ints[k] = (k + 1) * 0x1_0000_0001L * (k % 4 == 0 ? -1 : 1);
                    args[k] = ints[k];
                }
            }
            long[] r = instance.function("spill").call(args);
            assertEquals(7, r.length);
            assertEquals(ints[16] - ints[0], r[0]);
            assertEquals(floats[18] - floats[1], Double.longBitsToDouble(r[1]));
            assertEquals((int) ints[14], r[2]);
            assertEquals(Float.floatToRawIntBits((float) floats[17]) & 0xFFFF_FFFFL, r[3]);
            assertEquals(ints[2] + ints[12], r[4]);
            assertEquals(ints[4] * ints[10], r[5]);
            assertEquals(floats[3] * floats[15], Double.longBitsToDouble(r[6]));

            // a NaN with a payload and a negative i32 come back bit for bit
            long nan = 0x7FA0_0001L;
            assertArrayEquals(new long[] {nan, -5}, instance.function("f32id").call(nan, 0xFFFF_FFFBL));

            Trap t = assertThrows(Trap.class, () -> instance.function("div").call(1, 0));
            assertEquals(TrapCode.INT_DIVZ, t.code());
            assertArrayEquals(new long[] {-3}, instance.function("div").call(7, -2));

            // the host function calls "inner" on this thread during "outer"
            long[] o = instance.function("outer").call(-9, Double.doubleToRawLongBits(0.5), Double.doubleToRawLongBits(2.25));
            assertArrayEquals(new long[] {-9 + 700 + (1 + 6), Double.doubleToRawLongBits(2.75), 7, -7}, o);
        }
    }

    private static byte[] wasm() throws Exception {
        assertTrue(Wat.wat2wasmAvailable(), "wat2wasm (wabt) is not installed: run 'apt-get install wabt'");
        Path dir = Files.createTempDirectory("twill-rawcall");
        Path src = dir.resolve("m.wat"), out = dir.resolve("m.wasm");
        Files.writeString(src, MODULE);
        assertNull(Binaryen.wat2wasm(src, out));
        byte[] bytes = Files.readAllBytes(out);
        Files.delete(src);
        Files.delete(out);
        Files.delete(dir);
        return bytes;
    }
}
