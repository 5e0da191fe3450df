package dev.twill.regalloc;

/**
 * An allocation that {@link RegAllocChecker} rejected: a bug in a register allocator (never bad
 * user input, hence not a {@link dev.twill.CompileError}). Names the instruction, the operand
 * and what went wrong.
 */
public final class RegAllocCheckError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The instruction, or -1 for a whole-function problem. */
    public final int inst;
    /** The operand index within the instruction, or -1 (an edit, a clobber, an edge). */
    public final int operand;
    /** The bare reason. */
    public final String reason;

    RegAllocCheckError(int inst, int operand, String reason) {
        super((inst < 0 ? "" : "inst" + inst + (operand < 0 ? "" : " operand " + operand) + ": ") + reason);
        this.inst = inst;
        this.operand = operand;
        this.reason = reason;
    }
}
