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
 * Speed and scaling: large generated functions (diamonds joining with a parameter, calls, many
 * live values) allocated repeatedly. Prints throughput; asserts that doubling the function does
 * not much more than double the time (no super-linear step) and that a warmed-up allocation
 * allocates less than a byte per instruction. The 100,000-instruction functions are checked too.
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

    static long timeNanos(RegisterAllocator a, VCode code, MachineEnv env, RegAllocResult res, int reps) {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            a.allocate(code, env, res);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best;
    }

    static void measure(String name, RegisterAllocator a) {
        MachineEnv env = TestEnvs.x64Like();
        VCode small = new VCode(), large = new VCode();
        big(small, Integer.getInteger("perf.n", 100_000), 1);
        big(large, 200_000, 1);
        RegAllocResult res = new RegAllocResult();
        a.allocate(small, env, res);
        VCode checked = new VCode();
        big(checked, 10_000, 2);
        a.allocate(checked, env, res);
        new RegAllocChecker().check(checked, env, res);
        for (int w = 0; w < 10; w++) a.allocate(small, env, res);
        long tSmall = timeNanos(a, small, env, res, 15);
        a.allocate(large, env, res);
        long tLarge = timeNanos(a, large, env, res, 8);
        a.allocate(small, env, res);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        a.allocate(small, env, res);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("%s: %d insts, %d operands: %.2f ms = %.1f M insts/s, %.1f M operands/s; 2x size: %.2f ms (x%.2f); %d bytes allocated per run%n",
                name, small.numInsts(), small.totalOperands(), tSmall / 1e6, small.numInsts() * 1e3 / tSmall,
                small.totalOperands() * 1e3 / tSmall, tLarge / 1e6, (double) tLarge / tSmall, allocated);
        assertTrue(tLarge < 4 * tSmall, name + ": doubling the function multiplied the time by " + (double) tLarge / tSmall);
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
