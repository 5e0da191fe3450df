package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Direct, imported and indirect calls, tables and references (calls.wat, imports.wat). */
class TranslateCallTest {
    WasmHarness h;

    @BeforeEach
    void setUp() {
        h = WasmHarness.of("calls.wat");
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    @Test
    void callIndirect() {
        h.expectI32("call_ind", 6, 0, 5);
        h.expectI32("call_ind", 4, 1, 5);
        h.expectTrap("call_ind", TrapCode.BAD_SIG, 2, 5); // $add has type (i32 i32) -> i32
        h.expectTrap("call_ind", TrapCode.NULL_REFERENCE, 3, 5); // uninitialized element
        h.expectTrap("call_ind", TrapCode.TABLE_OOB, 4, 5);
        h.expectTrap("call_ind", TrapCode.TABLE_OOB, 0xFFFF_FFFFL, 5);
        h.expectI32("call_ind2", 7, 2, 3, 4);
        h.expectTrap("call_ind2", TrapCode.BAD_SIG, 0, 3, 4);
        h.expectI32("call_direct", 6 + 4, 5);
        h.expectI32("countdown", 1000, 1000);
        h.expectI32("call_ref_local", 6, 5);
    }

    @Test
    void tableGetSet() {
        h.expectI32("is_null", 1, 3);
        h.expectI32("is_null", 0, 0);
        h.expectTrap("is_null", TrapCode.TABLE_OOB, 4);
        h.expect("set_dec", new long[0], 3);
        h.expectI32("call_ind", 4, 3, 5);
        h.expect("set_null", new long[0], 0);
        h.expectTrap("call_ind", TrapCode.NULL_REFERENCE, 0, 5);
        h.expect("copy_slot", new long[0], 0, 1);
        h.expectI32("call_ind", 4, 0, 5);
        h.expectTrap("set_null", TrapCode.TABLE_OOB, 4);
        h.expectI32("tsize", 4);
    }

    @Test
    void tableGrowAndBulk() {
        h.expectI32("tgrow", 4, 2);
        h.expectI32("tsize", 6);
        h.expectI32("call_ind", 2, 5, 1); // grown with ref.func $inc
        h.expectI32("tgrow", -1, 10); // max 8
        h.expect("tfill", new long[0], 0, 2);
        h.expectI32("is_null", 1, 0);
        h.expectI32("is_null", 1, 1);
        h.expectI32("is_null", 0, 2);
        h.expect("tcopy", new long[0], 0, 2, 1);
        h.expectI32("call_ind2", 9, 0, 4, 5);
        h.expect("tinit", new long[0], 0, 0, 2);
        h.expectI32("call_ind", 6, 1, 5);
        h.expectBuiltinTrap("tinit", TrapCode.TABLE_OOB, 0, 1, 2);
        h.expect("edrop", new long[0]);
        h.expect("tinit", new long[0], 0, 0, 0);
        h.expectBuiltinTrap("tinit", TrapCode.TABLE_OOB, 0, 0, 1);
        h.expectBuiltinTrap("tfill", TrapCode.TABLE_OOB, 5, 2);
    }

    @Test
    void externref() {
        h.expect1("ext_get", 0, 0);
        h.expect("ext_set", new long[0], 1, 0x1234_5678_9ABCL);
        h.expect1("ext_get", 0x1234_5678_9ABCL, 1);
        h.expectI32("ext_size", 2);
        h.expect1("ext_null", 0);
        h.expectTrap("ext_get", TrapCode.TABLE_OOB, 2);
    }

    @Test
    void irShapeOfCallIndirect() {
        String ir = h.ir("call_ind");
        assertTrue(ir.contains("table_addr"), ir);
        assertTrue(ir.contains("trapz") && ir.contains("null_reference"), ir);
        assertTrue(ir.contains("call_indirect"), ir);
        String direct = h.ir("call_direct");
        assertTrue(direct.contains("colocated %f"), direct);
    }

    @Test
    void importsInTheInterpreter() {
        WasmHarness.HostImport add3 = a -> new long[] {(a[0] + a[1] + a[2]) & 0xFFFF_FFFFL};
        WasmHarness.HostImport pair = a -> new long[] {a[0] * 2, Double.doubleToRawLongBits((double) a[0])};
        try (WasmHarness im = WasmHarness.of("imports.wat", Map.of("env.add3", add3, "env.pair", pair), false)) {
            im.expectI32("call_add3", 111, 1);
            im.expect("call_pair", new long[] {-14, Double.doubleToRawLongBits(-7.0)}, -7);
            im.expectI32("call_ind_import", 9, 0); // the imported function through the table
            im.expectI32("call_ind_import", 6, 1);
            im.expectI32("get_ig", 77);
            im.expect("set_ig", new long[0], 5);
            im.expectI32("get_ig", 5);
            assertEquals(5, im.readGlobal(0));
            im.expect1("get_ic", 5);
        }
    }
}
