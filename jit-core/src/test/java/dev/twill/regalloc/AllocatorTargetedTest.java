package dev.twill.regalloc;

import static dev.twill.machinst.Operand.fixedDef;
import static dev.twill.machinst.Operand.fixedUse;
import static dev.twill.machinst.Operand.regDef;
import static dev.twill.machinst.Operand.regUse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.machinst.Allocation;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.machinst.VCode;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Situations each allocator must handle, checked by the checker and the execution oracle. */
class AllocatorTargetedTest {
    static final int I = RegClass.INT;

    static Stream<Arguments> allocators() {
        return Stream.of(
                Arguments.of("single-pass", (Supplier<RegisterAllocator>) SinglePassAllocator::new),
                Arguments.of("linear-scan", (Supplier<RegisterAllocator>) LinearScanAllocator::new));
    }

    static RegAllocResult allocateAndVerify(RegisterAllocator a, VCode code, MachineEnv env) {
        RegAllocResult res = new RegAllocResult();
        a.allocate(code, env, res);
        new RegAllocChecker().check(code, env, res);
        assertArrayEquals(VCodeExecutor.run(code, null, 1000), VCodeExecutor.run(code, res, 1000), "execution differs");
        return res;
    }

    static boolean touches(RegAllocResult res, int reg) {
        for (int e = 0; e < res.numEdits(); e++) if (res.editFrom(e) == reg || res.editTo(e) == reg) return true;
        return false;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void parameterSwapCycle(String name, Supplier<RegisterAllocator> make) {
        VCode c = RegAllocCheckerTest.swapLoop();
        RegAllocResult res = allocateAndVerify(make.get(), c, TestEnvs.small());
        if (name.equals("linear-scan")) {
            // v2, v3 live in r0, r1 around the loop; the back edge swaps them through the scratch register
            assertTrue(touches(res, 15), "scratch register used for the swap");
            assertEquals(0, res.numSpillSlots);
        }
    }

    /** Ten values defined up front and all read at the end: more than four registers hold. */
    static VCode pressure(int n) {
        VCode c = new VCode();
        c.startBlock();
        int[] v = new int[n];
        for (int k = 0; k < n; k++) {
            v[k] = c.newVReg(I);
            c.startInst(0);
            c.addOperand(regDef(v[k], I));
        }
        int acc = v[0];
        for (int k = 1; k < n; k++) {
            int next = c.newVReg(I);
            c.startInst(0);
            c.addOperand(regUse(acc, I));
            c.addOperand(regUse(v[k], I));
            c.addOperand(regDef(next, I));
            acc = next;
        }
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(acc, I, 0));
        c.endBlock();
        c.finish();
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void pressureSpills(String name, Supplier<RegisterAllocator> make) {
        RegAllocResult res = allocateAndVerify(make.get(), pressure(10), TestEnvs.small());
        assertTrue(res.numSpillSlots > 0, "spills beyond four registers");
        RegAllocResult few = allocateAndVerify(make.get(), pressure(3), TestEnvs.small());
        assertEquals(0, few.numSpillSlots, "three values fit in four registers");
    }

    /** v0 arrives in caller-saved r0, a call clobbers r0 and r1, v0 is returned afterwards. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void valueLiveAcrossCallIsSaved(String name, Supplier<RegisterAllocator> make) {
        VCode c = new VCode();
        c.startBlock();
        int v0 = c.newVReg(I), v1 = c.newVReg(I);
        c.startInst(0);
        c.addOperand(fixedDef(v0, I, 0));
        int call = c.startInst(VCode.CALL);
        c.addOperand(fixedDef(v1, I, 0));
        c.setClobbers(call, 0b11);
        c.startInst(0);
        c.addOperand(regUse(v1, I));
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(v0, I, 0));
        c.endBlock();
        c.finish();
        RegAllocResult res = allocateAndVerify(make.get(), c, TestEnvs.small());
        assertTrue(res.numEdits() > 0, "v0 had to leave r0");
        if (name.equals("linear-scan")) {
            // a callee-saved register (r2 or r3) keeps it without touching memory
            assertEquals(0, res.numSpillSlots);
            assertTrue((res.usedRegs & 0b1100) != 0);
        }
    }

    /**
     * a, b, c defined up front; a loop (block1, its back edge through the forwarding block2,
     * placed right after it as the lowering places back-edge blocks) uses c and its counter;
     * after the loop (block3) a, b, c are read. Four registers cannot hold a, b, c, the counter
     * and a temporary: something must be spilled. Linear scan must keep c (used in every
     * iteration) in a register and spill a or b (not used in the loop) once, before the loop:
     * no slot is touched inside the loop or on its back edge.
     */
    static VCode loopUnderPressure() {
        VCode c = new VCode();
        int a = c.newVReg(I), b = c.newVReg(I), k = c.newVReg(I), i0 = c.newVReg(I);
        int i = c.newVReg(I), t = c.newVReg(I), i2 = c.newVReg(I);
        c.startBlock(); // block0: insts 0..4
        for (int v : new int[] {a, b, k, i0}) {
            c.startInst(0);
            c.addOperand(regDef(v, I));
        }
        c.startInst(VCode.TERMINATOR);
        c.addSucc(1);
        c.addBranchArg(i0);
        c.endBlock();
        c.startBlock(); // block1, the loop: insts 5..7
        c.addBlockParam(i);
        c.startInst(0);
        c.addOperand(regUse(k, I));
        c.addOperand(regUse(i, I));
        c.addOperand(regDef(t, I));
        c.startInst(0);
        c.addOperand(regUse(t, I));
        c.addOperand(regUse(i, I));
        c.addOperand(regDef(i2, I));
        c.startInst(VCode.TERMINATOR);
        c.addOperand(regUse(i2, I));
        c.addSucc(2);
        c.addSucc(3);
        c.endBlock();
        c.startBlock(); // block2, the back edge: inst 8
        c.startInst(VCode.TERMINATOR);
        c.addSucc(1);
        c.addBranchArg(i2);
        c.endBlock();
        c.startBlock(); // block3, after the loop: insts 9..10
        c.startInst(0);
        c.addOperand(regUse(a, I));
        c.addOperand(regUse(b, I));
        c.addOperand(regUse(k, I));
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(i2, I, 0));
        c.endBlock();
        c.finish();
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void valuesNotUsedInALoopAreSpilledBeforeIt(String name, Supplier<RegisterAllocator> make) {
        RegAllocResult res = allocateAndVerify(make.get(), loopUnderPressure(), TestEnvs.small());
        if (!name.equals("linear-scan")) return;
        assertTrue(res.numSpillSlots > 0, "five values at once in four registers");
        for (int e = 0; e < res.numEdits(); e++) {
            if (!Allocation.isSlot(res.editFrom(e)) && !Allocation.isSlot(res.editTo(e))) continue;
            int p = res.editPoint(e);
            boolean inLoop = p >= RegAllocResult.before(5) && p <= RegAllocResult.after(8);
            assertTrue(!inLoop, "spill or reload at point " + p + " (inst " + (p >> 1) + "), in the loop or on its back edge");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void tooManyRegistersAtOnceIsRejected(String name, Supplier<RegisterAllocator> make) {
        VCode c = new VCode();
        c.startBlock();
        int[] v = new int[5];
        for (int k = 0; k < 5; k++) {
            v[k] = c.newVReg(I);
            c.startInst(0);
            c.addOperand(regDef(v[k], I));
        }
        c.startInst(0);
        for (int k = 0; k < 5; k++) c.addOperand(regUse(v[k], I));
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.endBlock();
        c.finish();
        assertThrows(IllegalArgumentException.class, () -> make.get().allocate(c, TestEnvs.small(), new RegAllocResult()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void handWrittenShapes(String name, Supplier<RegisterAllocator> make) {
        allocateAndVerify(make.get(), RegAllocCheckerTest.straight(), TestEnvs.small());
        allocateAndVerify(make.get(), RegAllocCheckerTest.diamond(), TestEnvs.small());
        allocateAndVerify(make.get(), RegAllocCheckerTest.loop(), TestEnvs.small());
        RegAllocResult res = allocateAndVerify(make.get(), RegAllocCheckerTest.straight(), TestEnvs.small());
        if (name.equals("linear-scan")) assertEquals(0, res.numEdits(), "two-address op on dying values needs no move");
        assertTrue(Allocation.isReg(res.alloc(4)));
    }

    /**
     * The x86-64 division shape: dividend fixed in r0, divisor in any register, quotient a late
     * def fixed in r0, and an early def fixed in r1 (cqo writes rdx before idiv reads the
     * divisor). The divisor arrives in r1, so it must move out before the instruction: a use
     * may never sit where an early def of the same instruction writes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allocators")
    void useLeavesTheRegisterOfAnEarlyFixedDef(String name, Supplier<RegisterAllocator> make) {
        VCode c = new VCode();
        c.startBlock();
        int divisor = c.newVReg(I), dividend = c.newVReg(I), quotient = c.newVReg(I), high = c.newVReg(I);
        c.startInst(0);
        c.addOperand(fixedDef(divisor, I, 1));
        c.startInst(0);
        c.addOperand(regDef(dividend, I));
        int div = c.startInst(0);
        c.addOperand(fixedUse(dividend, I, 0));
        c.addOperand(regUse(divisor, I));
        c.addOperand(fixedDef(quotient, I, 0));
        c.addOperand(Operand.of(high, Operand.DEF, Operand.EARLY, Operand.FIXED_REG, I, 1));
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(fixedUse(quotient, I, 0));
        c.endBlock();
        c.finish();
        RegAllocResult res = allocateAndVerify(make.get(), c, TestEnvs.small());
        int divisorAt = res.alloc(c.operandStart(div) + 1);
        assertTrue(Allocation.isReg(divisorAt) && divisorAt != 0 && divisorAt != 1, "divisor in " + divisorAt);
    }
}
