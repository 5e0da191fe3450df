package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * WebAssembly tail calls run natively a million deep in constant stack, under both tiers: through
 * {@code return_call} to a function with more stack arguments than the caller has (the tail
 * convention moves the argument area), through {@code return_call_indirect} with its table
 * checks, while the same recursion as plain calls still traps {@code stk_ovf}. Expected values
 * are worked out by hand in the comments.
 */
class TailCallTest {
    /**
     * grow(n, s) = n == 0 ? s : many(n, s, 1 x8 i64, 0.5 x10 f64); many(...) = grow(n - 1, s + the
     * eight ones + trunc(sum of the ten halves)) = grow(n - 1, s + 8 + 5). With the vmctx, many has
     * 11 integer arguments (5 on the stack) and 10 floats (2 on the stack); grow has none there.
     * even/odd through a table: even(n) = n == 0 ? 1 : odd(n - 1). deep(n) = n == 0 ? 0 : deep(n - 1) + 1
     * with a plain call.
     */
    private static final String WAT = """
            (module
              (type $pred (func (param i64) (result i32)))
              (table 2 funcref)
              (elem (i32.const 0) $even $odd)
              (func $grow (export "grow") (param $n i64) (param $s i64) (result i64)
                (if (i64.eqz (local.get $n)) (then (return (local.get $s))))
                (return_call $many (local.get $n) (local.get $s)
                  (i64.const 1) (i64.const 1) (i64.const 1) (i64.const 1)
                  (i64.const 1) (i64.const 1) (i64.const 1) (i64.const 1)
                  (f64.const 0.5) (f64.const 0.5) (f64.const 0.5) (f64.const 0.5) (f64.const 0.5)
                  (f64.const 0.5) (f64.const 0.5) (f64.const 0.5) (f64.const 0.5) (f64.const 0.5)))
              (func $many (param $n i64) (param $s i64)
                  (param $a i64) (param $b i64) (param $c i64) (param $d i64)
                  (param $e i64) (param $f i64) (param $g i64) (param $h i64)
                  (param $x0 f64) (param $x1 f64) (param $x2 f64) (param $x3 f64) (param $x4 f64)
                  (param $x5 f64) (param $x6 f64) (param $x7 f64) (param $x8 f64) (param $x9 f64)
                  (result i64)
                (return_call $grow
                  (i64.sub (local.get $n) (i64.const 1))
                  (i64.add (local.get $s)
                    (i64.add
                      (i64.add (i64.add (i64.add (local.get $a) (local.get $b)) (i64.add (local.get $c) (local.get $d)))
                               (i64.add (i64.add (local.get $e) (local.get $f)) (i64.add (local.get $g) (local.get $h))))
                      (i64.trunc_f64_s
                        (f64.add (f64.add (f64.add (f64.add (local.get $x0) (local.get $x1)) (f64.add (local.get $x2) (local.get $x3)))
                                          (f64.add (f64.add (local.get $x4) (local.get $x5)) (f64.add (local.get $x6) (local.get $x7))))
                                 (f64.add (local.get $x8) (local.get $x9))))))))
              (func $even (export "even") (type $pred)
                (if (result i32) (i64.eqz (local.get 0))
                  (then (i32.const 1))
                  (else (return_call_indirect (type $pred) (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
              (func $odd (export "odd") (type $pred)
                (if (result i32) (i64.eqz (local.get 0))
                  (then (i32.const 0))
                  (else (return_call_indirect (type $pred) (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
              (func $bad (export "bad") (param i64) (result i32)
                (return_call_indirect (type $pred) (local.get 0) (i32.const 7)))
              (func $deep (export "deep") (param i64) (result i64)
                (if (result i64) (i64.eqz (local.get 0))
                  (then (i64.const 0))
                  (else (i64.add (call $deep (i64.sub (local.get 0) (i64.const 1))) (i64.const 1))))))
            """;

    @ParameterizedTest
    @ValueSource(strings = {"speed", "none"})
    void millionDeepTailCallsRunInConstantStack(String tier) {
        try (Engine engine = new Engine(new EngineConfig().optLevel(tier)); Store store = new Store(engine);
             Module m = Module.compile(engine, wasm(WAT))) {
            Instance inst = new Linker(engine).instantiate(store, m);
            // 13 per round
            assertArrayEquals(new long[] {13_000_000L}, inst.function("grow").call(1_000_000, 0));
            assertArrayEquals(new long[] {7}, inst.function("grow").call(0, 7));
            assertArrayEquals(new long[] {1}, inst.function("even").call(1_000_000));
            assertArrayEquals(new long[] {0}, inst.function("odd").call(1_000_000));
            assertArrayEquals(new long[] {1}, inst.function("odd").call(999_999));
            // table index 7 is past the table's 2 elements
            Trap t = assertThrows(Trap.class, () -> inst.function("bad").call(1));
            assertEquals(TrapCode.TABLE_OOB, t.code());
            // the stack limit still stops unbounded plain recursion
            Trap deep = assertThrows(Trap.class, () -> inst.function("deep").call(1_000_000));
            assertEquals(TrapCode.STK_OVF, deep.code());
            assertArrayEquals(new long[] {1000}, inst.function("deep").call(1000));
        }
    }

    @Test
    void tailCallsOffRejectTheOpcode() {
        try (Engine engine = new Engine(new EngineConfig().tailCall(false))) {
            CompileError e = assertThrows(CompileError.class, () -> Module.compile(engine, wasm(WAT)));
            assertTrue(e.getMessage().contains("illegal opcode 12"), e.getMessage());
        }
    }

    private static byte[] wasm(String text) {
        return Wat.fromText(text, "--enable-tail-call");
    }
}
