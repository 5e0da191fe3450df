package dev.twill.interp;

import static dev.twill.interp.IrKit.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.ExtFuncData;
import dev.twill.ir.Function;
import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import org.junit.jupiter.api.Test;

/** Direct, indirect and host calls, recursion, the depth limit, and host-side errors. */
class CallTest {
    static final Signature I32_TO_I32 = Signature.of(types(Type.I32), types(Type.I32));

    static int fnRef(IrKit k, String name, Signature sig) {
        return k.f.addExtFunc(new ExtFuncData(name, k.f.addSignature(sig), true));
    }

    /** %fact(n) = n == 0 ? 1 : n * %fact(n - 1), with a stack slot per frame holding n. */
    static Function factorial() {
        IrKit k = new IrKit("%fact", types(Type.I64), types(Type.I64));
        int ss = k.f.addStackSlot(new StackSlotData(8, 8));
        int self = fnRef(k, "%fact", Signature.of(types(Type.I64), types(Type.I64)));
        int rec = k.block();
        k.b.stackStore(k.args[0], ss, 0);
        k.b.branch(Opcode.BRNZ, k.args[0], rec, new int[0], 0);
        k.b.ret(k.b.iconst(Type.I64, 1));
        k.b.atEnd(rec);
        int call = k.b.call(self, new int[] {k.b.iaddImm(k.args[0], -1)}, 1);
        int n = k.b.stackLoad(Type.I64, ss, 0); // the callee's slot must not have clobbered ours
        k.b.ret(k.b.imul(n, k.f.dfg.firstResult(call)));
        return k.f;
    }

    @Test
    void recursionWithStackSlots() {
        InterpMemory m = new InterpMemory();
        Interpreter in = new Interpreter(new InterpModule().add(factorial()), m);
        long want = 1;
        for (int i = 2; i <= 20; i++) want *= i;
        assertEquals(InterpResult.returning(want), in.call("%fact", 20));
        assertEquals(InterpResult.returning(1), in.call("%fact", 0));
        assertEquals(0, m.regionCount());
    }

    @Test
    void deepRecursionIsFineAndUnboundedRecursionTrapsStackOverflow() {
        InterpMemory m = new InterpMemory();
        Interpreter in = new Interpreter(new InterpModule().add(factorial()), m);
        // 9,000 frames: the product wraps, but the call completes without a Java stack overflow
        assertTrue(in.call("%fact", 9_000).returned());
        assertTrap(TrapCode.STK_OVF, in.call("%fact", 20_000));
        assertEquals(0, m.regionCount(), "every frame's stack slot was freed while unwinding");
        // and a trap from the bottom frame of a deep stack unwinds just the same
        in.setMaxDepth(100);
        assertTrap(TrapCode.STK_OVF, in.call("%fact", 100));
        assertTrue(in.call("%fact", 98).returned());

        IrKit k = new IrKit("%forever", types(Type.I32), types(Type.I32));
        int self = fnRef(k, "%forever", I32_TO_I32);
        k.b.ret(k.f.dfg.firstResult(k.b.call(self, new int[] {k.args[0]}, 1)));
        assertTrap(TrapCode.STK_OVF, new Interpreter(new InterpModule().add(k.f)).call("%forever", 1));
    }

    @Test
    void multipleReturnValuesFlowBackToTheCaller() {
        IrKit g = new IrKit("%divmod", types(Type.I32, Type.I32), types(Type.I32, Type.I32));
        g.b.ret(g.b.binary(Opcode.UDIV, g.args[0], g.args[1]), g.b.binary(Opcode.UREM, g.args[0], g.args[1]));
        IrKit f = new IrKit("%main", types(Type.I32), types(Type.I32, Type.I32, Type.I32));
        int ref = fnRef(f, "%divmod", Signature.of(types(Type.I32, Type.I32), types(Type.I32, Type.I32)));
        int seven = f.b.iconst(Type.I32, 7);
        int call = f.b.call(ref, new int[] {f.args[0], seven}, 2);
        int q = f.f.dfg.result(call, 0), r = f.f.dfg.result(call, 1);
        f.b.ret(r, q, f.b.iadd(q, r));
        Interpreter in = new Interpreter(new InterpModule().add(f.f, g.f));
        assertEquals(InterpResult.returning(100 % 7, 100 / 7, 100 / 7 + 100 % 7), in.call("%main", 100));
        assertTrap(TrapCode.INT_DIVZ, in.call("%divmod", 1, 0));
    }

    /** %dispatch(addr, x) = call_indirect (i32) -> i32 addr(x). */
    static Function dispatcher() {
        IrKit k = new IrKit("%dispatch", types(Type.I64, Type.I32), types(Type.I32));
        int sig = k.f.addSignature(I32_TO_I32);
        int call = k.b.callIndirect(sig, k.args[0], new int[] {k.args[1]}, 1);
        k.b.ret(k.f.dfg.firstResult(call));
        return k.f;
    }

    @Test
    void callIndirectChecksNullAndSignature() {
        IrKit inc = new IrKit("%inc", I32_TO_I32);
        inc.b.ret(inc.b.iaddImm(inc.args[0], 1));
        IrKit wide = new IrKit("%wide", types(Type.I64), types(Type.I64));
        wide.b.ret(wide.args[0]);
        // the caller takes the address of %inc itself
        IrKit main = new IrKit("%main", types(Type.I32), types(Type.I32, Type.I64));
        int incRef = fnRef(main, "%inc", I32_TO_I32);
        int dispRef = fnRef(main, "%dispatch", Signature.of(types(Type.I64, Type.I32), types(Type.I32)));
        int addr = main.b.funcAddr(Type.I64, incRef);
        int call = main.b.call(dispRef, new int[] {addr, main.args[0]}, 2);
        main.b.ret(main.f.dfg.firstResult(call), addr);

        InterpModule mod = new InterpModule().add(dispatcher(), inc.f, wide.f, main.f)
                .addHost("%twice", I32_TO_I32, (in, a) -> InterpResult.returning(a[0] * 2));
        Interpreter in = new Interpreter(mod);
        long incAddr = mod.functionAddress("%inc");
        assertNotEquals(0, incAddr);
        assertNotEquals(incAddr, mod.functionAddress("%wide"));
        assertEquals(InterpResult.returning(42, incAddr), in.call("%main", 41));
        assertEquals(InterpResult.returning(0), in.call("%dispatch", incAddr, 0xFFFF_FFFFL));
        assertEquals(InterpResult.returning(0xFFFF_FFFEL), in.call("%dispatch", mod.functionAddress("%twice"), 0x7FFF_FFFFL));
        assertTrap(TrapCode.NULL_REFERENCE, in.call("%dispatch", 0, 1));
        assertTrap(TrapCode.BAD_SIG, in.call("%dispatch", mod.functionAddress("%wide"), 1));
        assertTrap(TrapCode.BAD_SIG, in.call("%dispatch", incAddr + 1, 1));
        assertTrap(TrapCode.BAD_SIG, in.call("%dispatch", 0x1234, 1));
        // a signature that differs only in the calling convention is a different signature
        IrKit cc = new IrKit("%cc", new Signature(types(Type.I32), new int[1], new int[1], types(Type.I32), new int[1], new int[1], "system_v"));
        cc.b.ret(cc.args[0]);
        mod.add(cc.f);
        assertTrap(TrapCode.BAD_SIG, in.call("%dispatch", mod.functionAddress("%cc"), 1));
    }

    @Test
    void hostFunctionsModelImportsTrapAndReenter() {
        IrKit k = new IrKit("%useHost", types(Type.I32), types(Type.I32));
        int ref = fnRef(k, "%host", I32_TO_I32);
        int call = k.b.call(ref, new int[] {k.args[0]}, 1);
        k.b.ret(k.b.iaddImm(k.f.dfg.firstResult(call), 1));
        IrKit leaf = new IrKit("%leaf", I32_TO_I32);
        leaf.b.ret(leaf.b.binaryImm(Opcode.IMUL_IMM, leaf.args[0], 3));
        InterpModule mod = new InterpModule().add(k.f, leaf.f).addHost("%host", I32_TO_I32, (in, a) -> {
            if (a[0] == 0) return InterpResult.trap(TrapCode.user(3));
            // call back into the interpreter, and return a value wider than i32 (cut to i32)
            InterpResult inner = in.call("%leaf", a[0]);
            if (!inner.returned()) return inner;
            return InterpResult.returning(inner.value(0) | 0xFF_0000_0000L);
        });
        Interpreter in = new Interpreter(mod);
        assertEquals(InterpResult.returning(31), in.call("%useHost", 10));
        assertTrap(TrapCode.user(3), in.call("%useHost", 0));
        assertEquals(InterpResult.returning(0xF), in.call("%host", 5));
    }

    @Test
    void hostSideMistakesAreIllegalArgumentExceptions() {
        IrKit k = new IrKit("%callsMissing", types(Type.I32), types(Type.I32));
        int ref = fnRef(k, "%missing", I32_TO_I32);
        k.b.ret(k.f.dfg.firstResult(k.b.call(ref, new int[] {k.args[0]}, 1)));
        IrKit ok = new IrKit("%ok", I32_TO_I32);
        ok.b.ret(ok.args[0]);
        IrKit mismatch = new IrKit("%mismatch", types(Type.I32), types(Type.I32));
        int bad = fnRef(mismatch, "%ok", Signature.of(types(Type.I64), types(Type.I32)));
        mismatch.b.ret(mismatch.f.dfg.firstResult(mismatch.b.call(bad, new int[] {mismatch.b.iconst(Type.I64, 1)}, 1)));
        InterpModule mod = new InterpModule().add(k.f, ok.f, mismatch.f)
                .addHost("%badHost", I32_TO_I32, (in, a) -> InterpResult.returning(1, 2));
        Interpreter in = new Interpreter(mod);
        assertThrows(IllegalArgumentException.class, () -> in.call("%nope"));
        assertThrows(IllegalArgumentException.class, () -> in.call("%ok"));
        assertThrows(IllegalArgumentException.class, () -> in.call("%ok", 1, 2));
        assertThrows(IllegalArgumentException.class, () -> in.call("%callsMissing", 1));
        assertThrows(IllegalArgumentException.class, () -> in.call("%mismatch", 1));
        assertThrows(IllegalArgumentException.class, () -> in.call("%badHost", 1));
        assertThrows(IllegalArgumentException.class, () -> mod.add(ok.f), "names are unique");
        assertEquals(InterpResult.returning(9), in.call("%ok", 9), "still usable");
    }

    @Test
    void argumentsAreCutToTheirWidth() {
        IrKit k = new IrKit("%w", types(Type.I8, Type.I32), types(Type.I32));
        k.b.ret(k.b.iadd(k.b.convert(Opcode.UEXTEND, Type.I32, k.args[0]), k.args[1]));
        assertEquals(0xFF + 1, run1(k.f, -1, 0x1_0000_0001L));
        IrKit lt = new IrKit("%lt", types(Type.I32, Type.I32), types(Type.I8));
        lt.b.ret(lt.b.icmp(IntCC.SLT, lt.args[0], lt.args[1]));
        assertEquals(1, run1(lt.f, -1, 0));
    }
}
