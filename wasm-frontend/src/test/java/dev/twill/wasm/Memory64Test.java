package dev.twill.wasm;

import static dev.twill.wasm.binary.WasmBytes.b;
import static dev.twill.wasm.binary.WasmBytes.body;
import static dev.twill.wasm.binary.WasmBytes.functype;
import static dev.twill.wasm.binary.WasmBytes.module;
import static dev.twill.wasm.binary.WasmBytes.s;
import static dev.twill.wasm.binary.WasmBytes.section;
import static dev.twill.wasm.binary.WasmBytes.u;
import static dev.twill.wasm.binary.WasmBytes.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import dev.twill.ir.TrapCode;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.runtime.ResourceBudget;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Memory64 (WebAssembly 3.0) through the public API, on hand-assembled modules: a 64-bit memory
 * (limits flag 0x05) exported and read through {@link WasmMemory}, i64 addresses past 4 GiB that
 * must trap rather than wrap to 32 bits, u64 memarg offsets (one of 2^32, one of 2^64 - 16) whose
 * sum with the address must not wrap either, memory.grow with i64 page counts failing past the
 * maximum and past the reservation cap, memory.fill with i64 operands, and the validator's
 * address-type rules. Expected values are worked out by hand: the data segment's bytes 11 22 33
 * 44 at address 16 read little-endian as 0x44332211, and every "wrapped" address below is chosen
 * so that wrapping would land on them instead of trapping.
 */
class Memory64Test {
    private static final int I32 = 0x7F, I64 = 0x7E, END = 0x0B, PAGE = 65536;
    private static final int LOCAL_GET = 0x20, I32_LOAD = 0x28, I32_STORE = 0x36, MEMORY_SIZE = 0x3F, MEMORY_GROW = 0x40,
            I64_CONST = 0x42;
    private static final int ALIGN4 = 0x02;
    /** Memarg offsets: 4 GiB (above a memory-level 32-bit displacement), and 2^64 - 16 (negative as a long). */
    private static final long OFFSET_4G = 1L << 32, OFFSET_HUGE = -16L;

    /** Types: 0 (i64)->(i32), 1 (i64 i32)->(), 2 ()->(i64), 3 (i64)->(i64), 4 (i64 i32 i64)->(). */
    private static final byte[] TYPES = section(1, vec(functype(b(I64), b(I32)), functype(b(I64, I32), b()),
            functype(b(), b(I64)), functype(b(I64), b(I64)), functype(b(I64, I32, I64), b())));

    private static Engine engine;
    private static Module bounded, unbounded;

    /**
     * A 64-bit memory of {@code limits} (flag 0x04, or 0x05 with a maximum) holding 11 22 33 44
     * at 16 (an i64.const offset), exported as "mem"; functions load, store, size, grow,
     * loadOffset4G, loadOffsetHuge, fill.
     */
    static byte[] memory64Module(byte[] limits) {
        return module(TYPES,
                section(3, vec(u(0), u(1), u(2), u(3), u(0), u(0), u(4))),
                section(5, vec(limits)),
                section(7, vec(b("mem", 2, u(0)), b("load", 0, u(0)), b("store", 0, u(1)), b("size", 0, u(2)),
                        b("grow", 0, u(3)), b("loadOffset4G", 0, u(4)), b("loadOffsetHuge", 0, u(5)), b("fill", 0, u(6)))),
                section(10, vec(
                        body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4, 0, END),
                        body(vec(), LOCAL_GET, 0, LOCAL_GET, 1, I32_STORE, ALIGN4, 0, END),
                        body(vec(), MEMORY_SIZE, 0, END),
                        body(vec(), LOCAL_GET, 0, MEMORY_GROW, 0, END),
                        body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4, u(OFFSET_4G), END),
                        body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4, u(OFFSET_HUGE), END),
                        body(vec(), LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, u(11), 0, END))),
                section(11, vec(b(u(0), I64_CONST, 16, END, vec(0x11, 0x22, 0x33, 0x44)))));
    }

    @BeforeAll
    static void compile() {
        engine = new Engine(new EngineConfig().threads(1));
        bounded = Module.compile(engine, memory64Module(b(0x05, u(1), u(4))));
        unbounded = Module.compile(engine, memory64Module(b(0x04, u(1))));
    }

    @AfterAll
    static void close() {
        if (bounded != null) bounded.close();
        if (unbounded != null) unbounded.close();
        engine.close();
    }

    @Test
    void exportedMemoryIs64BitAndSharesBytesWithTheGuest() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, bounded);
            WasmMemory mem = inst.memory("mem");
            assertTrue(mem.type().is64());
            assertEquals(new Limits(1, 4), mem.type().limits());
            assertEquals(1, mem.pages());
            assertEquals(PAGE, mem.segment().byteSize());
            assertArrayEquals(new long[] {0x44332211}, inst.function("load").call(16L));
            assertEquals(0x33, mem.segment().get(ValueLayout.JAVA_BYTE, 18));
            inst.function("store").call(100L, 0x600DF00D);
            assertEquals(0x600DF00D, mem.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 100));
            mem.segment().set(ValueLayout.JAVA_INT_UNALIGNED, PAGE - 4, 0x0A0B0C0D);
            assertArrayEquals(new long[] {0x0A0B0C0D}, inst.function("load").call((long) PAGE - 4));
        }
    }

    @Test
    void addressesPast4GiBTrapInsteadOfWrapping() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, bounded);
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load").call((long) PAGE - 3)).code());
            // 2^32 + 16 truncated to 32 bits would be 16, where the data segment is
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load").call((1L << 32) + 16)).code());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load").call(-1L)).code());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("store").call(1L << 40, 1)).code());
        }
    }

    @Test
    void largeOffsetsTrapAndNeverWrap() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, bounded);
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("loadOffset4G").call(0L)).code());
            // (2^64 - 2^32 + 16) + 2^32 wraps to 16 in 64 bits: exact arithmetic says out of bounds
            assertEquals(TrapCode.HEAP_OOB,
                    assertThrows(Trap.class, () -> inst.function("loadOffset4G").call(-(1L << 32) + 16)).code());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("loadOffsetHuge").call(0L)).code());
            // 32 + (2^64 - 16) wraps to 16 likewise
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("loadOffsetHuge").call(32L)).code());
        }
    }

    @Test
    void growTakesAndReturnsI64AndFailsPastTheMaximum() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, bounded);
            assertArrayEquals(new long[] {1}, inst.function("grow").call(1L));
            assertArrayEquals(new long[] {2}, inst.function("size").call());
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(3L)); // 2 + 3 > 4
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(1L << 32)); // no truncation to 0
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(-1L)); // 2^64 - 1 pages
            assertArrayEquals(new long[] {2}, inst.function("grow").call(2L));
            assertArrayEquals(new long[] {4}, inst.function("size").call());
            // the grown pages are zero and accessible; one byte past them is not
            assertArrayEquals(new long[] {0}, inst.function("load").call(4L * PAGE - 4));
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("load").call(4L * PAGE - 3)).code());
        }
    }

    @Test
    void growFailsPastTheReservationCapOfAMemoryWithoutMaximum() {
        long saved = ResourceBudget.memory64ReservationBytes();
        ResourceBudget.setMemory64ReservationBytes(3L * PAGE);
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, unbounded);
            assertEquals(new Limits(1, -1), inst.memory("mem").type().limits());
            assertArrayEquals(new long[] {1}, inst.function("grow").call(2L));
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(1L)); // 4 pages > the 3 reserved
            assertArrayEquals(new long[] {3}, inst.function("size").call());
            assertArrayEquals(new long[] {0}, inst.function("load").call(3L * PAGE - 4));
        } finally {
            ResourceBudget.setMemory64ReservationBytes(saved);
        }
    }

    @Test
    void fillTakesI64OperandsAndChecksTheRangeWithoutWrapping() {
        try (Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, bounded);
            WasmMemory mem = inst.memory("mem");
            inst.function("fill").call((long) PAGE - 2, 0xAB, 2L);
            assertEquals((byte) 0xAB, mem.segment().get(ValueLayout.JAVA_BYTE, PAGE - 1));
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("fill").call((long) PAGE - 1, 1, 2L)).code());
            // dst 2^64 - 1, length 2: dst + len wraps to 1
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("fill").call(-1L, 1, 2L)).code());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("fill").call(0L, 1, 1L << 32)).code());
            assertEquals(0, mem.segment().get(ValueLayout.JAVA_BYTE, 0)); // nothing written by the traps
        }
    }

    @Test
    void importMatchingRequiresTheSameAddressType() {
        byte[] importsMemory32 = module(section(2, vec(b("env", "mem", 2, 0, u(1)))));
        byte[] importsMemory64 = module(section(2, vec(b("env", "mem", 2, 0x04, u(1)))));
        try (Store s = new Store(engine);
                Module m32 = Module.compile(engine, importsMemory32);
                Module m64 = Module.compile(engine, importsMemory64)) {
            WasmMemory mem64 = WasmMemory.create(s, new MemoryType(new Limits(1, 2), true));
            Linker linker = new Linker(engine).define("env", "mem", mem64);
            linker.instantiate(s, m64);
            LinkError e = assertThrows(LinkError.class, () -> linker.instantiate(s, m32));
            assertTrue(e.getMessage().startsWith("incompatible import type"), e.getMessage());
        }
    }

    /**
     * Memory 0 is 32-bit, memory 1 64-bit with 11 22 33 44 at 8 (an i64 offset). copy (dst i32,
     * src i64, len) is {@code memory.copy 0 1}, whose length takes the narrower type, i32 (or
     * i64 when {@code lenType} says so, which is invalid); load0 (i32) reads memory 0.
     */
    static byte[] mixedModule(int lenType) {
        return module(section(1, vec(functype(b(I32, I64, lenType), b()), functype(b(I32), b(I32)))),
                section(3, vec(u(0), u(1))),
                section(5, vec(b(0x00, u(1)), b(0x04, u(1)))),
                section(7, vec(b("copy", 0, u(0)), b("load0", 0, u(1)))),
                section(10, vec(
                        body(vec(), LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, u(10), 0, 1, END),
                        body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4, 0, END))),
                section(11, vec(b(u(2), u(1), I64_CONST, 8, END, vec(0x11, 0x22, 0x33, 0x44)))));
    }

    @Test
    void copyFrom64BitTo32BitMemoryTakesAnI32Length() {
        assertTrue(assertThrows(CompileError.class, () -> Module.compile(engine, mixedModule(I64))).getMessage()
                .contains("type mismatch"));
        try (Module m = Module.compile(engine, mixedModule(I32)); Store s = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(s, m);
            inst.function("copy").call(100, 8L, 4);
            assertArrayEquals(new long[] {0x44332211}, inst.function("load0").call(100));
            // a source of 2^32 + 8 truncated to 32 bits would be 8
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("copy").call(0, (1L << 32) + 8, 4)).code());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("copy").call(PAGE - 2, 8L, 4)).code());
            // the i32 length is unsigned: 0xFFFFFFFF bytes, not -1
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("copy").call(0, 0L, -1)).code());
            assertArrayEquals(new long[] {0}, inst.function("load0").call(0));
        }
    }

    /**
     * Constant addresses, which the translator proves in bounds against the declared minimum
     * (one page, 11 22 33 44 at 65532) when it can: at (address, offset) = (65532, 0) and (65528,
     * 4) the load is in bounds; at (65533, 0) it is not; and at (2^63 - 2^16, 2^63 - 2^16) the sum
     * passes 2^63, which a signed comparison would take for a small number.
     */
    @Test
    void constantAddressesAreProvenOnlyWhenInBounds() {
        long big = Long.MAX_VALUE - PAGE + 1;
        byte[] bytes = module(section(1, vec(functype(b(), b(I32)))),
                section(3, vec(u(0), u(0), u(0), u(0))),
                section(5, vec(b(0x05, u(1), u(1)))),
                section(7, vec(b("at", 0, u(0)), b("folded", 0, u(1)), b("past", 0, u(2)), b("overflow", 0, u(3)))),
                section(10, vec(
                        body(vec(), I64_CONST, s(PAGE - 4), I32_LOAD, ALIGN4, 0, END),
                        body(vec(), I64_CONST, s(PAGE - 8), I32_LOAD, ALIGN4, 4, END),
                        body(vec(), I64_CONST, s(PAGE - 3), I32_LOAD, ALIGN4, 0, END),
                        body(vec(), I64_CONST, s(big), I32_LOAD, ALIGN4, u(big), END))),
                section(11, vec(b(u(0), I64_CONST, s(PAGE - 4), END, vec(0x11, 0x22, 0x33, 0x44)))));
        try (Module m = Module.compile(engine, bytes); Store st = new Store(engine)) {
            Instance inst = new Linker(engine).instantiate(st, m);
            assertArrayEquals(new long[] {0x44332211}, inst.function("at").call());
            assertArrayEquals(new long[] {0x44332211}, inst.function("folded").call());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("past").call()).code());
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("overflow").call()).code());
        }
    }

    @Test
    void validatorChecksAddressTypesAndOffsetRange() {
        // i32.load with an i32 address on a 64-bit memory
        byte[] i32Address = module(section(1, vec(functype(b(I32), b(I32)))), section(3, vec(u(0))),
                section(5, vec(b(0x04, u(1)))), section(10, vec(body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4, 0, END))));
        assertTrue(assertThrows(CompileError.class, () -> Module.compile(engine, i32Address)).getMessage().contains("type mismatch"));
        // a 32-bit memory's offset must fit in 32 bits, though the binary reads a u64
        byte[] bigOffset = module(section(1, vec(functype(b(I32), b(I32)))), section(3, vec(u(0))),
                section(5, vec(b(0x00, u(1)))), section(10, vec(body(vec(), LOCAL_GET, 0, I32_LOAD, ALIGN4, u(1L << 32), END))));
        assertTrue(assertThrows(CompileError.class, () -> Module.compile(engine, bigOffset)).getMessage().contains("offset out of range"));
        // 2^48 pages is the most a 64-bit memory may declare
        byte[] tooLarge = module(section(5, vec(b(0x04, u((1L << 48) + 1)))));
        assertTrue(assertThrows(CompileError.class, () -> Module.compile(engine, tooLarge)).getMessage().contains("memory size"));
        Module.compile(engine, module(section(5, vec(b(0x05, u(0), u(1L << 48)))))).close();
        // with memory64 off, flag 0x04 is not a limits flag
        try (Engine old = new Engine(new EngineConfig().threads(1).memory64(false))) {
            assertThrows(CompileError.class, () -> Module.compile(old, module(section(5, vec(b(0x04, u(1)))))));
        }
        assertFalse(new MemoryType(new Limits(1, 1)).is64());
    }
}
