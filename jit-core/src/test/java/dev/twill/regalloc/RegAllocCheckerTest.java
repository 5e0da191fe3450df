package dev.twill.regalloc;

import static dev.twill.machinst.Operand.fixedDef;
import static dev.twill.machinst.Operand.fixedUse;
import static dev.twill.machinst.Operand.regDef;
import static dev.twill.machinst.Operand.regUse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.machinst.Allocation;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.VCode;
import org.junit.jupiter.api.Test;

/** Hand-made VCode with hand-made allocations: the correct ones pass, each planted mistake is caught. */
class RegAllocCheckerTest {
    static final int I = RegClass.INT;
    static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, SCRATCH = 15;
    static final MachineEnv ENV = TestEnvs.small();
    final RegAllocChecker checker = new RegAllocChecker();

    static RegAllocResult result(VCode code, long usedRegs, int slots, int... allocs) {
        assertEquals(code.totalOperands(), allocs.length, "one allocation per operand");
        RegAllocResult r = new RegAllocResult();
        r.reset(allocs.length);
        for (int k = 0; k < allocs.length; k++) r.setAlloc(k, allocs[k]);
        r.usedRegs = usedRegs;
        r.numSpillSlots = slots;
        return r;
    }

    static long regs(int... rs) {
        long m = 0;
        for (int r : rs) m |= 1L << r;
        return m;
    }

    void fails(VCode code, RegAllocResult r, String fragment) {
        RegAllocCheckError e = assertThrows(RegAllocCheckError.class, () -> checker.check(code, ENV, r));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    /** v0, v1 arrive in r0, r1; v2 = v0 op v1 two-address; ret v2 in r0. */
    static VCode straight() {
        VCode c = new VCode();
        c.startBlock();
        int v0 = c.newVReg(I), v1 = c.newVReg(I), v2 = c.newVReg(I);
        c.startInst(0);
        c.addOperand(fixedDef(v0, I, R0));
        c.addOperand(fixedDef(v1, I, R1));
        c.startInst(0);
        c.addOperand(regUse(v0, I));
        c.addOperand(regUse(v1, I));
        c.addOperand(Operand.reuseDef(v2, I, 0));
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(v2, I, R0));
        c.endBlock();
        c.finish();
        return c;
    }

    @Test
    void correctStraightLinePasses() {
        VCode c = straight();
        checker.check(c, ENV, result(c, regs(R0, R1), 0, R0, R1, R0, R1, R0, R0));
    }

    @Test
    void useOfWrongRegister() {
        VCode c = straight();
        fails(c, result(c, regs(R0, R1), 0, R0, R1, R0, R0, R0, R0), "r0 does not hold v1");
    }

    @Test
    void reuseMismatch() {
        VCode c = straight();
        fails(c, result(c, regs(R0, R1), 0, R0, R1, R0, R1, R1, R1), "reused operand 0 got r0");
    }

    @Test
    void fixedUseInWrongRegister() {
        VCode c = straight();
        // v2 lands in r0 but is moved to r1 for the ret, which wants r0
        RegAllocResult r = result(c, regs(R0, R1), 0, R0, R1, R0, R1, R0, R1);
        fails(c, r, "needs r0, got r1");
    }

    @Test
    void usedRegsMustListDefs() {
        VCode c = straight();
        fails(c, result(c, regs(R0), 0, R0, R1, R0, R1, R0, R0), "missing from usedRegs");
    }

    @Test
    void nonAllocatableRegisterForRegOperand() {
        VCode c = straight();
        RegAllocResult r = result(c, regs(R0, R1, 7), 0, R0, R1, R0, R1, R0, R0);
        r.setAlloc(1, 7);
        r.setAlloc(3, 7);
        fails(c, r, "needs r1, got r7");
        VCode c2 = straight();
        RegAllocResult r2 = result(c2, regs(R0, R1, 7), 0, R0, R1, R0, R1, R0, R0);
        r2.reset(c2.totalOperands());
        int[] a = {R0, R1, R0, 7, R0, R0};
        for (int k = 0; k < a.length; k++) r2.setAlloc(k, a[k]);
        r2.usedRegs = regs(R0, R1, 7);
        r2.addMove(RegAllocResult.before(1), R1, 7);
        fails(c2, r2, "needs an allocatable register, got r7");
    }

    /** v0 in r0; a call clobbers r0 and r1; v0 is returned afterwards. */
    static VCode acrossCall() {
        VCode c = new VCode();
        c.startBlock();
        int v0 = c.newVReg(I);
        c.startInst(0);
        c.addOperand(fixedDef(v0, I, R0));
        int call = c.startInst(VCode.CALL);
        c.setClobbers(call, regs(R0, R1));
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(v0, I, R0));
        c.endBlock();
        c.finish();
        return c;
    }

    @Test
    void valueInClobberedRegisterIsLost() {
        VCode c = acrossCall();
        fails(c, result(c, regs(R0), 0, R0, R0), "r0 does not hold v0 (holds nothing known)");
    }

    @Test
    void savedAcrossCallPasses() {
        VCode c = acrossCall();
        RegAllocResult r = result(c, regs(R0, R2), 0, R0, R0);
        r.addMove(RegAllocResult.before(1), R0, R2);
        r.addMove(RegAllocResult.before(2), R2, R0);
        checker.check(c, ENV, r);
        RegAllocResult s = result(c, regs(R0), 1, R0, R0);
        s.addMove(RegAllocResult.after(0), R0, Allocation.slot(0));
        s.addMove(RegAllocResult.before(2), Allocation.slot(0), R0);
        checker.check(c, ENV, s);
        // saving into r1, which the call also clobbers, is wrong
        RegAllocResult t = result(c, regs(R0, R1), 0, R0, R0);
        t.addMove(RegAllocResult.before(1), R0, R1);
        t.addMove(RegAllocResult.before(2), R1, R0);
        fails(c, t, "does not hold v0");
    }

    @Test
    void slotProblems() {
        VCode c = acrossCall();
        RegAllocResult s = result(c, regs(R0), 1, R0, R0);
        s.addMove(RegAllocResult.after(0), R0, Allocation.slot(1));
        s.addMove(RegAllocResult.before(2), Allocation.slot(1), R0);
        fails(c, s, "invalid location");
        // (a slot-to-slot move is already refused by RegAllocResult.addMove's assertion)
        RegAllocResult u = result(c, regs(R0), 0, R0, R0);
        u.addMove(RegAllocResult.after(0), R0, 32);
        fails(c, u, "between register classes");
        RegAllocResult w = result(c, regs(R0, R2), 0, R0, R0);
        w.addMove(RegAllocResult.before(1), R0, R2);
        w.addMove(RegAllocResult.before(2), R2, R0);
        w.addMove(RegAllocResult.after(2), R2, R0);
        fails(c, w, "after a terminator");
    }

    @Test
    void operandConflicts() {
        VCode c = new VCode();
        c.startBlock();
        int v0 = c.newVReg(I), v1 = c.newVReg(I), v2 = c.newVReg(I), v3 = c.newVReg(I);
        c.startInst(0);
        c.addOperand(fixedDef(v0, I, R0));
        c.startInst(0);
        c.addOperand(regUse(v0, I));
        c.addOperand(Operand.earlyDef(v1, I));
        c.startInst(0);
        c.addOperand(Operand.lateUse(v0, I));
        c.addOperand(regDef(v2, I));
        c.addOperand(regDef(v3, I));
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(v1, I, R1));
        c.addOperand(fixedUse(v2, I, R2));
        c.addOperand(fixedUse(v3, I, R3));
        c.endBlock();
        c.finish();
        long used = regs(R0, R1, R2, R3);
        checker.check(c, ENV, result(c, used, 0, R0, R0, R1, R0, R2, R3, R1, R2, R3));
        fails(c, result(c, used, 0, R0, R0, R0, R0, R2, R3, R1, R2, R3), "early def shares r0 with use operand 0");
        fails(c, result(c, used, 0, R0, R0, R1, R0, R0, R3, R1, R2, R3), "def shares r0 with late use operand 0");
        fails(c, result(c, used, 0, R0, R0, R1, R0, R2, R2, R1, R2, R3), "shares r2 with def operand 2");
        RegAllocResult stack = result(c, used, 1, R0, R0, R1, R0, R2, R3, R1, R2, R3);
        stack.setAlloc(4, Allocation.slot(0));
        fails(c, stack, "needs an allocatable register, got slot0");
    }

    /** A diamond joining with a block parameter. */
    static VCode diamond() {
        VCode c = new VCode();
        int v0 = c.newVReg(I), v1 = c.newVReg(I), v2 = c.newVReg(I), v3 = c.newVReg(I);
        c.startBlock();
        c.startInst(0);
        c.addOperand(fixedDef(v0, I, R0));
        c.startInst(VCode.TERMINATOR);
        c.addOperand(regUse(v0, I));
        c.addSucc(1);
        c.addSucc(2);
        c.endBlock();
        c.startBlock();
        c.startInst(0);
        c.addOperand(regDef(v1, I));
        c.startInst(VCode.TERMINATOR);
        c.addSucc(3);
        c.addBranchArg(v1);
        c.endBlock();
        c.startBlock();
        c.startInst(0);
        c.addOperand(regDef(v2, I));
        c.startInst(VCode.TERMINATOR);
        c.addSucc(3);
        c.addBranchArg(v2);
        c.endBlock();
        c.startBlock();
        c.addBlockParam(v3);
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(v3, I, R0));
        c.endBlock();
        c.finish();
        return c;
    }

    @Test
    void blockParameterThroughEdgeMoves() {
        VCode c = diamond();
        RegAllocResult r = result(c, regs(R0, R1, R2), 0, R0, R0, R1, R2, R0);
        r.addMove(RegAllocResult.before(3), R1, R0);
        r.addMove(RegAllocResult.before(5), R2, R0);
        checker.check(c, ENV, r);
        // the parameter may also simply live where each argument is
        checker.check(c, ENV, result(c, regs(R0), 0, R0, R0, R0, R0, R0));
    }

    @Test
    void blockParameterMissingOnOneEdge() {
        VCode c = diamond();
        RegAllocResult r = result(c, regs(R0, R1, R2), 0, R0, R0, R1, R2, R0);
        r.addMove(RegAllocResult.before(3), R1, R0);
        fails(c, r, "r0 does not hold v3");
    }

    /** A loop: the header parameter v1 starts as v0 and becomes v2 on the back edge. */
    static VCode loop() {
        VCode c = new VCode();
        int v0 = c.newVReg(I), v1 = c.newVReg(I), v2 = c.newVReg(I);
        c.startBlock();
        c.startInst(0);
        c.addOperand(fixedDef(v0, I, R0));
        c.startInst(VCode.TERMINATOR);
        c.addSucc(1);
        c.addBranchArg(v0);
        c.endBlock();
        c.startBlock();
        c.addBlockParam(v1);
        c.startInst(0);
        c.addOperand(regUse(v1, I));
        c.addOperand(regDef(v2, I));
        c.startInst(VCode.TERMINATOR);
        c.addOperand(regUse(v2, I));
        c.addSucc(2);
        c.addSucc(3);
        c.endBlock();
        c.startBlock();
        c.startInst(VCode.TERMINATOR);
        c.addSucc(1);
        c.addBranchArg(v2);
        c.endBlock();
        c.startBlock();
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(v1, I, R0));
        c.endBlock();
        c.finish();
        return c;
    }

    @Test
    void loopCarriedParameter() {
        VCode c = loop();
        RegAllocResult r = result(c, regs(R0, R1), 0, R0, R0, R1, R1, R0);
        r.addMove(RegAllocResult.before(4), R1, R0);
        checker.check(c, ENV, r);
    }

    @Test
    void staleValueFromPreviousIterationIsCaught() {
        VCode c = loop();
        // without the back-edge move r0 still holds the previous iteration's v1
        fails(c, result(c, regs(R0, R1), 0, R0, R0, R1, R1, R0), "r0 does not hold v1");
    }

    /** A loop whose back edge swaps the two header parameters. */
    static VCode swapLoop() {
        VCode c = new VCode();
        int v0 = c.newVReg(I), v1 = c.newVReg(I), v2 = c.newVReg(I), v3 = c.newVReg(I);
        c.startBlock();
        c.startInst(0);
        c.addOperand(fixedDef(v0, I, R0));
        c.addOperand(fixedDef(v1, I, R1));
        c.startInst(VCode.TERMINATOR);
        c.addSucc(1);
        c.addBranchArg(v0);
        c.addBranchArg(v1);
        c.endBlock();
        c.startBlock();
        c.addBlockParam(v2);
        c.addBlockParam(v3);
        c.startInst(VCode.TERMINATOR);
        c.addOperand(regUse(v2, I));
        c.addSucc(2);
        c.addSucc(3);
        c.endBlock();
        c.startBlock();
        c.startInst(VCode.TERMINATOR);
        c.addSucc(1);
        c.addBranchArg(v3);
        c.addBranchArg(v2);
        c.endBlock();
        c.startBlock();
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(v2, I, R0));
        c.addOperand(fixedUse(v3, I, R1));
        c.endBlock();
        c.finish();
        return c;
    }

    @Test
    void swapThroughScratchPasses() {
        VCode c = swapLoop();
        RegAllocResult r = result(c, regs(R0, R1, SCRATCH), 0, R0, R1, R0, R0, R1);
        r.addMove(RegAllocResult.before(3), R0, SCRATCH);
        r.addMove(RegAllocResult.before(3), R1, R0);
        r.addMove(RegAllocResult.before(3), SCRATCH, R1);
        checker.check(c, ENV, r);
    }

    @Test
    void naiveSwapIsCaught() {
        VCode c = swapLoop();
        RegAllocResult r = result(c, regs(R0, R1), 0, R0, R1, R0, R0, R1);
        r.addMove(RegAllocResult.before(3), R0, R1);
        r.addMove(RegAllocResult.before(3), R1, R0);
        fails(c, r, "r0 does not hold v2");
    }
}
