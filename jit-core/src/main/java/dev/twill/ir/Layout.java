package dev.twill.ir;

import java.util.Arrays;

/**
 * The order of blocks in a function and of instructions in blocks, as doubly linked lists of
 * ints, with sequence numbers for O(1) order queries.
 *
 * <p>Blocks are extended basic blocks: one entry (the first instruction), conditional branches
 * ({@code brz brnz br_icmp}) anywhere inside that fall through when not taken, and a terminator
 * last. The layout does not enforce that shape; the verifier does.
 *
 * <p>Sequence numbers: every inserted instruction has a number that grows along its block; every
 * inserted block one that grows along the function. New numbers are chosen midway between the
 * neighbours. When there is no room between two instructions, the block is only marked stale
 * and renumbered as a whole by the next order query about it ({@link #instPrecedes}): a pass
 * such as the legalizer inserts many instructions before the same one, and renumbering the rest
 * of the block eagerly on each of those inserts made it quadratic in the block length, while a
 * lazy renumber costs one walk of the block per query batch. When there is no room between two
 * blocks, the following block numbers are spread out again at once (blocks are inserted rarely).
 *
 * <p>Invariant: an entity is "inserted" iff its link fields are set; -1 means none.
 */
public final class Layout {
    private static final int STRIDE_SEQ = 16;

    private int[] blockPrev = new int[32], blockNext = new int[32], blockFirst = new int[32], blockLast = new int[32];
    private int[] blockSeq = new int[32];
    private boolean[] blockInserted = new boolean[32];
    private int firstBlock = -1, lastBlock = -1;

    /** Per block: true when its instructions' sequence numbers are out of order and must be renumbered before use. */
    private boolean[] blockSeqStale = new boolean[32];

    /**
     * Instruction records of {@link #ISTRIDE} ints: previous and next instruction, block (-1 when
     * not inserted) and sequence number. One record per instruction, rather than one array per
     * field, so that inserting or walking an instruction touches one cache line.
     */
    private int[] insts = new int[64 * ISTRIDE];
    private static final int ISTRIDE = 4, IPREV = 0, INEXT = 1, IBLOCK = 2, ISEQ = 3;
    /**
     * Records below this instruction are up to date; every instruction from it on counts as not
     * inserted, whatever its record holds. So {@link #clear} is O(1), and a record is reset only
     * when an instruction at or past the limit is inserted, just before it is written anyway
     * (resetting the whole table on clear was a full extra pass over it per function).
     */
    private int instLimit;

    public Layout() {}

    public void clear() {
        Arrays.fill(blockInserted, false);
        instLimit = 0;
        firstBlock = lastBlock = -1;
    }

    private void growBlocks(int b) {
        if (b < blockPrev.length) return;
        int n = Math.max(b + 1, blockPrev.length * 2);
        blockPrev = Arrays.copyOf(blockPrev, n);
        blockNext = Arrays.copyOf(blockNext, n);
        blockFirst = Arrays.copyOf(blockFirst, n);
        blockLast = Arrays.copyOf(blockLast, n);
        blockSeq = Arrays.copyOf(blockSeq, n);
        blockInserted = Arrays.copyOf(blockInserted, n);
        blockSeqStale = Arrays.copyOf(blockSeqStale, n);
    }

    /** Makes room for inserting {@code i} and moves {@link #instLimit} past it. */
    private void growInsts(int i) {
        if (i < instLimit) return;
        if (i * ISTRIDE >= insts.length) insts = Arrays.copyOf(insts, Math.max(i + 1, insts.length / ISTRIDE * 2) * ISTRIDE);
        int[] r = insts;
        for (int k = instLimit * ISTRIDE + IBLOCK, end = i * ISTRIDE + IBLOCK; k <= end; k += ISTRIDE) r[k] = -1;
        instLimit = i + 1;
    }

    // =====================================================================================
    // Blocks

    public int firstBlock() {
        return firstBlock;
    }

    public int lastBlock() {
        return lastBlock;
    }

    public int nextBlock(int b) {
        return blockNext[b];
    }

    public int prevBlock(int b) {
        return blockPrev[b];
    }

    public boolean isBlockInserted(int b) {
        return b < blockInserted.length && blockInserted[b];
    }

    public void appendBlock(int b) {
        growBlocks(b);
        assert !blockInserted[b] : "block" + b + " already inserted";
        blockInserted[b] = true;
        blockPrev[b] = lastBlock;
        blockNext[b] = -1;
        blockFirst[b] = blockLast[b] = -1;
        blockSeqStale[b] = false;
        if (lastBlock >= 0) blockNext[lastBlock] = b;
        else firstBlock = b;
        lastBlock = b;
        assignBlockSeq(b);
    }

    /** Inserts {@code b} right after {@code after}. */
    public void insertBlockAfter(int b, int after) {
        growBlocks(b);
        assert !blockInserted[b] && blockInserted[after];
        blockInserted[b] = true;
        int next = blockNext[after];
        blockPrev[b] = after;
        blockNext[b] = next;
        blockFirst[b] = blockLast[b] = -1;
        blockSeqStale[b] = false;
        blockNext[after] = b;
        if (next >= 0) blockPrev[next] = b;
        else lastBlock = b;
        assignBlockSeq(b);
    }

    /** Inserts {@code b} right before {@code before}. */
    public void insertBlockBefore(int b, int before) {
        int prev = blockPrev[before];
        if (prev >= 0) {
            insertBlockAfter(b, prev);
            return;
        }
        growBlocks(b);
        blockInserted[b] = true;
        blockPrev[b] = -1;
        blockNext[b] = before;
        blockFirst[b] = blockLast[b] = -1;
        blockSeqStale[b] = false;
        blockPrev[before] = b;
        firstBlock = b;
        assignBlockSeq(b);
    }

    /** Removes an empty block from the layout. */
    public void removeBlock(int b) {
        assert blockInserted[b] && blockFirst[b] < 0 : "block" + b + " must be empty to be removed";
        int prev = blockPrev[b], next = blockNext[b];
        if (prev >= 0) blockNext[prev] = next;
        else firstBlock = next;
        if (next >= 0) blockPrev[next] = prev;
        else lastBlock = prev;
        blockInserted[b] = false;
    }

    public int firstInst(int b) {
        return blockFirst[b];
    }

    public int lastInst(int b) {
        return blockLast[b];
    }

    private void assignBlockSeq(int b) {
        int prev = blockPrev[b], next = blockNext[b];
        int lo = prev >= 0 ? blockSeq[prev] : 0;
        if (next < 0) {
            blockSeq[b] = lo + STRIDE_SEQ;
            return;
        }
        int hi = blockSeq[next];
        if (hi - lo > 1) {
            blockSeq[b] = lo + (hi - lo) / 2;
            return;
        }
        // no room: renumber from b onwards
        int seq = lo;
        for (int x = b; x >= 0; x = blockNext[x]) {
            seq += STRIDE_SEQ;
            if (x != b && blockSeq[x] > seq) break;
            blockSeq[x] = seq;
        }
    }

    // =====================================================================================
    // Instructions

    public boolean isInstInserted(int i) {
        return i < instLimit && insts[i * ISTRIDE + IBLOCK] >= 0;
    }

    /** The block holding {@code i}, or -1. */
    public int instBlock(int i) {
        return i < instLimit ? insts[i * ISTRIDE + IBLOCK] : -1;
    }

    public int nextInst(int i) {
        return insts[i * ISTRIDE + INEXT];
    }

    public int prevInst(int i) {
        return insts[i * ISTRIDE + IPREV];
    }

    public void appendInst(int i, int b) {
        growInsts(i);
        assert insts[i * ISTRIDE + IBLOCK] < 0 : "inst" + i + " already inserted";
        assert blockInserted[b] : "block" + b + " not inserted";
        int last = blockLast[b];
        insts[i * ISTRIDE + IBLOCK] = b;
        insts[i * ISTRIDE + IPREV] = last;
        insts[i * ISTRIDE + INEXT] = -1;
        if (last >= 0) insts[last * ISTRIDE + INEXT] = i;
        else blockFirst[b] = i;
        blockLast[b] = i;
        insts[i * ISTRIDE + ISEQ] = (last >= 0 ? insts[last * ISTRIDE + ISEQ] : 0) + STRIDE_SEQ;
    }

    /** Inserts {@code i} right before the inserted instruction {@code before}. */
    public void insertInstBefore(int i, int before) {
        growInsts(i);
        assert insts[i * ISTRIDE + IBLOCK] < 0 && insts[before * ISTRIDE + IBLOCK] >= 0;
        int b = insts[before * ISTRIDE + IBLOCK];
        int prev = insts[before * ISTRIDE + IPREV];
        insts[i * ISTRIDE + IBLOCK] = b;
        insts[i * ISTRIDE + IPREV] = prev;
        insts[i * ISTRIDE + INEXT] = before;
        insts[before * ISTRIDE + IPREV] = i;
        if (prev >= 0) insts[prev * ISTRIDE + INEXT] = i;
        else blockFirst[b] = i;
        if (blockSeqStale[b]) return;
        int lo = prev >= 0 ? insts[prev * ISTRIDE + ISEQ] : 0;
        int hi = insts[before * ISTRIDE + ISEQ];
        if (hi - lo > 1) insts[i * ISTRIDE + ISEQ] = lo + (hi - lo) / 2;
        else blockSeqStale[b] = true;
    }

    /** Inserts {@code i} right after the inserted instruction {@code after}. */
    public void insertInstAfter(int i, int after) {
        int next = insts[after * ISTRIDE + INEXT];
        if (next >= 0) insertInstBefore(i, next);
        else appendInst(i, insts[after * ISTRIDE + IBLOCK]);
    }

    public void removeInst(int i) {
        int b = insts[i * ISTRIDE + IBLOCK];
        assert b >= 0;
        int prev = insts[i * ISTRIDE + IPREV], next = insts[i * ISTRIDE + INEXT];
        if (prev >= 0) insts[prev * ISTRIDE + INEXT] = next;
        else blockFirst[b] = next;
        if (next >= 0) insts[next * ISTRIDE + IPREV] = prev;
        else blockLast[b] = prev;
        insts[i * ISTRIDE + IBLOCK] = -1;
    }

    /**
     * Moves {@code before} and every instruction after it in its block to the end of the empty,
     * inserted block {@code newBlock} (splitting an EBB at a mid-block branch's fall-through).
     */
    public void splitBlock(int newBlock, int before) {
        int old = insts[before * ISTRIDE + IBLOCK];
        assert blockInserted[newBlock] && blockFirst[newBlock] < 0;
        int prev = insts[before * ISTRIDE + IPREV];
        int last = blockLast[old];
        if (prev >= 0) insts[prev * ISTRIDE + INEXT] = -1;
        else blockFirst[old] = -1;
        blockLast[old] = prev;
        insts[before * ISTRIDE + IPREV] = -1;
        blockFirst[newBlock] = before;
        blockLast[newBlock] = last;
        int seq = 0;
        for (int x = before; x >= 0; x = insts[x * ISTRIDE + INEXT]) {
            insts[x * ISTRIDE + IBLOCK] = newBlock;
            seq += STRIDE_SEQ;
            insts[x * ISTRIDE + ISEQ] = seq;
        }
        blockSeqStale[newBlock] = false;
    }

    /** Gives the instructions of {@code b} evenly spaced sequence numbers again. */
    private void renumberInsts(int b) {
        int seq = 0;
        for (int x = blockFirst[b]; x >= 0; x = insts[x * ISTRIDE + INEXT]) {
            seq += STRIDE_SEQ;
            insts[x * ISTRIDE + ISEQ] = seq;
        }
        blockSeqStale[b] = false;
    }

    /** True if inserted instruction {@code a} comes before {@code b} (same or different blocks). */
    public boolean instPrecedes(int a, int b) {
        int ba = insts[a * ISTRIDE + IBLOCK], bb = insts[b * ISTRIDE + IBLOCK];
        if (ba == bb) {
            if (blockSeqStale[ba]) renumberInsts(ba);
            return insts[a * ISTRIDE + ISEQ] < insts[b * ISTRIDE + ISEQ];
        }
        return blockSeq[ba] < blockSeq[bb];
    }

    /** True if inserted block {@code a} comes before {@code b} in the layout. */
    public boolean blockPrecedes(int a, int b) {
        return blockSeq[a] < blockSeq[b];
    }
}
