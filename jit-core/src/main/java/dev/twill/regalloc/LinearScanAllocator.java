package dev.twill.regalloc;

import dev.twill.machinst.Allocation;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.machinst.VCode;
import java.util.Arrays;

/**
 * The default-tier allocator: linear scan on SSA form with lifetime intervals, after Wimmer and
 * Franz, "Linear Scan Register Allocation on SSA Form" (CGO 2010), and Wimmer and Mössenböck,
 * "Optimized Interval Splitting in a Linear Scan Register Allocator" (VEE 2005).
 *
 * <p><b>Positions.</b> Instruction {@code i} owns positions {@code 4i..4i+3}: {@code 4i} early
 * (early uses read, early and reuse defs written), {@code 4i+1} clobbers, {@code 4i+2} late
 * (late defs written), and late uses stay live through {@code 4i+2}. Ranges are half-open, so an
 * early use ending at {@code 4i+1} may share a register with a late def starting at {@code
 * 4i+2}, but not with an early def or across a clobber. Moves happen only between instructions:
 * intervals are split at multiples of 4, and a split at {@code 4i} is a move before {@code i}.
 * One exception: a value evicted by a late def whose register it still needs for an early use
 * of the same instruction is split at {@code 4i+1} into its slot; the store is placed before
 * {@code i} (the slot is the vreg's own, so writing it early is harmless).
 *
 * <p><b>Liveness</b> is computed per vreg by walking from each use up the CFG to the def
 * (path exploration, as in Boissinot et al., "Computing Liveness Sets for SSA-Form Programs"):
 * linear in the size of the live sets, no bit matrix. It yields each vreg's ranges (one per
 * block where it is live, read off in block order from a bit set of the blocks the walk touched,
 * so no sort, touching ones merged) and each block's live-in list for resolution.
 *
 * <p><b>Constraints.</b> Uses and defs with REG constraints (and REUSE defs, early defs, late
 * uses) are register use positions: an interval must hold a register there. FIXED_REG operands
 * do not constrain the interval: the physical register gets a fixed range owned by the vreg
 * (so no other interval can be there), the vreg is hinted to it, and a move before (use) or
 * after (def) the instruction copies the value when the interval lives elsewhere. Clobbers are
 * unowned fixed ranges at {@code 4i+1}. A REUSE def starts at {@code 4i}; its operand is copied
 * into the def's register unless the two intervals got the same one (the reused value ends at
 * {@code 4i} when this is its last use, so they can). STACK operands use the vreg's slot through
 * the same kind of copies.
 *
 * <p><b>Scan.</b> Intervals are taken in order of start (the built ones from a sorted array, pieces
 * split off during the scan from a binary heap); active and
 * inactive lists hold the ones with registers. TryAllocateFreeReg takes the register free the
 * longest (the hint first), splitting when it is free only for a prefix; AllocateBlockedReg
 * spills the interval whose next register use is farthest, or the current one, splitting before
 * the next register use so the rest is reloaded. Loops (from back edges in block order) shape
 * both choices: a value used earlier in the innermost loop and live at its end counts as used
 * at the loop's end, and an evicted value is spilled on entry to the outermost loop it does not
 * use rather than inside it ({@link #loopAwareSpillPos}). An interval is never evicted at a position
 * where it needs its register. Spill slots belong to vregs (all pieces of a vreg share one, so no
 * slot-to-slot moves between pieces) and are reused once the owner's lifetime has ended.
 *
 * <p><b>Resolution.</b> Moves for splits inside a block go before the instruction; at block
 * edges, every vreg live into the successor and every block parameter (from its argument) is
 * moved where the successor expects it; each program point's moves form one parallel move,
 * sequentialised by {@link ParallelMoves}. Edge moves sit before the predecessor's terminator
 * (one successor) or at the top of the successor (its only predecessor): critical edges with
 * moves are rejected, as is a jump with operands whose edge moves would overwrite them.
 * Slot-to-slot moves (block parameters in different slots) need the class's scratch register.
 *
 * <p><b>Cost.</b> Sorting interval starts and the heap give O(n log n); the scan visits the
 * active and inactive lists per interval (the inactive list is the quadratic risk on huge
 * functions with many holes), each entry in O(1) until its current range ends or starts. Every array lives in this object and is reused across compilations.
 */
public final class LinearScanAllocator implements RegisterAllocator {
    private static final int MAX = Integer.MAX_VALUE;
    private static final int STACK = -1, UNASSIGNED = -2;
    private static final byte U_REG = 1, U_EDGE = 2, U_DEF = 4, U_LATE = 8, U_REUSED_ONLY = 16;

    private VCode code;
    private MachineEnv env;
    private RegAllocResult out;
    private int nv, nb, ni;
    private long allocatableMask;

    private int[] instBlock = new int[256];
    /** Per block: how many loops (back edges to a block at or before it) enclose it in block order. */
    private int[] loopDepth = new int[33];
    /** Per block: header and latch (the back edge's source) of the innermost loop around it, or -1. */
    private int[] loopHead = new int[32], loopLatch = new int[32];
    private long[] backEdges = new long[16];

    // ---- uses per vreg (CSR), in instruction order
    private int[] useStart = new int[257];
    private int[] usePos = new int[512];
    private byte[] useKind = new byte[512];
    private int[] fill = new int[256];
    private int[] defPos = new int[256], defBlock = new int[256], fixedHint = new int[256];
    /** Per vreg: the block parameter it is passed to along a back edge, or -1 (a register hint). */
    private int[] backEdgeParam = new int[256];
    /** Per vreg: its defining instruction, and the vreg that def copies (the reused use or a move's source) or -1: a register hint. */
    private int[] defInst = new int[256], copiedFrom = new int[256];
    private boolean[] needsSlot = new boolean[256];
    /** buildUses scratch: per operand of the current instruction, its entry in usePos. */
    private int[] opUse = new int[16];

    // ---- liveness scratch (per block)
    private int[] inStamp = new int[32], outStamp = new int[32], useStamp = new int[32], useEndB = new int[32];
    private int[] work = new int[32], inList = new int[32], outList = new int[32];
    private int nIn, nOut, nWork;
    private int[] liBlock = new int[256], liVreg = new int[256];
    private int numLi;
    private int[] liStart = new int[33], liVregs = new int[256];

    // ---- ranges
    private int[] rFrom = new int[512], rTo = new int[512];
    private int numRanges;
    /** Liveness scratch: a bit per block, clear between uses. */
    private long[] liveBlocks = new long[1];

    // ---- intervals
    private int[] ivVreg = new int[512], ivLo = new int[512], ivHi = new int[512], ivClipS = new int[512],
            ivClipE = new int[512], ivUseLo = new int[512], ivUseHi = new int[512], ivReg = new int[512],
            ivNext = new int[512], ivCursor = new int[512], ivStart = new int[512], ivEnd = new int[512],
            ivHint = new int[512];
    /**
     * Per interval in the active (inactive) list: the position before which it stays active
     * (inactive) with its range cursor unchanged, the end (start) of its current range. Below it
     * {@link #updateLists} skips the range walk, which would change nothing; 0 means not known yet.
     */
    private int[] ivUntil = new int[512];
    private int numIv;
    private int[] vregIv = new int[256], vregEnd = new int[256], vregSlot = new int[256];
    /** Per vreg, the last of its intervals the scan took (for move and reuse hints). */
    private int[] lastPopped = new int[256];

    // ---- scan state
    /**
     * The unhandled intervals, as keys {@code start << 32 | interval}: the ones built before the
     * scan sorted once in {@link #initial} (consumed from {@link #initialNext}), and the pieces
     * split off during the scan in the binary heap {@link #heap}, which stays small. Taking the
     * smaller head of the two yields the same order as one heap of everything, without paying a
     * heap operation per interval.
     */
    private long[] heap = new long[256];
    private int heapSize;
    private long[] initial = new long[256];
    private int numInitial, initialNext;
    private int[] active = new int[64], inactive = new int[64];
    private int numActive, numInactive;
    private int scanPos;
    /** The registers of the active intervals at {@link #scanPos}, as the scan found them before allocating there. */
    private long activeRegs;
    /**
     * Below this position no interval in the lists changes state (the least {@link #ivUntil}
     * among them), so {@link #updateLists} has nothing to do and the active registers are still
     * {@link #activeRegsAtLastUpdate} (kept up to date as intervals are added). Taking an interval
     * out of a list elsewhere resets it to 0.
     */
    private int listsUntil;
    private long activeRegsAtLastUpdate;

    // ---- fixed ranges per physical register (CSR)
    private final int[] fxStart = new int[65];
    private final int[] fxCursor = new int[64];
    /** The registers with fixed ranges not yet passed by the scan (their fxCursor is before their end). */
    private long fixedLeft;
    /** Per class: its allocatable registers; per register: its index in its class's allocation order. */
    private final long[] classRegs = new long[2];
    private final int[] regRank = new int[64];
    private int[] fxFrom = new int[64], fxTo = new int[64], fxOwner = new int[64];
    /** The instructions with fixed operands or clobbers, in order (found by {@link #buildUses}). */
    private int[] fixedInsts = new int[64];
    private int numFixedInsts;

    private final int[] freeUntil = new int[64], nextUse = new int[64], blockPos = new int[64];

    // ---- slots
    private long[] slotHeap = new long[32];
    private int slotHeapSize;
    private int[] freeSlots = new int[32];
    private int numFreeSlots, numSlots;

    // ---- split points (position << 32 | vreg)
    private long[] splitPts = new long[64], splitSorted = new long[64];
    private int[] splitCount = new int[64];
    private int numSplitPts;

    // ---- children per vreg (CSR, by start)
    private int[] chStart = new int[257], chIv = new int[512], chCursor = new int[256];
    /** Per entry of chIv: the piece's start and its location (register or the vreg's slot), read by every location query. */
    private int[] chPos = new int[512], chLoc = new int[512];

    private final ParallelMoves pm = new ParallelMoves();
    private final ParallelMoves after = new ParallelMoves();
    private long usedRegs;

    @Override
    public void allocate(VCode code, MachineEnv env, RegAllocResult out) {
        this.code = code;
        this.env = env;
        this.out = out;
        nv = code.numVRegs();
        nb = code.numBlocks();
        ni = code.numInsts();
        out.reset(code.totalOperands());
        allocatableMask = 0;
        for (int cls = 0; cls < env.allocatable.length; cls++) {
            int[] regs = env.allocatable[cls];
            long mask = 0;
            for (int k = 0; k < regs.length; k++) {
                mask |= 1L << regs[k];
                regRank[regs[k]] = k;
            }
            classRegs[cls] = mask;
            allocatableMask |= mask;
        }
        usedRegs = 0;
        ensureCapacity();
        buildUses();
        computeLoopDepth();
        buildIntervals();
        buildFixedRanges();
        scan();
        buildChildren();
        assign();
        out.numSpillSlots = pm.numSlots;
        out.usedRegs = usedRegs | pm.usedRegs | after.usedRegs;
    }

    private void ensureCapacity() {
        if (vregIv.length < nv) {
            int n = Math.max(nv, vregIv.length * 2);
            fill = new int[n];
            defPos = new int[n];
            defBlock = new int[n];
            fixedHint = new int[n];
            backEdgeParam = new int[n];
            defInst = new int[n];
            copiedFrom = new int[n];
            needsSlot = new boolean[n];
            vregIv = new int[n];
            vregEnd = new int[n];
            vregSlot = new int[n];
            lastPopped = new int[n];
        }
        if (useStart.length < nv + 1) useStart = new int[Math.max(nv + 1, useStart.length * 2)];
        if (chStart.length < nv + 1) chStart = new int[Math.max(nv + 1, chStart.length * 2)];
        if (chCursor.length < nv) chCursor = new int[Math.max(nv, chCursor.length * 2)];
        if (instBlock.length < ni) instBlock = new int[Math.max(ni, instBlock.length * 2)];
        if (inStamp.length < nb) {
            int n = Math.max(nb, inStamp.length * 2);
            inStamp = new int[n];
            outStamp = new int[n];
            useStamp = new int[n];
            useEndB = new int[n];
            work = new int[n];
            inList = new int[n];
            outList = new int[n];
        }
        if (liveBlocks.length < (nb + 63) >> 6) liveBlocks = new long[(nb + 63) >> 6];
        if (liStart.length < nb + 1) liStart = new int[Math.max(nb + 1, liStart.length * 2)];
        Arrays.fill(defPos, 0, nv, -1);
        Arrays.fill(defBlock, 0, nv, -1);
        Arrays.fill(fixedHint, 0, nv, -1);
        Arrays.fill(backEdgeParam, 0, nv, -1);
        Arrays.fill(defInst, 0, nv, -1);
        Arrays.fill(copiedFrom, 0, nv, -1);
        Arrays.fill(needsSlot, 0, nv, false);
        Arrays.fill(vregIv, 0, nv, -1);
        Arrays.fill(vregSlot, 0, nv, -1);
        Arrays.fill(lastPopped, 0, nv, -1);
        Arrays.fill(inStamp, 0, nb, -1);
        Arrays.fill(outStamp, 0, nb, -1);
        Arrays.fill(useStamp, 0, nb, -1);
    }

    // =====================================================================================
    // Uses

    private void buildUses() {
        Arrays.fill(useStart, 0, nv + 1, 0);
        long[] ops = code.operandArray();
        for (int j = 0, n = code.totalOperands(); j < n; j++) useStart[Operand.vreg(ops[j]) + 1]++;
        for (int b = 0; b < nb; b++) {
            for (int s = 0; s < code.numSuccs(b); s++) {
                int h = code.succ(b, s);
                for (int k = 0; k < code.numBranchArgs(b, s); k++) {
                    int a = code.branchArg(b, s, k);
                    useStart[a + 1]++;
                    // a value passed along a back edge would best sit where its parameter already is
                    if (h <= b && backEdgeParam[a] < 0) backEdgeParam[a] = code.blockParam(h, k);
                }
            }
            for (int k = 0; k < code.numBlockParams(b); k++) {
                int p = code.blockParam(b, k);
                defBlock[p] = b;
                defPos[p] = 4 * code.blockStart(b);
            }
        }
        for (int v = 0; v < nv; v++) useStart[v + 1] += useStart[v];
        int total = useStart[nv];
        if (usePos.length < total) {
            usePos = new int[Math.max(total, usePos.length * 2)];
            useKind = new byte[usePos.length];
        }
        System.arraycopy(useStart, 0, fill, 0, nv);
        Arrays.fill(fxStart, 0);
        numFixedInsts = 0;
        long clobRun = 0;
        int clobRunLength = 0;
        for (int b = 0; b < nb; b++) {
            int end = code.blockEnd(b);
            for (int i = code.blockStart(b); i < end; i++) {
                instBlock[i] = b;
                int base = code.operandStart(i), n = code.numOperands(i);
                // uses reused by a def seen earlier in this instruction; one reused by a def seen
                // later is corrected when the def is reached (one pass over the operands)
                long reusedMask = 0;
                boolean hasFixed = false, isMove = code.isMove(i);
                if (opUse.length < n) opUse = new int[Math.max(n, opUse.length * 2)];
                for (int k = 0; k < n; k++) {
                    long op = ops[base + k];
                    int v = Operand.vreg(op);
                    int c = Operand.constraint(op);
                    if (c == Operand.FIXED_REG) {
                        if (fixedHint[v] < 0) fixedHint[v] = Operand.fixedReg(op);
                        // counted as buildFixedRanges will add them (a late fixed use or def is one range)
                        fxStart[Operand.fixedReg(op) + 1]++;
                        hasFixed = true;
                    }
                    if (c == Operand.STACK) needsSlot[v] = true;
                    int pos;
                    byte kind;
                    if (Operand.isDef(op)) {
                        boolean early = Operand.pos(op) == Operand.EARLY || c == Operand.REUSE;
                        pos = early ? 4 * i : 4 * i + 2;
                        defPos[v] = pos;
                        defBlock[v] = b;
                        defInst[v] = i;
                        copiedFrom[v] = c == Operand.REUSE ? Operand.vreg(ops[base + Operand.reuseIndex(op)])
                                : isMove && n == 2 && Operand.isUse(ops[base]) ? Operand.vreg(ops[base]) : -1;
                        kind = (byte) (U_DEF | (c == Operand.REG || c == Operand.REUSE ? U_REG : 0));
                        if (c == Operand.REUSE) {
                            int r = Operand.reuseIndex(op);
                            if (r >= k) reusedMask |= 1L << r;
                            else if (Operand.isUse(ops[base + r])) useKind[opUse[r]] = reusedUseKind(useKind[opUse[r]], base, n, r);
                        }
                    } else {
                        pos = 4 * i;
                        kind = Operand.pos(op) == Operand.LATE ? U_LATE : 0;
                        if (c == Operand.REG) kind |= U_REG;
                        if (((reusedMask >>> k) & 1) != 0) kind = reusedUseKind(kind, base, n, k);
                    }
                    int u = fill[v]++;
                    usePos[u] = pos;
                    useKind[u] = kind;
                    opUse[k] = u;
                }
                long clob = code.clobbers(i);
                if (clob != 0) {
                    // calls mostly clobber the same set: count runs of one mask, not bit by bit
                    if (clob != clobRun) {
                        countClobbers(clobRun, clobRunLength);
                        clobRun = clob;
                        clobRunLength = 0;
                    }
                    clobRunLength++;
                    hasFixed = true;
                }
                if (hasFixed) {
                    if (numFixedInsts == fixedInsts.length) fixedInsts = Arrays.copyOf(fixedInsts, numFixedInsts * 2);
                    fixedInsts[numFixedInsts++] = i;
                }
            }
            for (int s = 0; s < code.numSuccs(b); s++) {
                for (int k = 0; k < code.numBranchArgs(b, s); k++) {
                    int u = fill[code.branchArg(b, s, k)]++;
                    usePos[u] = 4 * end - 1;
                    useKind[u] = U_EDGE;
                }
            }
        }
        countClobbers(clobRun, clobRunLength);
    }

    /** Counts {@code times} clobbers of each register in {@code mask} towards its fixed ranges. */
    private void countClobbers(long mask, int times) {
        for (long m = mask; m != 0; m &= m - 1) fxStart[Long.numberOfTrailingZeros(m) + 1] += times;
    }

    /**
     * The kind of the use at operand {@code k} once a REUSE def takes it over: the def's register
     * is what it needs, so it is no register use of its own, and if no other operand reads the
     * same vreg its value may end at the instruction's early point.
     */
    private byte reusedUseKind(byte kind, int base, int n, int k) {
        long[] ops = code.operandArray();
        int v = Operand.vreg(ops[base + k]);
        for (int j = 0; j < n; j++) if (j != k && Operand.vreg(ops[base + j]) == v) return (byte) (kind & ~U_REG);
        return (byte) ((kind & ~U_REG) | U_REUSED_ONLY);
    }

    // =====================================================================================
    // Liveness and intervals

    private void buildIntervals() {
        numRanges = 0;
        numIv = 0;
        numLi = 0;
        for (int v = 0; v < nv; v++) {
            int db = defBlock[v];
            if (db < 0) continue;
            int r0 = numRanges;
            int localEnd = localUseEnd(v, db);
            if (localEnd >= 0) addRange(defPos[v], localEnd);
            else liveRanges(v, db);
            int it = newInterval(v, r0, numRanges);
            ivUseLo[it] = useStart[v];
            ivUseHi[it] = useStart[v + 1];
            vregIv[v] = it;
            vregEnd[v] = ivEnd[it];
        }
        // live-in lists per block (counting sort of the pairs)
        Arrays.fill(liStart, 0, nb + 1, 0);
        for (int k = 0; k < numLi; k++) liStart[liBlock[k] + 1]++;
        for (int b = 0; b < nb; b++) liStart[b + 1] += liStart[b];
        if (liVregs.length < numLi) liVregs = new int[Math.max(numLi, liVregs.length * 2)];
        System.arraycopy(liStart, 0, work, 0, nb);
        for (int k = 0; k < numLi; k++) liVregs[work[liBlock[k]]++] = liVreg[k];
    }

    /**
     * The end of {@code v}'s single range {@code [defPos, end)} when all its uses are in its def
     * block (most values), found without the liveness walk; -1 if some use is in another block
     * or on an edge. The same end as {@link #liveRanges} computes for such a value.
     */
    private int localUseEnd(int v, int db) {
        int lo = 4 * code.blockStart(db), hi = 4 * code.blockEnd(db);
        int end = defPos[v] + 1;
        for (int u = useStart[v], ue = useStart[v + 1]; u < ue; u++) {
            byte kind = useKind[u];
            if ((kind & U_DEF) != 0) continue;
            int p = usePos[u];
            if ((kind & U_EDGE) != 0 || p < lo || p >= hi) return -1;
            int e = p + ((kind & U_LATE) != 0 ? 3 : (kind & U_REUSED_ONLY) != 0 ? 0 : 1);
            if (e > end) end = e;
        }
        return end;
    }

    /** Ranges of a value live beyond its def block: walks from each use up to the def, marking blocks live-in and live-out. */
    private void liveRanges(int v, int db) {
        nIn = nOut = nWork = 0;
        for (int u = useStart[v]; u < useStart[v + 1]; u++) {
            byte kind = useKind[u];
            if ((kind & U_DEF) != 0) continue;
            int b = instBlock[usePos[u] >> 2];
            if ((kind & U_EDGE) != 0) {
                markLiveOut(v, b, db);
            } else {
                int end = usePos[u] + ((kind & U_LATE) != 0 ? 3 : (kind & U_REUSED_ONLY) != 0 ? 0 : 1);
                if (useStamp[b] != v) {
                    useStamp[b] = v;
                    useEndB[b] = end;
                } else if (end > useEndB[b]) {
                    useEndB[b] = end;
                }
                if (b != db) markLiveIn(v, b);
            }
            while (nWork > 0) {
                int w = work[--nWork];
                for (int p = 0; p < code.numPreds(w); p++) markLiveOut(v, code.pred(w, p), db);
            }
        }
        // one range per block, emitted in block order (the order of positions) by walking a bit
        // set of the blocks touched: no sort; touching ranges merge as they are appended
        int minB = db, maxB = db;
        liveBlocks[db >> 6] |= 1L << db;
        for (int k = 0; k < nOut; k++) {
            int b = outList[k];
            liveBlocks[b >> 6] |= 1L << b;
            if (b < minB) minB = b;
            if (b > maxB) maxB = b;
        }
        for (int k = 0; k < nIn; k++) {
            int b = inList[k];
            addLiveIn(b, v);
            liveBlocks[b >> 6] |= 1L << b;
            if (b < minB) minB = b;
            if (b > maxB) maxB = b;
        }
        int r0 = numRanges;
        for (int w = minB >> 6, we = maxB >> 6; w <= we; w++) {
            long bits = liveBlocks[w];
            liveBlocks[w] = 0;
            for (; bits != 0; bits &= bits - 1) {
                int b = w << 6 | Long.numberOfTrailingZeros(bits);
                int from, to;
                if (outStamp[b] == v) {
                    from = b == db ? defPos[v] : 4 * code.blockStart(b);
                    to = 4 * code.blockEnd(b);
                } else if (b != db) {
                    from = 4 * code.blockStart(b);
                    to = Math.max(useEndB[b], from + 1);
                } else {
                    from = defPos[v];
                    to = from + 1;
                    if (useStamp[db] == v && useEndB[db] > to) to = useEndB[db];
                }
                if (numRanges > r0 && from <= rTo[numRanges - 1]) {
                    if (to > rTo[numRanges - 1]) rTo[numRanges - 1] = to;
                } else {
                    addRange(from, to);
                }
            }
        }
    }

    private void markLiveOut(int v, int b, int db) {
        if (outStamp[b] == v) return;
        outStamp[b] = v;
        outList[nOut++] = b;
        if (b != db) markLiveIn(v, b);
    }

    private void markLiveIn(int v, int b) {
        if (inStamp[b] == v) return;
        inStamp[b] = v;
        inList[nIn++] = b;
        work[nWork++] = b;
    }

    private void addLiveIn(int b, int v) {
        if (numLi == liBlock.length) {
            liBlock = Arrays.copyOf(liBlock, numLi * 2);
            liVreg = Arrays.copyOf(liVreg, numLi * 2);
        }
        liBlock[numLi] = b;
        liVreg[numLi++] = v;
    }

    private void addRange(int from, int to) {
        if (numRanges == rFrom.length) {
            rFrom = Arrays.copyOf(rFrom, numRanges * 2);
            rTo = Arrays.copyOf(rTo, numRanges * 2);
        }
        rFrom[numRanges] = from;
        rTo[numRanges++] = to;
    }

    private int newInterval(int v, int lo, int hi) {
        if (numIv == ivVreg.length) growIntervals();
        int it = numIv++;
        ivVreg[it] = v;
        ivLo[it] = lo;
        ivHi[it] = hi;
        ivClipS[it] = 0;
        ivClipE[it] = MAX;
        ivReg[it] = UNASSIGNED;
        ivNext[it] = -1;
        ivCursor[it] = lo;
        ivStart[it] = rFrom[lo];
        ivEnd[it] = rTo[hi - 1];
        ivHint[it] = -1;
        return it;
    }

    private void growIntervals() {
        int n = ivVreg.length * 2;
        ivVreg = Arrays.copyOf(ivVreg, n);
        ivLo = Arrays.copyOf(ivLo, n);
        ivHi = Arrays.copyOf(ivHi, n);
        ivClipS = Arrays.copyOf(ivClipS, n);
        ivClipE = Arrays.copyOf(ivClipE, n);
        ivUseLo = Arrays.copyOf(ivUseLo, n);
        ivUseHi = Arrays.copyOf(ivUseHi, n);
        ivReg = Arrays.copyOf(ivReg, n);
        ivNext = Arrays.copyOf(ivNext, n);
        ivCursor = Arrays.copyOf(ivCursor, n);
        ivStart = Arrays.copyOf(ivStart, n);
        ivEnd = Arrays.copyOf(ivEnd, n);
        ivHint = Arrays.copyOf(ivHint, n);
        ivUntil = Arrays.copyOf(ivUntil, n);
    }

    private int from(int k, int it) {
        return Math.max(rFrom[k], ivClipS[it]);
    }

    private int to(int k, int it) {
        return Math.min(rTo[k], ivClipE[it]);
    }

    // =====================================================================================
    // Fixed ranges: fixed operands (owned by their vreg) and clobbers

    /**
     * Fills the fixed ranges per register, counted by {@link #buildUses}, visiting only the
     * instructions it found to have fixed operands or clobbers.
     */
    private void buildFixedRanges() {
        for (int r = 0; r < 64; r++) fxStart[r + 1] += fxStart[r];
        int total = fxStart[64];
        if (fxFrom.length < total) {
            int n = Math.max(total, fxFrom.length * 2);
            fxFrom = new int[n];
            fxTo = new int[n];
            fxOwner = new int[n];
        }
        System.arraycopy(fxStart, 0, fxCursor, 0, 64);
        long[] ops = code.operandArray();
        for (int x = 0; x < numFixedInsts; x++) {
            int i = fixedInsts[x];
            int base = code.operandStart(i), n = code.numOperands(i);
            // in order of start within the instruction: 4i, 4i+1, 4i+2
            for (int k = 0; k < n; k++) {
                long op = ops[base + k];
                if (Operand.constraint(op) != Operand.FIXED_REG) continue;
                boolean late = Operand.pos(op) == Operand.LATE;
                if (Operand.isUse(op)) fixed(Operand.fixedReg(op), 4 * i, late ? 4 * i + 3 : 4 * i + 1, Operand.vreg(op));
                else if (!late) fixed(Operand.fixedReg(op), 4 * i, 4 * i + 3, Operand.vreg(op));
            }
            for (long m = code.clobbers(i); m != 0; m &= m - 1) fixed(Long.numberOfTrailingZeros(m), 4 * i + 1, 4 * i + 2, -1);
            for (int k = 0; k < n; k++) {
                long op = ops[base + k];
                if (Operand.constraint(op) == Operand.FIXED_REG && Operand.isDef(op) && Operand.pos(op) == Operand.LATE)
                    fixed(Operand.fixedReg(op), 4 * i + 2, 4 * i + 3, Operand.vreg(op));
            }
        }
        System.arraycopy(fxStart, 0, fxCursor, 0, 64);
        fixedLeft = 0;
        for (int r = 0; r < 64; r++) if (fxStart[r] < fxStart[r + 1]) fixedLeft |= 1L << r;
    }

    private void fixed(int reg, int from, int to, int owner) {
        int f = fxCursor[reg]++;
        fxFrom[f] = from;
        fxTo[f] = to;
        fxOwner[f] = owner;
    }

    // =====================================================================================
    // The scan

    private void scan() {
        heapSize = 0;
        numActive = numInactive = 0;
        listsUntil = 0;
        slotHeapSize = 0;
        numFreeSlots = 0;
        numSlots = 0;
        numSplitPts = 0;
        if (initial.length < numIv) initial = new long[Math.max(numIv, initial.length * 2)];
        for (int it = 0; it < numIv; it++) initial[it] = (long) ivStart[it] << 32 | it;
        Arrays.sort(initial, 0, numIv);
        numInitial = numIv;
        initialNext = 0;
        while (heapSize > 0 || initialNext < numInitial) {
            int cur;
            if (initialNext < numInitial && (heapSize == 0 || initial[initialNext] < heap[0])) cur = (int) initial[initialNext++];
            else cur = heapPop();
            int pos = ivStart[cur];
            scanPos = pos;
            updateLists(pos);
            int v = ivVreg[cur];
            lastPopped[v] = cur;
            if (vregIv[v] == cur && needsSlot[v]) ensureSlot(v);
            if (!tryAllocateFree(cur)) allocateBlocked(cur);
            if (ivReg[cur] >= 0) addActive(cur);
        }
        pm.clear();
        after.clear();
        pm.numSlots = numSlots;
    }

    /**
     * Moves intervals between the active and inactive lists for position {@code pos} and drops
     * those ended, collecting the active registers into {@link #activeRegs}.
     */
    private void updateLists(int pos) {
        if (pos < listsUntil) {
            // no interval's current range ends or starts before pos: the lists stand as they are
            activeRegs = activeRegsAtLastUpdate;
            return;
        }
        long busy = 0;
        int until = MAX;
        for (int j = 0; j < numActive; j++) {
            int a = active[j];
            if (pos < ivUntil[a]) {
                busy |= 1L << ivReg[a];
            } else if (ivEnd[a] <= pos) {
                active[j--] = active[--numActive];
                continue;
            } else if (!covers(a, pos)) {
                active[j--] = active[--numActive];
                inactive = push(inactive, numInactive++, a);
                ivUntil[a] = from(ivCursor[a], a);
                continue;
            } else {
                busy |= 1L << ivReg[a];
                ivUntil[a] = to(ivCursor[a], a);
            }
            until = Math.min(until, ivUntil[a]);
        }
        for (int j = 0; j < numInactive; j++) {
            int a = inactive[j];
            if (pos < ivUntil[a]) {
                until = Math.min(until, ivUntil[a]);
                continue;
            }
            if (ivEnd[a] <= pos) {
                inactive[j--] = inactive[--numInactive];
            } else if (covers(a, pos)) {
                inactive[j--] = inactive[--numInactive];
                active = push(active, numActive++, a);
                busy |= 1L << ivReg[a];
                ivUntil[a] = to(ivCursor[a], a);
                until = Math.min(until, ivUntil[a]);
            } else {
                ivUntil[a] = from(ivCursor[a], a);
                until = Math.min(until, ivUntil[a]);
            }
        }
        activeRegs = activeRegsAtLastUpdate = busy;
        listsUntil = until;
    }

    /** Puts {@code it}, just allocated at {@link #scanPos} (so its current range covers it), in the active list. */
    private void addActive(int it) {
        active = push(active, numActive++, it);
        ivUntil[it] = to(ivCursor[it], it);
        activeRegsAtLastUpdate |= 1L << ivReg[it];
        listsUntil = Math.min(listsUntil, ivUntil[it]);
    }

    private static int[] push(int[] a, int n, int x) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        a[n] = x;
        return a;
    }

    private boolean covers(int it, int pos) {
        int c = ivCursor[it], hi = ivHi[it];
        while (c < hi && to(c, it) <= pos) c++;
        ivCursor[it] = c;
        return c < hi && from(c, it) <= pos;
    }

    /** The first position where {@code a} and {@code b} are both live, or MAX. */
    private int nextIntersection(int a, int b) {
        int i = ivCursor[a], j = ivCursor[b];
        int ih = ivHi[a], jh = ivHi[b];
        while (i < ih && j < jh) {
            int af = from(i, a), at = to(i, a), bf = from(j, b), bt = to(j, b);
            if (at <= bf) i++;
            else if (bt <= af) j++;
            else return Math.max(af, bf);
        }
        return MAX;
    }

    /** The first position where register {@code r} is taken by a fixed range not owned by {@code it}'s vreg. */
    private int nextFixedIntersection(int r, int it) {
        int f = fxCursor[r], fe = fxStart[r + 1];
        while (f < fe && fxTo[f] <= scanPos) f++;
        fxCursor[r] = f;
        if (f == fe) fixedLeft &= ~(1L << r);
        int v = ivVreg[it];
        int k = ivCursor[it], hi = ivHi[it];
        int end = ivEnd[it];
        for (; f < fe && fxFrom[f] < end; f++) {
            if (fxOwner[f] == v) continue;
            int ff = fxFrom[f], ft = fxTo[f];
            while (k < hi && to(k, it) <= ff) k++;
            if (k == hi) return MAX;
            if (from(k, it) < ft) return Math.max(from(k, it), ff);
        }
        return MAX;
    }

    /**
     * The first position at or after {@code from} where {@code it} needs a register, or MAX. A
     * late use is recorded at {@code 4i} but holds its register through {@code 4i+2}.
     */
    private int nextRegUse(int it, int from) {
        int lo = ivUseLo[it], hi = ivUseHi[it];
        int f4 = floor4(from);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (usePos[mid] < f4) lo = mid + 1;
            else hi = mid;
        }
        for (int u = lo; u < ivUseHi[it]; u++) {
            byte kind = useKind[u];
            if ((kind & U_REG) == 0) continue;
            int p = (kind & U_LATE) != 0 ? usePos[u] + 2 : usePos[u];
            if (p >= from) return p;
        }
        return MAX;
    }

    private int hintFor(int cur) {
        if (ivHint[cur] >= 0) return ivHint[cur];
        int v = ivVreg[cur];
        if (vregIv[v] != cur) return -1;
        int src = copiedFrom[v];
        if (src >= 0 && lastPopped[src] >= 0) {
            // the source's piece taken last by the scan is the one reaching this def
            int c = lastPopped[src], i = defInst[v];
            if (ivStart[c] <= 4 * i && ivEnd[c] >= 4 * i && ivReg[c] >= 0) return ivReg[c];
        }
        if (fixedHint[v] < 0 && backEdgeParam[v] >= 0) {
            // the parameter's first piece was allocated at the loop header, before this def: in
            // its register, the back edge needs no move for this value
            int c = vregIv[backEdgeParam[v]];
            if (c >= 0 && ivReg[c] >= 0 && RegClass.classOf(ivReg[c]) == code.vregClass(v)) return ivReg[c];
        }
        return fixedHint[v];
    }

    private static int floor4(int p) {
        return p & ~3;
    }

    /**
     * TryAllocateFreeReg: the register free the longest, the earliest in the class's order among
     * equals, the hint if it is free to the end. Registers held by active intervals ({@link
     * #activeRegs}) are never free. Of the others, only those an inactive interval takes back
     * later ({@code limited}, with a {@link #freeUntil} entry) or with a fixed range ahead that
     * starts before the interval's end ({@link #fixedLeft}) need a look; the rest are free to the end, so the hint among them, or
     * else their first in order, is taken without visiting each register.
     */
    private boolean tryAllocateFree(int cur) {
        int v = ivVreg[cur];
        int cls = code.vregClass(v);
        long busy = activeRegs, limited = 0;
        for (int j = 0; j < numInactive; j++) {
            int a = inactive[j];
            int r = ivReg[a];
            if (RegClass.classOf(r) != cls || ((busy >>> r) & 1) != 0) continue;
            int x = nextIntersection(a, cur);
            if (((limited >>> r) & 1) == 0) {
                freeUntil[r] = x;
                limited |= 1L << r;
            } else if (x < freeUntil[r]) {
                freeUntil[r] = x;
            }
        }
        long candidates = classRegs[cls] & ~busy;
        if (candidates == 0) return false;
        int start = ivStart[cur], end = ivEnd[cur];
        long toCheck = candidates & (limited | fixedLeft);
        for (long m = toCheck & ~limited; m != 0; m &= m - 1) {
            // a register whose next fixed range starts at or after the end is free to the end
            // (fixed ranges are sorted by start; one already passed only sends r the long way)
            int r = Long.numberOfTrailingZeros(m);
            if (fxFrom[fxCursor[r]] >= end) toCheck &= ~(1L << r);
        }
        long freeToEnd = candidates & ~toCheck;
        int hint = hintFor(cur);
        if (hint >= 0 && ((freeToEnd >>> hint) & 1) != 0) {
            ivReg[cur] = hint;
            return true;
        }
        int best = -1, bestUsable = start;
        if (freeToEnd != 0) {
            for (int r : env.allocatable[cls]) {
                if (((freeToEnd >>> r) & 1) != 0) {
                    best = r;
                    bestUsable = MAX;
                    break;
                }
            }
        }
        for (long m = toCheck; m != 0; m &= m - 1) {
            int r = Long.numberOfTrailingZeros(m);
            int free = ((limited >>> r) & 1) != 0 ? freeUntil[r] : MAX;
            if (free > start && ((fixedLeft >>> r) & 1) != 0) {
                int x = nextFixedIntersection(r, cur);
                if (x < free) free = x;
            }
            int usable = free >= end ? MAX : floor4(free);
            if (r == hint && usable == MAX) {
                best = r;
                bestUsable = MAX;
                break;
            }
            if (usable > bestUsable || (usable == bestUsable && best >= 0 && regRank[r] < regRank[best])) {
                best = r;
                bestUsable = usable;
            }
        }
        if (best < 0) return false;
        ivReg[cur] = best;
        if (bestUsable != MAX) heapPush(split(cur, bestUsable));
        return true;
    }

    private void allocateBlocked(int cur) {
        int v = ivVreg[cur];
        int cls = code.vregClass(v);
        int[] regs = env.allocatable[cls];
        int start = ivStart[cur];
        int from = start;
        // where evicted intervals leave the register: before the instruction, or (for a late
        // def) right after its early uses, the store still being placed before it
        int evictAt = (start & 3) == 2 ? start - 1 : floor4(start);
        for (int r : regs) {
            nextUse[r] = MAX;
            blockPos[r] = MAX;
        }
        // a value used earlier in the innermost loop around this point and live at its end is
        // needed again at the top of the next iteration, however far its next use is in block
        // order: count the loop's end as its next use, so values merely passing through the loop
        // are evicted first (as C1's linear scan does with its loop-end use positions)
        int lb = instBlock[from >> 2], loopStart = -1, loopEnd = MAX;
        if (loopHead[lb] >= 0) {
            loopStart = 4 * code.blockStart(loopHead[lb]);
            loopEnd = Math.max(4 * code.blockEnd(loopLatch[lb]) - 1, start + 1);
        }
        for (int j = 0; j < numActive; j++) {
            int a = active[j];
            int r = ivReg[a];
            if (((allocatableMask >>> r) & 1) == 0) continue;
            int u = nextRegUse(a, from);
            if (u > loopEnd && ivEnd[a] > loopEnd && usedIn(ivVreg[a], loopStart, from)) u = loopEnd;
            if (u < nextUse[r]) nextUse[r] = u;
        }
        for (int j = 0; j < numInactive; j++) {
            int a = inactive[j];
            int r = ivReg[a];
            if (RegClass.classOf(r) != cls || nextIntersection(a, cur) == MAX) continue;
            int u = nextRegUse(a, from);
            if (u > loopEnd && ivEnd[a] > loopEnd && usedIn(ivVreg[a], loopStart, from)) u = loopEnd;
            if (u < nextUse[r]) nextUse[r] = u;
        }
        int reg = -1;
        for (int r : regs) {
            int b = fxCursor[r] < fxStart[r + 1] ? nextFixedIntersection(r, cur) : MAX;
            blockPos[r] = b;
            if (b < nextUse[r]) nextUse[r] = b;
            if (reg < 0 || nextUse[r] > nextUse[reg]) reg = r;
        }
        int firstUse = nextRegUse(cur, start);
        if (firstUse > nextUse[reg]) {
            // everyone else needs a register sooner: cur goes to its slot until its first register use
            ivReg[cur] = STACK;
            ensureSlot(v);
            if (firstUse != MAX) {
                int sp = floor4(firstUse);
                if (sp <= start) throw infeasible(cur);
                heapPush(split(cur, sp));
            }
            return;
        }
        if (nextUse[reg] <= start) throw infeasible(cur);
        ivReg[cur] = reg;
        if (blockPos[reg] < ivEnd[cur]) {
            int sp = floor4(blockPos[reg]);
            if (sp <= start) throw infeasible(cur);
            heapPush(split(cur, sp));
        }
        for (int j = 0; j < numActive; j++) {
            int a = active[j];
            if (ivReg[a] != reg) continue;
            active[j--] = active[--numActive];
            listsUntil = 0;
            spillFrom(a, evictAt);
        }
        for (int j = 0; j < numInactive; j++) {
            int a = inactive[j];
            if (ivReg[a] != reg || nextIntersection(a, cur) == MAX) continue;
            inactive[j--] = inactive[--numInactive];
            listsUntil = 0;
            spillFrom(a, evictAt);
        }
    }

    private RuntimeException infeasible(int cur) {
        int pos = ivStart[cur];
        return new IllegalArgumentException("inst" + (pos >> 2) + ": more registers of class " + code.vregClass(ivVreg[cur])
                + " needed at once than exist (v" + ivVreg[cur] + ")");
    }

    /**
     * Loop depth per block, from the block order: an edge to a block at or before its source is a
     * back edge, and the blocks from its target to its source are in that loop. Exact for the
     * reducible, loop-contiguous orders the lowering produces; elsewhere only a spill heuristic.
     */
    private void computeLoopDepth() {
        if (loopDepth.length < nb + 1) loopDepth = new int[Math.max(nb + 1, loopDepth.length * 2)];
        Arrays.fill(loopDepth, 0, nb + 1, 0);
        for (int b = 0; b < nb; b++) {
            for (int k = 0; k < code.numSuccs(b); k++) {
                int h = code.succ(b, k);
                if (h <= b) {
                    int latch = latchOf(b, h);
                    loopDepth[h]++;
                    loopDepth[latch + 1]--;
                }
            }
        }
        for (int b = 1; b < nb; b++) loopDepth[b] += loopDepth[b - 1];
        if (loopHead.length < nb) {
            loopHead = new int[Math.max(nb, loopHead.length * 2)];
            loopLatch = new int[loopHead.length];
        }
        Arrays.fill(loopHead, 0, nb, -1);
        // innermost loop per block: back edges by decreasing span, so inner loops write last;
        // nested spans cost at most blocks x depth
        int ne = 0;
        for (int b = 0; b < nb; b++) {
            for (int k = 0; k < code.numSuccs(b); k++) {
                int h = code.succ(b, k);
                if (h > b) continue;
                int latch = latchOf(b, h);
                if (ne == backEdges.length) backEdges = Arrays.copyOf(backEdges, ne * 2);
                backEdges[ne++] = (long) (nb - (latch - h)) << 40 | (long) h << 20 | latch;
            }
        }
        if (ne == 0 || nb >= 1 << 20) return;
        Arrays.sort(backEdges, 0, ne);
        for (int e = 0; e < ne; e++) {
            int h = (int) (backEdges[e] >>> 20) & 0xFFFFF, latch = (int) backEdges[e] & 0xFFFFF;
            for (int b = h; b <= latch; b++) {
                loopHead[b] = h;
                loopLatch[b] = latch;
            }
        }
    }

    /**
     * The last block of the loop body closed by back edge {@code b -> h}: {@code b} itself, or,
     * when {@code b} only forwards the edge (a block that split a critical edge: one predecessor,
     * one successor, placed after the code that follows the loop), its predecessor, so the
     * blocks between are not counted as inside the loop.
     */
    private int latchOf(int b, int h) {
        if (code.numPreds(b) == 1 && code.numSuccs(b) == 1) {
            int p = code.pred(b, 0);
            if (p >= h && p < b) return p;
        }
        return b;
    }

    /** True if vreg {@code v} has a use at a position in {@code [from, to)}. */
    private boolean usedIn(int v, int from, int to) {
        int a = useStart[v], b = useStart[v + 1];
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (usePos[mid] < from) a = mid + 1;
            else b = mid;
        }
        return a < useStart[v + 1] && usePos[a] < to;
    }

    /**
     * Where to spill {@code it}, evicted at {@code sp} (Wimmer and Mössenböck 2005, optimal split
     * positions): if {@code sp} is inside a loop that {@code it} does not use between its last use
     * before {@code sp} and {@code sp}, the start of the outermost such loop's first block, so the
     * store runs once on the way into the loop (the edge from the block before, at lower depth)
     * instead of every iteration, and the loop's back edge needs no reload. Taking the register
     * away earlier than the scan position is sound: it was {@code it}'s alone up to {@code sp},
     * so every interval allocated meanwhile already avoided it.
     */
    private int loopAwareSpillPos(int it, int sp) {
        int b = instBlock[sp >> 2];
        int depth = loopDepth[b];
        if (depth == 0) return sp;
        int lastUse = ivStart[it];
        for (int u = ivUseHi[it] - 1; u >= ivUseLo[it]; u--) {
            if (usePos[u] < sp) {
                lastUse = Math.max(lastUse, usePos[u]);
                break;
            }
        }
        int best = sp, bestDepth = depth;
        for (; b > 0; b--) {
            int bs = 4 * code.blockStart(b);
            if (bs <= lastUse) break;
            // a split at bs puts the moves on the edges from earlier blocks, at about their depth
            if (loopDepth[b - 1] < bestDepth && bs < sp) {
                best = bs;
                bestDepth = loopDepth[b - 1];
            }
        }
        return best;
    }

    /** Takes {@code it} out of its register from {@code sp} on: that part lives in the slot until its next register use. */
    private void spillFrom(int it, int sp) {
        int early = loopAwareSpillPos(it, sp);
        int v = ivVreg[it];
        // a slot freed before the scan position may still be in use after the earlier spill
        // position: a spill placed before the scan position gets a slot of its own
        if (early < sp) ensureFreshSlot(v);
        sp = early;
        int target = sp <= ivStart[it] ? it : split(it, sp);
        int u = nextRegUse(target, ivStart[target]);
        if (u != MAX && floor4(u) <= ivStart[target]) {
            // the rest starts after a hole and needs a register at once: allocate it afresh
            if (ivStart[target] <= scanPos) throw infeasible(target);
            ivReg[target] = UNASSIGNED;
            heapPush(target);
            return;
        }
        ivReg[target] = STACK;
        ensureSlot(v);
        if (u != MAX) heapPush(split(target, floor4(u)));
    }

    /** Splits {@code it} at {@code p} (a multiple of 4, strictly inside); returns the new child covering {@code [p, end)}. */
    private int split(int it, int p) {
        int v = ivVreg[it];
        int lo = ivLo[it], hi = ivHi[it];
        int a = lo, b = hi;
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (to(mid, it) <= p) a = mid + 1;
            else b = mid;
        }
        int k = a;
        if (numIv == ivVreg.length) growIntervals();
        int c = numIv++;
        ivVreg[c] = v;
        ivLo[c] = k;
        ivHi[c] = hi;
        ivClipS[c] = p;
        ivClipE[c] = ivClipE[it];
        ivStart[c] = Math.max(rFrom[k], p);
        ivEnd[c] = ivEnd[it];
        ivCursor[c] = k;
        ivReg[c] = UNASSIGNED;
        ivHint[c] = ivReg[it] >= 0 ? ivReg[it] : ivHint[it];
        boolean inside = from(k, it) < p;
        ivHi[it] = inside ? k + 1 : k;
        ivEnd[it] = inside ? p : to(k - 1, it);
        ivClipE[it] = p;
        if (ivCursor[it] > ivHi[it]) ivCursor[it] = ivHi[it];
        int ul = ivUseLo[it], uh = ivUseHi[it];
        while (ul < uh) {
            int mid = (ul + uh) >>> 1;
            if (usePos[mid] < p) ul = mid + 1;
            else uh = mid;
        }
        ivUseLo[c] = ul;
        ivUseHi[c] = ivUseHi[it];
        ivUseHi[it] = ul;
        ivNext[c] = ivNext[it];
        ivNext[it] = c;
        if (inside) {
            if (numSplitPts == splitPts.length) splitPts = Arrays.copyOf(splitPts, numSplitPts * 2);
            splitPts[numSplitPts++] = (long) p << 32 | v;
        }
        return c;
    }

    private void ensureSlot(int v) {
        if (vregSlot[v] >= 0) return;
        int threshold = floor4(scanPos);
        while (slotHeapSize > 0 && (int) (slotHeap[0] >>> 32) <= threshold) {
            int s = (int) slotHeap[0];
            slotHeapRemoveTop();
            if (numFreeSlots == freeSlots.length) freeSlots = Arrays.copyOf(freeSlots, numFreeSlots * 2);
            freeSlots[numFreeSlots++] = s;
        }
        giveSlot(v, numFreeSlots > 0 ? freeSlots[--numFreeSlots] : numSlots++);
    }

    /** As {@link #ensureSlot}, never reusing a freed slot. */
    private void ensureFreshSlot(int v) {
        if (vregSlot[v] < 0) giveSlot(v, numSlots++);
    }

    private void giveSlot(int v, int s) {
        vregSlot[v] = s;
        long key = (long) vregEnd[v] << 32 | s;
        if (slotHeapSize == slotHeap.length) slotHeap = Arrays.copyOf(slotHeap, slotHeapSize * 2);
        int h = slotHeapSize++;
        while (h > 0 && slotHeap[(h - 1) >> 1] > key) {
            slotHeap[h] = slotHeap[(h - 1) >> 1];
            h = (h - 1) >> 1;
        }
        slotHeap[h] = key;
    }

    private void slotHeapRemoveTop() {
        long last = slotHeap[--slotHeapSize];
        int h = 0;
        while (true) {
            int c = 2 * h + 1;
            if (c >= slotHeapSize) break;
            if (c + 1 < slotHeapSize && slotHeap[c + 1] < slotHeap[c]) c++;
            if (slotHeap[c] >= last) break;
            slotHeap[h] = slotHeap[c];
            h = c;
        }
        if (slotHeapSize > 0) slotHeap[h] = last;
    }

    private void heapPush(int it) {
        long key = (long) ivStart[it] << 32 | it;
        if (heapSize == heap.length) heap = Arrays.copyOf(heap, heapSize * 2);
        int h = heapSize++;
        while (h > 0 && heap[(h - 1) >> 1] > key) {
            heap[h] = heap[(h - 1) >> 1];
            h = (h - 1) >> 1;
        }
        heap[h] = key;
    }

    private int heapPop() {
        int top = (int) heap[0];
        long last = heap[--heapSize];
        int h = 0;
        while (true) {
            int c = 2 * h + 1;
            if (c >= heapSize) break;
            if (c + 1 < heapSize && heap[c + 1] < heap[c]) c++;
            if (heap[c] >= last) break;
            heap[h] = heap[c];
            h = c;
        }
        if (heapSize > 0) heap[h] = last;
        return top;
    }

    // =====================================================================================
    // Locations, operands and moves

    private void buildChildren() {
        // every interval is in exactly one vreg's chain, so numIv entries hold them all
        if (chIv.length < numIv) {
            chIv = new int[Math.max(numIv, chIv.length * 2)];
            chPos = new int[chIv.length];
            chLoc = new int[chIv.length];
        }
        int k = 0;
        long regs = 0;
        for (int v = 0; v < nv; v++) {
            chStart[v] = k;
            chCursor[v] = k;
            for (int c = vregIv[v]; c >= 0; c = ivNext[c]) {
                int r = ivReg[c];
                chIv[k] = c;
                chPos[k] = ivStart[c];
                chLoc[k++] = r >= 0 ? r : Allocation.slot(vregSlot[v]);
                if (r >= 0) regs |= 1L << r;
            }
        }
        chStart[nv] = k;
        usedRegs |= regs;
    }

    /** Where {@code v} is at position {@code p} (the piece starting last at or before p), or NONE. */
    private int locAt(int v, int p) {
        int k = childAt(v, p);
        return k < 0 ? Allocation.NONE : chLoc[k];
    }

    private void assign() {
        sortSplitPoints();
        int sp = 0;
        for (int b = 0; b < nb; b++) {
            int start = code.blockStart(b), end = code.blockEnd(b);
            if (code.numPreds(b) == 1 && code.numSuccs(code.pred(b, 0)) > 1) {
                resolveEdge(code.pred(b, 0), b);
                pm.emit(RegAllocResult.before(start), out, env);
            } else if (code.numPreds(b) > 1) {
                for (int p = 0; p < code.numPreds(b); p++) {
                    int pred = code.pred(b, p);
                    if (code.numSuccs(pred) > 1) {
                        resolveEdge(pred, b);
                        if (!pm.isEmpty()) throw new IllegalArgumentException("critical edge block" + pred + " -> block" + b + " needs moves: split it");
                    }
                }
            }
            for (int i = start; i < end; i++) {
                int p4 = 4 * i;
                while (sp < numSplitPts && (int) (splitPts[sp] >>> 32) < p4) sp++;
                for (; sp < numSplitPts && (int) (splitPts[sp] >>> 32) <= p4 + 1; sp++) {
                    int at = (int) (splitPts[sp] >>> 32);
                    if (at == p4 && i == start) continue;
                    int v = (int) splitPts[sp];
                    // a split at 4i+1 is a spill store after the early reads: placed before i, it
                    // reads what this point's other moves read
                    int from = at == p4 ? locAt(v, p4 - 1) : readLoc(v, i == start ? p4 : p4 - 1, p4);
                    int to = locAt(v, at);
                    if (from != Allocation.NONE && to != Allocation.NONE) pm.add(from, to, code.vregClass(v));
                }
                operands(i, i == start);
                if (!pm.isEmpty()) pm.emit(RegAllocResult.before(i), out, env);
                if (code.isTerminator(i) && code.numSuccs(b) == 1) {
                    resolveEdge(b, code.succ(b, 0));
                    if (!pm.isEmpty()) {
                        int base = code.operandStart(i);
                        for (int m = 0; m < pm.size(); m++) {
                            for (int k = 0; k < code.numOperands(i); k++) {
                                if (out.alloc(base + k) == pm.dst(m))
                                    throw new IllegalArgumentException("inst" + i + ": edge moves would overwrite an operand of the jump");
                            }
                        }
                        pm.emit(RegAllocResult.before(i), out, env);
                    }
                }
                if (!after.isEmpty()) {
                    if (code.isTerminator(i)) throw new IllegalArgumentException("inst" + i + ": a terminator's def needs a move after it");
                    after.numSlots = pm.numSlots;
                    after.spareSlot = pm.spareSlot;
                    after.emit(RegAllocResult.after(i), out, env);
                    pm.numSlots = after.numSlots;
                    pm.spareSlot = after.spareSlot;
                }
            }
        }
    }

    private void operands(int i, boolean blockTop) {
        long[] ops = code.operandArray();
        int base = code.operandStart(i), n = code.numOperands(i);
        int p4 = 4 * i;
        // where a value is read by this point's parallel move: before any split at p4, except at a block top
        int readPos = blockTop ? p4 : p4 - 1;
        int firstReuse = n, lastReuse = -1;
        for (int k = 0; k < n; k++) {
            long op = ops[base + k];
            int v = Operand.vreg(op);
            int c = Operand.constraint(op);
            int cls = Operand.regClass(op);
            if (Operand.isUse(op)) {
                if (c == Operand.FIXED_REG) {
                    int p = Operand.fixedReg(op);
                    out.setAlloc(base + k, p);
                    pm.add(readLoc(v, readPos, p4), p, cls);
                } else if (c == Operand.STACK) {
                    int s = Allocation.slot(vregSlot[v]);
                    out.setAlloc(base + k, s);
                    pm.add(readLoc(v, readPos, p4), s, cls);
                } else {
                    out.setAlloc(base + k, locAt(v, p4));
                }
            } else {
                int loc = locAt(v, defPos[v]);
                if (c == Operand.FIXED_REG) {
                    int p = Operand.fixedReg(op);
                    out.setAlloc(base + k, p);
                    usedRegs |= 1L << p;
                    after.add(p, loc, cls);
                } else if (c == Operand.STACK) {
                    int s = Allocation.slot(vregSlot[v]);
                    out.setAlloc(base + k, s);
                    after.add(s, loc, cls);
                } else {
                    out.setAlloc(base + k, loc);
                    if (c == Operand.REUSE) {
                        firstReuse = Math.min(firstReuse, k);
                        lastReuse = k;
                    }
                }
            }
        }
        if (lastReuse >= 0) reuseCopies(i, readPos, firstReuse, lastReuse);
    }

    /** Gives each reused use its def's register and copies the use's value there (a no-op when the two intervals got the same register). */
    private void reuseCopies(int i, int readPos, int firstReuse, int lastReuse) {
        long[] ops = code.operandArray();
        int base = code.operandStart(i);
        int p4 = 4 * i;
        for (int k = firstReuse; k <= lastReuse; k++) {
            long op = ops[base + k];
            if (!Operand.isDef(op) || Operand.constraint(op) != Operand.REUSE) continue;
            int r = out.alloc(base + k);
            int u = Operand.reuseIndex(op);
            int uv = Operand.vreg(ops[base + u]);
            out.setAlloc(base + u, r);
            pm.add(readLoc(uv, readPos, p4), r, Operand.regClass(op));
        }
    }

    /** The location to read {@code v} from at a point: before the point's splits if live there, else at p4. */
    private int readLoc(int v, int readPos, int p4) {
        int l = locAt(v, readPos);
        if (l == Allocation.NONE || !covered(v, readPos)) l = locAt(v, p4);
        return l;
    }

    private boolean covered(int v, int p) {
        int k = childAt(v, p);
        return k >= 0 && p < ivEnd[chIv[k]];
    }

    /**
     * Index in chIv of {@code v}'s piece starting last at or before {@code p}, or -1. The walk
     * over the instructions asks with rising positions, so a cursor per vreg answers most
     * queries in O(1); edges going backwards fall back to binary search.
     */
    private int childAt(int v, int p) {
        int k = chCursor[v], end = chStart[v + 1];
        if (k < end && chPos[k] <= p) {
            while (k + 1 < end && chPos[k + 1] <= p) k++;
            chCursor[v] = k;
            return k;
        }
        int lo = chStart[v], hi = end;
        if (lo == hi) return -1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (chPos[mid] <= p) lo = mid;
            else hi = mid;
        }
        return chPos[lo] <= p ? lo : -1;
    }

    /** Orders the split points by instruction (a counting sort: no comparison sort, no garbage). */
    private void sortSplitPoints() {
        if (splitCount.length < ni + 1) splitCount = new int[Math.max(ni + 1, splitCount.length * 2)];
        if (splitSorted.length < numSplitPts) splitSorted = new long[Math.max(numSplitPts, splitSorted.length * 2)];
        Arrays.fill(splitCount, 0, ni + 1, 0);
        for (int k = 0; k < numSplitPts; k++) splitCount[(int) (splitPts[k] >>> 34) + 1]++;
        for (int i = 0; i < ni; i++) splitCount[i + 1] += splitCount[i];
        for (int k = 0; k < numSplitPts; k++) splitSorted[splitCount[(int) (splitPts[k] >>> 34)]++] = splitPts[k];
        long[] t = splitPts;
        splitPts = splitSorted;
        splitSorted = t;
    }

    private void resolveEdge(int p, int s) {
        int endPos = 4 * code.blockEnd(p) - 1, startPos = 4 * code.blockStart(s);
        int n = -1;
        for (int k = 0; k < code.numSuccs(p); k++) if (code.succ(p, k) == s) n = k;
        int np = code.numBlockParams(s);
        for (int k = 0; k < np; k++) {
            int param = code.blockParam(s, k);
            int to = locAt(param, startPos);
            if (to == Allocation.NONE) continue;
            int from = locAt(code.branchArg(p, n, k), endPos);
            pm.add(from, to, code.vregClass(param));
        }
        int first = Math.min(endPos, startPos);
        for (int k = liStart[s]; k < liStart[s + 1]; k++) {
            int v = liVregs[k];
            int c = chStart[v];
            // a vreg in one piece from before both points is in the same place on both sides
            if (chStart[v + 1] - c == 1 && chPos[c] <= first) continue;
            pm.add(locAt(v, endPos), locAt(v, startPos), code.vregClass(v));
        }
    }
}
