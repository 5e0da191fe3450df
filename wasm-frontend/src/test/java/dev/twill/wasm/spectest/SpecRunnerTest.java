package dev.twill.wasm.spectest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.wasm.Engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner end to end on scripts written here as {@code .wast} and converted by wast2json:
 * one whose every command is right (expected values worked out by hand), and one whose commands
 * are each wrong in a different way, which must all fail with the right reason, so the runner
 * is shown to judge rather than to wave through.
 */
class SpecRunnerTest {
    private static Engine engine;
    private static SpecRunner runner;

    @BeforeAll
    static void open() {
        engine = new Engine();
        runner = new SpecRunner(engine, 2_000);
    }

    @AfterAll
    static void close() {
        runner.close();
        engine.close();
    }

    private static final String MODULE = """
            (module $M
              (import "spectest" "print_i32" (func $print_i32 (param i32)))
              (import "spectest" "global_i32" (global $g666 i32))
              (import "spectest" "memory" (memory 1 2))
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "f32.div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
              (func (export "f64.neg") (param f64) (result f64) (f64.neg (local.get 0)))
              (func (export "pair") (result i64 f64) (i64.const -1) (f64.const 1.5))
              (func (export "id") (param externref) (result externref) (local.get 0))
              (func (export "print") (param i32) (call $print_i32 (local.get 0)))
              (func (export "g666") (result i32) (global.get $g666))
              (func (export "mem") (param i32) (result i32) (i32.load8_u (local.get 0)))
              (func (export "trap") (unreachable))
              (func $rec (export "rec") (call $rec))
              (func (export "spin") (loop (br 0)))
              (global (export "g") (mut i64) (i64.const 7)))
            """;

    @Test
    void aRightScriptPasses(@TempDir Path dir) throws Exception {
        assertTrue(Wabt.available(), Wabt.MISSING);
        FileResult r = runner.run(script(dir, "good", MODULE + """
                (assert_return (invoke "add" (i32.const 1) (i32.const -1)) (i32.const 0))
                (assert_return (invoke "add" (i32.const 0x7fffffff) (i32.const 1)) (i32.const 0x80000000))
                (assert_return (invoke "div_s" (i32.const -7) (i32.const 2)) (i32.const -3))
                (assert_trap (invoke "div_s" (i32.const 1) (i32.const 0)) "integer divide by zero")
                (assert_trap (invoke "div_s" (i32.const 0x80000000) (i32.const -1)) "integer overflow")
                (assert_return (invoke "f32.div" (f32.const 0) (f32.const 0)) (f32.const nan:canonical))
                (assert_return (invoke "f32.div" (f32.const 1) (f32.const 4)) (f32.const 0.25))
                (assert_return (invoke "f64.neg" (f64.const nan:0x4)) (f64.const -nan:0x4))
                (assert_return (invoke "f64.neg" (f64.const 0)) (f64.const -0))
                (assert_return (invoke "pair") (i64.const 0xffffffffffffffff) (f64.const 1.5))
                (assert_return (invoke "id" (ref.extern 3)) (ref.extern 3))
                (assert_return (invoke "id" (ref.null extern)) (ref.null extern))
                (invoke "print" (i32.const 5))
                (assert_return (invoke "g666") (i32.const 666))
                (assert_return (invoke "mem" (i32.const 65535)) (i32.const 0))
                (assert_trap (invoke "mem" (i32.const 65536)) "out of bounds memory access")
                (assert_trap (invoke "trap") "unreachable")
                (assert_exhaustion (invoke "rec") "call stack exhausted")
                (assert_return (get "g") (i64.const 7))
                (register "M" $M)
                (module $N
                  (import "M" "add" (func $add (param i32 i32) (result i32)))
                  (func (export "add3") (param i32) (result i32) (call $add (local.get 0) (i32.const 3))))
                (assert_return (invoke $M "add" (i32.const 2) (i32.const 2)) (i32.const 4))
                (assert_return (invoke $N "add3" (i32.const 2)) (i32.const 5))
                (assert_return (invoke "add3" (i32.const -3)) (i32.const 0))
                (assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
                (assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")
                (assert_malformed (module quote "(func (i32.const))") "unexpected token")
                (assert_unlinkable (module (import "M" "nope" (func))) "unknown import")
                (assert_unlinkable (module (import "M" "add" (func (param i64)))) "incompatible import type")
                (assert_trap (module (memory 1) (data (i32.const 65536) "x")) "out of bounds memory access")
                (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
                """));
        assertEquals(List.of(), r.failures());
        // 2 modules, 1 register, 1 action, 27 assertions; the quoted text module is skipped
        assertEquals(31, r.total());
        assertEquals(31, r.passed());
        assertEquals(1, r.skippedText());
    }

    @Test
    void aWrongScriptFailsCommandByCommand(@TempDir Path dir) throws Exception {
        assertTrue(Wabt.available(), Wabt.MISSING);
        FileResult r = runner.run(script(dir, "bad", MODULE + """
                (assert_return (invoke "add" (i32.const 1) (i32.const 1)) (i32.const 3))
                (assert_return (invoke "div_s" (i32.const 1) (i32.const 0)) (i32.const 0))
                (assert_trap (invoke "add" (i32.const 1) (i32.const 1)) "unreachable")
                (assert_trap (invoke "div_s" (i32.const 1) (i32.const 0)) "integer overflow")
                (assert_return (invoke "f32.div" (f32.const 1) (f32.const 3)) (f32.const nan:arithmetic))
                (assert_return (invoke "f64.neg" (f64.const 0)) (f64.const 0))
                (assert_return (invoke "id" (ref.extern 3)) (ref.extern 4))
                (assert_return (invoke "id" (ref.extern 3)) (ref.null extern))
                (assert_exhaustion (invoke "trap") "call stack exhausted")
                (assert_trap (invoke "spin") "unreachable")
                (assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "unknown import")
                (assert_trap (module (memory 1) (data (i32.const 0) "x")) "out of bounds memory access")
                (assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
                (module (import "spectest" "nope" (func)) (func (export "z") (result i32) (i32.const 0)))
                (assert_return (invoke "z") (i32.const 0))
                (assert_return (invoke $M "add" (i32.const 1) (i32.const 1)) (i32.const 2))
                """));
        String[] expectedStarts = {
            "returned i32:2, expected i32:3",
            "trapped int_divz",
            "returned i32:2, expected a trap \"unreachable\"",
            "trapped int_divz, expected \"integer overflow\"",
            "returned f32:0x3eaaaaab",
            "returned f64:0x8000000000000000 (-0.0), expected f64:0x0 (0.0)",
            "returned externref:ref.extern 3, expected externref:4",
            "returned externref:ref.extern 3, expected externref:null",
            "trapped unreachable, expected stk_ovf",
            "timed out after 2000 ms",
            "instantiated; expected a LinkError",
            "instantiated; expected a trap",
            "compiled; expected it rejected (invalid: type mismatch)",
            "LinkError",
            "the module at line ",
        };
        List<FileResult.Failure> f = r.failures();
        assertEquals(expectedStarts.length, f.size(), f::toString);
        for (int k = 0; k < expectedStarts.length; k++) {
            assertTrue(f.get(k).reason().startsWith(expectedStarts[k]), "failure " + k + ": " + f.get(k));
        }
        // $M stays reachable by name after the anonymous module failed
        assertEquals(2, r.passed(), r::toString); // the module $M and the last command
        assertEquals(expectedStarts.length + 2, r.total()); // + the module $M and the last command
    }

    @Test
    void anUnreadableScriptIsOneFailure(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("broken"));
        Path json = d.resolve("broken.json");
        Files.writeString(json, "{\"commands\": [");
        FileResult r = runner.run(json);
        assertEquals(0, r.passed());
        assertEquals(1, r.total());
        assertTrue(r.failures().get(0).reason().startsWith("cannot read the script"), r::toString);
    }

    private static Path script(Path dir, String name, String wast) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Path file = d.resolve(name + ".wast");
        Files.writeString(file, wast);
        return Wabt.wast2json(file);
    }
}
