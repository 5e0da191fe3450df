package dev.twill.isa.x64.lower;

import static dev.twill.isa.x64.asm.X64Reg.*;

import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.machinst.VCode;
import java.util.Arrays;

/**
 * A test-only allocation made the way one would by hand for a tiny function, before the real
 * allocators exist: every vreg gets its own home register for good (no reuse, no spilling),
 * its first fixed register if it has one, the register of the reused operand for a REUSE def;
 * a fixed use whose value lives elsewhere gets a move before the instruction, a fixed def
 * living elsewhere a move after. Block parameters must be given the branch arguments' homes by
 * the test (edges carry no moves here). It throws when the function is too big for that.
 */
final class HandAllocation implements RegisterAllocator {
    private static final int[] INT_POOL = {R10, R9, R8, RBX, R12, R13, R14};
    private static final int[] FLOAT_POOL = {40, 41, 42, 43, 44, 45, 46};

    @Override
    public void allocate(VCode code, MachineEnv env, RegAllocResult out) {
        int nv = code.numVRegs();
        int[] home = new int[nv], preferred = new int[nv];
        Arrays.fill(home, -1);
        Arrays.fill(preferred, -1);
        for (int i = 0; i < code.numInsts(); i++) {
            for (int k = 0; k < code.numOperands(i); k++) {
                long op = code.operand(i, k);
                if (Operand.constraint(op) == Operand.FIXED_REG && preferred[Operand.vreg(op)] < 0) {
                    preferred[Operand.vreg(op)] = Operand.fixedReg(op);
                }
            }
        }
        int[] lastUse = new int[nv];
        Arrays.fill(lastUse, -1);
        for (int b = 0; b < code.numBlocks(); b++) {
            for (int i = code.blockStart(b); i < code.blockEnd(b); i++) {
                for (int k = 0; k < code.numOperands(i); k++) {
                    long op = code.operand(i, k);
                    if (Operand.isUse(op)) lastUse[Operand.vreg(op)] = Math.max(lastUse[Operand.vreg(op)], i);
                }
            }
            for (int n = 0; n < code.numSuccs(b); n++) {
                for (int k = 0; k < code.numBranchArgs(b, n); k++) {
                    int a = code.branchArg(b, n, k);
                    lastUse[a] = Math.max(lastUse[a], code.blockEnd(b) - 1);
                }
            }
        }
        int nextInt = 0, nextFloat = 0;
        long used = 0;
        for (int b = 0; b < code.numBlocks(); b++) {
            for (int k = 0; k < code.numBlockParams(b); k++) {
                int v = code.blockParam(b, k);
                if (home[v] < 0) throw new IllegalStateException("block param v" + v + " needs a home set by the test");
            }
            for (int i = code.blockStart(b); i < code.blockEnd(b); i++) {
                int base = code.operandStart(i);
                for (int k = 0; k < code.numOperands(i); k++) {
                    long op = code.operand(i, k);
                    if (!Operand.isUse(op)) continue;
                    int v = Operand.vreg(op);
                    if (home[v] < 0) throw new IllegalStateException("v" + v + " used before defined in inst" + i);
                    if (Operand.constraint(op) == Operand.FIXED_REG) {
                        int r = Operand.fixedReg(op);
                        if (home[v] != r) out.addMove(RegAllocResult.before(i), home[v], r);
                        out.setAlloc(base + k, r);
                    } else {
                        out.setAlloc(base + k, home[v]);
                    }
                }
                for (int k = 0; k < code.numOperands(i); k++) {
                    long op = code.operand(i, k);
                    if (!Operand.isDef(op)) continue;
                    int v = Operand.vreg(op);
                    int c = Operand.constraint(op);
                    int r;
                    if (c == Operand.REUSE) {
                        int ui = Operand.reuseIndex(op);
                        r = out.alloc(base + ui);
                        int uv = Operand.vreg(code.operand(i, ui));
                        if (lastUse[uv] > i) {
                            // the reused value lives on: copy it to a fresh register first
                            int fresh = Operand.regClass(op) == RegClass.INT ? INT_POOL[nextInt++] : FLOAT_POOL[nextFloat++];
                            out.addMove(RegAllocResult.before(i), r, fresh);
                            out.setAlloc(base + ui, fresh);
                            r = fresh;
                        }
                    } else if (c == Operand.FIXED_REG) {
                        r = Operand.fixedReg(op);
                    } else if (preferred[v] >= 0 && !occupied(home, lastUse, preferred[v], i)) {
                        r = preferred[v];
                    } else if (Operand.regClass(op) == RegClass.INT) {
                        r = INT_POOL[nextInt++];
                    } else {
                        r = FLOAT_POOL[nextFloat++];
                    }
                    out.setAlloc(base + k, r);
                    used |= 1L << r;
                    if (home[v] < 0) home[v] = r;
                    else if (home[v] != r) out.addMove(RegAllocResult.after(i), r, home[v]);
                }
                // successors' params take the homes of the arguments (tests keep them unique)
                if (i == code.blockEnd(b) - 1) {
                    for (int n = 0; n < code.numSuccs(b); n++) {
                        int s = code.succ(b, n);
                        for (int k = 0; k < code.numBranchArgs(b, n); k++) {
                            int p = code.blockParam(s, k), a = code.branchArg(b, n, k);
                            if (home[p] < 0) home[p] = home[a];
                            else if (home[p] != home[a]) throw new IllegalStateException("edge needs a move");
                        }
                    }
                }
            }
        }
        // every register written, by defs and by moves (the checker insists, the prologue saves them)
        for (int e = 0; e < out.numEdits(); e++) {
            if (dev.twill.machinst.Allocation.isReg(out.editTo(e))) used |= 1L << out.editTo(e);
        }
        out.usedRegs = used;
    }

    private static boolean occupied(int[] home, int[] lastUse, int r, int i) {
        for (int v = 0; v < home.length; v++) if (home[v] == r && lastUse[v] >= i) return true;
        return false;
    }
}
