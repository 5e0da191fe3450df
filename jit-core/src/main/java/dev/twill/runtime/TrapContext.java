package dev.twill.runtime;

/**
 * The per-thread block of native memory through which compiled code leaves on a trap without
 * signals, checks its stack limit, and sees interrupt requests. While compiled code runs, a
 * pinned register holds its address (x86-64: {@code r15}; AArch64: {@code x28}): the entry
 * trampoline sets it, compiled code never allocates that register, and because it is
 * callee-saved in the native ABI, calls out to the host preserve it.
 *
 * <p>Protocol:
 * <ol>
 *   <li>The entry trampoline saves the callee-saved registers, stores its stack pointer at
 *       {@link #SAVED_SP} and the address of its resume code at {@link #RESUME_PC}, stores -1 at
 *       {@link #TRAP_CODE}, loads the pinned register, and calls the function.
 *   <li>A normal return comes back to the trampoline, which returns the results.
 *   <li>A trap site jumps to the function's trap exit, which stores the trap code at {@link
 *       #TRAP_CODE} (and the trapping pc at {@link #TRAP_PC}), loads the stack pointer from
 *       {@link #SAVED_SP} and jumps to {@link #RESUME_PC}: the trampoline restores the
 *       callee-saved registers and returns; Java sees {@code TRAP_CODE >= 0} and throws {@code Trap}.
 *   <li>Every prologue compares {@code sp - frameSize} with {@link #STACK_LIMIT} and traps {@code
 *       stk_ovf} when below; loop headers may test {@link #INTERRUPT} and trap {@code interrupt}.
 * </ol>
 */
public final class TrapContext {
    private TrapContext() {}

    /** Stack pointer saved by the entry trampoline (8 bytes). */
    public static final int SAVED_SP = 0;
    /** Address the trap exit jumps to, in the trampoline (8 bytes). */
    public static final int RESUME_PC = 8;
    /** Lowest stack address compiled code may use (8 bytes). */
    public static final int STACK_LIMIT = 16;
    /** Trap code of the last trap, or -1 after a normal return (4 bytes). */
    public static final int TRAP_CODE = 24;
    /** Non-zero asks running code to trap with {@code interrupt} at its next check (4 bytes). */
    public static final int INTERRUPT = 28;
    /** Address of the trapping instruction (8 bytes). */
    public static final int TRAP_PC = 32;
    /** Scratch for the trampoline: e.g. the return-area pointer of a multi-value call (8 bytes). */
    public static final int SCRATCH = 40;
    /** Size of the block. */
    public static final int SIZE = 64;
}
