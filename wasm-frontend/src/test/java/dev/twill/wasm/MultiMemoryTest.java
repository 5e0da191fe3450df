package dev.twill.wasm;

import static dev.twill.wasm.binary.WasmBytes.b;
import static dev.twill.wasm.binary.WasmBytes.body;
import static dev.twill.wasm.binary.WasmBytes.functype;
import static dev.twill.wasm.binary.WasmBytes.module;
import static dev.twill.wasm.binary.WasmBytes.section;
import static dev.twill.wasm.binary.WasmBytes.u;
import static dev.twill.wasm.binary.WasmBytes.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twill.CompileError;
import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-memory (WebAssembly 3.0) through the public API, on hand-assembled modules: memory
 * instructions naming memory 1 and 2 (memarg flag bit 6 + index; memory.size/grow/copy with
 * index immediates), an active data segment of memory 1, both memories exported and seen
 * through {@link WasmMemory}, bounds checked per memory, memory.copy across memories, and an
 * imported memory at index 1 shared with its exporter. Expected values are worked out by hand
 * from the little-endian byte order.
 */
class MultiMemoryTest {
    private static final int I32 = 0x7F, END = 0x0B, PAGE = 65536;
    private static final int LOCAL_GET = 0x20, I32_LOAD = 0x28, I32_STORE = 0x36, MEMORY_SIZE = 0x3F, MEMORY_GROW = 0x40;
    /** i32 memarg flags: alignment 2^2, bit 6 = a memory index follows. */
    private static final int ALIGN4_WITH_MEMORY = 0x42, ALIGN4 = 0x02;

    /** Types: 0 (i32 i32)->(), 1 (i32 i32 i32)->(), 2 (i32)->(i32), 3 ()->(i32). */
    private static final byte[] TYPES = section(1, vec(functype(b(I32, I32), b()), functype(b(I32, I32, I32), b()),
            functype(b(I32), b(I32)), functype(b(), b(I32))));

    private static Engine engine;
    private static Module twoMemories, importer;

    /**
     * Memory 0: 1 page; memory 1: 2 pages, at most 3, with 11 22 33 44 at 8. Functions: store1
     * (addr, value) into memory 1; copy10 (dst, src, len) from memory 0 to memory 1; load1 and
     * load0 (addr); size1; grow1 (delta); load0Page1 and load1Page1 read memory 0 and 1 at the
     * constant address 65536, which only memory 1's declared minimum covers.
     */
    static byte[] twoMemories() {
        return module(TYPES,
                section(3, vec(u(0), u(1), u(2), u(3), u(2), u(2), u(3), u(3))),
                section(5, vec(b(0, u(1)), b(1, u(2), u(3)))),
                section(7, vec(b("mem0", 2, u(0)), b("mem1", 2, u(1)), b("store1", 0, u(0)), b("copy10", 0, u(1)),
                        b("load1", 0, u(2)), b("size1", 0, u(3)), b("grow1", 0, u(4)), b("load0", 0, u(5)),
                        b("load0Page1", 0, u(6)), b("load1Page1", 0, u(7)))),
                section(10, vec(
                        body(vec(), LOCAL_GET, 0, LOCAL_GET, 1, I32_STORE, ALIGN4_WITH_MEMORY, 1, 0, END),
                        body(vec(), LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, u(10), 1, 0, END),
                        body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4_WITH_MEMORY, 1, 0, END),
                        body(vec(), MEMORY_SIZE, 1, END),
                        body(vec(), LOCAL_GET, 0, MEMORY_GROW, 1, END),
                        body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4, 0, END),
                        body(vec(), 0x41, 0x80, 0x80, 0x04, I32_LOAD, ALIGN4, 0, END),
                        body(vec(), 0x41, 0x80, 0x80, 0x04, I32_LOAD, ALIGN4_WITH_MEMORY, 1, 0, END))),
                section(11, vec(b(u(2), u(1), 0x41, 8, END, vec(0x11, 0x22, 0x33, 0x44)))));
    }

    /**
     * Imports env.first (memory 0) and env.second (memory 1), defines memory 2 (1 page).
     * Functions: put (addr, value) into memory 1; move (dst, src, len) from memory 1 to memory 2;
     * get2 (addr) from memory 2; size1.
     */
    static byte[] importer() {
        return module(TYPES,
                section(2, vec(b("env", "first", 2, 0, u(1)), b("env", "second", 2, 0, u(1)))),
                section(3, vec(u(0), u(1), u(2), u(3))),
                section(5, vec(b(0, u(1)))),
                section(7, vec(b("put", 0, u(0)), b("move", 0, u(1)), b("get2", 0, u(2)), b("size1", 0, u(3)))),
                section(10, vec(
                        body(vec(), LOCAL_GET, 0, LOCAL_GET, 1, I32_STORE, ALIGN4_WITH_MEMORY, 1, 0, END),
                        body(vec(), LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, u(10), 2, 1, END),
                        body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4_WITH_MEMORY, 2, 0, END),
                        body(vec(), MEMORY_SIZE, 1, END))));
    }

    @BeforeAll
    static void compile() {
        engine = new Engine(new EngineConfig().threads(1));
        twoMemories = Module.compile(engine, twoMemories());
        importer = Module.compile(engine, importer());
    }

    @AfterAll
    static void close() {
        if (twoMemories != null) twoMemories.close();
        if (importer != null) importer.close();
        engine.close();
    }

    @Test
    void twoExportedMemoriesAreSeparate() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, twoMemories);
            WasmMemory mem0 = inst.memory("mem0"), mem1 = inst.memory("mem1");
            assertEquals(1, mem0.pages());
            assertEquals(2, mem1.pages());
            // the data segment went to memory 1 only: bytes 11 22 33 44 read little-endian
            assertArrayEquals(new long[] {0x44332211}, inst.function("load1").call(8));
            assertArrayEquals(new long[] {0}, inst.function("load0").call(8));
            assertEquals(0x22, mem1.segment().get(ValueLayout.JAVA_BYTE, 9));
            inst.function("store1").call(100, 0xCAFEBABE);
            assertEquals(0xCAFEBABE, mem1.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 100));
            assertEquals(0, mem0.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 100));
            // a write through WasmMemory is what the guest reads
            mem1.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 60, 0x0A0B0C0D);
            assertArrayEquals(new long[] {0x0A0B0C0D}, inst.function("load1").call(60));
        }
    }

    @Test
    void boundsAndGrowthArePerMemory() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, twoMemories);
            // memory 1 has 2 pages, memory 0 one: an address in the second page is only valid in memory 1
            assertArrayEquals(new long[] {0}, inst.function("load1").call(PAGE + 4));
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load0").call(PAGE - 3)).code());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load1").call(2 * PAGE - 3)).code());
            // constant addresses: the bounds check may only be dropped against the accessed memory's own minimum
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load0Page1").call()).code());
            inst.memory("mem1").segment().set(ValueLayout.JAVA_INT_UNALIGNED, PAGE, 0x600DF00D);
            assertArrayEquals(new long[] {0x600DF00D}, inst.function("load1Page1").call());
            assertArrayEquals(new long[] {2}, inst.function("size1").call());
            assertArrayEquals(new long[] {2}, inst.function("grow1").call(1)); // old size
            assertArrayEquals(new long[] {-1}, inst.function("grow1").call(1)); // past the maximum of 3
            assertArrayEquals(new long[] {3}, inst.function("size1").call());
            assertEquals(1, inst.memory("mem0").pages());
            inst.function("store1").call(3 * PAGE - 4, 7);
            assertEquals(7, inst.memory("mem1").segment().get(ValueLayout.JAVA_INT_UNALIGNED, 3 * PAGE - 4));
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("store1").call(3 * PAGE - 3, 7)).code());
        }
    }

    @Test
    void memoryCopyBetweenMemories() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, twoMemories);
            WasmMemory mem0 = inst.memory("mem0"), mem1 = inst.memory("mem1");
            mem0.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 200, 0x01020304);
            inst.function("copy10").call(300, 200, 4); // memory 1 [300, 304) <- memory 0 [200, 204)
            assertArrayEquals(new long[] {0x01020304}, inst.function("load1").call(300));
            assertEquals(0, mem0.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 300));
            // a source range past memory 0's one page traps, though memory 1 could take it
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("copy10").call(0, PAGE - 1, 2)).code());
            // a destination in memory 1's second page is fine
            inst.function("copy10").call(PAGE + 8, 200, 2);
            assertEquals(0x0304, mem1.segment().get(ValueLayout.JAVA_SHORT_UNALIGNED, PAGE + 8));
        }
    }

    @Test
    void anImportedSecondMemoryIsTheExportersOwn() {
        try (Store s = new Store(engine)) {
            Instance exporter = new Linker(engine).instantiate(s, twoMemories);
            WasmMemory first = WasmMemory.create(s, new MemoryType(new Limits(1, -1)));
            Instance inst = new Linker(engine).define("env", "first", first).define("env", "second", exporter.memory("mem1"))
                    .instantiate(s, importer);
            assertArrayEquals(new long[] {2}, inst.function("size1").call());
            exporter.function("store1").call(40, 0x12345678);
            inst.function("move").call(0, 40, 4); // its own memory 2 [0, 4) <- imported memory 1 [40, 44)
            assertArrayEquals(new long[] {0x12345678}, inst.function("get2").call(0));
            inst.function("put").call(44, 5);
            assertArrayEquals(new long[] {5}, exporter.function("load1").call(44));
            assertEquals(0, first.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 44));
            // growth by the exporter is seen by the importer's memory.size and bounds checks
            assertArrayEquals(new long[] {2}, exporter.function("grow1").call(1));
            assertArrayEquals(new long[] {3}, inst.function("size1").call());
            inst.function("put").call(2 * PAGE + 8, 9);
            assertArrayEquals(new long[] {9}, exporter.function("load1").call(2 * PAGE + 8));
        }
    }

    @Test
    void twoMemoriesAreInvalidByThe20Rules() {
        try (Engine wasm20 = new Engine(new EngineConfig().threads(1).multiMemory(false))) {
            CompileError e = assertThrows(CompileError.class, () -> Module.compile(wasm20, module(section(5, vec(b(0, u(1)), b(0, u(1)))))));
            assertEquals("multiple memories", e.reason);
            // a memarg with bit 6 is malformed in 2.0, and malformed bodies take precedence
            e = assertThrows(CompileError.class, () -> Module.compile(wasm20, twoMemories()));
            assertEquals("malformed memop flags", e.reason);
        }
    }
}
