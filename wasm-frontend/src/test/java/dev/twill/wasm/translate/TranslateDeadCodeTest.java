package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unreachable code with every immediate shape (dead.wat): stepping over it must land exactly on
 * the end or else that makes code live again, and emit none of it. A mis-stepped immediate shows
 * as a translation error, a wrong result, or dead instructions in the IR.
 */
class TranslateDeadCodeTest {
    static WasmHarness h;

    @BeforeAll
    static void setUp() {
        h = WasmHarness.of("dead.wat");
    }

    @AfterAll
    static void tearDown() {
        if (h != null) h.close();
    }

    @Test
    void deadCodeIsSkippedExactlyAndEmitsNothing() {
        for (int x : new int[] {0, 7, -100, 1 << 30}) h.expectI32("dead_immediates", (x + 100) * 2, x);
        String ir = h.ir("dead_immediates");
        for (String dead : new String[] {"call", "heap_", "table_addr", "br_table", "bad_sig", "null_reference", "fcvt"}) {
            assertFalse(ir.contains(dead), dead + " emitted for dead code:\n" + ir);
        }
        h.expectI32("dead_then_else", 11, 1);
        h.expectI32("dead_then_else", 5, 0);
        assertFalse(h.ir("dead_then_else").contains("call"), h.ir("dead_then_else"));
    }
}
