package dev.twill.isa.x64.lower;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.isa.x64.X64Features;
import dev.twill.legalize.Legalizer;
import org.junit.jupiter.api.Test;

/**
 * The VCode lowering produces for characteristic functions: which machine operations, operand
 * constraints and folds. Expected listings are written by hand from the selection rules
 * (operand notation of {@code Operand.toString}: p0 = rax, p1 = rcx, p2 = rdx, p7 = rdi, p6 = rsi).
 */
class X64LoweringTest {
    private static String lower(String clif) {
        Function f = Parser.parseFunction(clif);
        new Legalizer().legalize(f);
        X64Lowering l = new X64Lowering();
        l.setFeatures(X64Features.ALL);
        l.lower(f);
        return l.insts.print(l.vcode);
    }

    @Test
    void addressModeAndLoadFoldIntoTheAlu() {
        String s = lower("""
            function %f(i64, i64, i64) -> i64 {
            block0(v0: i64, v1: i64, v2: i64):
                v3 = ishl_imm v1, 3
                v4 = iadd v0, v3
                v5 = load.i64 v4+16
                v6 = iadd v2, v5
                return v6
            }""");
        // the load folds into the add, with [base + index*8 + 16]; shl and iadd are gone
        assertEquals("""
            block0:
              args : def@late v0:p7 def@late v1:p6 def@late v2:p2
              alu_rm.8 [op1+op2*8+16] : use@early v2:reg use@early v0:reg use@early v1:reg def@late v3:reuse(0)
              ret : use@early v3:p0
            """, s);
    }

    @Test
    void compareFusesIntoBranchAndImmediatesFold() {
        String s = lower("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = icmp_imm ult v0, 10
                brif v1, block1, block2
            block1:
                return v0
            block2:
                v2 = iconst.i32 0
                return v2
            }""");
        assertTrue(s.contains("jcc cmpi.4 b #10 : use@early v0:reg"), s);
        assertFalse(s.contains("setcc"), s);
    }

    @Test
    void selectOfCompareIsCmovAndShiftsUseRcx() {
        String s = lower("""
            function %f(i64, i64, i8) -> i64 {
            block0(v0: i64, v1: i64, v2: i8):
                v3 = icmp sgt v0, v1
                v4 = select v3, v0, v1
                v5 = ishl v4, v2
                return v5
            }""");
        assertTrue(s.contains("cmov.8 cmp.8 g : use@early v0:reg use@early v1:reg use@early v0:reg use@early v1:reg def@late v3:reuse(3)"), s);
        assertTrue(s.contains("shift_cl.8 aux=4 : use@early v3:reg use@early v2:p1 def@late v4:reuse(0)"), s);
    }

    @Test
    void divisionUsesRaxRdxAndKnownDivisorsSkipChecks() {
        String s = lower("""
            function %f(i32, i32) -> i32, i32 {
            block0(v0: i32, v1: i32):
                v2 = sdiv v0, v1
                v3 = urem_imm v0, 7
                return v2, v3
            }""");
        // sdiv: both checks (aux = signed 1); urem by 7: rem 2 + no zero check 4 + no -1 check 8
        assertTrue(s.contains("div.4 #4 aux=1 : use@early v0:p0 use@early v1:reg def@late v2:p0 def@early v3:p2"), s);
        assertTrue(s.contains("div.4 #4 aux=14 :"), s);
    }

    @Test
    void narrowShiftMasksTheAmountAndCallsClobberCallerSaved() {
        String s = lower("""
            function %f(i16, i16) -> i16 {
                sig0 = (i16) -> i16
                fn0 = colocated %g sig0
            block0(v0: i16, v1: i16):
                v2 = ushr v0, v1
                v3 = call fn0(v2)
                return v3
            }""");
        assertTrue(s.contains("alu_ri.4 #15 aux=4 : use@early v1:reg def@late v2:reuse(0)"), s);
        assertTrue(s.contains("shift_cl.2 aux=5"), s);
        assertTrue(s.contains("call.8 : use@early v3:p7 def@late v4:p0 clobbers 0x7fff000007c6"), s);
    }

    @Test
    void deadPureInstructionsAreDropped() {
        String s = lower("""
            function %f(i64) -> i64 {
            block0(v0: i64):
                v1 = imul v0, v0
                v2 = iconst.i64 5
                return v0
            }""");
        assertFalse(s.contains("imul"), s);
        assertFalse(s.contains("imm"), s);
    }

    /** Unverified IR whose block ends in a conditional branch (no terminator) is refused, whatever was compiled before. */
    @Test
    void aBlockWithoutTerminatorIsACompileError() {
        String clif = """
                function %f(i32) -> i32 {
                block0(v0: i32):
                    jump block1(v0)
                block1(v1: i32):
                    v2 = iadd_imm v1, -1
                    brnz v2, block1(v2)
                }""";
        for (int k = 0; k < 2; k++) {
            dev.twill.CompileError e = assertThrows(dev.twill.CompileError.class, () -> lower(clif));
            assertTrue(e.getMessage().contains("block1") && e.getMessage().contains("not a terminator"), e.getMessage());
            lower("""
                    function %g(i32) -> i32 {
                    block0(v0: i32):
                        brnz v0, block1
                        return v0
                    block1:
                        v1 = iconst.i32 7
                        return v1
                    }""");
        }
    }
}
