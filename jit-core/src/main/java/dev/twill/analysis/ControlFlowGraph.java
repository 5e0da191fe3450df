package dev.twill.analysis;

import dev.twill.entity.ListPool;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.InstructionFormat;
import dev.twill.ir.Layout;
import dev.twill.ir.Opcode;
import java.util.Arrays;

/**
 * The control-flow graph of a function: for every block, its successors and its predecessors,
 * each edge labelled with the branch instruction that makes it.
 *
 * <p>Blocks are extended basic blocks, so an edge comes from any branch in a block, not only
 * from its terminator: the mid-block {@code brz brnz br_icmp} (which fall through to the next
 * instruction when not taken) add edges just as {@code jump brif br_table} do. A predecessor is
 * therefore a (block, branch instruction) pair, which is what the {@link DominatorTree} needs to
 * reason at instruction granularity.
 *
 * <p>Algorithm: one walk over the layout collects the edges in layout order (block by block,
 * branch by branch, destination by destination), so the successors of a block are a contiguous
 * run of that edge array. Predecessors are then placed by a counting sort on the destination
 * (stable, so each block's predecessors are also in layout order). Both are compressed sparse
 * rows: a start index per block into flat {@code int[]}s. The walk can also be the client's
 * own ({@link #begin}), so that the verifier's block-shape walk builds the graph as it goes
 * instead of the layout being walked a second time.
 *
 * <p>Invariants: one edge per (branch instruction, destination) pair, so a {@code br_table}
 * whose entries repeat a block, or a {@code brif} with both arms to one block, adds that edge
 * once; destinations that are not valid blocks in the layout (or jump tables that do not exist)
 * are skipped, so the graph can be computed on IR the verifier has yet to reject, and a walk
 * that would visit more blocks or instructions than exist (a corrupt layout) stops. Arrays keep
 * their capacity across {@link #compute} calls.
 */
public final class ControlFlowGraph {
    /** Edge arrays in layout order: source block, destination block, branch instruction. */
    private int[] edgeFrom = new int[64], edgeTo = new int[64], edgeInst = new int[64];
    private int numEdges;

    /** Per block: the first edge index of its successors and how many there are. */
    private int[] succStart = new int[32], succCount = new int[32];
    /** Per block: the start of its predecessors in {@link #predBlock}/{@link #predInst} and how many. */
    private int[] predStart = new int[32], predCount = new int[32];
    private int[] predBlock = new int[64], predInst = new int[64];
    /** Per block: its first branch instruction in layout order, or -1. */
    private int[] firstBranch = new int[32];
    /** Per block: the last branch instruction that added an edge to it (deduplication stamp). */
    private int[] lastEdgeInst = new int[32];

    private int numBlocks;
    private boolean valid;
    /** The function being built from {@link #begin} to {@link #finish}. */
    private DataFlowGraph dfg;
    private Layout layout;

    /** Forgets the graph, keeping capacity. */
    public void clear() {
        numEdges = 0;
        numBlocks = 0;
        valid = false;
        dfg = null;
        layout = null;
    }

    /** True after {@link #compute} until {@link #clear}. */
    public boolean isValid() {
        return valid;
    }

    /** Computes the graph of {@code func}, replacing any earlier one. */
    public void compute(Function func) {
        DataFlowGraph dfg = func.dfg;
        Layout layout = func.layout;
        begin(func);
        int nb = numBlocks;
        int ni = dfg.numInsts();
        int blocksSeen = 0, instsSeen = 0;
        for (int b = layout.firstBlock(); b >= 0 && b < nb && blocksSeen++ <= nb; b = layout.nextBlock(b)) {
            beginBlock(b);
            for (int i = layout.firstInst(b); i >= 0 && i < ni && instsSeen++ <= ni; i = layout.nextInst(i)) {
                Opcode op = dfg.opcode(i);
                if (op.isBranch()) addBranch(b, i, op);
            }
            endBlock(b);
        }
        finish();
    }

    // ---- incremental construction, for a client that walks the layout anyway

    /**
     * Starts building the graph of {@code func} from a walk the caller makes: then, for each
     * block in layout order, {@link #beginBlock}, {@link #addBranch} for each of its branch
     * instructions in order, {@link #endBlock}; and finally {@link #finish}. The result is the
     * graph {@link #compute} gives, provided the walk visits the layout's blocks and
     * instructions once each (the verifier does so on a layout it found sound; {@link
     * #compute} itself also copes with corrupt ones).
     */
    public void begin(Function func) {
        this.dfg = func.dfg;
        this.layout = func.layout;
        int nb = func.dfg.numBlocks();
        numBlocks = nb;
        numEdges = 0;
        valid = false;
        if (succStart.length < nb) {
            int n = Math.max(nb, succStart.length * 2);
            succStart = new int[n];
            succCount = new int[n];
            predStart = new int[n];
            predCount = new int[n];
            firstBranch = new int[n];
            lastEdgeInst = new int[n];
        }
        Arrays.fill(succStart, 0, nb, 0);
        Arrays.fill(succCount, 0, nb, 0);
        Arrays.fill(predCount, 0, nb, 0);
        Arrays.fill(firstBranch, 0, nb, -1);
        Arrays.fill(lastEdgeInst, 0, nb, -1);
    }

    /** Block {@code b} comes next in the layout walk. */
    public void beginBlock(int b) {
        succStart[b] = numEdges;
    }

    /** Instruction {@code i} of the current block {@code b} is a branch of opcode {@code op}. */
    public void addBranch(int b, int i, Opcode op) {
        if (firstBranch[b] < 0) firstBranch[b] = i;
        addEdges(dfg, layout, b, i, op);
    }

    /** The walk is done with block {@code b}. */
    public void endBlock(int b) {
        succCount[b] = numEdges - succStart[b];
    }

    /** Ends the walk: places the predecessors (a counting sort of the edges by destination). */
    public void finish() {
        int nb = numBlocks;
        int at = 0;
        for (int b = 0; b < nb; b++) {
            predStart[b] = at;
            at += predCount[b];
            predCount[b] = 0;
        }
        if (predBlock.length < numEdges) {
            predBlock = new int[edgeFrom.length];
            predInst = new int[edgeFrom.length];
        }
        for (int e = 0; e < numEdges; e++) {
            int to = edgeTo[e];
            int k = predStart[to] + predCount[to]++;
            predBlock[k] = edgeFrom[e];
            predInst[k] = edgeInst[e];
        }
        dfg = null;
        layout = null;
        valid = true;
    }

    private void addEdges(DataFlowGraph dfg, Layout layout, int b, int i, Opcode op) {
        if (op.format == InstructionFormat.BRANCH_TABLE) {
            int jt = dfg.aux(i);
            if (jt < 0 || jt >= dfg.numJumpTables()) return;
            int list = dfg.jumpTable(jt);
            int n = dfg.pool.size(list);
            for (int k = 0; k < n; k++) addEdge(dfg, layout, b, i, dfg.pool.get(list, k));
            return;
        }
        addEdge(dfg, layout, b, i, dfg.field(i, DataFlowGraph.B0));
        if (op.format == InstructionFormat.BRIF) addEdge(dfg, layout, b, i, dfg.field(i, DataFlowGraph.B1));
    }

    private void addEdge(DataFlowGraph dfg, Layout layout, int from, int inst, int call) {
        if (call < 0 || call == ListPool.EMPTY) return;
        int to = dfg.blockCallBlock(call);
        if (to < 0 || to >= numBlocks || !layout.isBlockInserted(to)) return;
        if (lastEdgeInst[to] == inst) return;
        lastEdgeInst[to] = inst;
        if (numEdges == edgeFrom.length) {
            int n = numEdges * 2;
            edgeFrom = Arrays.copyOf(edgeFrom, n);
            edgeTo = Arrays.copyOf(edgeTo, n);
            edgeInst = Arrays.copyOf(edgeInst, n);
        }
        edgeFrom[numEdges] = from;
        edgeTo[numEdges] = to;
        edgeInst[numEdges] = inst;
        numEdges++;
        predCount[to]++;
    }

    /** The number of blocks the graph was computed for (the data-flow graph's block count). */
    public int numBlocks() {
        return numBlocks;
    }

    /** The total number of edges. */
    public int numEdges() {
        return numEdges;
    }

    public int numSuccs(int block) {
        return succCount[block];
    }

    /** Successor {@code n} of {@code block}, in layout order of the branches. */
    public int succ(int block, int n) {
        assert n < succCount[block];
        return edgeTo[succStart[block] + n];
    }

    /** The branch instruction of successor edge {@code n} of {@code block}. */
    public int succInst(int block, int n) {
        assert n < succCount[block];
        return edgeInst[succStart[block] + n];
    }

    public int numPreds(int block) {
        return predCount[block];
    }

    /** The block of predecessor {@code n} of {@code block}. */
    public int pred(int block, int n) {
        assert n < predCount[block];
        return predBlock[predStart[block] + n];
    }

    /** The branch instruction of predecessor {@code n} of {@code block}. */
    public int predInst(int block, int n) {
        assert n < predCount[block];
        return predInst[predStart[block] + n];
    }

    /** The first branch instruction of {@code block} in layout order, or -1 if it has none. */
    public int firstBranch(int block) {
        return firstBranch[block];
    }
}
