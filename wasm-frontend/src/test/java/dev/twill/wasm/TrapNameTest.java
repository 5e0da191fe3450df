package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A trap names the wasm function that trapped (its name-section name), whichever instance it
 * belongs to and whether compiled code or a builtin raised it. The expected names are the
 * functions written in trapnames_a.wat and trapnames_b.wat.
 */
class TrapNameTest {
    static Engine engine;
    static Module a, b;

    @BeforeAll
    static void compile() {
        engine = new Engine();
        a = Module.compile(engine, Wat.wasm("trapnames_a.wat"));
        b = Module.compile(engine, Wat.wasm("trapnames_b.wat"));
    }

    @AfterAll
    static void close() {
        if (b != null) b.close();
        if (a != null) a.close();
        if (engine != null) engine.close();
    }

    private static Trap trap(WasmFunction f, long... args) {
        return assertThrows(Trap.class, () -> f.call(args));
    }

    @Test
    void compiledTrapsInAnotherInstanceNameTheTrappingFunction() {
        try (Store s = new Store(engine)) {
            Instance ia = new Linker(engine).instantiate(s, a);
            Instance ib = new Linker(engine).defineInstance("a", ia).instantiate(s, b);
            Trap t = trap(ib.function("via_import"));
            assertEquals(TrapCode.UNREACHABLE, t.code());
            assertEquals("explode", t.function(), "the trap lies in a's code, not in b's entry function");
            assertNotEquals(0, t.pc(), "the trap exit records the pc");
            assertEquals("explode", trap(ib.function("via_table")).function());
            Trap d = trap(ib.function("divide_by"), 0);
            assertEquals(TrapCode.INT_DIVZ, d.code());
            assertEquals("divide", d.function());
            assertEquals("own", trap(ib.function("own")).function(), "a trap in the called module itself");
            assertEquals("explode", trap(ia.function("explode")).function());
        }
    }

    @Test
    void builtinTrapsNameTheCallingFunction() {
        try (Store s = new Store(engine)) {
            Instance ia = new Linker(engine).instantiate(s, a);
            Trap t = trap(ia.function("fill_oob"));
            assertEquals(TrapCode.HEAP_OOB, t.code());
            assertEquals("fill_oob", t.function());
            assertEquals("copy_oob", trap(ia.function("copy_oob")).function());
            Trap tt = trap(ia.function("table_oob"));
            assertEquals(TrapCode.TABLE_OOB, tt.code());
            assertEquals("table_oob", tt.function());
            assertEquals("fill_oob", trap(ia.function("calls_fill_oob")).function(), "the builtin's caller, not the entry");
            Instance ib = new Linker(engine).defineInstance("a", ia).instantiate(s, b);
            assertEquals("fill_oob", trap(ib.function("fill_via_import")).function(), "the caller in the other instance");
        }
    }
}
