package dev.twill.regalloc;

import dev.twill.machinst.Allocation;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.machinst.VCode;
import java.util.Arrays;

/**
 * The allocator of the fastest tier: one forward pass over the instructions, in the spirit of
 * a block-local "fast" allocator (regalloc2's {@code fastalloc}, LLVM's {@code RegAllocFast}),
 * trading code quality for compile speed.
 *
 * <p><b>Algorithm.</b> A pre-pass marks as <i>global</i> every vreg that crosses a block
 * boundary (a block parameter, a branch argument, or a vreg used in a block other than its
 * defining one) and gives it a home spill slot for the whole function. A global def is stored
 * to its slot right after the instruction; block parameters are filled by edge moves from the
 * arguments' slots (or registers). So at every block boundary all live values are in memory
 * and each block is allocated on its own, walking forward:
 * <ol>
 *   <li>fixed uses are moved into their registers (evicting the occupant);
 *   <li>other register uses are loaded into a free register, evicting the value whose last use
 *       in the block is farthest when none is free; ANY uses take a slot if the value is not in
 *       a register; a REUSE def's operand is copied first when its value is still needed;
 *   <li>early defs take registers no use has;
 *   <li>registers of uses that die here are freed (a late def may reuse them), and values that
 *       live across a clobber (a call) are saved to a slot;
 *   <li>late defs take their fixed register, their reused operand's register or a free one.
 * </ol>
 * Locals spilled under pressure get slots that are recycled at their last use. Evictions and
 * saves are stores placed before the instruction, so they read the value before the
 * instruction overwrites anything.
 *
 * <p><b>Edges.</b> With one successor the parallel move from arguments to parameter slots sits
 * before the predecessor's terminator; otherwise (critical edges are split, so the successor
 * has one predecessor) at the top of the successor. Slot-to-slot moves go through the class's
 * scratch register; a cycle parks one value in a spare slot.
 *
 * <p><b>Cost.</b> O(operands + blocks) with at most a scan of the register file per operand;
 * all working memory lives in this object and is reused.
 */
public final class SinglePassAllocator implements RegisterAllocator {
    private VCode code;
    private MachineEnv env;
    private RegAllocResult out;

    // per vreg
    private int[] vregReg = new int[256];
    private int[] vregSlot = new int[256];
    private int[] lastUse = new int[256];
    private int[] defBlock = new int[256];
    private int[] lateStamp = new int[256];
    private boolean[] global = new boolean[256];

    /** The vreg each physical register holds, or -1. */
    private final int[] regVreg = new int[64];
    /** Registers given a vreg since the block began (a superset of those holding one): what the block's end clears. */
    private long touchedRegs;
    private long allocatableMask;
    private long usedRegs;

    // per instruction
    /** Registers holding this instruction's uses. */
    private long pinned;
    /** Registers of late uses (no def may take them). */
    private long latePinned;
    /** Registers already taken by a def of this instruction. */
    private long defClaimed;
    /** Registers demanded by fixed defs. */
    private long fixedDefMask;
    /** Registers to forget once the uses are read: fixed-use copies and registers given to REUSE defs. */
    private long dropAfterUses;

    // spill slots
    private int localBase, spareSlot, maxSlots;
    private int[] freeSlots = new int[16];
    private int numFreeSlots, nextLocalSlot;
    private int[] pendingSlots = new int[16];
    private int numPendingSlots;

    // parallel moves at an edge
    private int[] pmSrc = new int[16], pmDst = new int[16], pmCls = new int[16];
    private int pmCount;

    @Override
    public void allocate(VCode code, MachineEnv env, RegAllocResult out) {
        this.code = code;
        this.env = env;
        this.out = out;
        out.reset(code.totalOperands());
        int nv = code.numVRegs();
        if (vregReg.length < nv) {
            int n = Math.max(nv, vregReg.length * 2);
            vregReg = new int[n];
            vregSlot = new int[n];
            lastUse = new int[n];
            defBlock = new int[n];
            lateStamp = new int[n];
            global = new boolean[n];
        }
        Arrays.fill(vregReg, 0, nv, -1);
        Arrays.fill(vregSlot, 0, nv, -1);
        Arrays.fill(lastUse, 0, nv, -1);
        Arrays.fill(defBlock, 0, nv, -1);
        Arrays.fill(lateStamp, 0, nv, -1);
        Arrays.fill(global, 0, nv, false);
        Arrays.fill(regVreg, -1);
        touchedRegs = 0;
        allocatableMask = 0;
        for (int[] regs : env.allocatable) for (int r : regs) allocatableMask |= 1L << r;
        usedRegs = 0;
        findGlobals();
        for (int b = 0; b < code.numBlocks(); b++) allocBlock(b);
        out.numSpillSlots = maxSlots;
        out.usedRegs = usedRegs;
    }

    private void findGlobals() {
        // One walk in block order: in SSA a use in the def's own block follows the def, so a use
        // that finds its vreg's def block unset or different lies in another block.
        int nb = code.numBlocks();
        boolean anyParams = false;
        long[] ops = code.operandArray();
        for (int b = 0; b < nb; b++) {
            int np = code.numBlockParams(b);
            for (int k = 0; k < np; k++) {
                int p = code.blockParam(b, k);
                global[p] = true;
                defBlock[p] = b;
                anyParams = true;
            }
            for (int o = code.operandStart(code.blockStart(b)), oe = code.operandStart(code.blockEnd(b)); o < oe; o++) {
                long op = ops[o];
                int v = Operand.vreg(op);
                if (Operand.isDef(op)) defBlock[v] = b;
                else if (defBlock[v] != b) global[v] = true;
            }
            for (int s = 0; s < code.numSuccs(b); s++) {
                int na = code.numBranchArgs(b, s);
                if (na > 0 && code.numSuccs(b) > 1 && code.numPreds(code.succ(b, s)) > 1)
                    throw new IllegalArgumentException("critical edge block" + b + " -> block" + code.succ(b, s)
                            + " with arguments: split it before allocation");
                for (int k = 0; k < na; k++) global[code.branchArg(b, s, k)] = true;
            }
        }
        int slots = 0;
        int nv = code.numVRegs();
        for (int v = 0; v < nv; v++) if (global[v]) vregSlot[v] = slots++;
        spareSlot = anyParams ? slots++ : -1;
        localBase = slots;
        maxSlots = slots;
    }

    private void allocBlock(int b) {
        int start = code.blockStart(b), end = code.blockEnd(b);
        numFreeSlots = numPendingSlots = 0;
        nextLocalSlot = localBase;
        long[] ops = code.operandArray();
        for (int i = start; i < end; i++) {
            for (int o = code.operandStart(i), oe = code.operandStart(i + 1); o < oe; o++) {
                long op = ops[o];
                if (Operand.isUse(op)) lastUse[Operand.vreg(op)] = i;
            }
        }
        boolean movesAtEnd = code.numSuccs(b) == 1 && code.numBlockParams(code.succ(b, 0)) > 0;
        if (movesAtEnd) {
            for (int k = 0; k < code.numBranchArgs(b, 0); k++) lastUse[code.branchArg(b, 0, k)] = end - 1;
        }
        if (code.numPreds(b) == 1 && code.numBlockParams(b) > 0) {
            int pred = code.pred(b, 0);
            if (code.numSuccs(pred) > 1) {
                for (int s = 0; s < code.numSuccs(pred); s++) {
                    if (code.succ(pred, s) == b) {
                        edgeMoves(pred, s, RegAllocResult.before(start));
                        break;
                    }
                }
            }
        }
        for (int i = start; i < end; i++) allocInst(i, movesAtEnd && i == end - 1);
        if (movesAtEnd) edgeMoves(b, 0, RegAllocResult.before(end - 1));
        for (long m = touchedRegs; m != 0; m &= m - 1) {
            int r = Long.numberOfTrailingZeros(m);
            int v = regVreg[r];
            if (v >= 0) {
                vregReg[v] = -1;
                regVreg[r] = -1;
            }
        }
        touchedRegs = 0;
    }

    private void allocInst(int i, boolean forceRegUses) {
        int base = code.operandStart(i), n = code.numOperands(i);
        if (n > 64) throw conflict(i, -1, n + " operands, more than the 64 an instruction may have");
        long[] ops = code.operandArray();
        long clob = code.clobbers(i);
        int before = RegAllocResult.before(i);
        pinned = latePinned = defClaimed = dropAfterUses = 0;
        long fixedDefs = 0, earlyFixedDefs = 0, reused = 0;
        // the operands each step below handles, as masks of operand indices: a step visits only
        // its own operands, in index order
        long fixedUseOps = 0, regUseOps = 0, lateUseOps = 0, defOps = 0, reuseDefOps = 0, earlyDefOps = 0,
                lateFixedDefOps = 0, lateDefOps = 0;
        for (int k = 0; k < n; k++) {
            long op = ops[base + k];
            long bit = 1L << k;
            int c = Operand.constraint(op);
            boolean early = Operand.pos(op) == Operand.EARLY;
            if (Operand.isDef(op)) {
                defOps |= bit;
                if (c == Operand.FIXED_REG) {
                    fixedDefs |= 1L << Operand.fixedReg(op);
                    if (early) earlyFixedDefs |= 1L << Operand.fixedReg(op);
                } else if (c == Operand.REUSE) {
                    reused |= 1L << Operand.reuseIndex(op);
                    reuseDefOps |= bit;
                }
                if (early) earlyDefOps |= bit;
                else if (c == Operand.FIXED_REG) lateFixedDefOps |= bit;
                else if (c != Operand.REUSE) lateDefOps |= bit;
            } else {
                if (!early) {
                    lateStamp[Operand.vreg(op)] = i;
                    lateUseOps |= bit;
                }
                if (c == Operand.FIXED_REG) fixedUseOps |= bit;
                else regUseOps |= bit;
            }
        }
        fixedDefMask = fixedDefs;

        // 1. fixed uses
        for (long m = fixedUseOps; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            long op = ops[base + k];
            int v = Operand.vreg(op), p = Operand.fixedReg(op);
            long bit = 1L << p;
            if (regVreg[p] != v) {
                if ((pinned & bit) != 0) throw conflict(i, k, "two fixed uses want the same register");
                if (regVreg[p] >= 0) evict(p, before, i);
                int src = location(v, i, k);
                move(before, src, p);
                regVreg[p] = v;
                touchedRegs |= 1L << p;
                if (vregReg[v] < 0) vregReg[v] = p;
                else dropAfterUses |= bit;
            }
            pinned |= bit;
            if (Operand.pos(op) == Operand.LATE) latePinned |= bit;
            out.setAlloc(base + k, p);
        }
        // 2. other uses
        for (long m = regUseOps; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            long op = ops[base + k];
            int v = Operand.vreg(op);
            int c = Operand.constraint(op);
            boolean late = Operand.pos(op) == Operand.LATE;
            if (c == Operand.STACK) {
                out.setAlloc(base + k, Allocation.slot(ensureSlot(v, before)));
                continue;
            }
            int r = vregReg[v];
            if (c == Operand.ANY && !forceRegUses && (reused & (1L << k)) == 0 && !late
                    && (r < 0 || (allocatableMask & (1L << r)) == 0) && vregSlot[v] >= 0) {
                out.setAlloc(base + k, Allocation.slot(vregSlot[v]));
                continue;
            }
            // an early def is written while the uses are still read: no use may sit in its register
            long bad = (late ? clob | fixedDefMask | defClaimed : 0) | earlyFixedDefs;
            if (r < 0 || (allocatableMask & (1L << r)) == 0 || ((bad >>> r) & 1) != 0) {
                long soft = lastUse[v] > i ? clob | fixedDefMask : fixedDefMask;
                r = relocate(v, pinned | bad, soft, i, k);
            }
            pinned |= 1L << r;
            if (late) latePinned |= 1L << r;
            out.setAlloc(base + k, r);
        }
        // REUSE defs take their operand's register, after copying a value that is still needed
        for (long m = reuseDefOps; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            long op = ops[base + k];
            int u = Operand.reuseIndex(op);
            int r = out.alloc(base + u);
            int v = Operand.vreg(ops[base + u]);
            if (!Allocation.isReg(r)) throw conflict(i, k, "reused operand not in a register");
            long bit = 1L << r;
            boolean stillNeeded = lastUse[v] > i || lateStamp[v] == i;
            boolean mustCopy = (latePinned & bit) != 0 || (defClaimed & bit) != 0;
            if (!mustCopy && stillNeeded && vregSlot[v] < 0 && vregReg[v] == r) {
                // the value outlives this instruction: keep it in a free register, else in a slot
                mustCopy = freeReg(Operand.regClass(op), pinned | defClaimed | fixedDefMask) >= 0;
                if (!mustCopy) ensureSlot(v, before);
            }
            if (mustCopy) {
                int copy = pickReg(Operand.regClass(op), pinned | defClaimed | fixedDefMask, 0, -1, i, i);
                move(before, r, copy);
                regVreg[copy] = v;
                touchedRegs |= 1L << copy;
                pinned |= 1L << copy;
                dropAfterUses |= 1L << copy;
                out.setAlloc(base + u, copy);
                r = copy;
                bit = 1L << r;
            } else {
                dropAfterUses |= bit;
            }
            defClaimed |= bit;
            out.setAlloc(base + k, r);
        }
        // 3. early defs
        for (long m = earlyDefOps; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            long op = ops[base + k];
            int r;
            if (Operand.constraint(op) == Operand.FIXED_REG) {
                r = Operand.fixedReg(op);
                if (((pinned | defClaimed) & (1L << r)) != 0) throw conflict(i, k, "early def's fixed register is taken");
                if (regVreg[r] >= 0) evict(r, before, i);
            } else {
                r = pickReg(Operand.regClass(op), pinned | defClaimed | fixedDefMask, 0, -1, i, i);
            }
            defClaimed |= 1L << r;
            out.setAlloc(base + k, r);
        }
        // 4. free what dies here (early uses), forget copies, save values across clobbers
        for (long m = fixedUseOps | regUseOps; m != 0; m &= m - 1) {
            int v = Operand.vreg(ops[base + Long.numberOfTrailingZeros(m)]);
            if (lastUse[v] <= i && lateStamp[v] != i) release(v);
        }
        for (long m = dropAfterUses; m != 0; m &= m - 1) {
            int r = Long.numberOfTrailingZeros(m);
            int v = regVreg[r];
            if (v >= 0) {
                if (vregReg[v] == r) {
                    if (vregSlot[v] < 0 && (lastUse[v] > i || lateStamp[v] == i))
                        throw conflict(i, -1, "v" + v + " would be lost");
                    vregReg[v] = -1;
                }
                regVreg[r] = -1;
            }
        }
        for (long m = clob; m != 0; m &= m - 1) {
            int r = Long.numberOfTrailingZeros(m);
            if (regVreg[r] >= 0) evict(r, before, i + 1);
        }
        // 5. late defs
        for (long m = lateFixedDefOps; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            int r = Operand.fixedReg(ops[base + k]);
            if (((latePinned | defClaimed) & (1L << r)) != 0) throw conflict(i, k, "fixed def's register is taken");
            if (regVreg[r] >= 0) evict(r, before, i + 1);
            defClaimed |= 1L << r;
            out.setAlloc(base + k, r);
        }
        if (lateDefOps != 0) {
            int moveHint = -1;
            if (code.isMove(i) && n == 2 && Operand.isUse(ops[base])) moveHint = out.alloc(base);
            for (long m = lateDefOps; m != 0; m &= m - 1) {
                int k = Long.numberOfTrailingZeros(m);
                long op = ops[base + k];
                int v = Operand.vreg(op);
                if (Operand.constraint(op) == Operand.STACK) {
                    int s = vregSlot[v] >= 0 ? vregSlot[v] : newLocalSlot();
                    vregSlot[v] = s;
                    out.setAlloc(base + k, Allocation.slot(s));
                    continue;
                }
                int r = pickReg(Operand.regClass(op), latePinned | defClaimed | fixedDefMask, 0, moveHint, i, i + 1);
                defClaimed |= 1L << r;
                out.setAlloc(base + k, r);
            }
        }
        // commit defs
        int after = RegAllocResult.after(i);
        for (long m = defOps; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            int v = Operand.vreg(ops[base + k]);
            int a = out.alloc(base + k);
            if (!Allocation.isReg(a)) continue;
            usedRegs |= 1L << a;
            if (regVreg[a] >= 0 && regVreg[a] != v) evict(a, before, i + 1);
            regVreg[a] = v;
            touchedRegs |= 1L << a;
            vregReg[v] = a;
            if (global[v] && !code.isTerminator(i)) move(after, a, Allocation.slot(vregSlot[v]));
        }
        // 6. free late uses and defs that die here; a use of a vreg late-used here is stamped,
        // so without late uses only the defs need a look
        for (long m = lateUseOps == 0 ? defOps : n == 64 ? -1L : (1L << n) - 1; m != 0; m &= m - 1) {
            long op = ops[base + Long.numberOfTrailingZeros(m)];
            int v = Operand.vreg(op);
            if (Operand.isDef(op) ? lastUse[v] <= i : lateStamp[v] == i && lastUse[v] <= i) release(v);
        }
        recyclePendingSlots();
    }

    /** Forgets {@code v}'s register, and its slot when it is a block-local value. */
    private void release(int v) {
        int r = vregReg[v];
        if (r >= 0) {
            if (regVreg[r] == v) regVreg[r] = -1;
            vregReg[v] = -1;
        }
        if (!global[v] && vregSlot[v] >= 0) {
            // recycled only after this instruction: a store placed before it must not overwrite a slot it reads
            if (numPendingSlots == pendingSlots.length) pendingSlots = Arrays.copyOf(pendingSlots, numPendingSlots * 2);
            pendingSlots[numPendingSlots++] = vregSlot[v];
            vregSlot[v] = -1;
        }
    }

    private void recyclePendingSlots() {
        for (int k = 0; k < numPendingSlots; k++) {
            int s = pendingSlots[k];
            assert !slotIsFree(s) : "slot" + s + " freed twice";
            if (numFreeSlots == freeSlots.length) freeSlots = Arrays.copyOf(freeSlots, numFreeSlots * 2);
            freeSlots[numFreeSlots++] = s;
        }
        numPendingSlots = 0;
    }

    private boolean slotIsFree(int s) {
        for (int k = 0; k < numFreeSlots; k++) if (freeSlots[k] == s) return true;
        return false;
    }

    private RuntimeException conflict(int i, int k, String why) {
        return new IllegalArgumentException("inst" + i + (k >= 0 ? " operand " + k : "") + ": unsatisfiable constraints: " + why);
    }

    /** Where {@code v} can be read now: its register, else its slot. */
    private int location(int v, int i, int k) {
        if (vregReg[v] >= 0) return vregReg[v];
        if (vregSlot[v] >= 0) return Allocation.slot(vregSlot[v]);
        throw conflict(i, k, "v" + v + " used but not defined before");
    }

    /** Moves {@code v} into a fresh allocatable register that becomes its home; returns it. */
    private int relocate(int v, long avoid, long softAvoid, int i, int k) {
        int old = vregReg[v];
        int src = location(v, i, k);
        if (old >= 0) avoid |= 1L << old;
        int r = pickReg(code.vregClass(v), avoid, softAvoid, -1, i, i);
        move(RegAllocResult.before(i), src, r);
        if (old >= 0) {
            if ((pinned & (1L << old)) != 0) dropAfterUses |= 1L << old;
            else regVreg[old] = -1;
        }
        regVreg[r] = v;
        touchedRegs |= 1L << r;
        vregReg[v] = r;
        return r;
    }

    /** Gives {@code v} a slot holding its value, storing it before the instruction if needed. */
    private int ensureSlot(int v, int point) {
        if (vregSlot[v] < 0) {
            int s = newLocalSlot();
            move(point, vregReg[v], Allocation.slot(s));
            vregSlot[v] = s;
        }
        return vregSlot[v];
    }

    private int newLocalSlot() {
        if (numFreeSlots > 0) return freeSlots[--numFreeSlots];
        int s = nextLocalSlot++;
        if (nextLocalSlot > maxSlots) maxSlots = nextLocalSlot;
        return s;
    }

    /**
     * A register of class {@code cls} outside {@code avoid}: the hint if free, else a free one
     * (outside {@code softAvoid} if possible), else the occupant whose last use in this block is
     * farthest (values with a slot first, as they need no store) is evicted; a value is kept
     * only if used at instruction {@code needFrom} or later.
     */
    private int pickReg(int cls, long avoid, long softAvoid, int hint, int inst, int needFrom) {
        if (hint >= 0 && Allocation.isReg(hint) && regVreg[hint] < 0 && ((avoid >>> hint) & 1) == 0
                && ((allocatableMask >>> hint) & 1) != 0) {
            return hint;
        }
        int[] regs = env.allocatable[cls];
        int fallback = -1;
        for (int r : regs) {
            if (regVreg[r] < 0 && ((avoid >>> r) & 1) == 0) {
                if (((softAvoid >>> r) & 1) == 0) return r;
                if (fallback < 0) fallback = r;
            }
        }
        if (fallback >= 0) return fallback;
        int best = -1;
        long bestScore = Long.MIN_VALUE;
        for (int r : regs) {
            if (((avoid >>> r) & 1) != 0) continue;
            int v = regVreg[r];
            long score = lastUse[v] < needFrom ? Long.MAX_VALUE : (vregSlot[v] >= 0 ? 1L << 40 : 0) + lastUse[v];
            if (score > bestScore) {
                bestScore = score;
                best = r;
            }
        }
        if (best < 0) throw conflict(inst, -1, "no register of class " + cls + " left");
        evict(best, RegAllocResult.before(inst), needFrom);
        return best;
    }

    private int freeReg(int cls, long avoid) {
        for (int r : env.allocatable[cls]) if (regVreg[r] < 0 && ((avoid >>> r) & 1) == 0) return r;
        return -1;
    }

    /** Empties register {@code r}, storing its value to a slot if it is needed from {@code needFrom} on and has none. */
    private void evict(int r, int point, int needFrom) {
        int v = regVreg[r];
        if (vregReg[v] == r) {
            if (vregSlot[v] < 0 && lastUse[v] >= needFrom) {
                int s = newLocalSlot();
                move(point, r, Allocation.slot(s));
                vregSlot[v] = s;
            }
            vregReg[v] = -1;
        }
        regVreg[r] = -1;
    }

    private void move(int point, int from, int to) {
        if (from == to) return;
        if (Allocation.isReg(to)) usedRegs |= 1L << to;
        out.addMove(point, from, to);
    }

    // ---- edges

    /** Copies the arguments of edge {@code (b, s)} into the successor's parameter slots at {@code point}. */
    private void edgeMoves(int b, int s, int point) {
        int succ = code.succ(b, s);
        int np = code.numBlockParams(succ);
        if (pmSrc.length < np) {
            pmSrc = new int[np * 2];
            pmDst = new int[np * 2];
            pmCls = new int[np * 2];
        }
        pmCount = 0;
        for (int k = 0; k < np; k++) {
            int arg = code.branchArg(b, s, k), param = code.blockParam(succ, k);
            int src = vregReg[arg] >= 0 ? vregReg[arg] : Allocation.slot(vregSlot[arg]);
            int dst = Allocation.slot(vregSlot[param]);
            if (src == dst) continue;
            pmSrc[pmCount] = src;
            pmDst[pmCount] = dst;
            pmCls[pmCount] = code.vregClass(param);
            pmCount++;
        }
        while (pmCount > 0) {
            boolean progress = false;
            for (int m = 0; m < pmCount; m++) {
                int dst = pmDst[m];
                boolean blocked = false;
                for (int o = 0; o < pmCount; o++) {
                    if (o != m && pmSrc[o] == dst) {
                        blocked = true;
                        break;
                    }
                }
                if (blocked) continue;
                emitCopy(point, pmSrc[m], dst, pmCls[m]);
                pmCount--;
                pmSrc[m] = pmSrc[pmCount];
                pmDst[m] = pmDst[pmCount];
                pmCls[m] = pmCls[pmCount];
                m--;
                progress = true;
            }
            if (!progress) {
                // every pending destination is still to be read: a cycle; park one source in the spare slot
                int src = pmSrc[0];
                int spare = Allocation.slot(spareSlot);
                emitCopy(point, src, spare, pmCls[0]);
                for (int o = 0; o < pmCount; o++) if (pmSrc[o] == src) pmSrc[o] = spare;
            }
        }
    }

    private void emitCopy(int point, int src, int dst, int cls) {
        if (Allocation.isSlot(src) && Allocation.isSlot(dst)) {
            int scratch = env.scratch[cls];
            if (scratch < 0) throw new IllegalArgumentException("slot-to-slot edge move needs a scratch register");
            move(point, src, scratch);
            move(point, scratch, dst);
        } else {
            move(point, src, dst);
        }
    }
}
