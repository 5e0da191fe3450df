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

    private int[] instPrev = new int[64], instNext = new int[64], instBlock = new int[64], instSeq = new int[64];

    public Layout() {
        Arrays.fill(instBlock, -1);
    }

    public void clear() {
        Arrays.fill(blockInserted, false);
        Arrays.fill(instBlock, -1);
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

    private void growInsts(int i) {
        if (i < instPrev.length) return;
        int old = instPrev.length;
        int n = Math.max(i + 1, old * 2);
        instPrev = Arrays.copyOf(instPrev, n);
        instNext = Arrays.copyOf(instNext, n);
        instBlock = Arrays.copyOf(instBlock, n);
        instSeq = Arrays.copyOf(instSeq, n);
        Arrays.fill(instBlock, old, n, -1);
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
        return i < instBlock.length && instBlock[i] >= 0;
    }

    /** The block holding {@code i}, or -1. */
    public int instBlock(int i) {
        return i < instBlock.length ? instBlock[i] : -1;
    }

    public int nextInst(int i) {
        return instNext[i];
    }

    public int prevInst(int i) {
        return instPrev[i];
    }

    public void appendInst(int i, int b) {
        growInsts(i);
        assert instBlock[i] < 0 : "inst" + i + " already inserted";
        assert blockInserted[b] : "block" + b + " not inserted";
        int last = blockLast[b];
        instBlock[i] = b;
        instPrev[i] = last;
        instNext[i] = -1;
        if (last >= 0) instNext[last] = i;
        else blockFirst[b] = i;
        blockLast[b] = i;
        instSeq[i] = (last >= 0 ? instSeq[last] : 0) + STRIDE_SEQ;
    }

    /** Inserts {@code i} right before the inserted instruction {@code before}. */
    public void insertInstBefore(int i, int before) {
        growInsts(i);
        assert instBlock[i] < 0 && instBlock[before] >= 0;
        int b = instBlock[before];
        int prev = instPrev[before];
        instBlock[i] = b;
        instPrev[i] = prev;
        instNext[i] = before;
        instPrev[before] = i;
        if (prev >= 0) instNext[prev] = i;
        else blockFirst[b] = i;
        if (blockSeqStale[b]) return;
        int lo = prev >= 0 ? instSeq[prev] : 0;
        int hi = instSeq[before];
        if (hi - lo > 1) instSeq[i] = lo + (hi - lo) / 2;
        else blockSeqStale[b] = true;
    }

    /** Inserts {@code i} right after the inserted instruction {@code after}. */
    public void insertInstAfter(int i, int after) {
        int next = instNext[after];
        if (next >= 0) insertInstBefore(i, next);
        else appendInst(i, instBlock[after]);
    }

    public void removeInst(int i) {
        int b = instBlock[i];
        assert b >= 0;
        int prev = instPrev[i], next = instNext[i];
        if (prev >= 0) instNext[prev] = next;
        else blockFirst[b] = next;
        if (next >= 0) instPrev[next] = prev;
        else blockLast[b] = prev;
        instBlock[i] = -1;
    }

    /**
     * Moves {@code before} and every instruction after it in its block to the end of the empty,
     * inserted block {@code newBlock} (splitting an EBB at a mid-block branch's fall-through).
     */
    public void splitBlock(int newBlock, int before) {
        int old = instBlock[before];
        assert blockInserted[newBlock] && blockFirst[newBlock] < 0;
        int prev = instPrev[before];
        int last = blockLast[old];
        if (prev >= 0) instNext[prev] = -1;
        else blockFirst[old] = -1;
        blockLast[old] = prev;
        instPrev[before] = -1;
        blockFirst[newBlock] = before;
        blockLast[newBlock] = last;
        int seq = 0;
        for (int x = before; x >= 0; x = instNext[x]) {
            instBlock[x] = newBlock;
            seq += STRIDE_SEQ;
            instSeq[x] = seq;
        }
        blockSeqStale[newBlock] = false;
    }

    /** Gives the instructions of {@code b} evenly spaced sequence numbers again. */
    private void renumberInsts(int b) {
        int seq = 0;
        for (int x = blockFirst[b]; x >= 0; x = instNext[x]) {
            seq += STRIDE_SEQ;
            instSeq[x] = seq;
        }
        blockSeqStale[b] = false;
    }

    /** True if inserted instruction {@code a} comes before {@code b} (same or different blocks). */
    public boolean instPrecedes(int a, int b) {
        int ba = instBlock[a], bb = instBlock[b];
        if (ba == bb) {
            if (blockSeqStale[ba]) renumberInsts(ba);
            return instSeq[a] < instSeq[b];
        }
        return blockSeq[ba] < blockSeq[bb];
    }

    /** True if inserted block {@code a} comes before {@code b} in the layout. */
    public boolean blockPrecedes(int a, int b) {
        return blockSeq[a] < blockSeq[b];
    }
}
