package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.Function;
import dev.twill.ir.TrapCode;
import dev.twill.ir.text.Printer;
import dev.twill.legalize.Legalizer;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.runtime.LinearMemory;
import dev.twill.wasm.translate.FunctionTranslator;
import dev.twill.wasm.validate.Validator;
import dev.twill.wasm.vm.VmContextLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * 32-bit memories checked by guard pages ({@link EngineConfig#guardPages}) against the same
 * module with explicit checks: the same results and the same heap_oob traps, naming the same
 * function, at the bound, across it, far past it, with offsets inside and past the 2 GiB guard,
 * and after the memory grows. The oracle is wasm's rule: an access traps iff {@code addr +
 * offset + size} exceeds the length, and otherwise reads what was written.
 */
class GuardPagesTest {
    private static final String WAT = """
            (module
              (memory (export "mem") 1 3)
              (func $load32 (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
              (func $load8 (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
              (func $load_far (export "load_far") (param i32) (result i64) (i64.load offset=0x7ffffff0 (local.get 0)))
              (func $load_past_guard (export "load_past_guard") (param i32) (result i32) (i32.load offset=0xfffffff0 (local.get 0)))
              (func $store64 (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
              (func $sum (export "sum") (param i32 i32) (result i32)
                (i32.add (i32.load (local.get 0)) (i32.load offset=4 (local.get 1))))
              (func $grow (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """;
    private static final long PAGE = 65536;

    private static Trap trap(WasmFunction f, long... args) {
        return assertThrows(Trap.class, () -> f.call(args), () -> f + " did not trap");
    }

    private static void assertHeapOob(WasmFunction f, String name, long... args) {
        Trap t = trap(f, args);
        assertEquals(TrapCode.HEAP_OOB, t.code());
        assertEquals(name, t.function());
    }

    @ParameterizedTest
    @CsvSource({"true, none", "true, speed", "false, none", "false, speed"})
    void accessesTrapExactlyPastTheLength(boolean guardPages, String opt) {
        byte[] wasm = Wat.fromText(WAT, "--debug-names");
        try (Engine engine = new Engine(new EngineConfig().guardPages(guardPages).optLevel(opt));
             Module module = Module.compile(engine, wasm);
             Store store = new Store(engine)) {
            assertEquals(guardPages && LinearMemory.guarded(), engine.guardPages());
            Instance inst = new Linker(engine).instantiate(store, module);
            WasmFunction load32 = inst.function("load32"), load8 = inst.function("load8"), far = inst.function("load_far"),
                    pastGuard = inst.function("load_past_guard"), store64 = inst.function("store64"), sum = inst.function("sum"),
                    grow = inst.function("grow");
            store64.call(PAGE - 8, 0x1122_3344_5566_7788L);
            assertArrayEquals(new long[] {0x1122_3344L}, load32.call(PAGE - 4));
            assertArrayEquals(new long[] {0x11}, load8.call(PAGE - 1));
            assertHeapOob(load8, "load8", PAGE);
            assertHeapOob(load32, "load32", PAGE - 3);             // three bytes inside, one past
            assertHeapOob(load32, "load32", 0xffff_ffffL);
            assertHeapOob(far, "load_far", 0);
            assertHeapOob(far, "load_far", 0xffff_ffffL);
            assertHeapOob(pastGuard, "load_past_guard", 0);
            assertHeapOob(sum, "sum", 0, PAGE - 4);                // the second load
            // a store across the end changes nothing
            assertHeapOob(store64, "store64", PAGE - 4, -1L);
            assertArrayEquals(new long[] {0x1122_3344L}, load32.call(PAGE - 4));
            // grown, the next page is memory; the one after is not
            assertArrayEquals(new long[] {1}, grow.call(1));
            assertArrayEquals(new long[] {0}, load32.call(PAGE));
            store64.call(2 * PAGE - 8, 7);
            assertArrayEquals(new long[] {7}, load8.call(2 * PAGE - 8));
            assertHeapOob(load8, "load8", 2 * PAGE);
            assertArrayEquals(new long[] {0x5566_7788L + 7}, sum.call(PAGE - 8, 2 * PAGE - 12));
        }
    }

    /** With guard pages, a 32-bit memory access legalizes to an address and a trapping load: no compare, no branch. */
    @Test
    void guardedAccessesHaveNoBoundsCheck() {
        byte[] wasm = Wat.fromText(WAT);
        WasmModule m = ModuleDecoder.decode(wasm);
        Validator.validate(m);
        VmContextLayout layout = VmContextLayout.of(m);
        for (boolean guarded : new boolean[] {true, false}) {
            FunctionTranslator translator = new FunctionTranslator();
            translator.setGuardedMemories(guarded);
            Legalizer legalizer = new Legalizer();
            legalizer.setFaultTraps(guarded);
            Function load32 = translator.translate(m, layout, 0);
            Function pastGuard = translator.translate(m, layout, 3);
            legalizer.legalize(load32);
            legalizer.legalize(pastGuard);
            String text = Printer.print(load32);
            assertEquals(!guarded, text.contains("heap_oob"), text);
            assertEquals(!guarded, text.contains("load.i32 notrap v"), text);
            // an offset past the guard keeps its check either way
            assertTrue(Printer.print(pastGuard).contains("heap_oob"), Printer.print(pastGuard));
        }
    }

    @Test
    void theCodeCacheKeyNamesTheSetting() {
        try (Engine on = new Engine(new EngineConfig().guardPages(true));
             Engine off = new Engine(new EngineConfig().guardPages(false))) {
            assertNotEquals(on.codeSettings(), off.codeSettings());
            assertFalse(off.guardPages());
        }
    }
}
