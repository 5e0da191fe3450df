package dev.twill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.wasm.binary.ValType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WasmCommandTest {
    @Test
    void argumentsByParameterType() {
        assertEquals(-1L, WasmCommand.parseArgument(ValType.I32, "-1", null));
        assertEquals(-1L, WasmCommand.parseArgument(ValType.I32, "4294967295", null));
        assertEquals(Integer.MIN_VALUE, WasmCommand.parseArgument(ValType.I32, "-2147483648", null));
        assertEquals(255L, WasmCommand.parseArgument(ValType.I32, "0xff", null));
        assertEquals(Long.MIN_VALUE, WasmCommand.parseArgument(ValType.I64, "-9223372036854775808", null));
        assertEquals(-1L, WasmCommand.parseArgument(ValType.I64, "18446744073709551615", null));
        assertEquals(Float.floatToRawIntBits(1.5f), WasmCommand.parseArgument(ValType.F32, "1.5", null));
        // 0.1 as a float directly, not through double (which could round twice)
        assertEquals(Float.floatToRawIntBits(0.1f), WasmCommand.parseArgument(ValType.F32, "0.1", null));
        assertEquals(0x8000_0000L, WasmCommand.parseArgument(ValType.F32, "-0", null));
        assertEquals(0x7fc0_0000L, WasmCommand.parseArgument(ValType.F32, "nan", null));
        assertEquals(0xff80_0001L, WasmCommand.parseArgument(ValType.F32, "-nan:0x1", null));
        assertEquals(0x7f80_0000L, WasmCommand.parseArgument(ValType.F32, "inf", null));
        assertEquals(Double.doubleToRawLongBits(-2.5), WasmCommand.parseArgument(ValType.F64, "-2.5", null));
        assertEquals(0x7ff0_0000_0000_0002L, WasmCommand.parseArgument(ValType.F64, "nan:0x2", null));
        assertEquals(0L, WasmCommand.parseArgument(ValType.FUNCREF, "null", null));
        assertThrows(IllegalArgumentException.class, () -> WasmCommand.parseArgument(ValType.I32, "4294967296", null));
        assertThrows(IllegalArgumentException.class, () -> WasmCommand.parseArgument(ValType.I32, "-2147483649", null));
        assertThrows(IllegalArgumentException.class, () -> WasmCommand.parseArgument(ValType.I32, "x", null));
        assertThrows(IllegalArgumentException.class, () -> WasmCommand.parseArgument(ValType.F32, "nan:0x800000", null));
    }

    @Test
    void resultsPrintAsTheyRead() {
        assertEquals("-1", WasmCommand.formatResult(ValType.I32, 0xFFFF_FFFFL, null));
        assertEquals("-1", WasmCommand.formatResult(ValType.I64, -1L, null));
        assertEquals("1.5", WasmCommand.formatResult(ValType.F32, Float.floatToRawIntBits(1.5f), null));
        assertEquals("-nan:0x400000", WasmCommand.formatResult(ValType.F32, 0xffc0_0000L, null));
        assertEquals("nan:0x8000000000000", WasmCommand.formatResult(ValType.F64, 0x7ff8_0000_0000_0000L, null));
        assertEquals("null", WasmCommand.formatResult(ValType.FUNCREF, 0, null));
    }

    @Test
    void runInvokesAnExport(@TempDir Path dir) throws Exception {
        Path wat = dir.resolve("m.wat");
        Files.writeString(wat, """
                (module
                  (import "spectest" "print_i32" (func $p (param i32)))
                  (func (export "add") (param i32 i32) (result i32) (call $p (local.get 0)) (i32.add (local.get 0) (local.get 1)))
                  (func (export "swap") (param f64 i64) (result i64 f64) (local.get 1) (local.get 0))
                  (func (export "boom") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
                  (memory 1)
                  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))
                """);
        Path wasm = wat2wasm(wat);
        // the same out-of-bounds trap whether guard pages or explicit checks catch it
        for (String checks : new String[] {"--no-cache", "--no-guard-pages"}) {
            Outcome oob = run("run", "--no-cache", checks, wasm.toString(), "--invoke", "peek", "65536");
            assertEquals(1, oob.code, checks);
            assertTrue(oob.err.contains("heap_oob"), oob.err);
            assertEquals(new Outcome(0, "0\n", ""), run("run", "--no-cache", checks, wasm.toString(), "--invoke", "peek", "65535"), checks);
        }
        assertEquals(new Outcome(0, "5\n", ""), run("run", wasm.toString(), "--invoke", "add", "2", "3"));
        assertEquals(new Outcome(0, "-1\n", ""), run("run", wasm.toString(), "--invoke", "add", "0x7fffffff", "0x80000000"));
        assertEquals(new Outcome(0, "7\n-0.25\n", ""), run("run", wasm.toString(), "--invoke", "swap", "-0.25", "7"));
        Outcome trap = run("run", wasm.toString(), "--invoke", "boom", "0");
        assertEquals(1, trap.code);
        assertTrue(trap.err.contains("int_divz"), trap.err);
        Outcome bad = run("run", wasm.toString(), "--invoke", "add", "1");
        assertEquals(2, bad.code);
        assertTrue(bad.err.contains("takes 2 arguments"), bad.err);
        Outcome missing = run("run", wasm.toString(), "--invoke", "nope");
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("add, swap, boom, peek"), missing.err);
    }

    @Test
    void runStartsAWasiProgramWithItsArgumentsAndExitCode(@TempDir Path dir) throws Exception {
        Path wat = dir.resolve("m.wat");
        Files.writeString(wat, """
                (module
                  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 100) "hi\\n")
                  (func (export "_start")
                    (drop (call $sizes (i32.const 0) (i32.const 4)))
                    (drop (call $env (i32.const 8) (i32.const 12)))
                    (i32.store (i32.const 16) (i32.const 100))
                    (i32.store (i32.const 20) (i32.const 3))
                    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
                    ;; exit code: 10 * argc + number of environment variables
                    (call $exit (i32.add (i32.mul (i32.const 10) (i32.load (i32.const 0))) (i32.load (i32.const 8))))))
                """);
        Path wasm = wat2wasm(wat);
        // argv is the file name, then the program arguments
        assertEquals(new Outcome(30, "hi\n", ""), run("run", wasm.toString(), "a", "--b"));
        assertEquals(new Outcome(12, "hi\n", ""), run("run", "--env", "X=1", "--env", "Y=", wasm.toString()));
        // after --, even --invoke is the program's
        assertEquals(new Outcome(30, "hi\n", ""), run("run", wasm.toString(), "--", "--invoke", "x"));
    }

    @Test
    void spectestRunsWastScriptsDirectly(@TempDir Path dir) throws Exception {
        Path wast = dir.resolve("mini.wast");
        Files.writeString(wast, """
                (module
                  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
                (assert_return (invoke "div" (i32.const 7) (i32.const 2)) (i32.const 3))
                (assert_return (invoke "div" (i32.const -7) (i32.const 2)) (i32.const -3))
                (assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
                (assert_return (invoke "div" (i32.const 8) (i32.const 2)) (i32.const 5))
                """);
        Outcome o = run("spectest", "--no-fork", wast.toString());
        assertEquals(1, o.code, o.out + o.err);
        // the module, three passing assertions, and the wrong expectation 8 / 2 == 5
        assertTrue(o.out.startsWith("mini: 4/5\n4 passed, 1 failed in 1 scripts"), o.out);
        Outcome bad = run("spectest", "--no-fork", dir.resolve("missing.wast").toString());
        assertEquals(2, bad.code);
    }

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new WasmCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path wat2wasm(Path wat) throws Exception {
        Path wasm = wat.resolveSibling("m.wasm");
        Process p;
        try {
            p = new ProcessBuilder("wat2wasm", wat.toString(), "-o", wasm.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("wabt (wat2wasm) is not installed: ./twill installs it as root, or run 'apt-get install wabt'", e);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return wasm;
    }
}
