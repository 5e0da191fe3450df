package dev.twill.machinst;

import java.util.Arrays;

/**
 * Machine code over virtual registers: what lowering produces and the register allocator and
 * emitter consume. The machine-independent part lives here (blocks, control flow, block
 * parameters, operands, clobbers); each back end keeps its instruction payload (opcode,
 * immediates, condition codes) in its own arrays indexed by the same instruction numbers.
 *
 * <p>Shape (regalloc2's client interface, as flat arrays):
 * <ul>
 *   <li>Blocks are numbered in emission order, block 0 the entry. A block's instructions are
 *       the contiguous range {@code [blockStart(b), blockEnd(b))}. Blocks are basic blocks: only
 *       the last instruction transfers control, and critical edges have been split (an edge from
 *       a block with several successors goes to a block with one predecessor), so moves for an
 *       edge always fit at the end of the predecessor or the start of the successor.
 *   <li>Block parameters are vregs defined on entry; the terminator of a predecessor passes one
 *       argument vreg per parameter and successor edge ({@link #branchArg}). Block 0's
 *       parameters are unused: function arguments are defined by an instruction with fixed-register
 *       defs.
 *   <li>Each instruction has packed {@link Operand}s, a clobber set (a bit mask of physical
 *       registers it overwrites without a def, e.g. a call's caller-saved registers), and flags.
 * </ul>
 *
 * <p>Building: {@link #clear()}, then for each block in order {@link #startBlock()}, {@link
 * #addBlockParam}, instructions ({@link #startInst}, {@link #addOperand}, {@link #setClobbers}),
 * successors of the terminator ({@link #addSucc}, {@link #addBranchArg}), {@link #endBlock()};
 * finally {@link #finish()}, which computes predecessors. All arrays are reused across
 * compilations.
 */
public final class VCode {
    /** Ends the block: a jump, a conditional branch, a jump table, a return or a trap. */
    public static final int TERMINATOR = 1;
    /** A return: the operands are the returned values in their fixed registers. */
    public static final int RET = 2;
    /** A call: may clobber registers (see the clobber set). */
    public static final int CALL = 4;
    /** A register-to-register copy: operand 0 is the use, operand 1 the def (a coalescing hint). */
    public static final int MOVE = 8;

    // ---- vregs
    private byte[] vregClass = new byte[256];
    private int numVRegs;

    // ---- blocks
    private int numBlocks;
    private int[] blockStart = new int[32], blockEnd = new int[32];
    private int[] paramStart = new int[33];
    private int[] params = new int[64];
    private int numParams;
    private int[] succStart = new int[33];
    private int[] succs = new int[64];
    private int numSuccs;
    /** Per edge (index into succs): start of its arguments in branchArgs; one extra entry at the end. */
    private int[] edgeArgStart = new int[65];
    private int[] branchArgs = new int[64];
    private int numBranchArgs;
    private int[] predStart = new int[33];
    private int[] preds = new int[64];
    /** Scratch for {@link #finish()}: the next free slot of each block's predecessor list. */
    private int[] predFill = new int[32];

    // ---- instructions
    private int numInsts;
    private int[] opStart = new int[257];
    private long[] operands = new long[512];
    private int numOperands;
    private long[] clobbers = new long[256];
    private byte[] flags = new byte[256];

    private boolean inBlock;

    public void clear() {
        numVRegs = numBlocks = numParams = numSuccs = numBranchArgs = numInsts = numOperands = 0;
        inBlock = false;
    }

    // =====================================================================================
    // Building

    public int newVReg(int cls) {
        if (numVRegs == vregClass.length) vregClass = Arrays.copyOf(vregClass, numVRegs * 2);
        vregClass[numVRegs] = (byte) cls;
        return numVRegs++;
    }

    public int startBlock() {
        assert !inBlock : "previous block not ended";
        int b = numBlocks++;
        if (numBlocks + 1 >= blockStart.length) {
            int n = blockStart.length * 2;
            blockStart = Arrays.copyOf(blockStart, n);
            blockEnd = Arrays.copyOf(blockEnd, n);
            paramStart = Arrays.copyOf(paramStart, n + 1);
            succStart = Arrays.copyOf(succStart, n + 1);
            predStart = Arrays.copyOf(predStart, n + 1);
        }
        blockStart[b] = numInsts;
        paramStart[b] = numParams;
        succStart[b] = numSuccs;
        inBlock = true;
        return b;
    }

    public void addBlockParam(int vreg) {
        assert inBlock && blockStart[numBlocks - 1] == numInsts : "block params come before the block's instructions";
        if (numParams == params.length) params = Arrays.copyOf(params, numParams * 2);
        params[numParams++] = vreg;
    }

    /** Starts an instruction with {@link #TERMINATOR}/{@link #RET}/{@link #CALL}/{@link #MOVE} flags; returns its number. */
    public int startInst(int instFlags) {
        assert inBlock;
        int i = numInsts++;
        if (numInsts >= flags.length) {
            int n = flags.length * 2;
            flags = Arrays.copyOf(flags, n);
            clobbers = Arrays.copyOf(clobbers, n);
            opStart = Arrays.copyOf(opStart, n + 1);
        }
        flags[i] = (byte) instFlags;
        clobbers[i] = 0;
        // opStart[i + 1], the end of i's operands, is written when the next instruction starts
        // or the block ends (addOperand only appends: one store per operand, not two)
        opStart[i] = numOperands;
        return i;
    }

    public void addOperand(long op) {
        if (numOperands == operands.length) operands = Arrays.copyOf(operands, numOperands * 2);
        operands[numOperands++] = op;
    }

    public void setClobbers(int inst, long mask) {
        clobbers[inst] = mask;
    }

    /** Adds a successor of the current block's terminator; its arguments follow with {@link #addBranchArg}. */
    public void addSucc(int block) {
        if (numSuccs + 1 >= succs.length) {
            succs = Arrays.copyOf(succs, succs.length * 2);
            edgeArgStart = Arrays.copyOf(edgeArgStart, succs.length + 1);
        }
        succs[numSuccs] = block;
        edgeArgStart[numSuccs] = numBranchArgs;
        numSuccs++;
        edgeArgStart[numSuccs] = numBranchArgs;
    }

    public void addBranchArg(int vreg) {
        if (numBranchArgs == branchArgs.length) branchArgs = Arrays.copyOf(branchArgs, numBranchArgs * 2);
        branchArgs[numBranchArgs++] = vreg;
        edgeArgStart[numSuccs] = numBranchArgs;
    }

    public void endBlock() {
        assert inBlock;
        int b = numBlocks - 1;
        blockEnd[b] = numInsts;
        opStart[numInsts] = numOperands; // the end of the block's last instruction's operands
        paramStart[b + 1] = numParams;
        succStart[b + 1] = numSuccs;
        inBlock = false;
    }

    /** Computes predecessors; call once all blocks are built. */
    public void finish() {
        assert !inBlock;
        Arrays.fill(predStart, 0, numBlocks + 1, 0);
        for (int e = 0; e < numSuccs; e++) predStart[succs[e] + 1]++;
        for (int b = 0; b < numBlocks; b++) predStart[b + 1] += predStart[b];
        if (preds.length < numSuccs) preds = new int[Math.max(numSuccs, preds.length * 2)];
        if (predFill.length < numBlocks) predFill = new int[Math.max(numBlocks, predFill.length * 2)];
        int[] fill = predFill;
        System.arraycopy(predStart, 0, fill, 0, numBlocks);
        for (int b = 0; b < numBlocks; b++) {
            for (int e = succStart[b]; e < succStart[b + 1]; e++) preds[fill[succs[e]]++] = b;
        }
    }

    // =====================================================================================
    // Queries

    public int numVRegs() {
        return numVRegs;
    }

    public int vregClass(int v) {
        return vregClass[v];
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockStart(int b) {
        return blockStart[b];
    }

    public int blockEnd(int b) {
        return blockEnd[b];
    }

    public int numBlockParams(int b) {
        return paramStart[b + 1] - paramStart[b];
    }

    public int blockParam(int b, int n) {
        return params[paramStart[b] + n];
    }

    public int numSuccs(int b) {
        return succStart[b + 1] - succStart[b];
    }

    public int succ(int b, int n) {
        return succs[succStart[b] + n];
    }

    public int numPreds(int b) {
        return predStart[b + 1] - predStart[b];
    }

    public int pred(int b, int n) {
        return preds[predStart[b] + n];
    }

    /** The number of arguments block {@code b}'s terminator passes along successor edge {@code n}. */
    public int numBranchArgs(int b, int n) {
        int e = succStart[b] + n;
        return edgeArgStart[e + 1] - edgeArgStart[e];
    }

    public int branchArg(int b, int n, int k) {
        return branchArgs[edgeArgStart[succStart[b] + n] + k];
    }

    public int numInsts() {
        return numInsts;
    }

    public int flags(int inst) {
        return flags[inst];
    }

    public boolean isTerminator(int inst) {
        return (flags[inst] & TERMINATOR) != 0;
    }

    public boolean isRet(int inst) {
        return (flags[inst] & RET) != 0;
    }

    public boolean isCall(int inst) {
        return (flags[inst] & CALL) != 0;
    }

    public boolean isMove(int inst) {
        return (flags[inst] & MOVE) != 0;
    }

    public long clobbers(int inst) {
        return clobbers[inst];
    }

    /** Index of the first operand of {@code inst} in the flat operand table. */
    public int operandStart(int inst) {
        return opStart[inst];
    }

    public int numOperands(int inst) {
        return opStart[inst + 1] - opStart[inst];
    }

    public long operand(int inst, int n) {
        return operands[opStart[inst] + n];
    }

    /**
     * The flat operand table itself (operand {@code n} of {@code inst} at {@link #operandStart}
     * + n), for allocators' inner loops; read only, valid until the next {@link #clear()}.
     */
    public long[] operandArray() {
        return operands;
    }

    /** The total number of operands (the size of an allocation table). */
    public int totalOperands() {
        return numOperands;
    }

    /** A readable dump for tests and debugging (operands only; the back end prints its payload). */
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < numBlocks; b++) {
            sb.append("block").append(b);
            if (numBlockParams(b) > 0) {
                sb.append('(');
                for (int k = 0; k < numBlockParams(b); k++) sb.append(k > 0 ? ", v" : "v").append(blockParam(b, k));
                sb.append(')');
            }
            sb.append(":\n");
            for (int i = blockStart[b]; i < blockEnd[b]; i++) {
                sb.append("  inst").append(i).append(':');
                for (int k = 0; k < numOperands(i); k++) sb.append(' ').append(Operand.toString(operand(i, k)));
                if (clobbers[i] != 0) sb.append(" clobbers 0x").append(Long.toHexString(clobbers[i]));
                sb.append('\n');
            }
            for (int n = 0; n < numSuccs(b); n++) {
                sb.append("  -> block").append(succ(b, n)).append('(');
                for (int k = 0; k < numBranchArgs(b, n); k++) sb.append(k > 0 ? ", v" : "v").append(branchArg(b, n, k));
                sb.append(")\n");
            }
        }
        return sb.toString();
    }
}
