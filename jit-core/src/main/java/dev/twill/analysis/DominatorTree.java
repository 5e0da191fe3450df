package dev.twill.analysis;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.Layout;
import java.util.Arrays;

/**
 * Dominance over extended basic blocks, answered at instruction granularity.
 *
 * <p>The problem: in an EBB a conditional branch may sit in the middle of a block, so "block A
 * dominates block B" is not precise enough to decide whether a value defined in A is available
 * in B. With {@code brz v0, block2} at position p of block1, a definition after p in block1 does
 * not reach block2. So, as in the original Cretonne/Cranelift dominator tree, the immediate
 * dominator of a block is an <em>instruction</em>: the branch, in the dominating block, through
 * which every path from the entry to this block last leaves the dominator.
 *
 * <p>Algorithm: Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm" (Software
 * Practice and Experience, 2001), figure 3, with fingers that are (block, branch) pairs rather
 * than blocks. Blocks are numbered in reverse post-order of a depth-first walk from the entry
 * (successors taken last-to-first, so a diamond comes out in layout order); the immediate
 * dominator of a block is the intersection of its processed predecessors' (block, branch)
 * pairs, where intersecting climbs the finger with the larger RPO number to its block's
 * immediate dominator until both fingers are in the same block, and then keeps the branch that
 * comes first in that block. Passes in RPO repeat until nothing changes (once for reducible
 * graphs, a few more for irreducible ones).
 *
 * <p>Block dominance is then O(1): a preorder walk of the dominator tree numbers every block,
 * and A dominates B iff B's number lies in A's subtree range. Instruction dominance {@link
 * #dominates(int, int)} uses that, and a fast path when the dominating instruction comes before
 * the first branch of its block (then it dominates everything its block does); otherwise it
 * climbs the idom chain from the user's block to the definer's block and compares positions.
 *
 * <p>Invariants after {@link #compute}: {@code idom(entry) == -1}; for every other reachable
 * block b, {@code idom(b)} is a branch instruction in a block whose RPO number is smaller than
 * b's; unreachable blocks have idom -1, no RPO number, dominate only themselves and are
 * dominated only by themselves. Arrays keep their capacity across calls.
 */
public final class DominatorTree {
    private Layout layout;
    private ControlFlowGraph cfg;
    private int numBlocks;
    private int entry = -1;

    /** Blocks in reverse post-order, valid up to {@link #numReachable}. */
    private int[] rpo = new int[32];
    private int numReachable;
    /** Per block: its index in {@link #rpo}, or -1 if unreachable. */
    private int[] rpoNumber = new int[32];
    /** Per block: the immediate dominator instruction, or -1. */
    private int[] idom = new int[32];
    /** Per block: the block holding {@link #idom}, or -1. */
    private int[] idomBlock = new int[32];
    /** Per block: preorder number in the dominator tree and the size of its subtree. */
    private int[] preorder = new int[32], subtreeSize = new int[32];
    /** Dominator-tree children as first-child / next-sibling links. */
    private int[] firstChild = new int[32], nextSibling = new int[32];
    /** DFS scratch: block and next successor index to try. */
    private int[] stackBlock = new int[32], stackNext = new int[32];

    /** Forgets the tree and the function it was computed for, keeping capacity. */
    public void clear() {
        layout = null;
        cfg = null;
        numBlocks = 0;
        numReachable = 0;
        entry = -1;
    }

    /** Computes dominators of {@code func} from its control-flow graph {@code cfg} (already computed). */
    public void compute(Function func, ControlFlowGraph cfg) {
        this.layout = func.layout;
        this.cfg = cfg;
        int nb = func.dfg.numBlocks();
        numBlocks = nb;
        grow(nb);
        Arrays.fill(rpoNumber, 0, nb, -1);
        Arrays.fill(idom, 0, nb, -1);
        Arrays.fill(idomBlock, 0, nb, -1);
        Arrays.fill(preorder, 0, nb, -1);
        Arrays.fill(subtreeSize, 0, nb, 0);
        numReachable = 0;
        entry = func.layout.firstBlock();
        if (entry < 0 || entry >= nb) {
            entry = -1;
            return;
        }
        computeRpo();
        computeIdoms();
        computePreorder();
    }

    private void grow(int nb) {
        if (rpo.length >= nb) return;
        int n = Math.max(nb, rpo.length * 2);
        rpo = new int[n];
        rpoNumber = new int[n];
        idom = new int[n];
        idomBlock = new int[n];
        preorder = new int[n];
        subtreeSize = new int[n];
        firstChild = new int[n];
        nextSibling = new int[n];
        stackBlock = new int[n];
        stackNext = new int[n];
    }

    /** Iterative DFS from the entry; post-order is written to the back of {@link #rpo}. */
    private void computeRpo() {
        // rpoNumber doubles as the visited mark during the walk: -2 = on the stack or done
        int sp = 0;
        stackBlock[0] = entry;
        stackNext[0] = cfg.numSuccs(entry) - 1;
        rpoNumber[entry] = -2;
        sp = 1;
        int post = 0;
        int[] postOrder = firstChild; // free until computePreorder
        while (sp > 0) {
            int b = stackBlock[sp - 1];
            int k = stackNext[sp - 1];
            if (k < 0) {
                postOrder[post++] = b;
                sp--;
                continue;
            }
            stackNext[sp - 1] = k - 1;
            int s = cfg.succ(b, k);
            if (rpoNumber[s] == -1) {
                rpoNumber[s] = -2;
                stackBlock[sp] = s;
                stackNext[sp] = cfg.numSuccs(s) - 1;
                sp++;
            }
        }
        numReachable = post;
        for (int k = 0; k < post; k++) {
            int b = postOrder[post - 1 - k];
            rpo[k] = b;
            rpoNumber[b] = k;
        }
    }

    private void computeIdoms() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int k = 1; k < numReachable; k++) {
                int b = rpo[k];
                int newBlock = -1, newInst = -1;
                int np = cfg.numPreds(b);
                for (int p = 0; p < np; p++) {
                    int pb = cfg.pred(b, p);
                    if (rpoNumber[pb] < 0) continue; // unreachable predecessor
                    if (pb != entry && idom[pb] < 0) continue; // not processed yet
                    int pi = cfg.predInst(b, p);
                    if (newInst < 0) {
                        newBlock = pb;
                        newInst = pi;
                        continue;
                    }
                    // intersect (newBlock, newInst) with (pb, pi)
                    int bb = pb, ib = pi;
                    while (newBlock != bb) {
                        if (rpoNumber[newBlock] > rpoNumber[bb]) {
                            newInst = idom[newBlock];
                            newBlock = idomBlock[newBlock];
                        } else {
                            ib = idom[bb];
                            bb = idomBlock[bb];
                        }
                    }
                    if (ib != newInst && layout.instPrecedes(ib, newInst)) newInst = ib;
                }
                if (newInst != idom[b]) {
                    idom[b] = newInst;
                    idomBlock[b] = newBlock;
                    changed = true;
                }
            }
        }
    }

    private void computePreorder() {
        int n = numReachable;
        Arrays.fill(firstChild, 0, numBlocks, -1);
        // children pushed in reverse RPO so each child list reads in RPO
        for (int k = n - 1; k >= 1; k--) {
            int b = rpo[k];
            int parent = idomBlock[b];
            nextSibling[b] = firstChild[parent];
            firstChild[parent] = b;
        }
        // a stack walk numbers a node before its subtree, and a subtree is numbered contiguously
        int[] order = stackNext;
        int sp = 0, num = 0;
        stackBlock[sp++] = entry;
        while (sp > 0) {
            int b = stackBlock[--sp];
            order[num] = b;
            preorder[b] = num++;
            for (int c = firstChild[b]; c >= 0; c = nextSibling[c]) stackBlock[sp++] = c;
        }
        for (int k = num - 1; k >= 0; k--) {
            int b = order[k];
            subtreeSize[b] += 1;
            if (b != entry) subtreeSize[idomBlock[b]] += subtreeSize[b];
        }
    }

    // =====================================================================================
    // Queries

    /** The entry block the tree was computed from, or -1 for a function without blocks. */
    public int entryBlock() {
        return entry;
    }

    /** True if {@code block} can be reached from the entry. */
    public boolean isReachable(int block) {
        return block >= 0 && block < numBlocks && rpoNumber[block] >= 0;
    }

    /** The immediate dominator of {@code block}: a branch instruction, or -1 for the entry and unreachable blocks. */
    public int idom(int block) {
        return idom[block];
    }

    /** The block holding {@link #idom}, or -1. */
    public int idomBlock(int block) {
        return idomBlock[block];
    }

    /** Reachable blocks in reverse post-order; valid up to {@link #numReachable()}; do not modify. */
    public int[] rpo() {
        return rpo;
    }

    public int numReachable() {
        return numReachable;
    }

    /** The index of {@code block} in {@link #rpo()}, or -1 if unreachable. */
    public int rpoNumber(int block) {
        return rpoNumber[block];
    }

    /**
     * True if every path from the entry to {@code b} passes through {@code a}. A block dominates
     * itself (reachable or not); an unreachable block dominates nothing else and is dominated by
     * nothing else.
     */
    public boolean blockDominates(int a, int b) {
        if (a == b) return true;
        if (!isReachable(a) || !isReachable(b)) return false;
        int pa = preorder[a], pb = preorder[b];
        return pa <= pb && pb < pa + subtreeSize[a];
    }

    /**
     * True if instruction {@code a} dominates instruction {@code b}: every path from the entry to
     * {@code b} executes {@code a} first, or {@code a == b}. Both must be in the layout.
     */
    public boolean dominates(int a, int b) {
        int ba = layout.instBlock(a), bb = layout.instBlock(b);
        if (ba < 0 || bb < 0) return false;
        if (ba == bb) return a == b || layout.instPrecedes(a, b);
        if (!blockDominates(ba, bb)) return false;
        // every path into bb leaves ba through one of its branches, the first at the earliest
        int fb = cfg.firstBranch(ba);
        if (fb < 0 || a == fb || layout.instPrecedes(a, fb)) return true;
        // climb from bb to ba: the branch reached is where paths to bb last leave ba
        int x = bb;
        while (idomBlock[x] != ba) x = idomBlock[x];
        int exit = idom[x];
        return a == exit || layout.instPrecedes(a, exit);
    }

    /**
     * True if {@code inst} dominates the entry of {@code block}: every path from the function entry
     * to the top of {@code block} executes {@code inst} first. An instruction never dominates the
     * entry of its own block.
     */
    public boolean instDominatesBlock(int inst, int block) {
        int ba = layout.instBlock(inst);
        if (ba < 0 || !blockDominates(ba, block)) return false;
        if (ba == block) return false; // the block's entry comes before any of its instructions
        int fb = cfg.firstBranch(ba);
        if (fb < 0 || inst == fb || layout.instPrecedes(inst, fb)) return true;
        int x = block;
        while (idomBlock[x] != ba) x = idomBlock[x];
        int exit = idom[x];
        return inst == exit || layout.instPrecedes(inst, exit);
    }

    /**
     * True if the definition of value {@code v} (not an alias) dominates a use at instruction
     * {@code use}: a result of instruction d dominates it iff d dominates {@code use} and is not
     * {@code use} itself; a block parameter iff its block dominates the use's block.
     */
    public boolean valueDominates(DataFlowGraph dfg, int v, int use) {
        int kind = dfg.valueKind(v);
        if (kind == DataFlowGraph.DEF_RESULT) {
            int d = dfg.valueDef(v);
            return d != use && layout.isInstInserted(d) && dominates(d, use);
        }
        if (kind == DataFlowGraph.DEF_PARAM) {
            int b = dfg.valueDef(v);
            int ub = layout.instBlock(use);
            return ub >= 0 && layout.isBlockInserted(b) && blockDominates(b, ub);
        }
        return false;
    }
}
