package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.runtime.ResourceBudget;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Use after close and closing under running code: every use of a closed store, module or engine
 * is an IllegalStateException; a module's code outlives its close while a store uses it; a store
 * closed while its guests run (on other threads, or from inside one of its own host functions)
 * frees nothing until they have returned. Without these guarantees the tests below touch freed
 * or unmapped memory, i.e. crash the JVM or spin forever (hence the timeouts).
 */
class LifetimeTest {
    static final Duration LIMIT = Duration.ofSeconds(60);

    /**
     * Joins {@code t} even if this thread's interrupt status is set (in a full-suite run something
     * outside these tests once interrupted the JUnit timeout thread; the join must still happen
     * before the assertions), restoring the status afterwards.
     */
    static void join(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Test
    void aClosedStoreRefusesEverything() throws Throwable {
        try (Engine engine = new Engine(); Module m = Module.compile(engine, Wat.wasm("safety.wat"))) {
            Linker l = SandboxBoundaryTest.linkerFor(engine);
            Store s = new Store(engine);
            Instance inst = l.instantiate(s, m);
            WasmFunction dbl = inst.function("double");
            MethodHandle h = dbl.handle();
            WasmMemory mem = inst.memory("mem");
            MemorySegment seg = mem.segment();
            WasmTable table = inst.table("table");
            WasmGlobal ig = inst.global("ig");
            long handle = s.externRef("x");
            s.interrupt();
            s.clearInterrupt();
            s.close();
            assertThrows(IllegalStateException.class, () -> dbl.call(1));
            assertThrows(IllegalStateException.class, () -> { int r = (int) h.invokeExact(1); });
            assertThrows(IllegalStateException.class, () -> { int r = (int) dbl.handle().invokeExact(1); });
            assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_INT, 0));
            assertThrows(IllegalStateException.class, mem::segment);
            assertThrows(IllegalStateException.class, () -> mem.grow(1));
            assertThrows(IllegalStateException.class, () -> table.get(0));
            assertThrows(IllegalStateException.class, () -> table.set(0, 0));
            assertThrows(IllegalStateException.class, () -> table.grow(1, 0));
            assertThrows(IllegalStateException.class, ig::get);
            assertThrows(IllegalStateException.class, () -> ig.set(1));
            assertThrows(IllegalStateException.class, () -> s.externRef("y"));
            assertThrows(IllegalStateException.class, () -> s.externObject(handle));
            assertThrows(IllegalStateException.class, () -> l.instantiate(s, m));
            assertThrows(IllegalStateException.class, () -> WasmMemory.create(s, new MemoryType(new Limits(1, 1))));
            assertThrows(IllegalStateException.class, () -> WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(1, 1)), 0));
            assertThrows(IllegalStateException.class, () -> WasmGlobal.create(s, new GlobalType(ValType.I32, true), 0));
            s.interrupt(); // no effect, no failure
            assertFalse(s.isInterrupted());
            s.close(); // idempotent
        }
    }

    @Test
    void closedModulesAndEnginesRefuseUse() {
        Engine engine = new Engine();
        byte[] wasm = Wat.wasm("onememory.wat");
        Module m = Module.compile(engine, wasm);
        try (Store s = new Store(engine)) {
            new Linker(engine).instantiate(s, m);
            engine.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Linker(engine).instantiate(s, m));
            assertTrue(e.getMessage().contains("engine is closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> Module.compile(engine, wasm));
            assertThrows(IllegalStateException.class, () -> new Store(engine));
        }
        m.close();
        assertTrue(m.isCodeFreed(), "no store uses it any more");
    }

    /**
     * A module closed while another instance in a live store imports its function and shares its
     * table keeps its code until the store closes: those paths go on working (they would jump
     * into freed code otherwise), while calls from Java to the closed module's own exports and new
     * instantiations are refused.
     */
    @Test
    void aStoreKeepsTheCodeOfModulesItInstantiated() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Engine engine = new Engine()) {
                Module a = Module.compile(engine, Wat.wasm("safety.wat"));
                Module client = Module.compile(engine, Wat.wasm("client.wat"));
                Linker l = SandboxBoundaryTest.linkerFor(engine);
                {
                    Store s = new Store(engine);
                    Instance ia = l.instantiate(s, a);
                    ia.table("table").set(2, ia.function("double").funcRef());
                    Instance ic = new Linker(engine).defineInstance("a", ia).instantiate(s, client);
                    a.close();
                    assertFalse(a.isCodeFreed(), "the store still uses the code");
                    for (int i = 0; i < 1000; i++) {
                        assertArrayEquals(new long[] {2L * i}, ic.function("viaImport").call(i));
                        assertArrayEquals(new long[] {2L * i + 2}, ic.function("viaTable").call(2, i + 1));
                    }
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ia.function("double").call(1));
                    assertTrue(e.getMessage().contains("module is closed"), e.getMessage());
                    assertThrows(IllegalStateException.class, () -> l.instantiate(s, a));
                    client.close();
                    assertThrows(IllegalStateException.class, () -> ic.function("viaImport").call(1));
                    assertFalse(client.isCodeFreed());
                    s.close();
                    assertTrue(a.isCodeFreed(), "freed with the last store that used it");
                    assertTrue(client.isCodeFreed());
                }
            }
        });
    }

    /**
     * Store.close from another thread while a guest spins writing to its memory: close interrupts
     * the guest, waits for it to leave, and only then unmaps (the guest would otherwise write to
     * unmapped memory, or, reading a freed interrupt flag, never stop).
     */
    @Test
    void closeInterruptsRunningGuestsAndWaitsForThem() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Engine engine = new Engine(); Module m = Module.compile(engine, Wat.wasm("safety.wat"))) {
                for (int round = 0; round < 5; round++) {
                    CountDownLatch started = new CountDownLatch(3);
                    Linker l = SandboxBoundaryTest.linkerFor(engine)
                            .defineFunction("env", "started", new FuncType(new byte[0], new byte[0]), (c, a) -> {
                                started.countDown();
                                return new long[0];
                            });
                    long[] budgetBefore = ResourceBudget.usage();
                    Store s = new Store(engine);
                    Instance inst = l.instantiate(s, m);
                    WasmMemory mem = inst.memory("mem");
                    List<Thread> threads = new ArrayList<>();
                    List<Throwable> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
                    for (int t = 0; t < 3; t++) {
                        Thread th = new Thread(() -> {
                            try {
                                inst.function("spin").call();
                                outcomes.add(new AssertionError("spin returned"));
                            } catch (Throwable x) {
                                outcomes.add(x);
                            }
                        });
                        th.start();
                        threads.add(th);
                    }
                    started.await();
                    while (mem.segment().get(ValueLayout.JAVA_INT, 0) < 1000) Thread.onSpinWait();
                    s.close(); // returns only once the spinning guests have left and everything is freed
                    assertArrayEquals(budgetBefore, ResourceBudget.usage(), "close returned before the memory was freed");
                    for (Thread th : threads) join(th);
                    assertEquals(3, outcomes.size());
                    for (Throwable x : outcomes) {
                        assertTrue(x instanceof Trap t && t.code() == TrapCode.INTERRUPT, "guest ended with " + x);
                    }
                    assertThrows(IllegalStateException.class, mem::segment);
                }
            }
        });
    }

    /**
     * Close from inside a host function of the store's own guest cannot wait for its caller: it
     * returns, everything else is refused from then on, the guest goes on with its memory intact,
     * and the store is freed when the call returns to Java.
     */
    @Test
    void closeFromInsideAHostFunctionFreesWhenTheCallReturns() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Engine engine = new Engine(); Module m = Module.compile(engine, Wat.wasm("safety.wat"))) {
                AtomicReference<Throwable> inside = new AtomicReference<>();
                Linker l = SandboxBoundaryTest.linkerFor(engine)
                        .defineFunction("env", "closeMe", new FuncType(new byte[0], new byte[0]), (c, a) -> {
                            c.store().close();
                            try {
                                c.global("ig").get();
                            } catch (Throwable t) {
                                inside.set(t);
                            }
                            return new long[0];
                        });
                for (int i = 0; i < 20; i++) {
                    Store s = new Store(engine);
                    Instance inst = l.instantiate(s, m);
                    WasmMemory mem = inst.memory("mem");
                    assertArrayEquals(new long[] {77}, inst.function("closeInside").call(), "the guest still had its memory");
                    assertTrue(inside.get() instanceof IllegalStateException, "API use after close inside: " + inside.get());
                    assertThrows(IllegalStateException.class, mem::segment);
                    assertThrows(IllegalStateException.class, () -> inst.function("double").call(1));
                }
            }
        });
    }

    /**
     * Threads calling into a store while another closes it: each call returns the right result,
     * or is refused (IllegalStateException) or interrupted (Trap), never anything else; once close
     * returns, nothing runs.
     */
    @Test
    void callsRacingWithCloseNeverTouchFreedMemory() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Engine engine = new Engine(); Module m = Module.compile(engine, Wat.wasm("safety.wat"))) {
                Linker l = SandboxBoundaryTest.linkerFor(engine);
                for (int round = 0; round < 30; round++) {
                    Store s = new Store(engine);
                    Instance inst = l.instantiate(s, m);
                    WasmFunction add = inst.function("add");
                    WasmGlobal ig = inst.global("ig");
                    AtomicInteger ok = new AtomicInteger(), refused = new AtomicInteger();
                    AtomicReference<Throwable> wrong = new AtomicReference<>();
                    CountDownLatch go = new CountDownLatch(1);
                    Thread[] threads = new Thread[3];
                    for (int t = 0; t < threads.length; t++) {
                        int base = t * 1000;
                        threads[t] = new Thread(() -> {
                            try {
                                go.await();
                                for (int k = 0; ; k++) {
                                    long[] r;
                                    try {
                                        r = add.call(base, k);
                                    } catch (Trap trap) {
                                        if (trap.code() != TrapCode.INTERRUPT) throw trap;
                                        continue; // closing: the next call is refused
                                    }
                                    if (r[0] != base + k) throw new AssertionError(base + " + " + k + " = " + r[0]);
                                    ig.set(k);
                                    ok.incrementAndGet();
                                }
                            } catch (IllegalStateException e) {
                                refused.incrementAndGet();
                            } catch (Throwable e) {
                                wrong.compareAndSet(null, e);
                            }
                        });
                        threads[t].start();
                    }
                    go.countDown();
                    while (ok.get() < 100 * (round % 5 + 1) && wrong.get() == null) Thread.onSpinWait();
                    s.close();
                    for (Thread th : threads) join(th);
                    assertNull(wrong.get(), "a call failed otherwise than refused");
                    assertEquals(threads.length, refused.get());
                }
            }
        });
    }
}
