package dev.twill.regalloc;

import dev.twill.machinst.Allocation;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.VCode;
import java.util.Arrays;

/**
 * An execution oracle independent of the checker: runs VCode on a toy machine where every
 * instruction computes its defs as a hash of its uses, once over vregs (the reference) and once
 * over the allocation's registers and slots with the edits applied. Both runs record every value
 * read; an allocation is right only if the two records are equal.
 *
 * <p>Instruction semantics, mirroring the operand positions: early defs are written first (with
 * a value that does not depend on the uses), then the early uses are read, then the clobbered
 * registers are overwritten with garbage, then the late defs are written (a hash of the early
 * uses), then the late uses are read. A conditional branch goes to successor {@code
 * hash(first use) mod n}. Execution stops at a return or after {@code fuel} instructions.
 */
final class VCodeExecutor {
    private VCodeExecutor() {}

    static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }

    /** The values read, in order; {@code res == null} runs over vregs. */
    static long[] run(VCode code, RegAllocResult res, int fuel) {
        long[] trace = new long[64];
        int n = 0;
        long[] loc = res == null ? new long[code.numVRegs()] : new long[64 + res.numSpillSlots];
        for (int k = 0; k < loc.length; k++) loc[k] = mix(0xBAD0000L + k) | 1L << 62;
        int[] editStart = null;
        if (res != null) {
            editStart = new int[2 * code.numInsts() + 1];
            for (int e = 0; e < res.numEdits(); e++) editStart[res.editPoint(e) + 1]++;
            for (int p = 0; p < 2 * code.numInsts(); p++) editStart[p + 1] += editStart[p];
        }
        int b = 0;
        long steps = 0;
        while (true) {
            for (int i = code.blockStart(b); i < code.blockEnd(b); i++) {
                if (++steps > fuel) return Arrays.copyOf(trace, n);
                if (res != null) applyEdits(res, editStart, 2 * i, loc);
                int base = code.operandStart(i), nops = code.numOperands(i);
                for (int k = 0; k < nops; k++) {
                    long op = code.operand(i, k);
                    if (Operand.isDef(op) && Operand.pos(op) == Operand.EARLY) loc[where(res, op, base + k)] = mix(i * 31L + k);
                }
                long acc = i;
                long first = 0;
                boolean haveFirst = false;
                for (int k = 0; k < nops; k++) {
                    long op = code.operand(i, k);
                    if (Operand.isUse(op) && Operand.pos(op) == Operand.EARLY) {
                        long x = loc[where(res, op, base + k)];
                        if (n == trace.length) trace = Arrays.copyOf(trace, n * 2);
                        trace[n++] = x;
                        acc = mix(acc ^ x);
                        if (!haveFirst) {
                            first = x;
                            haveFirst = true;
                        }
                    }
                }
                if (res != null) {
                    long clob = code.clobbers(i);
                    for (int r = 0; r < 64; r++) if ((clob & (1L << r)) != 0) loc[r] = mix(steps * 64 + r) | 1L << 61;
                }
                for (int k = 0; k < nops; k++) {
                    long op = code.operand(i, k);
                    if (Operand.isDef(op) && Operand.pos(op) == Operand.LATE) loc[where(res, op, base + k)] = mix(acc + k);
                }
                for (int k = 0; k < nops; k++) {
                    long op = code.operand(i, k);
                    if (Operand.isUse(op) && Operand.pos(op) == Operand.LATE) {
                        if (n == trace.length) trace = Arrays.copyOf(trace, n * 2);
                        trace[n++] = loc[where(res, op, base + k)];
                    }
                }
                if (res != null) applyEdits(res, editStart, 2 * i + 1, loc);
                if (code.isTerminator(i)) {
                    if (code.isRet(i) || code.numSuccs(b) == 0) return Arrays.copyOf(trace, n);
                    int ns = code.numSuccs(b);
                    int s = ns == 1 ? 0 : (int) Long.remainderUnsigned(mix(first), ns);
                    int succ = code.succ(b, s);
                    if (res == null) {
                        int np = code.numBlockParams(succ);
                        long[] vals = new long[np];
                        for (int k = 0; k < np; k++) vals[k] = loc[code.branchArg(b, s, k)];
                        for (int k = 0; k < np; k++) loc[code.blockParam(succ, k)] = vals[k];
                    }
                    b = succ;
                    break;
                }
            }
        }
    }

    private static int where(RegAllocResult res, long op, int operandIndex) {
        if (res == null) return Operand.vreg(op);
        int a = res.alloc(operandIndex);
        return Allocation.isReg(a) ? a : 64 + Allocation.slotIndex(a);
    }

    private static void applyEdits(RegAllocResult res, int[] editStart, int point, long[] loc) {
        for (int e = editStart[point]; e < editStart[point + 1]; e++) {
            int from = res.editFrom(e), to = res.editTo(e);
            loc[Allocation.isReg(to) ? to : 64 + Allocation.slotIndex(to)] = loc[Allocation.isReg(from) ? from : 64 + Allocation.slotIndex(from)];
        }
    }
}
