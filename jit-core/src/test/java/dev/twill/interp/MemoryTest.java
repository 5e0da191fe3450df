package dev.twill.interp;

import static dev.twill.interp.IrKit.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import org.junit.jupiter.api.Test;

/** The memory model, memory-level loads and stores, stack slots, heaps, tables and global values. */
class MemoryTest {
    static Signature vmctxSig(int[] rest, int[] returns) {
        int n = rest.length + 1;
        int[] params = new int[n], purposes = new int[n];
        params[0] = Type.I64;
        purposes[0] = Signature.PURPOSE_VMCTX;
        System.arraycopy(rest, 0, params, 1, rest.length);
        return new Signature(params, purposes, new int[n], returns, new int[returns.length], new int[returns.length], null);
    }

    @Test
    void memoryRegionsAreLittleEndianAndSeparatedByGaps() {
        InterpMemory m = new InterpMemory();
        long a = m.allocate(16, 8);
        long b = m.allocate(3, 1);
        long c = m.allocate(8, 4096);
        assertEquals(0, c % 4096);
        assertTrue(b >= a + 16 + 4096 && c >= b + 3 + 4096, "regions are far apart");
        m.write(a, 8, 0x0102_0304_0506_0708L);
        assertEquals(0x08, m.read(a, 1));
        assertEquals(0x0708, m.read(a, 2));
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, m.readBytes(a, 8));
        assertEquals(0x0102_0304L, m.read(a + 4, 4));
        assertTrue(m.isMapped(a + 8, 8));
        assertFalse(m.isMapped(a + 9, 8));
        assertFalse(m.isMapped(a + 16, 1));
        assertFalse(m.isMapped(a - 1, 1));
        assertFalse(m.isMapped(b, 4));
        assertTrue(m.isMapped(b + 2, 1));
        assertFalse(m.isMapped(-1L, 1));
        assertFalse(m.isMapped(0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> m.read(a + 15, 2));
        m.free(b);
        assertFalse(m.isMapped(b, 1));
        assertTrue(m.isMapped(c, 8));
        assertEquals(2, m.regionCount());
    }

    /** {@code fn(addr: i64, v: i64) -> t}: stores v with {@code store}, loads it back with {@code load}. */
    static Function storeLoad(Opcode store, int storeType, Opcode load, int loadType, long offset) {
        IrKit k = new IrKit("%sl", types(Type.I64, storeType), types(loadType));
        k.b.store(store, MemFlags.NONE, k.args[1], k.args[0], offset);
        k.b.ret(k.b.load(load, loadType, MemFlags.NONE, k.args[0], offset));
        return k.f;
    }

    static InterpResult runWith(InterpMemory m, Function f, long... args) {
        return new Interpreter(new InterpModule().add(f), m).call(f.name, args);
    }

    /** (store, stored type, load, loaded type, stored value, expected loaded value): worked by hand. */
    static final Object[][] CASES = {
            {Opcode.ISTORE8, Type.I32, Opcode.ULOAD8, Type.I32, 0x1234_56F0L, 0xF0L},
            {Opcode.ISTORE8, Type.I32, Opcode.SLOAD8, Type.I32, 0x1234_56F0L, 0xFFFF_FFF0L},
            {Opcode.ISTORE8, Type.I64, Opcode.SLOAD8, Type.I64, 0x7FL, 0x7FL},
            {Opcode.ISTORE16, Type.I64, Opcode.SLOAD16, Type.I64, 0x8001L, 0xFFFF_FFFF_FFFF_8001L},
            {Opcode.ISTORE16, Type.I32, Opcode.ULOAD16, Type.I32, 0xABCD_8001L, 0x8001L},
            {Opcode.ISTORE32, Type.I64, Opcode.SLOAD32, Type.I64, 0x1_8000_0000L, 0xFFFF_FFFF_8000_0000L},
            {Opcode.ISTORE32, Type.I64, Opcode.ULOAD32, Type.I64, 0x1_8000_0000L, 0x8000_0000L},
            {Opcode.STORE, Type.I16, Opcode.LOAD, Type.I16, 0xBEEFL, 0xBEEFL},
            {Opcode.STORE, Type.F32, Opcode.LOAD, Type.F32, 0x7FA0_0001L, 0x7FA0_0001L},
            {Opcode.STORE, Type.F64, Opcode.LOAD, Type.F64, 0xFFF4_0000_0000_0001L, 0xFFF4_0000_0000_0001L},
            {Opcode.STORE, Type.I8, Opcode.LOAD, Type.I8, 0x9CL, 0x9CL},
            {Opcode.STORE, Type.I32, Opcode.LOAD, Type.I32, 0x8765_4321L, 0x8765_4321L},
            {Opcode.STORE, Type.I32, Opcode.SLOAD8, Type.I16, 0x8765_4381L, 0xFF81L},
            {Opcode.STORE, Type.I32, Opcode.ULOAD16, Type.I64, 0x8765_4381L, 0x4381L},
            {Opcode.STORE, Type.I64, Opcode.SLOAD32, Type.I64, 0x0000_0001_7FFF_FFFFL, 0x7FFF_FFFFL},
            {Opcode.ISTORE8, Type.I16, Opcode.ULOAD8, Type.I64, 0xFFEEL, 0xEEL},
            {Opcode.ISTORE16, Type.I32, Opcode.SLOAD16, Type.I32, 0x1234_7FFFL, 0x7FFFL},
            {Opcode.STORE, Type.I64, Opcode.LOAD, Type.I64, 0x0123_4567_89AB_CDEFL, 0x0123_4567_89AB_CDEFL},
        };

    @Test
    void narrowLoadsExtendAndNarrowStoresWriteLowBytes() {
        InterpMemory m = new InterpMemory();
        long a = m.allocate(32, 8);
        for (Object[] c : CASES) {
            Function f = storeLoad((Opcode) c[0], (int) c[1], (Opcode) c[2], (int) c[3], 5);
            assertEquals(InterpResult.returning((long) c[5]), runWith(m, f, a, (long) c[4]), c[0] + " then " + c[2]);
        }
        // the store really wrote little-endian bytes at addr + 5
        assertEquals(0xEFL, m.read(a + 5, 1));
        assertEquals(0x89AB_CDEFL, m.read(a + 5, 4));
    }

    @Test
    void everyHeapLoadAndStoreFormMatchesItsMemoryForm() {
        InterpMemory m = new InterpMemory();
        long mem = m.allocate(0x20, 16);
        long vmctx = m.allocate(8, 8);
        m.write(vmctx, 8, mem);
        for (Object[] c : CASES) {
            Opcode store = heapForm((Opcode) c[0]), load = heapForm((Opcode) c[2]);
            int loadType = (int) c[3];
            IrKit k = new IrKit("%hsl", vmctxSig(types(Type.I32, (int) c[1]), types(loadType)));
            int vm = k.f.addGlobalValue(GlobalValueData.vmctx());
            int base = k.f.addGlobalValue(GlobalValueData.load(vm, 0, Type.I64, MemFlags.NOTRAP));
            int heap = k.f.addHeap(new HeapData(base, 0x20, HeapData.Style.STATIC, 0x20, -1, 0, Type.I32));
            k.b.heapStore(store, heap, k.args[2], k.args[1], 8);
            k.b.ret(k.b.heapLoad(load, loadType, heap, k.args[1], 8));
            int bytes = Math.max(store.accessBytes((int) c[1]), load.accessBytes(loadType));
            assertEquals(InterpResult.returning((long) c[5]), runWith(m, k.f, vmctx, 0x18 - bytes, (long) c[4]), store + " then " + load);
            assertTrap(TrapCode.HEAP_OOB, runWith(m, k.f, vmctx, 0x18 - bytes + 1, (long) c[4]));
        }
    }

    static Opcode heapForm(Opcode memoryOp) {
        for (Opcode o : Opcode.values()) if (o.level == Opcode.Level.SANDBOX && o.memoryForm() == memoryOp) return o;
        throw new AssertionError(memoryOp);
    }

    @Test
    void anAccessOneBytePastARegionTraps() {
        InterpMemory m = new InterpMemory();
        long a = m.allocate(16, 8);
        Function ld64 = storeLoad(Opcode.STORE, Type.I64, Opcode.LOAD, Type.I64, 0);
        assertTrue(runWith(m, ld64, a + 8, 1).returned());
        assertTrap(TrapCode.HEAP_OOB, runWith(m, ld64, a + 9, 1));
        assertTrap(TrapCode.HEAP_OOB, runWith(m, ld64, a - 1, 1));
        Function b8 = storeLoad(Opcode.ISTORE8, Type.I32, Opcode.ULOAD8, Type.I32, 0);
        assertTrue(runWith(m, b8, a + 15, 1).returned());
        assertTrap(TrapCode.HEAP_OOB, runWith(m, b8, a + 16, 1));
        assertTrap(TrapCode.HEAP_OOB, runWith(m, b8, 0, 1));
        // negative offsets reach back into the region
        IrKit k = new IrKit("%neg", types(Type.I64), types(Type.I32));
        k.b.ret(k.b.load(Opcode.ULOAD8, Type.I32, MemFlags.NONE, k.args[0], -16));
        m.write(a, 1, 0x5A);
        assertEquals(InterpResult.returning(0x5A), runWith(m, k.f, a + 16));
    }

    @Test
    void stackSlotsLiveForOneCall() {
        IrKit k = new IrKit("%ss", types(Type.I32), types(Type.I32, Type.I64));
        int ss = k.f.addStackSlot(new StackSlotData(8, 8));
        k.b.stackStore(k.args[0], ss, 4);
        int addr = k.b.stackAddr(Type.I64, ss, 0);
        int wide = k.b.load(Opcode.LOAD, Type.I64, MemFlags.NONE, addr, 0);
        int back = k.b.stackLoad(Type.I32, ss, 4);
        k.b.ret(back, wide);
        InterpMemory m = new InterpMemory();
        InterpResult r = runWith(m, k.f, 0xDEAD_BEEFL);
        assertEquals(InterpResult.returning(0xDEAD_BEEFL, 0xDEAD_BEEF_0000_0000L), r);
        assertEquals(0, m.regionCount(), "the slot is freed on return");

        IrKit out = new IrKit("%ssoob", types(), types(Type.I32));
        int s2 = out.f.addStackSlot(new StackSlotData(4, 4));
        out.b.ret(out.b.stackLoad(Type.I32, s2, 1));
        assertTrap(TrapCode.HEAP_OOB, runWith(m, out.f));
        assertEquals(0, m.regionCount(), "the slot is freed when the call traps");
    }

    /** A dynamic heap whose base and bound live at vmctx+0 and vmctx+8. */
    static final class DynHeap {
        final IrKit k;
        final int heap;

        DynHeap(int indexType, int[] rest, int[] returns) {
            k = new IrKit("%heap", vmctxSig(rest, returns));
            int vm = k.f.addGlobalValue(GlobalValueData.vmctx());
            int base = k.f.addGlobalValue(GlobalValueData.load(vm, 0, Type.I64, MemFlags.NOTRAP | MemFlags.READONLY));
            int bound = k.f.addGlobalValue(GlobalValueData.load(vm, 8, Type.I64, MemFlags.NOTRAP));
            heap = k.f.addHeap(new HeapData(base, 0, HeapData.Style.DYNAMIC, 0, bound, 0, indexType));
        }
    }

    @Test
    void staticHeapBoundIsExactAndNeverWraps() {
        InterpMemory m = new InterpMemory();
        long mem = m.allocate(0x100, 16);
        long vmctx = m.allocate(8, 8);
        m.write(vmctx, 8, mem);
        IrKit k = new IrKit("%sh", vmctxSig(types(Type.I32), types(Type.I32)));
        int vm = k.f.addGlobalValue(GlobalValueData.vmctx());
        int base = k.f.addGlobalValue(GlobalValueData.load(vm, 0, Type.I64, MemFlags.NOTRAP));
        int heap = k.f.addHeap(new HeapData(base, 0x100, HeapData.Style.STATIC, 0x100, -1, 0, Type.I32));
        k.b.ret(k.b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, k.args[1], 0xC));
        m.write(mem + 0xFC, 4, 0x1122_3344L);
        assertEquals(InterpResult.returning(0x1122_3344L), runWith(m, k.f, vmctx, 0xF0));
        assertTrap(TrapCode.HEAP_OOB, runWith(m, k.f, vmctx, 0xF1));
        assertTrap(TrapCode.HEAP_OOB, runWith(m, k.f, vmctx, 0xFFFF_FFFFL)); // zext index, no wrap to small
        assertTrue(runWith(m, k.f, vmctx, 0).returned());
    }

    @Test
    void dynamicHeapSeesItsBoundChangeWhileRunning() {
        DynHeap h = new DynHeap(Type.I64, types(Type.I64), types(Type.I32));
        IrKit k = h.k;
        // %grow is a host function that raises the bound; the second access is only valid after it
        Signature growSig = Signature.of(types(), types());
        int sig = k.f.addSignature(growSig);
        int grow = k.f.addExtFunc(new dev.twill.ir.ExtFuncData("%grow", sig, false));
        int v0 = k.b.heapLoad(Opcode.HEAP_SLOAD16, Type.I32, h.heap, k.args[1], 0);
        k.b.call(grow, new int[0], 0);
        int v1 = k.b.heapLoad(Opcode.HEAP_ULOAD8, Type.I32, h.heap, k.args[1], 2);
        k.b.heapStore(Opcode.HEAP_ISTORE8, h.heap, v0, k.args[1], 3);
        k.b.ret(k.b.iadd(v0, v1));

        InterpMemory m = new InterpMemory();
        long mem = m.allocate(0x40, 16);
        long vmctx = m.allocate(16, 8);
        m.write(vmctx, 8, mem);
        m.write(vmctx + 8, 8, 0x12);
        m.write(mem + 0x10, 2, 0xFFFE); // -2 as i16
        m.write(mem + 0x12, 1, 0x07);
        InterpModule mod = new InterpModule().add(k.f)
                .addHost("%grow", growSig, (in, a) -> {
                    in.memory().write(vmctx + 8, 8, 0x40);
                    return InterpResult.returning();
                });
        Interpreter in = new Interpreter(mod, m);
        assertEquals(InterpResult.returning(0xFFFF_FFFFL & (-2 + 7)), in.call("%heap", vmctx, 0x10));
        assertEquals(0xFEL, m.read(mem + 0x13, 1), "heap_istore8 wrote the low byte");
        // bound back to 0x12: the 2-byte load at 0x10 fits, the 1-byte load at 0x12 needs the grow
        m.write(vmctx + 8, 8, 0x11);
        assertTrap(TrapCode.HEAP_OOB, in.call("%heap", vmctx, 0x10));
        m.write(vmctx + 8, 8, 0x12);
        assertTrue(in.call("%heap", vmctx, 0x10).returned());
        // an i64 index plus the offset must not wrap around to a valid one
        assertTrap(TrapCode.HEAP_OOB, in.call("%heap", vmctx, -1L));
    }

    @Test
    void heapAddrChecksIndexPlusSizeAndReturnsBasePlusIndex() {
        DynHeap h = new DynHeap(Type.I32, types(Type.I32), types(Type.I64));
        h.k.b.ret(h.k.b.heapAddr(Type.I64, h.heap, h.k.args[1], 8));
        InterpMemory m = new InterpMemory();
        long vmctx = m.allocate(16, 8);
        long fakeBase = 0x5000_0000L; // heap_addr computes, it does not access
        m.write(vmctx, 8, fakeBase);
        m.write(vmctx + 8, 8, 0x100);
        assertEquals(InterpResult.returning(fakeBase + 0xF8), runWith(m, h.k.f, vmctx, 0xF8));
        assertTrap(TrapCode.HEAP_OOB, runWith(m, h.k.f, vmctx, 0xF9));
        assertTrap(TrapCode.HEAP_OOB, runWith(m, h.k.f, vmctx, 0xFFFF_FFFFL));
    }

    @Test
    void tableAddrChecksTheBoundAndScalesTheIndex() {
        IrKit k = new IrKit("%tab", vmctxSig(types(Type.I32), types(Type.I64)));
        int vm = k.f.addGlobalValue(GlobalValueData.vmctx());
        int base = k.f.addGlobalValue(GlobalValueData.load(vm, 0, Type.I64, MemFlags.NOTRAP));
        int bound = k.f.addGlobalValue(GlobalValueData.load(vm, 8, Type.I32, MemFlags.NOTRAP));
        int table = k.f.addTable(new TableData(base, 0, bound, 24, Type.I32));
        k.b.ret(k.b.tableAddr(Type.I64, table, k.args[1], 8));
        InterpMemory m = new InterpMemory();
        long vmctx = m.allocate(16, 8);
        m.write(vmctx, 8, 0x7000);
        m.write(vmctx + 8, 4, 3);
        assertEquals(InterpResult.returning(0x7000 + 2 * 24 + 8), runWith(m, k.f, vmctx, 2));
        assertEquals(InterpResult.returning(0x7000 + 8), runWith(m, k.f, vmctx, 0));
        assertTrap(TrapCode.TABLE_OOB, runWith(m, k.f, vmctx, 3));
        assertTrap(TrapCode.TABLE_OOB, runWith(m, k.f, vmctx, 0xFFFF_FFFFL));
    }

    @Test
    void globalValuesAndSymbols() {
        IrKit k = new IrKit("%gv", vmctxSig(types(), types(Type.I64, Type.I64, Type.I32, Type.I64, Type.I64, Type.I64)));
        int vm = k.f.addGlobalValue(GlobalValueData.vmctx());
        int ld = k.f.addGlobalValue(GlobalValueData.load(vm, 8, Type.I64, MemFlags.NOTRAP));
        int add = k.f.addGlobalValue(GlobalValueData.iaddImm(ld, -3, Type.I64));
        int ld32 = k.f.addGlobalValue(GlobalValueData.load(add, 3, Type.I32, MemFlags.NOTRAP));
        int sym = k.f.addGlobalValue(GlobalValueData.symbol("%data", 16, false));
        int fsym = k.f.addGlobalValue(GlobalValueData.symbol("%gv", 0, true));
        k.b.ret(k.b.globalValue(Type.I64, vm), k.b.globalValue(Type.I64, add), k.b.globalValue(Type.I32, ld32),
                k.b.symbolValue(Type.I64, sym), k.b.globalValue(Type.I64, sym), k.b.symbolValue(Type.I64, fsym));
        InterpMemory m = new InterpMemory();
        long vmctx = m.allocate(16, 8);
        long other = m.allocate(8, 8);
        m.write(vmctx + 8, 8, other);
        m.write(other, 4, 0xCAFE_F00DL);
        InterpModule mod = new InterpModule().add(k.f).defineSymbol("%data", 0x4_0000);
        InterpResult r = new Interpreter(mod, m).call("%gv", vmctx);
        assertEquals(InterpResult.returning(vmctx, other - 3, 0xCAFE_F00DL, 0x4_0010, 0x4_0010, mod.functionAddress("%gv")), r);

        // a global value load from unmapped memory traps; an unknown symbol is a host error
        assertTrap(TrapCode.HEAP_OOB, new Interpreter(mod, m).call("%gv", 0x10));
        InterpModule noSym = new InterpModule().add(k.f);
        Interpreter in = new Interpreter(noSym, m);
        assertThrows(IllegalArgumentException.class, () -> in.call("%gv", vmctx));
        noSym.defineSymbol("%data", 0x8000);
        assertTrue(in.call("%gv", vmctx).returned(), "the interpreter is usable after a host error");
        assertEquals(0, m.regionCount() - 2);
    }
}
