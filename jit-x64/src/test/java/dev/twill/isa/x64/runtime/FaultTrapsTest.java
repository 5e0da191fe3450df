package dev.twill.isa.x64.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.runtime.FaultTraps;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.NativeMemory;
import dev.twill.runtime.Trap;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults of compiled code in a registered guard region become heap_oob traps ({@link
 * FaultTraps}); every other SIGSEGV still reaches the JVM's handler. The region: one committed
 * page, then inaccessible reserved pages; expected values are what Java wrote into the page.
 */
class FaultTrapsTest {
    private static final String IR = """
            function %load32(i64) -> i32 {
            block0(v0: i64):
                v1 = load.i32 v0
                return v1
            }
            function %load64_folded(i64, i64) -> i64 {
            block0(v0: i64, v1: i64):
                v2 = load.i64 v0+8
                v3 = iadd v1, v2
                return v3
            }
            function %store64(i64, i64) {
            block0(v0: i64, v1: i64):
                store v1, v0
                return
            }
            """;
    private static final long PAGE = NativeMemory.PAGE_SIZE;
    private static final long RESERVED = 4 * PAGE;
    private static long base;
    private static MemorySegment page;

    @BeforeAll
    static void reserve() {
        assertTrue(FaultTraps.available(), () -> "guard regions unavailable: " + FaultTraps.unavailableReason());
        base = NativeMemory.reserve(RESERVED);
        NativeMemory.commit(base, PAGE);
        page = MemorySegment.ofAddress(base).reinterpret(PAGE);
        FaultTraps.addGuard(base, RESERVED);
    }

    @AfterAll
    static void release() {
        FaultTraps.removeGuard(base);
        NativeMemory.release(base, RESERVED);
    }

    private static JitModule compile(String opt) {
        JitModule m = new JitModule();
        X64Isa isa = new X64Isa();
        List<CompiledCode> codes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (TestFunction tf : Parser.parseFile(IR, "faults").functions()) {
            Function f = tf.function();
            new Legalizer().legalize(f);
            m.declareFunction(f.name, f.signature);
            CompiledCode c = isa.compile(f, new TargetIsa.Settings(opt));
            // a load or store that may fault needs the trap context: never a bare direct call
            assertFalse(c.selfContained(), f.name);
            codes.add(c);
            names.add(f.name);
        }
        for (int k = 0; k < codes.size(); k++) m.defineFunction(names.get(k), codes.get(k));
        m.finalizeDefinitions();
        return m;
    }

    private static void assertHeapOob(Executable e) {
        Trap t = assertThrows(Trap.class, e::run);
        assertEquals("heap_oob", t.codeName());
    }

    @FunctionalInterface
    private interface Executable {
        void run() throws Throwable;
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void faultsInTheGuardRegionTrapAndTheCodeGoesOn(String opt) throws Throwable {
        page.set(ValueLayout.JAVA_INT, 16, 0x1234_5678);
        page.set(ValueLayout.JAVA_LONG, PAGE - 8, 0x0102_0304_0506_0708L);
        try (JitModule m = compile(opt)) {
            MethodHandle load32 = m.handle("%load32"), folded = m.handle("%load64_folded"), store = m.handle("%store64");
            assertEquals(0x1234_5678, (int) load32.invokeExact(base + 16));
            assertHeapOob(() -> {
                int unused = (int) load32.invokeExact(base + PAGE);
            });
            assertHeapOob(() -> {
                int unused = (int) load32.invokeExact(base + RESERVED - 4);
            });
            // the load folded into the add faults at the add
            assertEquals(0x0102_0304_0506_0708L + 5, (long) folded.invokeExact(base + PAGE - 16, 5L));
            assertHeapOob(() -> {
                long unused = (long) folded.invokeExact(base + PAGE - 4, 5L);
            });
            // a store across the end of the committed page writes nothing (x86 checks every page
            // an access touches before it changes memory)
            assertHeapOob(() -> {
                store.invokeExact(base + PAGE - 4, -1L);
            });
            assertEquals(0x0102_0304_0506_0708L, page.get(ValueLayout.JAVA_LONG, PAGE - 8));
            store.invokeExact(base + PAGE - 8, 42L);
            assertEquals(42L, page.get(ValueLayout.JAVA_LONG, PAGE - 8));
            // after all those traps, calls still return normally
            assertEquals(0x1234_5678, (int) load32.invokeExact(base + 16));
        }
    }

    /**
     * Threads trap at the same time as another thread keeps changing the tables (registering and
     * unregistering code ranges and guard regions): the reader count must keep every table a
     * handler reads alive, and no trap may be lost or mistaken for a JVM fault (which would
     * crash this JVM).
     */
    @Test
    void trapsWhileTheTablesChange() throws Throwable {
        try (JitModule m = compile("speed")) {
            MethodHandle load32 = m.handle("%load32");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread churn = new Thread(() -> {
                long spare = NativeMemory.reserve(PAGE);
                try {
                    while (!stop.get()) {
                        FaultTraps.addGuard(spare, PAGE);
                        FaultTraps.addCode(spare + 1, 1);
                        FaultTraps.removeCode(spare + 1);
                        FaultTraps.removeGuard(spare);
                    }
                } finally {
                    NativeMemory.release(spare, PAGE);
                }
            });
            churn.start();
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread caller = new Thread(() -> {
                    try {
                        for (int k = 0; k < 20_000; k++) {
                            try {
                                int unused = (int) load32.invokeExact(base + PAGE + 4 * (k % 100));
                                throw new AssertionError("no trap at iteration " + k);
                            } catch (Trap t2) {
                                if (!t2.codeName().equals("heap_oob")) throw new AssertionError(t2);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                callers.add(caller);
                caller.start();
            }
            for (Thread c : callers) c.join();
            stop.set(true);
            churn.join();
            if (failure.get() != null) throw failure.get();
        }
    }

    /**
     * With Twill's handler in front, the JVM still gets its own faults: implicit null checks of
     * compiled Java code and the safepoint polls of a collection. Were they not chained, this JVM
     * would die here.
     */
    @Test
    void theJvmStillHandlesItsOwnFaults() {
        assertTrue(FaultTraps.available());
        long chainedBefore = FaultTraps.chainedFaults();
        int[][] arrays = new int[64][];
        for (int k = 0; k < arrays.length; k += 2) arrays[k] = new int[k + 1];
        // first no nulls for long enough that C2 compiles length() with an implicit null check
        // (a load from the array header that faults on null), which the first null then hits
        long warm = 0;
        for (int round = 0; round < 300_000; round++) warm += length(arrays[(round & 31) * 2]);
        assertEquals(300_000 / 32 * (32 * 32), warm);
        long npes = 0, sum = 0;
        for (int round = 0; round < 200_000; round++) {
            try {
                sum += length(arrays[round & 63]);
            } catch (NullPointerException e) {
                npes++;
            }
            if (round % 50_000 == 0) System.gc();
        }
        assertEquals(100_000, npes);
        // each of the 64 slots is read 3,125 times; the lengths 1, 3, ..., 63 sum to 32 * 32
        assertEquals(3_125L * (32 * 32), sum);
        assertTrue(FaultTraps.chainedFaults() > chainedBefore, "no SIGSEGV reached the JVM through Twill's handler");
    }

    private static int length(int[] a) {
        return a.length;
    }
}
