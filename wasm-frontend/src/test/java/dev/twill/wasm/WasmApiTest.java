package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import dev.twill.ir.TrapCode;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.ValType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public API end to end on modules written in WAT (test resources), decoded, validated,
 * translated and compiled by the real pipeline. Function indices in api.wat (for {@code
 * func[i]} names): imports pair 0, boom 1; then add 2 ... div 20 in order of appearance.
 */
class WasmApiTest {
    static final FuncType PAIR = new FuncType(new byte[] {ValType.I32}, new byte[] {ValType.I32, ValType.I64});
    static final FuncType BOOM = new FuncType(new byte[] {ValType.I32}, new byte[] {ValType.I32});
    static Engine engine;
    static Module api;

    static final class Boom extends RuntimeException {
        Boom(String m) {
            super(m);
        }
    }

    static final AtomicReference<Boom> THROWN = new AtomicReference<>();

    @BeforeAll
    static void compile() {
        engine = new Engine(new EngineConfig().threads(2));
        api = Module.compile(engine, Wat.wasm("api.wat"));
    }

    @AfterAll
    static void close() {
        if (api != null) api.close();
        engine.close();
    }

    static Instance instantiate(Store s) {
        return linker(s).instantiate(s, api);
    }

    static Linker linker(Store s) {
        return new Linker(engine)
                .defineFunction("env", "pair", PAIR, (c, a) -> new long[] {(int) a[0] * 3, a[0] << 33})
                .defineFunction("env", "boom", BOOM, (c, a) -> {
                    if (a[0] == 13) {
                        THROWN.set(new Boom("unlucky " + a[0]));
                        throw THROWN.get();
                    }
                    return new long[] {a[0] + 100};
                })
                .define("env", "shared", WasmGlobal.create(s, new GlobalType(ValType.I32, true), 1));
    }

    @Test
    void exportsCallAndHandle() throws Throwable {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            assertEquals(22, api.exports().size());
            assertEquals(3, api.imports().size());
            assertArrayEquals(new long[] {-2}, inst.function("add").call(-1, -1));
            long fac = 1;
            for (int k = 2; k <= 20; k++) fac *= k;
            assertArrayEquals(new long[] {fac}, inst.function("fac").call(20));
            MethodHandle add = inst.function("add").handle();
            assertEquals(Integer.MIN_VALUE, (int) add.invokeExact(Integer.MAX_VALUE, 1));
            MethodHandle facH = inst.function("fac").handle();
            assertEquals(fac, (long) facH.invokeExact(20L));
        }
    }

    @Test
    void hostImportsWithSeveralResults() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            for (int x : new int[] {0, 7, -7, 1 << 29}) {
                long expected = (long) (x * 3) + ((long) x << 33);
                assertArrayEquals(new long[] {expected}, inst.function("use_pair").call(x), "x = " + x);
            }
        }
    }

    @Test
    void hostExceptionReachesTheCallerUnchanged() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            WasmFunction f = inst.function("call_boom");
            assertArrayEquals(new long[] {5 + 100 + 1}, f.call(5));
            Boom e = assertThrows(Boom.class, () -> f.call(13));
            assertSame(THROWN.get(), e);
            assertArrayEquals(new long[] {6 + 100 + 1}, f.call(6));
        }
    }

    /** The back end's unwind check after host calls (from branch x64run): compiled code must not go on. */
    @Test
    void compiledCodeStopsWhenAHostFunctionThrows() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            Boom e = assertThrows(Boom.class, () -> inst.function("boom_then_store").call(13));
            assertSame(THROWN.get(), e);
            assertEquals(0, inst.memory("mem").segment().get(ValueLayout.JAVA_INT, 0), "the store after the call did not run");
            inst.function("boom_then_store").call(1);
            assertEquals(77, inst.memory("mem").segment().get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void memoryGrowKeepsTheBaseAndDataSegmentsAreApplied() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            WasmMemory mem = inst.memory("mem");
            long base = mem.segment().address();
            assertArrayEquals(new long[] {0x04030201}, inst.function("load").call(16));
            assertArrayEquals(new long[] {1}, inst.function("grow").call(2));
            assertArrayEquals(new long[] {3}, inst.function("size").call());
            assertEquals(base, mem.segment().address());
            inst.function("store").call(3 * 65536 - 4, 0xCAFE);
            assertEquals(0xCAFE, mem.segment().get(ValueLayout.JAVA_INT, 3 * 65536 - 4));
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load").call(3 * 65536 - 3)).code());
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(2));
            assertEquals(3, mem.grow(1));
            assertArrayEquals(new long[] {4}, inst.function("size").call());
            inst.function("fill").call(100, 0x5A, 3);
            assertEquals(0x5A5A5A, mem.segment().get(ValueLayout.JAVA_INT, 100) & 0xFFFFFF);
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("fill").call(4 * 65536 - 1, 1, 2)).code());
        }
    }

    @Test
    void tablesAndCallIndirect() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            WasmFunction dispatch = inst.function("dispatch");
            assertArrayEquals(new long[] {14}, dispatch.call(1, 7));
            assertArrayEquals(new long[] {-7}, dispatch.call(2, 7));
            assertEquals(4, inst.table("table").size());
            assertEquals(TrapCode.NULL_REFERENCE, assertThrows(Trap.class, () -> dispatch.call(0, 7)).code());
            assertEquals(TrapCode.TABLE_OOB, assertThrows(Trap.class, () -> dispatch.call(4, 7)).code());
            inst.function("set_nullary").call();
            assertTrue(inst.table("table").get(3) != 0);
            assertEquals(TrapCode.BAD_SIG, assertThrows(Trap.class, () -> dispatch.call(3, 7)).code());
            assertEquals(4, inst.table("table").grow(1, inst.table("table").get(1)));
            assertArrayEquals(new long[] {22}, dispatch.call(4, 11), "a grown table is seen by compiled code");
        }
    }

    @Test
    void globalsSharedBetweenInstances() {
        try (Store s = new Store(engine)) {
            Linker l = linker(s);
            Instance a = l.instantiate(s, api), b = l.instantiate(s, api);
            assertArrayEquals(new long[] {11}, a.function("bump_shared").call());
            assertArrayEquals(new long[] {21}, b.function("bump_shared").call());
            assertArrayEquals(new long[] {6}, a.function("bump").call());
            assertArrayEquals(new long[] {6}, b.function("bump").call(), "defined globals are per instance");
            assertEquals(6, a.global("counter").get());
            a.global("counter").set(-100);
            assertArrayEquals(new long[] {-99}, a.function("bump").call());
        }
    }

    @Test
    void trapsNameTheWasmFunction() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            Trap t = assertThrows(Trap.class, () -> inst.function("explode").call());
            assertEquals(TrapCode.UNREACHABLE, t.code());
            assertEquals("explode", t.function());
            assertEquals("explode", assertThrows(Trap.class, () -> inst.function("explode_deep").call()).function());
            Trap d = assertThrows(Trap.class, () -> inst.function("div").call(1, 0));
            assertEquals(TrapCode.INT_DIVZ, d.code());
            assertEquals("func[20]", d.function());
            assertEquals(TrapCode.INT_OVF, assertThrows(Trap.class, () -> inst.function("div").call(Integer.MIN_VALUE, -1)).code());
        }
    }

    @Test
    void unboundedRecursionIsAStackOverflowTrap() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            for (int i = 0; i < 3; i++) {
                Trap t = assertThrows(Trap.class, () -> inst.function("recurse").call(0));
                assertEquals(TrapCode.STK_OVF, t.code());
                assertEquals("recurse", t.function());
            }
            assertArrayEquals(new long[] {3}, inst.function("add").call(1, 2));
        }
    }

    @Test
    void interruptStopsAnInfiniteLoopFromAnotherThread() throws Exception {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    inst.function("spin").call(0);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            runner.start();
            Thread.sleep(100);
            assertTrue(runner.isAlive());
            long t0 = System.nanoTime();
            s.interrupt();
            runner.join(5_000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(!runner.isAlive() && ms < 1_000, "stopped after " + ms + " ms");
            Trap t = (Trap) outcome.get();
            assertEquals(TrapCode.INTERRUPT, t.code());
            s.clearInterrupt();
            assertArrayEquals(new long[] {3}, inst.function("add").call(1, 2));
        }
    }

    @Test
    void linkErrors() {
        try (Store s = new Store(engine)) {
            LinkError unknown = assertThrows(LinkError.class, () -> new Linker(engine).instantiate(s, api));
            assertTrue(unknown.getMessage().startsWith("unknown import: \"env\" \"pair\""), unknown.getMessage());
            Linker l = linker(s).defineFunction("env", "boom", PAIR, (c, a) -> new long[2]);
            LinkError mismatch = assertThrows(LinkError.class, () -> l.instantiate(s, api));
            assertTrue(mismatch.getMessage().contains("incompatible import type") && mismatch.getMessage().contains("function type mismatch"),
                    mismatch.getMessage());
        }
    }

    @Test
    void segmentsApplyInOrderAndATrapKeepsEarlierWrites() {
        try (Module m = Module.compile(engine, Wat.wasm("segfail.wat")); Store s = new Store(engine)) {
            WasmMemory mem = WasmMemory.create(s, new MemoryType(new Limits(1, -1)));
            Trap t = assertThrows(Trap.class, () -> new Linker(engine).define("env", "mem", mem).instantiate(s, m));
            assertEquals(TrapCode.HEAP_OOB, t.code());
            MemorySegment seg = mem.segment();
            assertEquals((byte) 0xBB, seg.get(ValueLayout.JAVA_BYTE, 101));
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 65535));
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 200));
        }
    }

    @Test
    void badModulesAreCompileErrors() {
        assertThrows(CompileError.class, () -> Module.compile(engine, new byte[] {0, 'a', 's', 'm', 2, 0, 0, 0}));
    }

    @Test
    void tenThousandStoresDoNotGrowMappedMemory() throws Exception {
        for (int i = 0; i < 300; i++) cycle();
        long before = vmSizeKb();
        for (int i = 0; i < 10_000; i++) cycle();
        long after = vmSizeKb();
        assertTrue(after - before < 512 * 1024, "VmSize " + before + " kB -> " + after + " kB");
    }

    private static void cycle() {
        try (Store s = new Store(engine)) {
            Instance inst = instantiate(s);
            inst.function("grow").call(1);
            inst.function("bump").call();
        }
    }

    private static long vmSizeKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) return Long.parseLong(line.substring(7).trim().split("\\s+")[0]);
        }
        throw new IllegalStateException();
    }
}
