package dev.twill.regalloc;

import dev.twill.machinst.Allocation;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.VCode;
import java.util.Arrays;

/**
 * Verifies a {@link RegAllocResult} against its {@link VCode} symbolically, independent of how
 * the allocator works (regalloc2's checker, {@code src/checker.rs}, is the model).
 *
 * <p><b>Abstract state.</b> For every location (physical registers 0..63, then the spill slots)
 * the set of vregs whose current value it certainly holds; the empty set means unknown. A set
 * rather than one vreg because a block parameter and its branch argument are the same value.
 * The state flows forward over the CFG to a fixed point; at a block entry it is the
 * intersection over the incoming edges (a location is trusted only if every path agrees).
 * Block 0 starts empty; blocks never reached from block 0 are not checked.
 *
 * <p><b>Transfer.</b> At each program point the edits are applied in order: a move copies the
 * source's set to the destination. At an instruction: (1) every operand's allocation must
 * satisfy its constraint and every use's location must hold the use's vreg; (2) clobbered
 * registers become unknown; (3) each def's vreg is removed from every location (an older value
 * of the same vreg, from an earlier loop iteration, is stale) and its location then holds
 * exactly that vreg.
 *
 * <p><b>Block parameters.</b> The result carries no location for a block parameter: a parameter
 * is wherever its branch argument is. Along an edge the parameters are first removed from
 * every location (they are redefined), then each location that holds argument {@code k} (in
 * the state after the predecessor's terminator) also holds parameter {@code k}. So an allocator
 * that gives a parameter a home moves the argument there before the predecessor's terminator
 * (one successor) or at the top of the successor (one predecessor), and the moves are checked
 * like any other.
 *
 * <p><b>Constraints.</b> ANY: an allocatable register of the operand's class or a spill slot;
 * REG: an allocatable register of the class; FIXED_REG: exactly that register; STACK: a slot;
 * REUSE: a def with the same allocation as its reused operand, which must be a use. Further:
 * an early def shares a location with no use, a late use with no def, two defs never share; a
 * late use is not in a clobbered register (it must survive the instruction). Every register a
 * def or a move writes is in {@code usedRegs}; slots are below {@code numSpillSlots}; no move
 * is slot to slot or between register classes; edits are in point order and never after a
 * terminator.
 *
 * <p>This is a test tool: it allocates freely and favours clear error messages.
 */
public final class RegAllocChecker {
    private static final int[] EMPTY = new int[0];

    private VCode code;
    private MachineEnv env;
    private RegAllocResult res;
    private int numLocs;
    private long allocatableMask;
    /** Entry state per block, null when not reached yet. */
    private int[][][] entry;
    private int[] firstEdit;

    /** Throws {@link RegAllocCheckError} if {@code res} is not a correct allocation of {@code code}. */
    public void check(VCode code, MachineEnv env, RegAllocResult res) {
        this.code = code;
        this.env = env;
        this.res = res;
        numLocs = 64 + Math.max(0, res.numSpillSlots);
        allocatableMask = 0;
        for (int[] regs : env.allocatable) for (int r : regs) allocatableMask |= 1L << r;
        checkEdits();
        int nb = code.numBlocks();
        entry = new int[nb][][];
        if (nb == 0) return;
        entry[0] = new int[numLocs][];
        Arrays.fill(entry[0], EMPTY);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b = 0; b < nb; b++) {
                if (entry[b] != null) changed |= runBlock(b, false);
            }
        }
        for (int b = 0; b < nb; b++) {
            if (entry[b] != null) runBlock(b, true);
        }
    }

    private void checkEdits() {
        int n = res.numEdits();
        int limit = 2 * code.numInsts();
        for (int e = 0; e < n; e++) {
            int p = res.editPoint(e);
            int inst = p >> 1;
            if (p < 0 || p >= limit) throw new RegAllocCheckError(-1, -1, "edit " + e + " at point " + p + " outside the code");
            if (e > 0 && res.editPoint(e - 1) > p) throw new RegAllocCheckError(inst, -1, "edit " + e + " out of point order");
            if ((p & 1) == 1 && code.isTerminator(inst))
                throw new RegAllocCheckError(inst, -1, "edit " + e + " placed after a terminator");
            int from = res.editFrom(e), to = res.editTo(e);
            String what = "move " + Allocation.toString(from) + " -> " + Allocation.toString(to) + " (edit " + e + ")";
            if (!validLoc(from) || !validLoc(to)) throw new RegAllocCheckError(inst, -1, what + ": invalid location");
            if (Allocation.isSlot(from) && Allocation.isSlot(to)) throw new RegAllocCheckError(inst, -1, what + ": slot to slot");
            if (Allocation.isReg(from) && Allocation.isReg(to) && RegClass.classOf(from) != RegClass.classOf(to))
                throw new RegAllocCheckError(inst, -1, what + ": between register classes");
            if (Allocation.isReg(to) && (res.usedRegs & (1L << to)) == 0)
                throw new RegAllocCheckError(inst, -1, what + ": destination missing from usedRegs");
        }
        firstEdit = new int[code.numBlocks() + 1];
        int e = 0;
        for (int b = 0; b < code.numBlocks(); b++) {
            while (e < n && res.editPoint(e) < 2 * code.blockStart(b)) e++;
            firstEdit[b] = e;
        }
    }

    private boolean validLoc(int a) {
        if (Allocation.isReg(a)) return a < 64;
        return Allocation.isSlot(a) && Allocation.slotIndex(a) < res.numSpillSlots;
    }

    private static int locIndex(int a) {
        return Allocation.isReg(a) ? a : 64 + Allocation.slotIndex(a);
    }

    /** Runs block {@code b} from its entry state; merges into successors; returns whether any entry changed. */
    private boolean runBlock(int b, boolean checking) {
        int[][] st = entry[b].clone();
        int e = firstEdit[b];
        int n = res.numEdits();
        for (int i = code.blockStart(b); i < code.blockEnd(b); i++) {
            for (; e < n && res.editPoint(e) == 2 * i; e++) applyMove(st, e);
            inst(st, i, checking);
            for (; e < n && res.editPoint(e) == 2 * i + 1; e++) applyMove(st, e);
        }
        boolean changed = false;
        for (int s = 0; s < code.numSuccs(b); s++) {
            int succ = code.succ(b, s);
            int np = code.numBlockParams(succ);
            if (code.numBranchArgs(b, s) != np)
                throw new RegAllocCheckError(code.blockEnd(b) - 1, -1, "edge to block" + succ + " passes "
                        + code.numBranchArgs(b, s) + " arguments for " + np + " parameters");
            int[][] out = st.clone();
            for (int k = 0; k < np; k++) removeEverywhere(out, code.blockParam(succ, k));
            for (int k = 0; k < np; k++) {
                int arg = code.branchArg(b, s, k), param = code.blockParam(succ, k);
                for (int l = 0; l < numLocs; l++) if (contains(st[l], arg)) out[l] = with(out[l], param);
            }
            changed |= meet(succ, out);
        }
        return changed;
    }

    private boolean meet(int b, int[][] in) {
        int[][] cur = entry[b];
        if (cur == null) {
            entry[b] = in;
            return true;
        }
        boolean changed = false;
        for (int l = 0; l < numLocs; l++) {
            int[] m = intersect(cur[l], in[l]);
            if (m.length != cur[l].length) {
                cur[l] = m;
                changed = true;
            }
        }
        return changed;
    }

    private void applyMove(int[][] st, int e) {
        st[locIndex(res.editTo(e))] = st[locIndex(res.editFrom(e))];
    }

    private void inst(int[][] st, int i, boolean checking) {
        int base = code.operandStart(i);
        int nops = code.numOperands(i);
        if (checking) {
            for (int k = 0; k < nops; k++) checkOperand(st, i, k, base);
            checkConflicts(i, base, nops);
        }
        long clob = code.clobbers(i);
        for (int r = 0; r < 64; r++) if ((clob & (1L << r)) != 0) st[r] = EMPTY;
        for (int k = 0; k < nops; k++) {
            long op = code.operand(i, k);
            if (!Operand.isDef(op)) continue;
            int a = res.alloc(base + k);
            if (!validLoc(a)) throw err(i, k, "def allocated to invalid location " + Allocation.toString(a));
            int v = Operand.vreg(op);
            removeEverywhere(st, v);
            st[locIndex(a)] = new int[] {v};
        }
    }

    private RegAllocCheckError err(int i, int k, String reason) {
        return new RegAllocCheckError(i, k, Operand.toString(code.operand(i, k)) + ": " + reason);
    }

    private void checkOperand(int[][] st, int i, int k, int base) {
        long op = code.operand(i, k);
        int a = res.alloc(base + k);
        if (a == Allocation.NONE) throw err(i, k, "no allocation");
        if (!validLoc(a)) throw err(i, k, "invalid location " + Allocation.toString(a));
        String loc = Allocation.toString(a);
        int cls = Operand.regClass(op);
        if (Allocation.isReg(a) && RegClass.classOf(a) != cls) throw err(i, k, loc + " is of the wrong register class");
        boolean allocatable = Allocation.isReg(a) && (allocatableMask & (1L << a)) != 0;
        switch (Operand.constraint(op)) {
            case Operand.ANY -> {
                if (Allocation.isReg(a) && !allocatable) throw err(i, k, loc + " is not allocatable");
            }
            case Operand.REG -> {
                if (!allocatable) throw err(i, k, "needs an allocatable register, got " + loc);
            }
            case Operand.FIXED_REG -> {
                if (a != Operand.fixedReg(op))
                    throw err(i, k, "needs " + Allocation.toString(Operand.fixedReg(op)) + ", got " + loc);
            }
            case Operand.STACK -> {
                if (!Allocation.isSlot(a)) throw err(i, k, "needs a spill slot, got " + loc);
            }
            case Operand.REUSE -> {
                int r = Operand.reuseIndex(op);
                if (!Operand.isDef(op)) throw err(i, k, "reuse constraint on a use");
                if (r >= code.numOperands(i) || !Operand.isUse(code.operand(i, r)))
                    throw err(i, k, "reused operand " + r + " is not a use");
                if (res.alloc(base + r) != a)
                    throw err(i, k, "got " + loc + " but the reused operand " + r + " got "
                            + Allocation.toString(res.alloc(base + r)));
            }
            default -> throw err(i, k, "unknown constraint");
        }
        if (Operand.isUse(op)) {
            int v = Operand.vreg(op);
            int[] held = st[locIndex(a)];
            if (!contains(held, v)) throw err(i, k, loc + " does not hold v" + v + " (holds " + setString(held) + ")");
            if (Operand.pos(op) == Operand.LATE && Allocation.isReg(a) && (code.clobbers(i) & (1L << a)) != 0)
                throw err(i, k, "late use in clobbered register " + loc);
        } else if (Allocation.isReg(a) && (res.usedRegs & (1L << a)) == 0) {
            throw err(i, k, "def register " + loc + " missing from usedRegs");
        }
    }

    private void checkConflicts(int i, int base, int nops) {
        for (int k = 0; k < nops; k++) {
            long op = code.operand(i, k);
            if (!Operand.isDef(op)) continue;
            int a = res.alloc(base + k);
            boolean early = Operand.pos(op) == Operand.EARLY;
            for (int j = 0; j < nops; j++) {
                if (j == k) continue;
                long o2 = code.operand(i, j);
                if (res.alloc(base + j) != a) continue;
                if (Operand.isDef(o2)) throw err(i, k, "shares " + Allocation.toString(a) + " with def operand " + j);
                if (early) throw err(i, k, "early def shares " + Allocation.toString(a) + " with use operand " + j);
                if (Operand.pos(o2) == Operand.LATE)
                    throw err(i, k, "def shares " + Allocation.toString(a) + " with late use operand " + j);
            }
        }
    }

    // ---- small sorted int sets (immutable; EMPTY for none)

    private static boolean contains(int[] s, int v) {
        for (int x : s) if (x == v) return true;
        return false;
    }

    private static int[] with(int[] s, int v) {
        if (contains(s, v)) return s;
        int[] r = Arrays.copyOf(s, s.length + 1);
        r[s.length] = v;
        Arrays.sort(r);
        return r;
    }

    private static int[] without(int[] s, int v) {
        if (!contains(s, v)) return s;
        if (s.length == 1) return EMPTY;
        int[] r = new int[s.length - 1];
        int j = 0;
        for (int x : s) if (x != v) r[j++] = x;
        return r;
    }

    private void removeEverywhere(int[][] st, int v) {
        for (int l = 0; l < numLocs; l++) st[l] = without(st[l], v);
    }

    private static int[] intersect(int[] a, int[] b) {
        if (a == b) return a;
        int n = 0;
        int[] r = new int[Math.min(a.length, b.length)];
        for (int x : a) if (contains(b, x)) r[n++] = x;
        return n == a.length ? a : n == 0 ? EMPTY : Arrays.copyOf(r, n);
    }

    private static String setString(int[] s) {
        if (s.length == 0) return "nothing known";
        StringBuilder sb = new StringBuilder();
        for (int x : s) sb.append(sb.length() == 0 ? "v" : ", v").append(x);
        return sb.toString();
    }
}
