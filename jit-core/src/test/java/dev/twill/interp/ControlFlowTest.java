package dev.twill.interp;

import static dev.twill.interp.IrKit.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import org.junit.jupiter.api.Test;

/** Branches, EBB fall-through, jump tables, block parameters, traps and the fuel limit. */
class ControlFlowTest {
    @Test
    void midBlockBranchesFallThroughWhenNotTaken() {
        // block0(x, y): brz y, block1(100); brnz x, block1(200); br_icmp slt x, y, block1(300); return 400
        IrKit k = new IrKit("%ebb", types(Type.I32, Type.I32), types(Type.I32));
        int b1 = k.block(Type.I32);
        int c100 = k.b.iconst(Type.I32, 100);
        k.b.branch(Opcode.BRZ, k.args[1], b1, new int[] {c100}, 1);
        int c200 = k.b.iconst(Type.I32, 200);
        k.b.branch(Opcode.BRNZ, k.args[0], b1, new int[] {c200}, 1);
        int c300 = k.b.iconst(Type.I32, 300);
        k.b.brIcmp(IntCC.SLT, k.args[0], k.args[1], b1, new int[] {c300}, 1);
        k.b.nop();
        k.b.ret(k.b.iconst(Type.I32, 400));
        k.b.atEnd(b1);
        k.b.ret(k.param(b1, 0));
        assertEquals(100, run1(k.f, 5, 0));
        assertEquals(200, run1(k.f, 5, 1));
        assertEquals(300, run1(k.f, 0, 1));
        assertEquals(400, run1(k.f, 0, -1)); // slt 0, -1 is false
    }

    @Test
    void brifTakesThenOnNonZero() {
        IrKit k = new IrKit("%brif", types(Type.I8), types(Type.I32));
        int t = k.block(), e = k.block(Type.I32);
        int seven = k.b.iconst(Type.I32, 7);
        k.b.brif(k.args[0], t, new int[0], e, new int[] {seven});
        k.b.atEnd(t);
        k.b.ret(k.b.iconst(Type.I32, 1));
        k.b.atEnd(e);
        k.b.ret(k.param(e, 0));
        assertEquals(1, run1(k.f, 0x80));
        assertEquals(7, run1(k.f, 0));
    }

    @Test
    void brTableTakesTheDefaultForIndicesAtOrPastTheEnd() {
        for (int t : new int[] {Type.I8, Type.I32, Type.I64}) {
            IrKit k = new IrKit("%bt", types(t), types(Type.I32));
            int def = k.block(), e0 = k.block(), e1 = k.block(Type.I32);
            int arg = k.b.iconst(Type.I32, 11);
            int[] calls = {
                k.f.dfg.makeBlockCall(def, new int[0], 0),
                k.f.dfg.makeBlockCall(e0, new int[0], 0),
                k.f.dfg.makeBlockCall(e1, new int[] {arg}, 1),
                k.f.dfg.makeBlockCall(e0, new int[0], 0),
            };
            k.b.brTable(k.args[0], calls, calls.length);
            k.b.atEnd(def);
            k.b.ret(k.b.iconst(Type.I32, 99));
            k.b.atEnd(e0);
            k.b.ret(k.b.iconst(Type.I32, 10));
            k.b.atEnd(e1);
            k.b.ret(k.param(e1, 0));
            assertEquals(10, run1(k.f, 0));
            assertEquals(11, run1(k.f, 1));
            assertEquals(10, run1(k.f, 2));
            assertEquals(99, run1(k.f, 3));
            assertEquals(99, run1(k.f, -1), "index is unsigned: all ones is past the end");
            assertEquals(99, run1(k.f, Type.laneBits(t) == 8 ? 0x80 : 0x8000_0000L));
        }
    }

    @Test
    void blockParametersAreAssignedInParallel() {
        // loop(a, b, n): brz n, exit(a); jump loop(b, a, n - 1)  -- a pure swap
        IrKit k = new IrKit("%swap", types(Type.I32, Type.I32, Type.I32), types(Type.I32, Type.I32));
        int loop = k.block(Type.I32, Type.I32, Type.I32), exit = k.block(Type.I32, Type.I32);
        k.b.jump(loop, k.args[0], k.args[1], k.args[2]);
        k.b.atEnd(loop);
        int a = k.param(loop, 0), b = k.param(loop, 1), n = k.param(loop, 2);
        k.b.branch(Opcode.BRZ, n, exit, new int[] {a, b}, 2);
        int n1 = k.b.iaddImm(n, -1);
        k.b.jump(loop, b, a, n1);
        k.b.atEnd(exit);
        k.b.ret(k.param(exit, 0), k.param(exit, 1));
        assertEquals(InterpResult.returning(1, 2), run(k.f, 1, 2, 0));
        assertEquals(InterpResult.returning(2, 1), run(k.f, 1, 2, 1));
        assertEquals(InterpResult.returning(2, 1), run(k.f, 1, 2, 3));
        assertEquals(InterpResult.returning(1, 2), run(k.f, 1, 2, 1000));
    }

    @Test
    void fibonacciLoopRotatesThreeParameters() {
        // loop(a, b, n): brz n, exit(a); jump loop(b, a + b, n - 1)
        IrKit k = new IrKit("%fib", types(Type.I32), types(Type.I64));
        int loop = k.block(Type.I64, Type.I64, Type.I32), exit = k.block(Type.I64);
        k.b.jump(loop, k.b.iconst(Type.I64, 0), k.b.iconst(Type.I64, 1), k.args[0]);
        k.b.atEnd(loop);
        int a = k.param(loop, 0), b = k.param(loop, 1), n = k.param(loop, 2);
        k.b.branch(Opcode.BRZ, n, exit, new int[] {a}, 1);
        k.b.jump(loop, b, k.b.iadd(a, b), k.b.iaddImm(n, -1));
        k.b.atEnd(exit);
        k.b.ret(k.param(exit, 0));
        long x = 0, y = 1;
        for (int i = 0; i < 90; i++) {
            long t = x + y;
            x = y;
            y = t;
        }
        assertEquals(x, run1(k.f, 90));
        assertEquals(55, run1(k.f, 10));
    }

    @Test
    void trapsCarryTheirCodes() {
        IrKit k = new IrKit("%tr", types(Type.I32, Type.I64), types(Type.I32));
        k.b.condTrap(Opcode.TRAPZ, k.args[0], TrapCode.user(7));
        k.b.condTrap(Opcode.TRAPNZ, k.args[1], TrapCode.INT_OVF);
        int blk = k.block();
        k.b.branch(Opcode.BRZ, k.b.icmpImm(IntCC.EQ, k.args[0], 5), blk, new int[0], 0);
        k.b.trap(TrapCode.UNREACHABLE);
        k.b.atEnd(blk);
        k.b.ret(k.args[0]);
        assertTrap(TrapCode.user(7), run(k.f, 0, 0));
        assertTrap(TrapCode.INT_OVF, run(k.f, 1, 1L << 40));
        assertTrap(TrapCode.UNREACHABLE, run(k.f, 5, 0));
        assertEquals(3, run1(k.f, 3, 0));
    }

    @Test
    void anEndlessLoopRunsOutOfFuel() {
        IrKit k = new IrKit("%spin", types(Type.I32), types(Type.I32));
        int loop = k.block(Type.I32);
        k.b.jump(loop, k.args[0]);
        k.b.atEnd(loop);
        k.b.jump(loop, k.b.iaddImm(k.param(loop, 0), 1));
        Interpreter in = new Interpreter(new InterpModule().add(k.f)).setFuel(10_000);
        InterpResult r = in.call("%spin", 0);
        assertTrue(r.isOutOfFuel());
        assertFalse(r.trapped());
        assertEquals(0, in.fuel());
        assertEquals(InterpResult.outOfFuel(), r);

        // fuel counts instructions: 1 iconst + 1 return = 2
        IrKit two = new IrKit("%two", types(), types(Type.I32));
        two.b.ret(two.b.iconst(Type.I32, 1));
        Interpreter in2 = new Interpreter(new InterpModule().add(two.f)).setFuel(2);
        assertEquals(InterpResult.returning(1), in2.call("%two"));
        assertTrue(in2.call("%two").isOutOfFuel());
    }
}
