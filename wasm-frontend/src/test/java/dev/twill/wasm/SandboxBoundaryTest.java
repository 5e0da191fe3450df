package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Misuse of the public API at the sandbox boundary is a Java exception before anything reaches
 * wasm: references a host hands in must be this store's (a made-up funcref would be jumped to by
 * {@code call_indirect}: without the checks these tests would crash the JVM, not fail), and
 * 32-bit values must fit in 32 bits. Module: safety.wat. Every bad value is checked to leave the
 * state as it was, and the good values next to it to still work.
 */
class SandboxBoundaryTest {
    static final byte[] NONE = {};
    static Engine engine;
    static Module safety;
    /** What the host function env.give returns (a funcref), env.giveExtern (an externref), env.give32 (an i32). */
    static final AtomicLong GIVE = new AtomicLong(), GIVE_EXTERN = new AtomicLong(), GIVE_32 = new AtomicLong();

    @BeforeAll
    static void compile() {
        engine = new Engine();
        safety = Module.compile(engine, Wat.wasm("safety.wat"));
    }

    @AfterAll
    static void close() {
        if (safety != null) safety.close();
        engine.close();
    }

    static Linker linker() {
        return linkerFor(engine);
    }

    /** Defines safety.wat's imports; env.give, giveExtern and give32 return what {@link #GIVE} etc. hold. */
    static Linker linkerFor(Engine engine) {
        return new Linker(engine)
                .defineFunction("env", "give", new FuncType(NONE, new byte[] {ValType.FUNCREF}), (c, a) -> new long[] {GIVE.get()})
                .defineFunction("env", "giveExtern", new FuncType(NONE, new byte[] {ValType.EXTERNREF}),
                        (c, a) -> new long[] {GIVE_EXTERN.get()})
                .defineFunction("env", "give32", new FuncType(NONE, new byte[] {ValType.I32}), (c, a) -> new long[] {GIVE_32.get()})
                .defineFunction("env", "started", new FuncType(NONE, NONE), (c, a) -> NONE_RESULTS)
                .defineFunction("env", "closeMe", new FuncType(NONE, NONE), (c, a) -> {
                    c.store().close();
                    return NONE_RESULTS;
                });
    }

    static final long[] NONE_RESULTS = {};

    static Instance instantiate(Store s) {
        return linker().instantiate(s, safety);
    }

    /** Addresses that are no FuncRef record of the store: made up, inside a record, another store's. */
    static long[] badFuncRefs(Instance inst, Instance other) {
        long good = inst.function("double").funcRef();
        return new long[] {1, 0x1234_5678L, -8, good + 8, good + 1, other.function("double").funcRef()};
    }

    @Test
    void funcrefsFromJavaMustBeFunctionsOfTheStore() throws Throwable {
        try (Store s = new Store(engine); Store s2 = new Store(engine)) {
            Instance inst = instantiate(s), other = instantiate(s2);
            WasmTable table = inst.table("table");
            WasmGlobal fg = inst.global("fg");
            WasmFunction callRef = inst.function("callRef"), callSlot = inst.function("callSlot");
            WasmFunction callGlobal = inst.function("callGlobal"), callFromHost = inst.function("callFromHost");
            long good = inst.function("double").funcRef();
            for (long bad : badFuncRefs(inst, other)) {
                String what = "funcref 0x" + Long.toHexString(bad);
                assertThrows(IllegalArgumentException.class, () -> table.set(3, bad), what);
                assertEquals(0, table.get(3), what);
                assertThrows(IllegalArgumentException.class, () -> table.grow(1, bad), what);
                assertEquals(4, table.size(), what + ": a refused grow grows nothing");
                assertThrows(IllegalArgumentException.class, () -> fg.set(bad), what);
                assertEquals(0, fg.get(), what);
                assertThrows(IllegalArgumentException.class, () -> callRef.call(bad, 5), what);
                MethodHandle h = callRef.handle();
                assertThrows(IllegalArgumentException.class, () -> { int r = (int) h.invokeExact(bad, 5); }, what);
                assertEquals(0, table.get(0), what + ": the function did not run");
                assertThrows(IllegalArgumentException.class,
                        () -> WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(1, 1)), bad), what);
                assertThrows(IllegalArgumentException.class,
                        () -> WasmGlobal.create(s, new GlobalType(ValType.FUNCREF, true), bad), what);
                GIVE.set(bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> callFromHost.call(5), what);
                assertTrue(e.getMessage().contains("\"env\" \"give\" result 0"), e.getMessage());
                assertEquals(0, table.get(1), what + ": the host's result never reached the table");
            }
            // the store's own funcrefs, and null, pass everywhere
            table.set(3, good);
            assertArrayEquals(new long[] {42}, callSlot.call(3, 21));
            assertEquals(4, table.grow(1, good));
            assertArrayEquals(new long[] {14}, callSlot.call(4, 7));
            fg.set(good);
            assertArrayEquals(new long[] {18}, callGlobal.call(9));
            assertArrayEquals(new long[] {10}, callRef.call(good, 5));
            assertEquals(42, (int) callRef.handle().invokeExact(good, 21));
            GIVE.set(good);
            assertArrayEquals(new long[] {6}, callFromHost.call(3));
            WasmTable created = WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(2, 2)), good);
            assertEquals(good, created.get(1));
            assertEquals(good, WasmGlobal.create(s, new GlobalType(ValType.FUNCREF, false), good).get());
            table.set(3, 0);
            Trap t = assertThrows(Trap.class, () -> callSlot.call(3, 1));
            assertEquals(TrapCode.NULL_REFERENCE, t.code());
        }
    }

    @Test
    void externrefsMustBeHandlesOfTheStore() throws Throwable {
        try (Store s = new Store(engine); Store s2 = new Store(engine)) {
            Instance inst = instantiate(s);
            Object o = new Object();
            long h = s.externRef(o), foreign = s2.externRef(o);
            assertTrue(h != foreign, "handles are per store");
            WasmFunction pass = inst.function("passExtern");
            assertArrayEquals(new long[] {h}, pass.call(h));
            assertSame(o, s.externObject(pass.call(h)[0]));
            assertArrayEquals(new long[] {0}, pass.call(0));
            WasmTable xt = inst.table("xtable");
            WasmGlobal xg = inst.global("xg");
            for (long bad : new long[] {1, 2, 5, -1, foreign, h + 1, h ^ (1L << 40)}) {
                String what = "externref " + bad;
                assertThrows(IllegalArgumentException.class, () -> pass.call(bad), what);
                assertThrows(IllegalArgumentException.class, () -> { long r = (long) pass.handle().invokeExact(bad); }, what);
                assertThrows(IllegalArgumentException.class, () -> xt.set(0, bad), what);
                assertThrows(IllegalArgumentException.class, () -> xt.grow(1, bad), what);
                assertThrows(IllegalArgumentException.class, () -> xg.set(bad), what);
                assertThrows(IllegalArgumentException.class, () -> s.externObject(bad), what);
                assertThrows(IllegalArgumentException.class,
                        () -> WasmGlobal.create(s, new GlobalType(ValType.EXTERNREF, true), bad), what);
                assertThrows(IllegalArgumentException.class,
                        () -> WasmTable.create(s, new TableType(ValType.EXTERNREF, new Limits(1, 1)), bad), what);
                GIVE_EXTERN.set(bad);
                assertThrows(IllegalArgumentException.class, () -> inst.function("hostExtern").call(), what);
            }
            assertEquals(0, xt.get(0));
            assertEquals(2, xt.size());
            assertEquals(0, xg.get());
            xt.set(1, h);
            xg.set(h);
            assertEquals(h, xg.get());
            GIVE_EXTERN.set(h);
            assertArrayEquals(new long[] {h}, inst.function("hostExtern").call());
            assertSame(o, s2.externObject(foreign));
        }
    }

    /**
     * Types a host makes up: limits with the minimum above the maximum (a memory would commit past
     * its reservation, over whatever lies there), negative sizes (a table would grow and fill
     * before its block), element and value types that do not exist. Refused before anything is
     * allocated.
     */
    @Test
    void madeUpTypesAreRefused() {
        try (Store s = new Store(engine)) {
            long[] before = dev.twill.wasm.runtime.ResourceBudget.usage();
            for (Limits bad : new Limits[] {new Limits(10, 1), new Limits(-1, -1), new Limits(1, -2), new Limits(70_000, -1)}) {
                assertThrows(IllegalArgumentException.class, () -> WasmMemory.create(s, new MemoryType(bad)), bad.toString());
            }
            for (Limits bad : new Limits[] {new Limits(10, 1), new Limits(-5, -1), new Limits(0, -7), new Limits(0, 1L << 32)}) {
                assertThrows(IllegalArgumentException.class,
                        () -> WasmTable.create(s, new TableType(ValType.FUNCREF, bad), 0), bad.toString());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> WasmTable.create(s, new TableType(ValType.I64, new Limits(1, 1)), 0));
            assertThrows(IllegalArgumentException.class, () -> WasmGlobal.create(s, new GlobalType((byte) 0x7B, true), 0));
            assertThrows(IllegalArgumentException.class, () -> WasmGlobal.create(s, new GlobalType((byte) 0x12, true), 0));
            assertArrayEquals(before, dev.twill.wasm.runtime.ResourceBudget.usage(), "nothing was allocated");
            WasmMemory ok = WasmMemory.create(s, new MemoryType(new Limits(1, 1)));
            assertEquals(-1, ok.grow(1));
        }
    }

    /** i32 and f32 values from Java are 32-bit values sign- or zero-extended; others are refused, not cut. */
    @Test
    void thirtyTwoBitValuesMustFit() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            WasmFunction id32 = inst.function("id32"), idf32 = inst.function("idf32"), add = inst.function("add");
            assertArrayEquals(new long[] {-1}, id32.call(-1));
            assertArrayEquals(new long[] {-1}, id32.call(0xFFFF_FFFFL), "zero-extended is the same i32");
            assertArrayEquals(new long[] {Integer.MIN_VALUE}, id32.call(0x8000_0000L));
            assertArrayEquals(new long[] {Integer.MIN_VALUE}, id32.call(Integer.MIN_VALUE));
            for (long bad : new long[] {0x1_0000_0000L, 0x1_0000_0005L, Long.MIN_VALUE, Long.MAX_VALUE, -0x8000_0001L}) {
                assertThrows(IllegalArgumentException.class, () -> id32.call(bad), Long.toHexString(bad));
                assertThrows(IllegalArgumentException.class, () -> add.call(1, bad), Long.toHexString(bad));
                assertThrows(IllegalArgumentException.class, () -> inst.global("ig").set(bad), Long.toHexString(bad));
                assertThrows(IllegalArgumentException.class, () -> inst.global("f32g").set(bad), Long.toHexString(bad));
                assertThrows(IllegalArgumentException.class,
                        () -> WasmGlobal.create(s, new GlobalType(ValType.I32, false), bad), Long.toHexString(bad));
                GIVE_32.set(bad);
                assertThrows(IllegalArgumentException.class, () -> inst.function("host32").call(), Long.toHexString(bad));
            }
            assertEquals(0, inst.global("ig").get());
            long minusOneAndHalf = Float.floatToRawIntBits(-1.5f); // sign-extended: 0xFFFFFFFF_BFC00000
            long zeroExtended = minusOneAndHalf & 0xFFFF_FFFFL;
            assertArrayEquals(new long[] {zeroExtended}, idf32.call(minusOneAndHalf));
            assertArrayEquals(new long[] {zeroExtended}, idf32.call(zeroExtended));
            assertThrows(IllegalArgumentException.class, () -> idf32.call(zeroExtended | (1L << 32)));
            inst.global("ig").set(0xFFFF_FFFEL);
            assertEquals(-2, inst.global("ig").get());
            GIVE_32.set(0xFFFF_FFFDL);
            assertArrayEquals(new long[] {-3}, inst.function("host32").call());
            assertArrayEquals(new long[] {Integer.MIN_VALUE}, add.call(Integer.MAX_VALUE, 1), "wasm arithmetic still wraps");
        }
    }
}
