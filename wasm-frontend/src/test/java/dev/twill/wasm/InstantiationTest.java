package dev.twill.wasm;

import static dev.twill.wasm.TestModule.ft;
import static dev.twill.wasm.TestModule.globalGet;
import static dev.twill.wasm.TestModule.i32;
import static dev.twill.wasm.TestModule.i64;
import static dev.twill.wasm.TestModule.p;
import static dev.twill.wasm.TestModule.refFunc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.ConstExpr;
import dev.twill.wasm.binary.DataSegment;
import dev.twill.wasm.binary.ElementSegment;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.SegmentMode;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.vm.VmContextLayout;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Instantiation on hand-built modules: imports and link errors, segments, globals, start, traps, interrupts, store lifetime. */
class InstantiationTest {
    static final byte I32 = ValType.I32, I64 = ValType.I64;
    static final Engine ENGINE = RuntimeTest.ENGINE;

    @Test
    void linkErrorsNameTheImportAndTheReason() {
        TestModule t = new TestModule();
        t.importFunction("env", "f", ft(p(I32), I32));
        t.importMemory("env", "mem", new MemoryType(new Limits(2, 4)));
        t.importGlobal("env", "g", new GlobalType(I32, true));
        t.importTable("env", "tab", new TableType(ValType.FUNCREF, new Limits(1, -1)));
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Linker l = new Linker(ENGINE);
            assertMessage(l, s, m, "unknown import: \"env\" \"f\"");
            l.defineFunction("env", "f", ft(p(I64), I32), (c, a) -> new long[] {0});
            assertMessage(l, s, m, "incompatible import type: \"env\" \"f\": function type mismatch");
            l.defineFunction("env", "f", ft(p(I32), I32), (c, a) -> new long[] {0});
            l.define("env", "mem", WasmMemory.create(s, new MemoryType(new Limits(1, 4))));
            assertMessage(l, s, m, "incompatible import type: \"env\" \"mem\": memory limits");
            l.define("env", "mem", WasmMemory.create(s, new MemoryType(new Limits(2, -1))));
            assertMessage(l, s, m, "not a subset"); // the import has a maximum, the memory none
            WasmMemory grown = WasmMemory.create(s, new MemoryType(new Limits(1, 3)));
            grown.grow(1); // current size 2 satisfies minimum 2
            l.define("env", "mem", grown);
            assertMessage(l, s, m, "unknown import: \"env\" \"g\"");
            l.define("env", "g", WasmGlobal.create(s, new GlobalType(I32, false), 1));
            assertMessage(l, s, m, "global type mismatch");
            l.define("env", "g", WasmGlobal.create(s, new GlobalType(I32, true), 1));
            l.define("env", "tab", WasmGlobal.create(s, new GlobalType(I32, true), 1));
            assertMessage(l, s, m, "incompatible import type: \"env\" \"tab\" is a global");
            l.define("env", "tab", WasmTable.create(s, new TableType(ValType.EXTERNREF, new Limits(1, -1)), 0));
            assertMessage(l, s, m, "table of externref");
            l.define("env", "tab", WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(1, 1)), 0));
            assertNotNull(l.instantiate(s, m));
            try (Store other = new Store(ENGINE)) {
                l.define("env", "mem", WasmMemory.create(other, new MemoryType(new Limits(2, 2))));
                assertMessage(l, s, m, "belongs to another store");
            }
        }
    }

    private static void assertMessage(Linker l, Store s, Module m, String expected) {
        LinkError e = assertThrows(LinkError.class, () -> l.instantiate(s, m));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** A module that reads/writes global 0 (imported or defined) and reads memory 0. */
    private static TestModule globalUser(boolean importGlobal) {
        TestModule t = new TestModule();
        if (importGlobal) t.importGlobal("env", "counter", new GlobalType(I32, true));
        else t.global(new GlobalType(I32, true), i32(100));
        int get = t.function("get", ft(p(), I32), b -> {
            int cell = importGlobal ? b.load(Type.I64, b.vmctx(), b.layout.globalOffset(0)) : b.vmctx();
            b.b.ret(b.load(Type.I32, cell, importGlobal ? 0 : b.layout.globalOffset(0)));
        });
        int inc = t.function("inc", ft(p()), b -> {
            int cell = importGlobal ? b.load(Type.I64, b.vmctx(), b.layout.globalOffset(0)) : b.vmctx();
            long off = importGlobal ? 0 : b.layout.globalOffset(0);
            int v = b.load(Type.I32, cell, off);
            b.b.ins().store(dev.twill.ir.Opcode.STORE, dev.twill.ir.MemFlags.NOTRAP, b.b.ins().iaddImm(v, 1), cell, off);
            b.b.ret();
        });
        t.export("get", ExternKind.FUNC, get).export("inc", ExternKind.FUNC, inc).export("counter", ExternKind.GLOBAL, 0);
        return t;
    }

    @Test
    void globalsAreSharedBetweenInstances() {
        try (Module a = globalUser(false).link(ENGINE); Module b = globalUser(true).link(ENGINE); Store s = new Store(ENGINE)) {
            Instance ia = new Linker(ENGINE).instantiate(s, a);
            WasmGlobal g = ia.global("counter");
            assertEquals(100, g.get());
            Instance ib = new Linker(ENGINE).defineInstance("env", ia).instantiate(s, b);
            assertSame(g, ib.global("counter"), "re-exported import is the same global");
            ib.function("inc").call();
            ib.function("inc").call();
            assertArrayEquals(new long[] {102}, ia.function("get").call());
            ia.function("inc").call();
            assertArrayEquals(new long[] {103}, ib.function("get").call());
            g.set(-5);
            assertArrayEquals(new long[] {-5}, ib.function("get").call());
            WasmGlobal constant = WasmGlobal.create(s, new GlobalType(I64, false), 7);
            assertThrows(IllegalStateException.class, () -> constant.set(1));
        }
    }

    @Test
    void globalInitialisersSegmentsAndStartRunInOrder() {
        TestModule t = new TestModule();
        FuncType hook = ft(p(I32));
        int log = t.importFunction("env", "log", hook);
        t.importGlobal("env", "base", new GlobalType(I32, false));
        t.memory(new MemoryType(new Limits(1, 1)));
        t.table(new TableType(ValType.FUNCREF, new Limits(3, 3)));
        int g1 = t.global(new GlobalType(I32, false), globalGet(0)); // = imported base
        int g2 = t.global(new GlobalType(I64, false), i64(-1L << 40));
        int start = t.function("start", ft(p()), b -> {
            int v = b.load(Type.I32, b.memoryAddress(0, b.b.ins().iconst(Type.I32, 16)), 0);
            b.callThroughFuncRef(log, v);
            b.b.ret();
        });
        int g3 = t.global(new GlobalType(ValType.FUNCREF, false), refFunc(start));
        t.datas.add(new DataSegment(SegmentMode.ACTIVE, 0, globalGet(0), new byte[] {0x11, 0x22, 0x33, 0x44}));
        t.datas.add(new DataSegment(SegmentMode.ACTIVE, 0, i32(18), new byte[] {0x55}));
        t.elements.add(new ElementSegment(SegmentMode.ACTIVE, 0, i32(1), ValType.FUNCREF, null,
                new ConstExpr[] {refFunc(start), new ConstExpr(new byte[] {(byte) 0xD0, 0x70, 0x0B}, 0)}));
        t.elements.add(new ElementSegment(SegmentMode.DECLARATIVE, 0, null, ValType.FUNCREF, new int[] {start}, null));
        t.start = start;
        t.export("g1", ExternKind.GLOBAL, g1).export("g2", ExternKind.GLOBAL, g2).export("g3", ExternKind.GLOBAL, g3)
                .export("mem", ExternKind.MEMORY, 0).export("table", ExternKind.TABLE, 0).export("start", ExternKind.FUNC, start);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            AtomicLong logged = new AtomicLong();
            Instance inst = new Linker(ENGINE).define("env", "base", WasmGlobal.create(s, new GlobalType(I32, false), 16))
                    .defineFunction("env", "log", hook, (c, a) -> {
                        logged.set(a[0]);
                        return new long[0];
                    }).instantiate(s, m);
            assertEquals(0x44_55_22_11L, logged.get(), "start ran after both data segments (little-endian word at 16)");
            assertEquals(16, inst.global("g1").get());
            assertEquals(-1L << 40, inst.global("g2").get());
            long startRef = inst.function("start").funcRef();
            assertEquals(startRef, inst.global("g3").get());
            WasmTable table = inst.table("table");
            assertEquals(0, table.get(0));
            assertEquals(startRef, table.get(1));
            assertEquals(0, table.get(2));
            assertEquals(0x55, inst.memory("mem").segment().get(ValueLayout.JAVA_BYTE, 18));
            assertEquals(startRef, EnvProbe.funcRefAddress(inst, start));
        }
    }

    /** Reads a FuncRef record address through the layout, the way ref.func computes it. */
    static final class EnvProbe {
        static long funcRefAddress(Instance i, int f) {
            return i.state.vmctx.address() + i.state.layout.funcRefOffset(f);
        }
    }

    @Test
    void outOfBoundsSegmentTrapsAndLeavesEarlierSegmentsApplied() {
        TestModule t = new TestModule();
        t.importMemory("env", "mem", new MemoryType(new Limits(1, -1)));
        t.importTable("env", "tab", new TableType(ValType.FUNCREF, new Limits(2, -1)));
        int f = t.function("f", ft(p()), b -> b.b.ret());
        t.elements.add(new ElementSegment(SegmentMode.ACTIVE, 0, i32(0), ValType.FUNCREF, new int[] {f}, null));
        t.elements.add(new ElementSegment(SegmentMode.ACTIVE, 0, i32(1), ValType.FUNCREF, new int[] {f, f}, null));
        t.datas.add(new DataSegment(SegmentMode.ACTIVE, 0, i32(0), new byte[] {9}));
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            WasmMemory mem = WasmMemory.create(s, new MemoryType(new Limits(1, -1)));
            WasmTable tab = WasmTable.create(s, new TableType(ValType.FUNCREF, new Limits(2, -1)), 0);
            Linker l = new Linker(ENGINE).define("env", "mem", mem).define("env", "tab", tab);
            Trap trap = assertThrows(Trap.class, () -> l.instantiate(s, m));
            assertEquals(TrapCode.TABLE_OOB, trap.code());
            assertTrue(tab.get(0) != 0, "the first element segment stays applied");
            assertEquals(0, tab.get(1), "the failing segment wrote nothing");
            assertEquals(0, mem.segment().get(ValueLayout.JAVA_BYTE, 0), "data segments come after element segments");
        }
        TestModule d = new TestModule();
        d.importMemory("env", "mem", new MemoryType(new Limits(1, -1)));
        d.datas.add(new DataSegment(SegmentMode.ACTIVE, 0, i32(10), new byte[] {1, 2}));
        d.datas.add(new DataSegment(SegmentMode.ACTIVE, 0, i32(65535), new byte[] {3, 4}));
        d.datas.add(new DataSegment(SegmentMode.ACTIVE, 0, i32(20), new byte[] {5}));
        try (Module m = d.link(ENGINE); Store s = new Store(ENGINE)) {
            WasmMemory mem = WasmMemory.create(s, new MemoryType(new Limits(1, -1)));
            Trap trap = assertThrows(Trap.class, () -> new Linker(ENGINE).define("env", "mem", mem).instantiate(s, m));
            assertEquals(TrapCode.HEAP_OOB, trap.code());
            assertEquals(2, mem.segment().get(ValueLayout.JAVA_BYTE, 11));
            assertEquals(0, mem.segment().get(ValueLayout.JAVA_BYTE, 65535));
            assertEquals(0, mem.segment().get(ValueLayout.JAVA_BYTE, 20));
        }
    }

    @Test
    void trapsNameTheWasmFunction() {
        TestModule t = new TestModule();
        int named = t.function("explode", ft(p()), b -> b.b.trap(TrapCode.UNREACHABLE));
        int unnamed = t.function(null, ft(p(I32), I32), b -> b.b.ret(b.b.ins().binary(dev.twill.ir.Opcode.UDIV,
                b.b.ins().iconst(Type.I32, 1), b.param(0))));
        int outer = t.function("outer", ft(p()), b -> {
            b.callDirect(named);
            b.b.ret();
        });
        t.export("named", ExternKind.FUNC, named).export("unnamed", ExternKind.FUNC, unnamed).export("outer", ExternKind.FUNC, outer);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Instance inst = new Linker(ENGINE).instantiate(s, m);
            Trap a = assertThrows(Trap.class, () -> inst.function("named").call());
            assertEquals(TrapCode.UNREACHABLE, a.code());
            assertEquals("explode", a.function());
            Trap b = assertThrows(Trap.class, () -> inst.function("unnamed").call(0));
            assertEquals(TrapCode.INT_DIVZ, b.code());
            assertEquals("func[" + unnamed + "]", b.function());
            assertEquals("trap: int_divz in func[" + unnamed + "]", b.getMessage());
            Trap c = assertThrows(Trap.class, () -> inst.function("outer").call());
            assertEquals("explode", c.function(), "the function that trapped, not the one called");
            Trap h = assertThrows(Trap.class, () -> {
                int unused = (int) inst.function("unnamed").handle().invokeExact(0);
            });
            assertEquals("func[" + unnamed + "]", h.function());
        }
    }

    @Test
    void unboundedRecursionTrapsStackOverflow() {
        TestModule t = new TestModule();
        int[] self = new int[1];
        self[0] = t.function("recurse", ft(p(I32), I32), b -> {
            int[] r = b.callDirect(self[0], b.b.ins().iaddImm(b.param(0), 1));
            b.b.ret(b.b.ins().iaddImm(r[0], 1));
        });
        t.export("recurse", ExternKind.FUNC, self[0]);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            WasmFunction f = new Linker(ENGINE).instantiate(s, m).function("recurse");
            for (int i = 0; i < 3; i++) {
                Trap trap = assertThrows(Trap.class, () -> f.call(0));
                assertEquals(TrapCode.STK_OVF, trap.code());
                assertEquals("recurse", trap.function());
            }
        }
    }

    /** loop { if (vmctx.interrupt_flag) trap interrupt; i++ } as the translator's loop headers do. */
    private static TestModule spinner() {
        TestModule t = new TestModule();
        int spin = t.function("spin", ft(p(I64), I64), b -> {
            int head = b.b.createBlock(), stop = b.b.createBlock();
            int i = b.b.declareVar(Type.I64);
            b.b.defVar(i, b.param(0));
            b.b.jump(head);
            b.b.switchToBlock(head);
            int flag = b.b.ins().load(dev.twill.ir.Opcode.LOAD, Type.I32, dev.twill.ir.MemFlags.NOTRAP, b.vmctx(), VmContextLayout.INTERRUPT_FLAG);
            b.b.brnz(flag, stop);
            b.b.defVar(i, b.b.ins().iaddImm(b.b.useVar(i), 1));
            b.b.jump(head);
            b.b.switchToBlock(stop);
            b.b.trap(TrapCode.INTERRUPT);
        });
        t.export("spin", ExternKind.FUNC, spin);
        return t;
    }

    @Test
    void interruptFromAnotherThreadStopsAnInfiniteLoop() throws Exception {
        try (Module m = spinner().link(ENGINE); Store s = new Store(ENGINE)) {
            WasmFunction spin = new Linker(ENGINE).instantiate(s, m).function("spin");
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    spin.call(0);
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            runner.start();
            Thread.sleep(100);
            assertTrue(runner.isAlive(), "the guest loops until interrupted");
            long t0 = System.nanoTime();
            s.interrupt();
            runner.join(5_000);
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(!runner.isAlive(), "interrupt stopped the loop");
            assertTrue(waited < 1_000, "stopped within " + waited + " ms");
            Trap trap = (Trap) outcome.get();
            assertEquals(TrapCode.INTERRUPT, trap.code());
            assertEquals("spin", trap.function());
            assertThrows(Trap.class, () -> spin.call(0), "the request stays until cleared");
            s.clearInterrupt();
            assertTrue(!s.isInterrupted());
        }
    }

    @Test
    void externRefHandles() {
        try (Store s = new Store()) {
            Object a = new Object(), b = "b";
            long ha = s.externRef(a);
            assertTrue(ha != 0);
            assertEquals(ha, s.externRef(a));
            long hb = s.externRef(b);
            assertTrue(hb != ha);
            assertSame(a, s.externObject(ha));
            assertSame(b, s.externObject(hb));
            assertEquals(0, s.externRef(null));
            assertEquals(null, s.externObject(0));
        }
    }

    @Test
    void closedStoreRefusesUse() {
        TestModule t = globalUser(false);
        t.memory(new MemoryType(new Limits(1, 1)));
        t.export("mem", ExternKind.MEMORY, 0);
        try (Module m = t.link(ENGINE)) {
            Store s = new Store(ENGINE);
            Instance inst = new Linker(ENGINE).instantiate(s, m);
            java.lang.foreign.MemorySegment seg = inst.memory("mem").segment();
            s.close();
            assertThrows(IllegalStateException.class, () -> inst.function("get").call());
            assertThrows(IllegalStateException.class, () -> inst.global("counter").get());
            assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> new Linker(ENGINE).instantiate(s, m));
            s.close();
        }
    }

    /** 10,000 stores, each with an instance of a module with a 4 GiB-reserved memory, a table and globals. */
    @Test
    void closingStoresFreesTheirMemory() throws IOException {
        TestModule t = globalUser(false);
        t.memory(new MemoryType(new Limits(1, -1)));
        t.table(new TableType(ValType.FUNCREF, new Limits(100, -1)));
        t.datas.add(new DataSegment(SegmentMode.ACTIVE, 0, i32(0), new byte[4096]));
        t.export("mem", ExternKind.MEMORY, 0);
        try (Module m = t.link(ENGINE)) {
            Linker l = new Linker(ENGINE);
            for (int i = 0; i < 500; i++) cycle(l, m);
            long vmBefore = status("VmSize:"), rssBefore = status("VmRSS:");
            long mapsBefore = Files.readAllLines(Path.of("/proc/self/maps")).size();
            for (int i = 0; i < 10_000; i++) cycle(l, m);
            long vmAfter = status("VmSize:"), rssAfter = status("VmRSS:");
            long mapsAfter = Files.readAllLines(Path.of("/proc/self/maps")).size();
            // One leaked memory alone would add 4 GiB of address space; allow the JVM's own drift.
            assertTrue(vmAfter - vmBefore < 512L * 1024, "VmSize grew from " + vmBefore + " kB to " + vmAfter + " kB");
            assertTrue(rssAfter - rssBefore < 256L * 1024, "VmRSS grew from " + rssBefore + " kB to " + rssAfter + " kB");
            assertTrue(mapsAfter - mapsBefore < 200, "mappings grew from " + mapsBefore + " to " + mapsAfter);
        }
    }

    private static void cycle(Linker l, Module m) {
        try (Store s = new Store(ENGINE)) {
            Instance inst = l.instantiate(s, m);
            inst.function("inc").call();
            if (inst.memory("mem").grow(1) != 1) throw new AssertionError("grow");
        }
    }

    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
        throw new IllegalStateException(key);
    }
}
