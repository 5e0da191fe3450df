package dev.twill.runtime;

/**
 * The per-thread block of native memory through which compiled code leaves on a trap (by a
 * jump, or for a fault in a guard region through the signal handler of {@link FaultTraps}),
 * checks its stack limit, and sees interrupt requests. While compiled code runs, a pinned
 * register holds its address (x86-64: {@code r15}; AArch64: {@code x28}): the entry
 * trampoline sets it, compiled code never allocates that register, and because it is
 * callee-saved in the native ABI, calls out to the host preserve it. {@link CallContext} owns
 * one block per thread.
 *
 * <p>Protocol:
 * <ol>
 *   <li>The entry trampoline saves the callee-saved registers, saves the previous {@link
 *       #SAVED_SP} and {@link #RESUME_PC} on its own stack (so that host code called from compiled
 *       code may enter compiled code again), stores its stack pointer at {@link #SAVED_SP} and
 *       the address of its resume code at {@link #RESUME_PC}, stores {@link #NO_TRAP} at {@link
 *       #TRAP_CODE} and 0 at {@link #TRAP_PC}, loads the pinned register, and calls the function
 *       with the stack pointer 16-byte aligned.
 *   <li>A normal return comes back to the trampoline, which returns the results.
 *   <li>A trap site jumps to the function's trap exit, which stores the trap code at {@link
 *       #TRAP_CODE} (and, optionally, the trapping pc at {@link #TRAP_PC}, which lets the Java side
 *       name the function that trapped), loads the stack pointer from {@link #SAVED_SP} and jumps
 *       to {@link #RESUME_PC}. The resume point is the return point of the trampoline's call: with
 *       the stack pointer at SAVED_SP it restores the previous SAVED_SP/RESUME_PC and the
 *       callee-saved registers and returns; Java sees {@code TRAP_CODE != NO_TRAP}, resets it to
 *       NO_TRAP, and throws {@link Trap}. Compiled code must never change the pinned register.
 *   <li>A load or store that faults in a registered guard region traps without a trap site:
 *       {@link FaultTraps}' signal handler finds this block through the pinned register of the
 *       interrupted context and performs the same trap exit ({@code heap_oob}, the faulting pc)
 *       by rewriting that context's stack pointer and pc.
 *   <li>Every prologue compares {@code sp - frameSize} with {@link #STACK_LIMIT} (unsigned) and
 *       traps {@code stk_ovf} when below, except a leaf's (no calls) with a frame of at most a
 *       page, which cannot recurse and fits in the reserve below the limit; loop headers may test
 *       {@link #INTERRUPT} (a 32-bit load) and trap {@code interrupt} when it is non-zero.
 *   <li><b>Host calls.</b> A host function (a Java method behind a Panama upcall stub, made by
 *       {@link JitModule#defineHostFunction}) never lets an exception escape into native code:
 *       its wrapper catches any {@link Throwable}, keeps it in the thread's {@link CallContext},
 *       stores {@link #HOST_EXCEPTION} at {@link #TRAP_CODE}, and returns zero. So after every call
 *       to a host function, compiled code tests {@code cmp dword [r15 + TRAP_CODE], -1} and, when
 *       not equal, unwinds exactly like a trap exit but without storing a code: {@code mov rsp,
 *       [r15 + SAVED_SP]; jmp [r15 + RESUME_PC]}. The Java side then rethrows the recorded
 *       exception unchanged. A nested call that trapped and whose Trap the host caught itself
 *       leaves {@code TRAP_CODE == NO_TRAP} (Java resets it before throwing), so the check fires
 *       only for exceptions that really leave the host function.
 * </ol>
 *
 * <p><b>Stack limit</b>: {@link CallContext} sets {@link #STACK_LIMIT} once per OS thread to the
 * low end of the thread's stack ({@code pthread_getattr_np}) plus {@link CallContext#STACK_RESERVE}
 * (256 KiB): below the limit lie the JVM's guard zones (red, yellow, reserved: a few pages) and
 * its shadow zone (about 20 pages on x86-64 Linux), and room for a host function called at the
 * deepest point of compiled code to run Java code, which then hits the JVM's own stack-overflow
 * check (a StackOverflowError the wrapper records) long before the guard pages. A limit taken
 * from the stack's bounds, rather than from the stack pointer at entry, stays right however deep
 * the Java caller already is and however often compiled and host code nest.
 */
public final class TrapContext {
    private TrapContext() {}

    /** Stack pointer saved by the entry trampoline (8 bytes). */
    public static final int SAVED_SP = 0;
    /** Address the trap exit jumps to, in the trampoline (8 bytes). */
    public static final int RESUME_PC = 8;
    /** Lowest stack address compiled code may use (8 bytes). */
    public static final int STACK_LIMIT = 16;
    /** Trap code of the last trap, {@link #NO_TRAP} while running or after a normal return (4 bytes). */
    public static final int TRAP_CODE = 24;
    /** Non-zero asks running code to trap with {@code interrupt} at its next check (4 bytes). */
    public static final int INTERRUPT = 28;
    /** Address of the trapping instruction, or 0 when the trap exit did not store it (8 bytes). */
    public static final int TRAP_PC = 32;
    /** Scratch for the trampoline (8 bytes). */
    public static final int SCRATCH = 40;
    /** Size of the block. */
    public static final int SIZE = 64;

    /** {@link #TRAP_CODE} while compiled code runs and after a normal return. */
    public static final int NO_TRAP = -1;
    /** {@link #TRAP_CODE} stored by a host function's wrapper when the host function threw. */
    public static final int HOST_EXCEPTION = -2;
}
