package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Control flow of control.wat, run in the interpreter (sandbox and legalized IR) and natively. */
class TranslateControlTest {
    static WasmHarness h;

    @BeforeAll
    static void setUp() {
        h = WasmHarness.of("control.wat");
    }

    @AfterAll
    static void tearDown() {
        h.close();
    }

    private static long fac(long n) {
        long r = 1;
        for (long k = 2; k <= n; k++) r *= k;
        return r;
    }

    @Test
    void recursionAndLoops() {
        for (long n : new long[] {0, 1, 5, 20, 25}) {
            h.expect1("fac", fac(n), n);
            h.expect1("fac_loop", fac(n), n);
        }
    }

    @Test
    void brTable() {
        int[] expected = {100, 101, 102, 103, 103, 103};
        for (int i = 0; i < expected.length; i++) h.expectI32("switch", expected[i], i);
        h.expectI32("switch", 103, -1);
        // targets $a $b $a, default $b; $a adds 10
        int[] withValue = {1015, 1005, 1015, 1005, 1005};
        for (int i = 0; i < withValue.length; i++) h.expectI32("switch_val", withValue[i], i);
        h.expectI32("switch_val", 1005, 0x8000_0000L);
        h.expectI32("switch_ret", 107, 0);
        h.expectI32("switch_ret", 7, 1);
        h.expectI32("switch_ret", 7, 12345);
        for (int n : new int[] {0, 1, 4, 5, 8, 13, 16, 64}) {
            int count = 0, k = n;
            do {
                count++;
                k--;
            } while ((k & 3) == 0);
            h.expectI32("switch_loop", count + 1000, n);
        }
    }

    @Test
    void multiValue() {
        h.expect("multi", new long[] {1, 2}, 1);
        h.expect("multi", new long[] {3, 4}, 0);
        h.expectI32("block_params", 7 - 10, 7, 10);
        for (int n : new int[] {1, 2, 10, 100}) h.expectI32("loop_params", n * (n + 1) / 2, n);
        h.expectI32("loop_params", 0, 0);
        h.expectI32("if_params", 42, 1, 21);
        h.expectI32("if_params", 21, 0, 21);
        h.expect("if_else_params", new long[] {30, 1}, 1, 20, 10);
        h.expect("if_else_params", new long[] {10, 2}, 0, 20, 10);
        h.expectI32("call_multi", 3 - 10, 10, 3);
        h.expect("three", new long[] {0xFFFF_FFFBL, -5L, Double.doubleToRawLongBits(-5.0)}, -5);
    }

    @Test
    void ifElse() {
        h.expectI32("if_no_else", 6, 1);
        h.expectI32("if_no_else", 5, 0);
        h.expectI32("nested_if", 1, 1, 1);
        h.expectI32("nested_if", 2, 1, 0);
        h.expectI32("nested_if", 3, 0, 1);
        h.expectI32("nested_if", 4, 0, 0);
    }

    @Test
    void unreachableCodeIsSkipped() {
        h.expectI32("dead", 7, 0);
        h.expectI32("dead_after_block", 2, 1);
        h.expectI32("dead_after_block", 1, 0);
        h.expectI32("dead_then", 10, 1);
        h.expectI32("dead_then", 20, 0);
        h.expectI32("return_mid", 5, 1);
        h.expectI32("return_mid", 4, 0);
        // nothing of the dead code reaches the IR: one return of 7 and no trap
        String ir = h.ir("dead");
        assertFalse(ir.contains("unreachable"), ir);
        assertFalse(ir.contains("br_table"), ir);
    }

    @Test
    void unreachableTraps() {
        h.expectTrap("unreachable", TrapCode.UNREACHABLE, 1);
        h.expectI32("unreachable", 9, 0);
    }

    @Test
    void nestedLoopsWithBreaks() {
        int[] ns = {0, 2, 3, 10, 100, 1000};
        for (int n : ns) {
            int c = 0;
            for (int i = 2; i < n; i++) {
                boolean prime = true;
                for (int j = 2; j * j <= i; j++) if (i % j == 0) prime = false;
                if (prime) c++;
            }
            h.expectI32("primes", c, n);
        }
    }

    @Test
    void selectAndLocals() {
        h.expectI32("select", 11, 11, 22, 1);
        h.expectI32("select", 22, 11, 22, 0);
        h.expectI32("select", 11, 11, 22, 0x8000_0000L);
        h.expect1("select_f64", Double.doubleToRawLongBits(1.5), Double.doubleToRawLongBits(1.5), Double.doubleToRawLongBits(2.5), 7);
        h.expect1("select_f64", Double.doubleToRawLongBits(2.5), Double.doubleToRawLongBits(1.5), Double.doubleToRawLongBits(2.5), 0);
        h.expectI32("select_cmp", -3, -3, 4);
        h.expectI32("select_cmp", 4, 9, 4);
        h.expect("locals_zero", new long[] {0, 0, 0, 0});
        h.expectI32("tee", 42, 7);
        h.expectI32("br_if_value", 50, 1);
        h.expectI32("br_if_value", 60, 0);
        h.expectI32("loop_result", 8, 7);
    }

    @Test
    void loopHeadersCheckTheInterruptFlag() {
        String ir = h.ir("fac_loop");
        // function entry and one loop header
        assertEquals(2, ir.split("trapnz .*interrupt", -1).length - 1, ir);
        h.setInterrupt(true);
        try {
            h.expectTrap("fac_loop", TrapCode.INTERRUPT, 5);
            h.expectTrap("fac", TrapCode.INTERRUPT, 5);
        } finally {
            h.setInterrupt(false);
        }
        h.expect1("fac_loop", 120, 5);
    }

    @Test
    void pendingComparisons() {
        for (int a : new int[] {-3, 0, 4}) {
            for (int b : new int[] {-1, 0, 4}) h.expectI32("pending", (a < b ? 1 : 0) + (b == 0 ? 1 : 0) + 5, a, b);
        }
        h.expectI32("select_eqz", 1, 0);
        h.expectI32("select_eqz", 2, 5);
        h.expectI32("pending_br", 1, 11);
        h.expectI32("pending_br", 0, 3);
        h.expectI32("pending_br", 100, 0);
        assertFalse(h.ir("select_eqz").contains("icmp"), h.ir("select_eqz"));
    }

    @Test
    void brIfBranchesOnTheComparison() {
        // i32.eqz / i32.gt_u feeding br_if become a branch on the comparison (no uextend in between)
        String ir = h.ir("primes");
        assertTrue(ir.contains("brnz") || ir.contains("brz"), ir);
    }
}
