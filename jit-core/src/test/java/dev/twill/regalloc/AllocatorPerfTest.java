package dev.twill.regalloc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.machinst.VCode;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Large generated functions (diamonds joining with a parameter, calls, many live values)
 * allocated repeatedly: the allocation must pass the checker and the steady state must not
 * allocate per instruction. Speed is a JMH matter, never a unit-test assertion.
 */
class AllocatorPerfTest {
    /** Segments of: a block of straight code, a two-armed diamond, a join with one parameter. */
    static void big(VCode c, int targetInsts, long seed) {
        big(c, targetInsts, seed, Integer.getInteger("perf.window", 24));
    }

    /** {@code liveWindow} values are live at any time (four of them for the whole function). */
    static void big(VCode c, int targetInsts, long seed, int liveWindow) {
        c.clear();
        Random rnd = new Random(seed);
        int[] window = new int[liveWindow];
        int wn = 0;
        c.startBlock();
        int i0 = c.startInst(0);
        for (int k = 0; k < 3; k++) {
            int v = c.newVReg(RegClass.INT);
            c.addOperand(Operand.fixedDef(v, RegClass.INT, k));
            window[wn++] = v;
        }
        int insts = 1;
        while (insts < targetInsts) {
            for (int k = 0; k < 20; k++, insts++) {
                if (k == 10) {
                    int call = c.startInst(VCode.CALL);
                    c.addOperand(Operand.fixedUse(window[rnd.nextInt(wn)], RegClass.INT, 7));
                    int r = c.newVReg(RegClass.INT);
                    c.addOperand(Operand.fixedDef(r, RegClass.INT, 0));
                    c.setClobbers(call, 0b111111111L);
                    wn = push(window, wn, r);
                    continue;
                }
                c.startInst(0);
                c.addOperand(Operand.regUse(window[rnd.nextInt(wn)], RegClass.INT));
                c.addOperand(Operand.regUse(window[rnd.nextInt(wn)], RegClass.INT));
                int d = c.newVReg(RegClass.INT);
                c.addOperand(k % 3 == 0 ? Operand.reuseDef(d, RegClass.INT, 0) : Operand.regDef(d, RegClass.INT));
                wn = push(window, wn, d);
            }
            c.startInst(VCode.TERMINATOR);
            c.addOperand(Operand.regUse(window[rnd.nextInt(wn)], RegClass.INT));
            int b = c.numBlocks() - 1;
            c.addSucc(b + 1);
            c.addSucc(b + 2);
            c.endBlock();
            int param = c.newVReg(RegClass.INT);
            for (int arm = 0; arm < 2; arm++) {
                c.startBlock();
                int last = window[rnd.nextInt(wn)];
                for (int k = 0; k < 4; k++, insts++) {
                    c.startInst(0);
                    c.addOperand(Operand.regUse(last, RegClass.INT));
                    c.addOperand(Operand.regUse(window[rnd.nextInt(wn)], RegClass.INT));
                    int d = c.newVReg(RegClass.INT);
                    c.addOperand(Operand.regDef(d, RegClass.INT));
                    last = d;
                }
                c.startInst(VCode.TERMINATOR);
                insts++;
                c.addSucc(b + 3);
                c.addBranchArg(last);
                c.endBlock();
            }
            c.startBlock();
            c.addBlockParam(param);
            wn = push(window, wn, param);
        }
        c.startInst(VCode.TERMINATOR | VCode.RET);
        c.addOperand(Operand.fixedUse(window[wn - 1], RegClass.INT, 0));
        c.endBlock();
        c.finish();
    }

    private static int push(int[] w, int n, int v) {
        if (n < w.length) {
            w[n] = v;
            return n + 1;
        }
        // keep a few long-lived values at the front, rotate the rest
        System.arraycopy(w, 5, w, 4, w.length - 5);
        w[w.length - 1] = v;
        return n;
    }

    /**
     * Allocates a 100,000-instruction function repeatedly: the result must pass the checker (on a
     * 10,000-instruction version, the checker being slow on huge functions) and the steady state
     * must allocate less than a byte per instruction. Speed is measured by JMH, not here.
     */
    static void measure(String name, RegisterAllocator a) {
        MachineEnv env = TestEnvs.x64Like();
        VCode small = new VCode();
        big(small, 100_000, 1);
        RegAllocResult res = new RegAllocResult();
        VCode checked = new VCode();
        big(checked, 10_000, 2);
        a.allocate(checked, env, res);
        new RegAllocChecker().check(checked, env, res);
        for (int w = 0; w < 5; w++) a.allocate(small, env, res);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        a.allocate(small, env, res);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < small.numInsts(), name + ": steady-state allocation allocated " + allocated + " bytes");
    }

    @Test
    void singlePass() {
        measure("SinglePassAllocator", new SinglePassAllocator());
    }

    @Test
    void linearScan() {
        measure("LinearScanAllocator", new LinearScanAllocator());
    }
}
