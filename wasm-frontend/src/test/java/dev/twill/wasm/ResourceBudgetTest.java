package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.runtime.LinearMemory;
import dev.twill.wasm.runtime.ResourceBudget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Huge declarations and many instances fail with an OutOfMemoryError that names the limit (or a
 * grow that returns -1), and whatever a failed instantiation took goes back when its store
 * closes: the {@link ResourceBudget}'s usage returns to where it was.
 */
class ResourceBudgetTest {
    static Engine engine;
    long[] savedLimits, usageBefore;

    @BeforeAll
    static void engine() {
        engine = new Engine();
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @BeforeEach
    void save() {
        savedLimits = ResourceBudget.limits();
        usageBefore = ResourceBudget.usage();
    }

    @AfterEach
    void restore() {
        ResourceBudget.setLimits(savedLimits[0], savedLimits[1], savedLimits[2]);
        assertArrayEquals(usageBefore, ResourceBudget.usage(), "everything taken was given back");
    }

    /** Default limits: 10,000 live memories at most, so the kernel's 65,530 mappings are never exhausted. */
    @Test
    void theNumberOfLiveMemoriesIsBounded() {
        long max = savedLimits[0] - usageBefore[0];
        try (Store s = new Store(engine)) {
            MemoryType small = new MemoryType(new Limits(0, 1));
            for (long i = 0; i < max; i++) WasmMemory.create(s, small);
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> WasmMemory.create(s, small));
            assertTrue(e.getMessage().contains("twill.wasm.maxMemories"), e.getMessage());
        }
    }

    /** Instances of a module with a memory, until the address-space limit: a clear error, then all freed on close. */
    @Test
    void manyInstancesStopAtTheAddressSpaceLimit() {
        // room for 10 memories of 4 GiB (no maximum), or of 6 GiB with guard pages
        long each = LinearMemory.guarded() ? LinearMemory.GUARDED_RESERVATION : 1L << 32;
        ResourceBudget.setLimits(savedLimits[0], usageBefore[1] + 10 * each, savedLimits[2]);
        try (Module m = Module.compile(engine, Wat.wasm("onememory.wat")); Store s = new Store(engine)) {
            Linker l = new Linker(engine);
            for (int i = 0; i < 10; i++) l.instantiate(s, m);
            for (int i = 0; i < 3; i++) {
                OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> l.instantiate(s, m));
                assertTrue(e.getMessage().contains("twill.wasm.maxReservedBytes"), e.getMessage());
            }
            assertEquals(usageBefore[0] + 10, ResourceBudget.usage()[0]);
        }
    }

    @Test
    void aHugeInitialMemoryIsRefusedPastTheCommittedLimit() {
        ResourceBudget.setLimits(savedLimits[0], savedLimits[1], usageBefore[2] + (1L << 30));
        try (Module m = Module.compile(engine, Wat.wasm("bigmemory.wat")); Store s = new Store(engine)) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> new Linker(engine).instantiate(s, m));
            assertTrue(e.getMessage().contains("twill.wasm.maxCommittedBytes"), e.getMessage());
            assertTrue(e.getMessage().contains("65536 pages"), e.getMessage());
        }
    }

    @Test
    void aHugeTableIsRefusedPastTheCommittedLimit() {
        ResourceBudget.setLimits(savedLimits[0], savedLimits[1], usageBefore[2] + (256L << 20));
        try (Module m = Module.compile(engine, Wat.wasm("bigtable.wat")); Store s = new Store(engine)) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> new Linker(engine).instantiate(s, m));
            assertTrue(e.getMessage().contains("a table of 100000000 elements"), e.getMessage());
            assertThrows(OutOfMemoryError.class,
                    () -> WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(50_000_000, -1)), 0));
        }
    }

    /** memory.grow and table.grow past the committed limit fail as the spec allows (-1), and work again below it. */
    @Test
    void growPastTheCommittedLimitReturnsMinusOne() {
        ResourceBudget.setLimits(savedLimits[0], savedLimits[1], usageBefore[2] + (8L << 20));
        try (Store s = new Store(engine)) {
            WasmMemory mem = WasmMemory.create(s, new MemoryType(new Limits(1, -1)));
            assertEquals(-1, mem.grow(200), "12.5 MiB more is past the limit");
            assertEquals(1, mem.pages());
            assertEquals(1, mem.grow(100));
            assertEquals(101, mem.pages());
            WasmTable t = WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(0, -1)), 0);
            assertEquals(-1, t.grow(2_000_000, 0), "16 MB of elements is past the limit");
            assertEquals(0, t.grow(1000, 0));
        }
    }
}
