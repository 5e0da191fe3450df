package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.vm.FuncTypeIds;
import dev.twill.wasm.vm.WasmAbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code call_indirect} checks exact wasm type equality (WebAssembly 2.0 §4.4.6), including
 * between types whose IR signatures coincide because funcref, externref and i64 are all IR i64.
 * The expected outcome of each call comes from the types written in the WAT files: a call
 * succeeds iff the slot's function has the call's type.
 */
class CallIndirectTypeTest {
    static Engine engine;
    static Module callee, client;
    static final FuncType EXT_SINK = new FuncType(new byte[] {ValType.EXTERNREF}, new byte[0]);

    @BeforeAll
    static void compile() {
        engine = new Engine();
        callee = Module.compile(engine, Wat.wasm("calltypes.wat"));
        client = Module.compile(engine, Wat.wasm("calltypes_client.wat"));
    }

    @AfterAll
    static void close() {
        if (client != null) client.close();
        if (callee != null) callee.close();
        if (engine != null) engine.close();
    }

    @Test
    void theTypesUnderTestShareOneIrSignature() {
        FuncType f = new FuncType(new byte[] {ValType.FUNCREF}, new byte[0]);
        FuncType i = new FuncType(new byte[] {ValType.I64}, new byte[0]);
        assertEquals(WasmAbi.signature(f), WasmAbi.signature(EXT_SINK), "else the header check alone would do");
        assertEquals(WasmAbi.signature(f), WasmAbi.signature(i));
        assertNotEquals(FuncTypeIds.idOf(f), FuncTypeIds.idOf(EXT_SINK));
        assertNotEquals(FuncTypeIds.idOf(f), FuncTypeIds.idOf(i));
        assertEquals(FuncTypeIds.idOf(f), FuncTypeIds.idOf(new FuncType(new byte[] {ValType.FUNCREF}, new byte[0])));
    }

    @Test
    void callIndirectTrapsOnEveryTypeMismatchWithinAModule() {
        try (Store s = new Store(engine)) {
            Instance a = instantiateCallee(s);
            // slot k holds a function of type SLOT_TYPE[k]; caller "as_<t>" expects type t
            String[] slotType = {"func", "ext", "i64", "rf", "re", "ext"};
            String[] callers = {"func", "ext", "i64", "rf", "re"};
            for (String caller : callers) {
                WasmFunction f = a.function("as_" + caller);
                for (int slot = 0; slot < slotType.length; slot++) {
                    int k = slot;
                    if (slotType[slot].equals(caller)) {
                        assertArrayEquals(new long[0], f.call(k), "as_" + caller + "(" + k + ")");
                    } else {
                        Trap t = assertThrows(Trap.class, () -> f.call(k), "as_" + caller + "(" + k + ") must trap");
                        assertEquals(TrapCode.BAD_SIG, t.code(), "as_" + caller + "(" + k + ")");
                    }
                }
                assertEquals(TrapCode.NULL_REFERENCE, assertThrows(Trap.class, () -> f.call(6)).code());
                assertEquals(TrapCode.TABLE_OOB, assertThrows(Trap.class, () -> f.call(8)).code());
            }
        }
    }

    @Test
    void typesAreComparedByStructureAcrossModules() {
        try (Store s = new Store(engine)) {
            Instance a = instantiateCallee(s);
            Instance b = new Linker(engine).defineInstance("a", a).instantiate(s, client);
            WasmFunction asFunc = b.function("as_func"), asExt = b.function("as_ext");
            assertArrayEquals(new long[0], asFunc.call(0));
            assertArrayEquals(new long[0], asExt.call(1));
            assertArrayEquals(new long[0], asExt.call(5), "the host function's record carries its type too");
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> asFunc.call(1)).code());
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> asFunc.call(5)).code());
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> asExt.call(0)).code());
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> asExt.call(2)).code());
            assertArrayEquals(new long[0], b.function("own_as_func").call(), "an imported wasm function's copied record");
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> b.function("own_as_ext").call()).code());
            // references moved by the host keep their record's type: the host import's record and
            // an exported function's record, each put into slot 7 from Java
            WasmTable table = a.table("table");
            table.set(7, table.get(5));
            assertArrayEquals(new long[0], asExt.call(7));
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> asFunc.call(7)).code());
            table.set(7, a.function("takes_func").funcRef());
            assertArrayEquals(new long[0], asFunc.call(7));
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> asExt.call(7)).code());
        }
    }

    private static Instance instantiateCallee(Store s) {
        return new Linker(engine).defineFunction("host", "ext_sink", EXT_SINK, (c, args) -> new long[0])
                .instantiate(s, callee);
    }
}
