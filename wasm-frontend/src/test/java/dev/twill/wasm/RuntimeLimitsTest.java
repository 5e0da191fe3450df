package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.runtime.ReferenceTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Failure paths and resource limits of instantiation and tables. */
class RuntimeLimitsTest {
    static final Engine ENGINE = RuntimeTest.ENGINE;

    /**
     * An instantiation whose start function traps leaves what it allocated to the store (a shared
     * table or memory may already hold its references), and closing the store frees it: 200
     * failed instances each reserve 4 GiB of address space, all of which must go back.
     */
    @Test
    void trappedInstantiationsAreFreedWithTheirStore() throws IOException {
        try (Module m = Module.compile(ENGINE, Wat.wasm("starttrap.wat"))) {
            Linker l = new Linker(ENGINE);
            try (Store warm = new Store(ENGINE)) {
                assertThrows(Trap.class, () -> l.instantiate(warm, m));
            }
            long before = vmSizeKb();
            Store s = new Store(ENGINE);
            for (int i = 0; i < 200; i++) {
                Trap t = assertThrows(Trap.class, () -> l.instantiate(s, m));
                assertEquals(TrapCode.UNREACHABLE, t.code());
            }
            long during = vmSizeKb();
            assertTrue(during - before > 100L * 4 * 1024 * 1024, "the failed instances keep their memory until the store closes");
            s.close();
            long after = vmSizeKb();
            assertTrue(after - before < 512L * 1024, "VmSize " + before + " kB before, " + after + " kB after closing");
        }
    }

    /** A link error is found before anything is allocated: 5,000 of them leave the address space as it was. */
    @Test
    void linkErrorsAllocateNothing() throws IOException {
        try (Module m = Module.compile(ENGINE, Wat.wasm("segfail.wat")); Store s = new Store(ENGINE)) {
            Linker l = new Linker(ENGINE);
            assertThrows(LinkError.class, () -> l.instantiate(s, m));
            long before = vmSizeKb();
            for (int i = 0; i < 5_000; i++) assertThrows(LinkError.class, () -> l.instantiate(s, m));
            assertTrue(vmSizeKb() - before < 64L * 1024, "link errors allocated memory");
        }
    }

    @Test
    void aClosedModuleIsRefusedBeforeAnythingIsAllocated() {
        Module m = Module.compile(ENGINE, Wat.wasm("starttrap.wat"));
        m.close();
        try (Store s = new Store(ENGINE)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Linker(ENGINE).instantiate(s, m));
            assertTrue(e.getMessage().contains("module is closed"), e.getMessage());
        }
    }

    /**
     * table.grow may fail for any reason (WebAssembly 2.0 §4.4.6.7), and must fail rather than
     * allocate and zero-fill gigabytes when a table's declared maximum is huge.
     */
    @Test
    void tablesStopGrowingAtTheImplementationLimitWhateverTheirDeclaredMaximum() {
        try (Store s = new Store(ENGINE)) {
            WasmTable t = WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(0, 0xFFFF_FFFFL)), 0);
            assertEquals(-1, t.grow(ReferenceTable.DEFAULT_MAX + 1, 0));
            assertEquals(-1, t.grow(0x8000_0000L, 0));
            assertEquals(0, t.size());
            assertEquals(0, t.grow(1000, 0));
            assertEquals(1000, t.grow(ReferenceTable.DEFAULT_MAX - 1000, 0), "up to the limit itself");
            assertEquals(-1, t.grow(1, 0));
            assertEquals(0xFFFF_FFFFL, t.type().limits().max(), "import matching still sees the declared maximum");
            WasmTable small = WasmTable.create(s, new TableType(ValType.EXTERNREF, new Limits(1, 3)), 0);
            assertEquals(1, small.grow(2, 0));
            assertEquals(-1, small.grow(1, 0), "a declared maximum below the limit still holds");
            assertThrows(IllegalArgumentException.class,
                    () -> WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(ReferenceTable.MAX_MIN + 1, -1)), 0));
        }
    }

    private static long vmSizeKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) return Long.parseLong(line.substring(7).trim().split("\\s+")[0]);
        }
        throw new IllegalStateException("no VmSize");
    }
}
