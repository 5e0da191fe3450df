package dev.twill.ir;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class FabricTest {
    @Test
    void buildsAndPrintsAFunctionWithMidBlockBranch() {
        Function f = new Function("%f", Signature.of(new int[] {Type.I32, Type.I32}, new int[] {Type.I32}));
        InstBuilder b = new InstBuilder(f);
        int b0 = f.makeBlock(), b1 = f.makeBlock();
        f.layout.appendBlock(b0);
        f.layout.appendBlock(b1);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        int y = f.dfg.appendBlockParam(b0, Type.I32);
        int p = f.dfg.appendBlockParam(b1, Type.I32);
        b.atEnd(b0);
        b.branch(Opcode.BRZ, y, b1, new int[] {x}, 1);
        int s = b.iadd(x, y);
        b.jump(b1, s);
        b.atEnd(b1);
        b.ret(p);
        String text = f.toString();
        assertEquals("""
                function %f(i32, i32) -> i32 {
                block0(v0: i32, v1: i32):
                    brz v1, block1(v0)
                    v3 = iadd v0, v1
                    jump block1(v3)

                block1(v2: i32):
                    return v2
                }
                """, text);
    }

    @Test
    void layoutOrderQueriesSurviveManyInsertionsAtOnePoint() {
        Function f = new Function("%g", Signature.of(new int[0], new int[0]));
        int b0 = f.makeBlock();
        f.layout.appendBlock(b0);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int last = b.ret();
        b.before(last);
        int first = b.nop();
        // insert 200 instructions right after `first`: forces renumbering
        int[] made = new int[200];
        for (int k = 0; k < made.length; k++) {
            b.before(k == 0 ? last : made[k - 1]);
            made[k] = b.nop();
        }
        for (int k = 1; k < made.length; k++) {
            assertTrue(f.layout.instPrecedes(made[k], made[k - 1]), "order at " + k);
        }
        assertTrue(f.layout.instPrecedes(first, made[199]));
        assertTrue(f.layout.instPrecedes(made[0], last));
        int count = 0;
        for (int i = f.layout.firstInst(b0); i >= 0; i = f.layout.nextInst(i)) count++;
        assertEquals(202, count);
    }

    @Test
    void aliasesResolveAndPrintBeforeUse() {
        Function f = new Function("%h", Signature.of(new int[] {Type.I64}, new int[] {Type.I64}));
        int b0 = f.makeBlock();
        f.layout.appendBlock(b0);
        int a = f.dfg.appendBlockParam(b0, Type.I64);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int c = b.iconst(Type.I64, 7);
        int s = b.iadd(a, c);
        b.ret(s);
        f.dfg.changeToAlias(s, a);
        assertEquals(a, f.dfg.resolveAliases(s));
        assertTrue(f.toString().contains("    v2 -> v0\n    return v2\n"), f.toString());
    }

    @Test
    void immediatesPrintLikeClif() {
        assertEquals("9999", dev.twill.ir.text.Printer.formatImm(9999));
        assertEquals("0x2710", dev.twill.ir.text.Printer.formatImm(10000));
        assertEquals("0xffff_ffff", dev.twill.ir.text.Printer.formatImm(0xFFFF_FFFFL));
        assertEquals("-9999", dev.twill.ir.text.Printer.formatImm(-9999));
        assertEquals("0xffff_ffff_ffff_d8f0", dev.twill.ir.text.Printer.formatImm(-10000));
    }

    @Test
    void floatsPrintExactly() {
        assertEquals("0x1.800000p1", dev.twill.ir.text.FloatText.formatF32(Float.floatToRawIntBits(3.0f)));
        assertEquals("-0.0", dev.twill.ir.text.FloatText.formatF32(0x8000_0000));
        assertEquals("+NaN", dev.twill.ir.text.FloatText.formatF32(0x7fc0_0000));
        assertEquals("+sNaN:0x1", dev.twill.ir.text.FloatText.formatF32(0x7f80_0001));
        assertEquals("-Inf", dev.twill.ir.text.FloatText.formatF64(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY)));
        assertEquals("0x1.0000000000000p0", dev.twill.ir.text.FloatText.formatF64(Double.doubleToRawLongBits(1.0)));
        assertEquals("0x0.0000000000001p-1022", dev.twill.ir.text.FloatText.formatF64(1L));
    }
}
