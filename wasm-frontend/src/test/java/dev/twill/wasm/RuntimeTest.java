package dev.twill.wasm;

import static dev.twill.wasm.TestModule.ft;
import static dev.twill.wasm.TestModule.i32;
import static dev.twill.wasm.TestModule.p;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.IntCC;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.Trap;
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
import dev.twill.wasm.vm.Builtins;
import dev.twill.wasm.vm.VmContextLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime on hand-written IR bodies in the translator's shapes (FuncRef calls, vmctx
 * state, builtin calls), so that it is tested independently of the decoder and translator.
 * Expected values come from Java arithmetic and the WebAssembly 2.0 semantics worked by hand.
 */
class RuntimeTest {
    static final byte I32 = ValType.I32, I64 = ValType.I64, F32 = ValType.F32, F64 = ValType.F64;
    static final Engine ENGINE = new Engine();

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @Test
    void exportedFunctionByCallAndTypedHandle() throws Throwable {
        TestModule t = new TestModule();
        int add = t.function("add", ft(p(I32, I32), I32), b -> b.b.ret(b.b.ins().iadd(b.param(0), b.param(1))));
        t.export("add", ExternKind.FUNC, add);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Instance inst = new Linker(ENGINE).instantiate(s, m);
            WasmFunction f = inst.function("add");
            assertArrayEquals(new long[] {Integer.MIN_VALUE}, f.call(Integer.MAX_VALUE, 1), "i32 results come sign-extended");
            MethodHandle h = f.handle();
            assertEquals(42, (int) h.invokeExact(40, 2));
            assertEquals("add", f.name());
            assertNull(inst.memory("add"));
            assertNull(inst.export("nope"));
        }
    }

    @Test
    void hostImportWithSeveralResultsOfEveryType() {
        TestModule t = new TestModule();
        FuncType hostType = ft(p(I32, I64, F64, F32), I32, I64, F64, F32);
        int host = t.importFunction("env", "mix", hostType);
        int relay = t.function("relay", hostType, b -> {
            int[] r = b.callThroughFuncRef(host, b.param(0), b.param(1), b.param(2), b.param(3));
            b.b.ret(r);
        });
        t.export("relay", ExternKind.FUNC, relay);
        t.export("mix", ExternKind.FUNC, host);
        AtomicReference<Instance> seen = new AtomicReference<>();
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Linker l = new Linker(ENGINE).defineFunction("env", "mix", hostType, (caller, a) -> {
                seen.set(caller);
                int x = (int) a[0];
                long y = a[1];
                double z = Double.longBitsToDouble(a[2]);
                float w = Float.intBitsToFloat((int) a[3]);
                return new long[] {x * 3, y - 1, Double.doubleToRawLongBits(z * z), Float.floatToRawIntBits(w + x) & 0xFFFF_FFFFL};
            });
            Instance inst = l.instantiate(s, m);
            long[] args = {-7, 1L << 40, Double.doubleToRawLongBits(1.5), Float.floatToRawIntBits(0.25f)};
            long[] expected = {-21, (1L << 40) - 1, Double.doubleToRawLongBits(2.25), Float.floatToRawIntBits(-6.75f) & 0xFFFF_FFFFL};
            assertArrayEquals(expected, inst.function("relay").call(args));
            assertSame(inst, seen.get());
            // the import re-exported runs the adapter directly
            assertArrayEquals(expected, inst.function("mix").call(args));
        }
    }

    static final class HostFailure extends RuntimeException {
        HostFailure(String m) {
            super(m);
        }
    }

    @Test
    void hostExceptionReachesTheCallerUnchanged() throws Throwable {
        TestModule t = new TestModule();
        FuncType hostType = ft(p(I32), I32);
        int host = t.importFunction("env", "fail", hostType);
        int relay = t.function("relay", hostType, b -> {
            int[] r = b.callThroughFuncRef(host, b.param(0));
            b.b.ret(b.b.ins().iaddImm(r[0], 1));
        });
        t.export("relay", ExternKind.FUNC, relay);
        AtomicReference<HostFailure> thrown = new AtomicReference<>();
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Instance inst = new Linker(ENGINE).defineFunction("env", "fail", hostType, (caller, a) -> {
                if (a[0] < 0) {
                    thrown.set(new HostFailure("negative " + a[0]));
                    throw thrown.get();
                }
                return new long[] {a[0] * 2};
            }).instantiate(s, m);
            WasmFunction f = inst.function("relay");
            for (int i = 0; i < 100; i++) {
                HostFailure e = assertThrows(HostFailure.class, () -> f.call(-5));
                assertSame(thrown.get(), e);
                assertArrayEquals(new long[] {2 * 21 + 1}, f.call(21), "the next call runs normally");
            }
            MethodHandle h = f.handle();
            HostFailure e = assertThrows(HostFailure.class, () -> {
                int unused = (int) h.invokeExact(-1);
            });
            assertSame(thrown.get(), e);
        }
    }

    @Test
    void hostFunctionReturningTheWrongNumberOfResults() {
        TestModule t = new TestModule();
        FuncType hostType = ft(p(), I32);
        int host = t.importFunction("env", "bad", hostType);
        t.export("bad", ExternKind.FUNC, host);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Instance inst = new Linker(ENGINE).defineFunction("env", "bad", hostType, (c, a) -> new long[0]).instantiate(s, m);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> inst.function("bad").call());
            assertTrue(e.getMessage().contains("returned 0 results"), e.getMessage());
        }
    }

    @Test
    void memoryGrowKeepsTheBaseAndStopsAtTheMaximum() {
        TestModule t = new TestModule();
        t.memory(new MemoryType(new Limits(1, 4)));
        // the builtin takes and returns i64 page counts (memory64); a 32-bit memory's are zero-extended and reduced
        int grow = t.function("grow", ft(p(I32), I32), b -> b.b.ret(b.b.ins().convert(Opcode.IREDUCE, Type.I32,
                b.callBuiltin(Builtins.MEMORY_GROW, b.b.ins().iconst(Type.I32, 0), b.b.ins().convert(Opcode.UEXTEND, Type.I64, b.param(0)))[0])));
        int load = t.function("load", ft(p(I32), I32), b -> b.b.ret(b.load(Type.I32, b.memoryAddress(0, b.param(0)), 0)));
        int length = t.function("length", ft(p(), I64), b -> {
            int def = b.load(Type.I64, b.vmctx(), b.layout.memoryOffset(0));
            b.b.ret(b.load(Type.I64, def, VmContextLayout.MEMORY_LENGTH));
        });
        t.export("grow", ExternKind.FUNC, grow).export("load", ExternKind.FUNC, load).export("length", ExternKind.FUNC, length);
        t.export("mem", ExternKind.MEMORY, 0);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Instance inst = new Linker(ENGINE).instantiate(s, m);
            WasmMemory mem = inst.memory("mem");
            long base = mem.segment().address();
            assertEquals(65536, mem.segment().byteSize());
            assertArrayEquals(new long[] {1}, inst.function("grow").call(2));
            assertEquals(3, mem.pages());
            assertEquals(base, mem.segment().address(), "the base never moves");
            assertArrayEquals(new long[] {3 * 65536}, inst.function("length").call());
            MemorySegment seg = mem.segment();
            seg.set(ValueLayout.JAVA_INT, 3 * 65536 - 4, 0x1234_5678);
            assertArrayEquals(new long[] {0x1234_5678}, inst.function("load").call(3 * 65536 - 4));
            assertEquals(0, seg.get(ValueLayout.JAVA_INT, 2 * 65536), "grown pages are zero");
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(2), "past the maximum");
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(-1), "delta is unsigned");
            assertEquals(3, mem.grow(1));
            assertEquals(-1, mem.grow(1));
            assertArrayEquals(new long[] {4}, inst.function("grow").call(0));
            assertEquals(4, mem.type().limits().min());
        }
    }

    @Test
    void memoryWithoutMaximumReservesFourGibAndGrowsFar() {
        try (Store s = new Store(ENGINE)) {
            WasmMemory mem = WasmMemory.create(s, new MemoryType(new Limits(0, -1)));
            long base = mem.segment().address();
            assertEquals(0, mem.grow(16384)); // 1 GiB, committed lazily by the OS
            mem.segment().set(ValueLayout.JAVA_BYTE, (1L << 30) - 1, (byte) 7);
            assertEquals(base, mem.segment().address());
            assertEquals(-1, mem.grow(65536 - 16384 + 1));
            assertEquals(16384, mem.grow(65536 - 16384));
            assertEquals(65536, mem.pages());
        }
    }

    /** {@code v} zero-extended to i64, as the translator passes a 32-bit memory's address to a memory builtin. */
    private static int wide(TestModule.Body b, int v) {
        return b.b.ins().convert(Opcode.UEXTEND, Type.I64, v);
    }

    /** Memory builtins against a Java byte-array oracle. */
    @Test
    void memoryBuiltinsFollowTheSpec() {
        TestModule t = new TestModule();
        t.memory(new MemoryType(new Limits(1, 1)));
        t.datas.add(new DataSegment(SegmentMode.PASSIVE, 0, null, new byte[] {1, 2, 3, 4, 5}));
        FuncType three = ft(p(I32, I32, I32));
        int fill = t.function("fill", three, b -> {
            b.callBuiltin(Builtins.MEMORY_FILL, b.b.ins().iconst(Type.I32, 0), wide(b, b.param(0)), b.param(1), wide(b, b.param(2)));
            b.b.ret();
        });
        int copy = t.function("copy", three, b -> {
            int zero = b.b.ins().iconst(Type.I32, 0);
            b.callBuiltin(Builtins.MEMORY_COPY, zero, zero, wide(b, b.param(0)), wide(b, b.param(1)), wide(b, b.param(2)));
            b.b.ret();
        });
        int init = t.function("init", three, b -> {
            int zero = b.b.ins().iconst(Type.I32, 0);
            b.callBuiltin(Builtins.MEMORY_INIT, zero, zero, wide(b, b.param(0)), b.param(1), b.param(2));
            b.b.ret();
        });
        int drop = t.function("drop", ft(p()), b -> {
            b.callBuiltin(Builtins.DATA_DROP, b.b.ins().iconst(Type.I32, 0));
            b.b.ret();
        });
        t.export("fill", ExternKind.FUNC, fill).export("copy", ExternKind.FUNC, copy).export("init", ExternKind.FUNC, init)
                .export("drop", ExternKind.FUNC, drop).export("mem", ExternKind.MEMORY, 0);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Instance inst = new Linker(ENGINE).instantiate(s, m);
            MemorySegment mem = inst.memory("mem").segment();
            byte[] oracle = new byte[65536];
            inst.function("fill").call(10, 0xAB, 6);
            java.util.Arrays.fill(oracle, 10, 16, (byte) 0xAB);
            inst.function("init").call(12, 1, 4);
            System.arraycopy(new byte[] {2, 3, 4, 5}, 0, oracle, 12, 4);
            inst.function("copy").call(11, 10, 6); // overlapping, forwards
            System.arraycopy(oracle, 10, oracle, 11, 6);
            inst.function("copy").call(9, 11, 6); // overlapping, backwards
            System.arraycopy(oracle, 11, oracle, 9, 6);
            assertArrayEquals(oracle, mem.toArray(ValueLayout.JAVA_BYTE));
            // out of bounds: trap before writing anything
            Trap trap = assertThrows(Trap.class, () -> inst.function("fill").call(65530, 1, 7));
            assertEquals(TrapCode.HEAP_OOB, trap.code());
            assertThrows(Trap.class, () -> inst.function("copy").call(0, 65535, 2));
            assertThrows(Trap.class, () -> inst.function("init").call(0, 2, 4), "source past the segment");
            assertArrayEquals(oracle, mem.toArray(ValueLayout.JAVA_BYTE));
            inst.function("fill").call(65536, 0, 0); // zero length at the end is fine
            inst.function("init").call(0, 5, 0);
            inst.function("drop").call();
            inst.function("init").call(0, 0, 0); // a dropped segment is empty
            assertEquals(TrapCode.HEAP_OOB, assertThrows(Trap.class, () -> inst.function("init").call(0, 0, 1)).code());
        }
    }

    /** Table builtins and call_indirect through a table filled by an element segment. */
    @Test
    void tablesElementSegmentsAndIndirectCalls() {
        TestModule t = new TestModule();
        FuncType unary = ft(p(I32), I32);
        int dbl = t.function("double", unary, b -> b.b.ret(b.b.ins().iadd(b.param(0), b.param(0))));
        int neg = t.function("negate", unary, b -> b.b.ret(b.b.ins().isub(b.b.ins().iconst(Type.I32, 0), b.param(0))));
        t.table(new TableType(ValType.FUNCREF, new Limits(4, 10)));
        t.elements.add(new ElementSegment(SegmentMode.ACTIVE, 0, i32(1), ValType.FUNCREF, new int[] {dbl, neg}, null));
        t.elements.add(new ElementSegment(SegmentMode.PASSIVE, 0, null, ValType.FUNCREF, new int[] {neg, neg, dbl}, null));
        // dispatch(i, x) = table[i](x), with a null check (trap null_reference) as call_indirect does
        int dispatch = t.function("dispatch", ft(p(I32, I32), I32), b -> {
            int def = b.load(Type.I64, b.vmctx(), b.layout.tableOffset(0));
            int base = b.load(Type.I64, def, VmContextLayout.TABLE_BASE);
            int off = b.b.ins().imul(b.b.ins().convert(Opcode.UEXTEND, Type.I64, b.param(0)), b.b.ins().iconst(Type.I64, 8));
            int rec = b.load(Type.I64, b.b.ins().iadd(base, off), 0);
            int nil = b.b.createBlock();
            b.b.brz(rec, nil);
            int code = b.load(Type.I64, rec, VmContextLayout.FUNCREF_CODE);
            int vm = b.load(Type.I64, rec, VmContextLayout.FUNCREF_VMCTX);
            int sig = b.f.addSignature(dev.twill.wasm.vm.WasmAbi.signature(unary));
            int call = b.b.ins().callIndirect(sig, code, new int[] {vm, b.param(1)}, 2);
            b.b.ret(b.f.dfg.result(call, 0));
            b.b.switchToBlock(nil);
            b.b.trap(TrapCode.NULL_REFERENCE);
        });
        int[] wire = new int[6];
        Builtins[] which = {Builtins.TABLE_GROW, Builtins.TABLE_FILL, Builtins.TABLE_COPY, Builtins.TABLE_INIT, Builtins.ELEM_DROP};
        int grow = t.function("grow", ft(p(I64, I32), I32), b -> b.b.ret(b.callBuiltin(Builtins.TABLE_GROW, b.b.ins().iconst(Type.I32, 0), b.param(0), b.param(1))));
        int fill = t.function("fill", ft(p(I32, I64, I32)), b -> {
            b.callBuiltin(Builtins.TABLE_FILL, b.b.ins().iconst(Type.I32, 0), b.param(0), b.param(1), b.param(2));
            b.b.ret();
        });
        int copy = t.function("copy", ft(p(I32, I32, I32)), b -> {
            int zero = b.b.ins().iconst(Type.I32, 0);
            b.callBuiltin(Builtins.TABLE_COPY, zero, zero, b.param(0), b.param(1), b.param(2));
            b.b.ret();
        });
        int init = t.function("init", ft(p(I32, I32, I32)), b -> {
            int zero = b.b.ins().iconst(Type.I32, 0);
            b.callBuiltin(Builtins.TABLE_INIT, zero, b.b.ins().iconst(Type.I32, 1), b.param(0), b.param(1), b.param(2));
            b.b.ret();
        });
        int drop = t.function("drop", ft(p()), b -> {
            b.callBuiltin(Builtins.ELEM_DROP, b.b.ins().iconst(Type.I32, 1));
            b.b.ret();
        });
        t.export("dispatch", ExternKind.FUNC, dispatch).export("grow", ExternKind.FUNC, grow).export("fill", ExternKind.FUNC, fill)
                .export("copy", ExternKind.FUNC, copy).export("init", ExternKind.FUNC, init).export("drop", ExternKind.FUNC, drop)
                .export("table", ExternKind.TABLE, 0).export("double", ExternKind.FUNC, dbl).export("negate", ExternKind.FUNC, neg);
        try (Module m = t.link(ENGINE); Store s = new Store(ENGINE)) {
            Instance inst = new Linker(ENGINE).instantiate(s, m);
            WasmTable table = inst.table("table");
            long d = inst.function("double").funcRef(), n = inst.function("negate").funcRef();
            assertArrayEquals(new long[] {0, d, n, 0}, elements(table));
            WasmFunction call = inst.function("dispatch");
            assertArrayEquals(new long[] {14}, call.call(1, 7));
            assertArrayEquals(new long[] {-7}, call.call(2, 7));
            assertEquals(TrapCode.NULL_REFERENCE, assertThrows(Trap.class, () -> call.call(0, 7)).code());
            inst.function("init").call(0, 1, 2); // table[0..2) = segment[1..3) = neg, dbl
            assertArrayEquals(new long[] {n, d, n, 0}, elements(table));
            inst.function("copy").call(1, 0, 3); // overlapping
            assertArrayEquals(new long[] {n, n, d, n}, elements(table));
            assertEquals(TrapCode.TABLE_OOB, assertThrows(Trap.class, () -> inst.function("copy").call(2, 0, 3)).code());
            assertArrayEquals(new long[] {n, n, d, n}, elements(table), "nothing written on a trap");
            assertArrayEquals(new long[] {4}, inst.function("grow").call(d, 3));
            assertArrayEquals(new long[] {n, n, d, n, d, d, d}, elements(table));
            assertArrayEquals(new long[] {-1}, inst.function("grow").call(0, 4), "past the maximum of 10");
            assertArrayEquals(new long[] {7}, inst.function("grow").call(0, 3));
            inst.function("fill").call(8, n, 2);
            assertEquals(n, table.get(9));
            assertArrayEquals(new long[] {-14}, call.call(9, 14), "the translator re-reads the moved base");
            inst.function("drop").call();
            inst.function("init").call(0, 0, 0);
            assertEquals(TrapCode.TABLE_OOB, assertThrows(Trap.class, () -> inst.function("init").call(0, 0, 1)).code());
            assertEquals(10, table.size());
            assertEquals(-1, table.grow(1, 0));
        }
    }

    private static long[] elements(WasmTable t) {
        long[] out = new long[(int) t.size()];
        for (int i = 0; i < out.length; i++) out[i] = t.get(i);
        return out;
    }
}
