package dev.twill.machinst;

import dev.twill.CompileError;

import dev.twill.analysis.ControlFlowGraph;
import dev.twill.entity.ListPool;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.Layout;
import dev.twill.ir.Opcode;
import java.util.Arrays;

/**
 * The basic blocks a back end emits for a function, in emission order: the machine-independent
 * half of lowering, shared by every ISA (Cranelift's {@code BlockLoweringOrder}).
 *
 * <p><b>Problem.</b> The IR has extended basic blocks (mid-block {@code brz brnz br_icmp} fall
 * through when not taken) and may have critical edges; {@link VCode} wants basic blocks whose
 * only control transfer is the last instruction, and no critical edges, so that the register
 * allocator can always put an edge's moves at the end of its source or the start of its
 * destination.
 *
 * <p><b>Algorithm.</b>
 * <ol>
 *   <li>One walk over the layout ({@link #begin}, usually the lowering's own pre-pass) records
 *       each block's branches and, per branch, its edges to IR blocks (the block calls are read
 *       once, while the branch is at hand: on large functions a second read is a cache miss).
 *   <li>Reachability from the entry over those edges; unreachable blocks are dropped.
 *   <li>Each reachable IR block, in layout order, is cut after each mid-block branch into
 *       <i>segments</i>: segment k runs from the instruction after the k-th mid-block branch to
 *       the next branch (or the terminator). A segment ending in a mid-block branch has two
 *       successors: the taken destination, then the fall-through segment.
 *   <li>Successor edges are listed per segment: {@code jump}: [dest]; {@code brif}: [then,
 *       else]; {@code brz brnz br_icmp}: [taken, fall-through]; {@code br_table}: [default,
 *       then each distinct entry], where entries with the same destination and the same
 *       arguments share one edge ({@link #jumpTableSucc} maps an entry to its edge);
 *       {@code return trap}: none.
 *   <li>An edge is critical when its source has several successors and its destination
 *       several predecessors; such an edge gets an <i>edge block</i> (an empty block that only
 *       jumps on). The edge block of a back edge (to a segment at or before its source) is
 *       placed right after its source segment, inside the loop in block order, so a register
 *       allocator sees the loop's body contiguous and the back edge's moves (if any) stay next
 *       to the loop's latch; the other edge blocks of an IR block's segments are placed right
 *       after that IR block's last segment, so those segments stay contiguous and fall through
 *       into each other.
 *   <li>If the IR entry block is itself a branch target, a synthetic <i>entry block</i> comes
 *       first (block 0): the back end defines the function arguments there and jumps on,
 *       passing them as the entry block's parameters.
 * </ol>
 *
 * <p><b>Edge arguments.</b> {@link #succBlockCall} names the IR block call whose arguments flow
 * along an edge: the branch's own block call for a direct edge, -1 for an edge into an edge
 * block or a fall-through (which carry no arguments); an edge block's single outgoing edge
 * carries the block call of the edge it replaces.
 *
 * <p>Invariants: block 0 is the entry; every block but the entry has a predecessor; no edge is
 * critical; a segment's instructions are {@code firstInst .. lastInst} in layout order. All
 * arrays are reused across {@link #compute} calls.
 */
public final class BlockLoweringOrder {
    /** A run of an IR block's instructions. */
    public static final int SEGMENT = 0;
    /** An empty block on a split critical edge. */
    public static final int EDGE = 1;
    /** The synthetic entry block that defines the arguments when the IR entry has predecessors. */
    public static final int ENTRY = 2;

    // ---- per lowered block
    private int num;
    private int numIrBlocks;
    private int[] kind = new int[32], irBlock = new int[32], firstInst = new int[32], lastInst = new int[32];
    private int[] succStart = new int[33];
    // ---- per edge
    private int numEdges;
    private int[] succ = new int[64], succCall = new int[64];
    // ---- br_table entry -> successor index, per lowered block
    private int[] jtStart = new int[33];
    private int[] jtSucc = new int[64];
    private int numJt;
    // ---- per IR block / instruction
    private int[] blockIndex = new int[32];
    /**
     * The segment each branch or terminator ends, valid where {@link #branchStamp} holds the
     * current {@link #stamp}: so a compilation touches only its segment ends, not every
     * instruction number.
     */
    private int[] branchBlock = new int[64], branchStamp = new int[64];
    private int stamp;

    // ---- scratch
    private int[] preds = new int[32];
    private int[] tmpOrder = new int[32];
    private int[] remap = new int[32];
    private int[] stack = new int[32];
    private boolean[] reachable = new boolean[32];

    public int numBlocks() {
        return num;
    }

    /** {@link #SEGMENT}, {@link #EDGE} or {@link #ENTRY}. */
    public int kind(int lb) {
        return kind[lb];
    }

    /** The IR block a segment belongs to; for an edge or entry block, the IR block it leads to. */
    public int irBlock(int lb) {
        return irBlock[lb];
    }

    /** First IR instruction of a segment; -1 for edge and entry blocks. */
    public int firstInst(int lb) {
        return firstInst[lb];
    }

    /** The branch or terminator ending a segment; -1 for edge and entry blocks. */
    public int lastInst(int lb) {
        return lastInst[lb];
    }

    public int numSuccs(int lb) {
        return succStart[lb + 1] - succStart[lb];
    }

    public int succ(int lb, int n) {
        return succ[succStart[lb] + n];
    }

    /** The IR block call whose arguments flow along edge {@code n} of {@code lb}, or -1 for none. */
    public int succBlockCall(int lb, int n) {
        return succCall[succStart[lb] + n];
    }

    /** For a segment ending in {@code br_table}: the successor index of jump-table entry {@code k} (0 is the default). */
    public int jumpTableSucc(int lb, int k) {
        return jtSucc[jtStart[lb] + k];
    }

    /** The lowered block where IR block {@code b} starts, or -1 if it is unreachable. */
    public int blockIndex(int b) {
        return b < blockIndex.length ? blockIndex[b] : -1;
    }

    /** The segment that branch or terminator {@code inst} ends, or -1. */
    public int segmentEndingAt(int inst) {
        return inst >= 0 && inst < branchBlock.length && branchStamp[inst] == stamp ? branchBlock[inst] : -1;
    }

    private void endsSegment(int inst, int segment) {
        branchBlock[inst] = segment;
        branchStamp[inst] = stamp;
    }

    /** Computes the order for {@code f} with a walk of its own over the layout (see {@link #begin} to share one). */
    public void compute(Function f) {
        DataFlowGraph dfg = f.dfg;
        Layout layout = f.layout;
        begin(f);
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            beginBlock(b);
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                Opcode op = dfg.opcode(i);
                if (op.isBranch()) addBranch(b, i, op);
            }
            endBlock(b);
        }
        finish();
    }

    // ---- the walk: raw segments and edges of every block in the layout, reachable or not

    /** Per IR block: its first raw segment, how many it has, and the instruction that makes it unlowerable (or -1). */
    private int[] rawFirst = new int[32], rawCount = new int[32], badInst = new int[32];
    /** Per raw segment: its branch or terminator, and the starts of its edges and jump-table entries (n + 1 entries). */
    private int[] rawLast = new int[32], rawSuccStart = new int[33], rawJtStart = new int[33];
    /** Per raw edge: destination IR block ({@link #FALL_THROUGH} for the next segment) and block call. */
    private int[] rawDst = new int[64], rawCall = new int[64];
    private int[] rawJt = new int[64];
    private int numRaw, numRawEdges, numRawJt;
    /** The IR block being walked, and whether any edge of the walk enters the entry block. */
    private int walkBlock;
    private boolean entryIsTarget;
    private static final int FALL_THROUGH = -2;
    private Function func;

    /**
     * Starts computing the order of {@code f} from a walk the caller makes over the layout (so
     * that the lowering's own pre-pass, which reads every instruction anyway, also feeds this
     * one): then, for each block in layout order, {@link #beginBlock}, {@link #addBranch} for
     * each of its branches in order, {@link #endBlock}; and finally {@link #finish}. The edges are
     * taken from each branch while the walk has its record at hand, so no {@link
     * ControlFlowGraph} is needed and no branch or block call is read a second time.
     */
    public void begin(Function f) {
        func = f;
        int nb = f.dfg.numBlocks();
        int ni = f.dfg.numInsts();
        numIrBlocks = nb;
        if (blockIndex.length < nb) {
            int n = Math.max(nb, blockIndex.length * 2);
            blockIndex = new int[n];
            reachable = new boolean[n];
            stack = new int[n + 1];
            rawFirst = new int[n];
            rawCount = new int[n];
            badInst = new int[n];
        }
        if (branchBlock.length < ni) {
            branchBlock = new int[Math.max(ni, branchBlock.length * 2)];
            branchStamp = new int[branchBlock.length];
            stamp = 0;
        }
        if (++stamp == 0) { // wrapped around: old stamps could match again
            Arrays.fill(branchStamp, 0);
            stamp = 1;
        }
        numRaw = numRawEdges = numRawJt = 0;
        rawSuccStart[0] = 0;
        rawJtStart[0] = 0;
        entryIsTarget = false;
        walkBlock = -1;
    }

    /** Block {@code b} comes next in the layout walk. */
    public void beginBlock(int b) {
        walkBlock = b;
        rawFirst[b] = numRaw;
        rawCount[b] = 0;
        badInst[b] = -1;
    }

    /** Instruction {@code i} of the current block {@code b} is a branch of opcode {@code op}: it ends a segment. */
    public void addBranch(int b, int i, Opcode op) {
        DataFlowGraph dfg = func.dfg;
        int edges = numRawEdges, jts = numRawJt;
        boolean valid = switch (op.format) {
            case JUMP -> rawEdge(dfg, dfg.field(i, DataFlowGraph.B0));
            case BRIF -> rawEdge(dfg, dfg.field(i, DataFlowGraph.B0)) & rawEdge(dfg, dfg.field(i, DataFlowGraph.B1));
            case BRANCH, BRANCH_ICMP -> {
                boolean ok = rawEdge(dfg, dfg.field(i, DataFlowGraph.B0));
                addRawEdge(FALL_THROUGH, -1);
                yield ok;
            }
            case BRANCH_TABLE -> rawJumpTableEdges(dfg, i);
            default -> true;
        };
        if (!valid) { // unverified IR: refused if the block is reachable
            numRawEdges = edges;
            numRawJt = jts;
            if (badInst[b] < 0) badInst[b] = i;
            return;
        }
        addRawSegment(b, i);
    }

    /** The walk is done with block {@code b}: its last segment ends at the terminator. */
    public void endBlock(int b) {
        Layout layout = func.layout;
        int last = layout.lastInst(b);
        if (last < 0 || !func.dfg.opcode(last).isTerminator()) {
            if (badInst[b] < 0) badInst[b] = Integer.MIN_VALUE; // no terminator
            return;
        }
        if (rawCount[b] == 0 || rawLast[numRaw - 1] != last) addRawSegment(b, last);
    }

    private void addRawSegment(int b, int last) {
        if (numRaw + 1 >= rawLast.length) {
            int n = rawLast.length * 2;
            rawLast = Arrays.copyOf(rawLast, n);
            rawSuccStart = Arrays.copyOf(rawSuccStart, n + 1);
            rawJtStart = Arrays.copyOf(rawJtStart, n + 1);
        }
        rawLast[numRaw] = last;
        rawCount[b]++;
        numRaw++;
        rawSuccStart[numRaw] = numRawEdges;
        rawJtStart[numRaw] = numRawJt;
    }

    /** Adds the edge of block call {@code call}; false if its destination is not a block in the layout. */
    private boolean rawEdge(DataFlowGraph dfg, int call) {
        if (call < 0 || call == ListPool.EMPTY) return false;
        int to = dfg.blockCallBlock(call);
        if (to < 0 || to >= numIrBlocks || !func.layout.isBlockInserted(to)) return false;
        addRawEdge(to, call);
        return true;
    }

    private void addRawEdge(int dst, int call) {
        if (numRawEdges == rawDst.length) {
            rawDst = Arrays.copyOf(rawDst, numRawEdges * 2);
            rawCall = Arrays.copyOf(rawCall, numRawEdges * 2);
        }
        if (dst == func.layout.firstBlock()) entryIsTarget = true;
        rawDst[numRawEdges] = dst;
        rawCall[numRawEdges] = call;
        numRawEdges++;
    }

    /** A br_table's edges: the default, then each distinct (destination, arguments) of its entries. */
    private boolean rawJumpTableEdges(DataFlowGraph dfg, int i) {
        int jt = dfg.aux(i);
        if (jt < 0 || jt >= dfg.numJumpTables()) return false;
        int list = dfg.jumpTable(jt);
        int n = dfg.pool.size(list);
        int first = numRawEdges;
        for (int k = 0; k < n; k++) {
            int call = dfg.pool.get(list, k);
            if (call < 0 || call == ListPool.EMPTY) return false;
            int dst = dfg.blockCallBlock(call);
            if (dst < 0 || dst >= numIrBlocks || !func.layout.isBlockInserted(dst)) return false;
            int found = -1;
            for (int e = first; e < numRawEdges && found < 0; e++) {
                if (rawDst[e] == dst && sameArgs(dfg, rawCall[e], call)) found = e - first;
            }
            if (found < 0) {
                found = numRawEdges - first;
                addRawEdge(dst, call);
            }
            if (numRawJt == rawJt.length) rawJt = Arrays.copyOf(rawJt, numRawJt * 2);
            rawJt[numRawJt++] = found;
        }
        return true;
    }

    /** Ends the walk: reachability, segments, edges and the split critical edges, in the final order. */
    public void finish() {
        Function f = func;
        DataFlowGraph dfg = f.dfg;
        Layout layout = f.layout;
        int nb = numIrBlocks;
        Arrays.fill(blockIndex, 0, nb, -1);
        Arrays.fill(reachable, 0, nb, false);
        num = numEdges = numJt = 0;
        succStart[0] = 0;
        jtStart[0] = 0;

        int entry = layout.firstBlock();
        if (entry < 0) return;
        // 1. reachability over the raw edges (a block's segments' edges are its successors)
        int sp = 0;
        stack[sp++] = entry;
        reachable[entry] = true;
        while (sp > 0) {
            int b = stack[--sp];
            for (int e = rawSuccStart[rawFirst[b]], end = rawSuccStart[rawFirst[b] + rawCount[b]]; e < end; e++) {
                int s = rawDst[e];
                if (s >= 0 && !reachable[s]) {
                    reachable[s] = true;
                    stack[sp++] = s;
                }
            }
        }

        // 2. segments of the reachable blocks, numbered provisionally in layout order (the
        // synthetic entry is 0)
        if (entryIsTarget) addBlock(ENTRY, entry, -1, -1);
        for (int b = entry; b >= 0; b = layout.nextBlock(b)) {
            if (!reachable[b]) continue;
            if (badInst[b] != -1) {
                int last = layout.lastInst(b);
                if (badInst[b] >= 0) throw CompileError.inFunction(f.name, "block" + b, "branch inst" + badInst[b] + " to a block outside the layout");
                throw CompileError.inFunction(f.name, "block" + b,
                        last < 0 ? "an empty block" : "the block ends in " + dfg.opcode(last).text + ", not a terminator");
            }
            blockIndex[b] = num;
            int start = layout.firstInst(b);
            for (int s = rawFirst[b], end = s + rawCount[b]; s < end; s++) {
                int i = rawLast[s];
                endsSegment(i, num);
                addBlock(SEGMENT, b, start, i);
                start = layout.nextInst(i);
            }
        }
        int numSegments = num;

        // 3. edges per segment, provisional numbering
        int seg = -1; // the raw segment of provisional segment lb
        for (int lb = 0; lb < numSegments; lb++) {
            jtStart[lb] = numJt;
            if (kind[lb] == ENTRY) {
                addEdge(blockIndex[entry], -1);
            } else {
                seg = lb == 0 || irBlock[lb] != irBlock[lb - 1] || kind[lb - 1] != SEGMENT ? rawFirst[irBlock[lb]] : seg + 1;
                for (int e = rawSuccStart[seg], end = rawSuccStart[seg + 1]; e < end; e++) {
                    int dst = rawDst[e];
                    addEdge(dst == FALL_THROUGH ? lb + 1 : blockIndex[dst], rawCall[e]);
                }
                for (int k = rawJtStart[seg], end = rawJtStart[seg + 1]; k < end; k++) addJt(rawJt[k]);
            }
            succStart[lb + 1] = numEdges;
        }
        jtStart[numSegments] = numJt;
        // 4. predecessor counts, then the final order with edge blocks after each EBB
        if (preds.length < numSegments) preds = new int[Math.max(numSegments, preds.length * 2)];
        Arrays.fill(preds, 0, numSegments, 0);
        for (int e = 0; e < numEdges; e++) preds[succ[e]]++;
        // the critical edges of each segment, counted once: back edges (to a segment at or
        // before it) and the others, whose edge blocks are placed differently
        if (critBack.length < numSegments) {
            critBack = new int[Math.max(numSegments, critBack.length * 2)];
            critForward = new int[critBack.length];
        }
        int critical = 0;
        for (int lb = 0; lb < numSegments; lb++) {
            int back = 0, forward = 0;
            if (succStart[lb + 1] - succStart[lb] >= 2) {
                for (int e = succStart[lb]; e < succStart[lb + 1]; e++) {
                    int dst = succ[e];
                    if (preds[dst] > 1) {
                        if (dst <= lb) back++;
                        else forward++;
                    }
                }
            }
            critBack[lb] = back;
            critForward[lb] = forward;
            critical += back + forward;
        }
        if (critical == 0) return; // provisional numbering is final
        splitCriticalEdges(numSegments, critical);
    }

    /** Per provisional segment: its critical back edges and its other critical edges. */
    private int[] critBack = new int[32], critForward = new int[32];

    /** Scratch copies of the segment arrays that {@link #splitCriticalEdges} rebuilds from. */
    private int[] saveKind = new int[0], saveIr = new int[0], saveFirst = new int[0], saveLast = new int[0],
            saveSuccStart = new int[0], saveSucc = new int[0], saveCall = new int[0], saveJtStart = new int[0];

    /** The first {@code n} entries of {@code src} in {@code into}, or in a new array if it is too small. */
    private static int[] save(int[] src, int n, int[] into) {
        if (into.length < n) into = new int[Math.max(n, into.length * 2)];
        System.arraycopy(src, 0, into, 0, n);
        return into;
    }

    private void splitCriticalEdges(int numSegments, int critical) {
        int total = numSegments + critical;
        // Save the segment arrays, then rebuild in the final order.
        // (into reused scratch arrays: a fresh copy per compilation was most of the lowering's garbage)
        int[] oKind = saveKind = save(kind, numSegments, saveKind), oIr = saveIr = save(irBlock, numSegments, saveIr);
        int[] oFirst = saveFirst = save(firstInst, numSegments, saveFirst), oLast = saveLast = save(lastInst, numSegments, saveLast);
        int[] oSuccStart = saveSuccStart = save(succStart, numSegments + 1, saveSuccStart);
        int[] oSucc = saveSucc = save(succ, numEdges, saveSucc), oCall = saveCall = save(succCall, numEdges, saveCall);
        int[] oJtStart = saveJtStart = save(jtStart, numSegments + 1, saveJtStart);
        // preds is not rebuilt; the jump-table entries keep their order and places (edge blocks
        // have none), so only their per-block starts are rebuilt
        int[] oPreds = preds;
        if (remap.length < numSegments) remap = new int[Math.max(numSegments, remap.length * 2)];
        if (tmpOrder.length < total) tmpOrder = new int[Math.max(total, tmpOrder.length * 2)];

        // final numbering: each segment followed by the edge blocks of its critical back edges,
        // then, after the IR block's last segment, the edge blocks of its other critical edges
        int at = 0;
        for (int lb = 0; lb < numSegments; ) {
            int run = lb;
            do {
                run++;
            } while (run < numSegments && oKind[run] == SEGMENT && oKind[lb] == SEGMENT && oIr[run] == oIr[lb]);
            for (int s = lb; s < run; s++) {
                remap[s] = at++;
                at += critBack[s];
            }
            for (int s = lb; s < run; s++) at += critForward[s];
            lb = run;
        }
        assert at == total;

        num = numEdges = numJt = 0;
        for (int b = 0; b < numIrBlocks; b++) if (blockIndex[b] >= 0) blockIndex[b] = remap[blockIndex[b]];
        for (int lb = 0; lb < numSegments; lb++) if (oKind[lb] == SEGMENT) branchBlock[oLast[lb]] = remap[lb];

        for (int lb = 0; lb < numSegments; ) {
            int run = lb;
            do {
                run++;
            } while (run < numSegments && oKind[run] == SEGMENT && oKind[lb] == SEGMENT && oIr[run] == oIr[lb]);
            // pending edge blocks of forward edges: (destination, block call) in order; they are
            // numbered after the last segment and its own back-edge blocks
            int pending = 0;
            int forwardBase = remap[run - 1] + 1 + critBack[run - 1];
            for (int s = lb; s < run; s++) {
                addBlock(oKind[s], oIr[s], oFirst[s], oLast[s]);
                int me = num - 1;
                jtStart[me] = numJt;
                boolean multi = oSuccStart[s + 1] - oSuccStart[s] >= 2;
                int back = 0;
                for (int e = oSuccStart[s]; e < oSuccStart[s + 1]; e++) {
                    int dst = oSucc[e];
                    if (multi && oPreds[dst] > 1) {
                        int edgeBlock;
                        if (dst <= s) {
                            // a back edge: its block comes right after this segment
                            edgeBlock = remap[s] + 1 + back;
                            if (back == backOrder.length) backOrder = Arrays.copyOf(backOrder, back * 2);
                            backOrder[back++] = e;
                        } else {
                            edgeBlock = forwardBase + pending;
                            tmpOrder[pending++] = e;
                        }
                        addEdge(edgeBlock, -1);
                    } else {
                        addEdge(remap[dst], oCall[e]);
                    }
                }
                numJt = oJtStart[s + 1];
                succStart[me + 1] = numEdges;
                jtStart[me + 1] = numJt;
                for (int p = 0; p < back; p++) addEdgeBlock(backOrder[p], oIr, oSucc, oCall);
            }
            for (int p = 0; p < pending; p++) addEdgeBlock(tmpOrder[p], oIr, oSucc, oCall);
            lb = run;
        }
        assert num == total;
    }

    private int[] backOrder = new int[4];

    /** Appends the edge block of provisional edge {@code e}: it jumps to the edge's destination with the edge's arguments. */
    private void addEdgeBlock(int e, int[] oIr, int[] oSucc, int[] oCall) {
        addBlock(EDGE, oIr[oSucc[e]], -1, -1);
        int me = num - 1;
        jtStart[me] = numJt;
        addEdge(remap[oSucc[e]], oCall[e]);
        succStart[me + 1] = numEdges;
        jtStart[me + 1] = numJt;
    }


    private static boolean sameArgs(DataFlowGraph dfg, int a, int b) {
        int n = dfg.blockCallNumArgs(a);
        if (n != dfg.blockCallNumArgs(b)) return false;
        for (int k = 0; k < n; k++) {
            if (dfg.resolveAliases(dfg.blockCallArg(a, k)) != dfg.resolveAliases(dfg.blockCallArg(b, k))) return false;
        }
        return true;
    }

    private void addBlock(int k, int b, int first, int last) {
        if (num + 2 >= kind.length) {
            int n = kind.length * 2;
            kind = Arrays.copyOf(kind, n);
            irBlock = Arrays.copyOf(irBlock, n);
            firstInst = Arrays.copyOf(firstInst, n);
            lastInst = Arrays.copyOf(lastInst, n);
            succStart = Arrays.copyOf(succStart, n + 1);
            jtStart = Arrays.copyOf(jtStart, n + 1);
        }
        kind[num] = k;
        irBlock[num] = b;
        firstInst[num] = first;
        lastInst[num] = last;
        num++;
    }

    private void addEdge(int dst, int call) {
        if (numEdges == succ.length) {
            succ = Arrays.copyOf(succ, numEdges * 2);
            succCall = Arrays.copyOf(succCall, numEdges * 2);
        }
        succ[numEdges] = dst;
        succCall[numEdges] = call;
        numEdges++;
    }

    private void addJt(int s) {
        if (numJt == jtSucc.length) jtSucc = Arrays.copyOf(jtSucc, numJt * 2);
        jtSucc[numJt++] = s;
    }

    /** A readable listing for tests: {@code lb: kind irBlock -> succs}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int lb = 0; lb < num; lb++) {
            sb.append(lb).append(": ").append(kind[lb] == SEGMENT ? "block" + irBlock[lb] + " inst" + firstInst[lb] + "..inst" + lastInst[lb]
                    : kind[lb] == EDGE ? "edge to block" + irBlock[lb] : "entry");
            sb.append(" ->");
            for (int n = 0; n < numSuccs(lb); n++) sb.append(' ').append(succ(lb, n));
            sb.append('\n');
        }
        return sb.toString();
    }
}
