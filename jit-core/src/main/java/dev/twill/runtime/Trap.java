package dev.twill.runtime;

import dev.twill.ir.TrapCode;

/**
 * Compiled code stopped at a trap: a failed bounds check, division by zero, {@code unreachable},
 * stack overflow, an interrupt request. The JVM and the module stay usable; the thread's call
 * context is reset, so the next call runs normally.
 */
public final class Trap extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The trap code ({@link TrapCode}). */
    private final int code;
    /** The function that trapped, as named in the module ({@code %f}), or null when unknown. */
    private final String function;
    /** Address of the trapping instruction, or 0 when unknown. */
    private final long pc;

    public Trap(int code, String function) {
        this(code, function, 0);
    }

    /**
     * A trap at {@code pc} (the trap exit's {@link TrapContext#TRAP_PC}, 0 when unknown), which
     * lets a front end that links several modules name the trapping function in its own terms
     * even when the pc lies in another module than the one called from Java.
     */
    public Trap(int code, String function, long pc) {
        super(message(code, function));
        this.code = code;
        this.function = function;
        this.pc = pc;
    }

    private static String message(int code, String function) {
        String name = TrapCode.name(code);
        return function == null ? "trap: " + name : "trap: " + name + " in " + function;
    }

    /** The trap code, one of {@link TrapCode}'s. */
    public int code() {
        return code;
    }

    /** The trap code's name as written in the IR ({@code heap_oob}, {@code user(3)}). */
    public String codeName() {
        return TrapCode.name(code);
    }

    /**
     * The function that trapped: the one whose code holds the trapping pc when the trap exit
     * recorded it, else the function called from Java. Null if neither is known.
     */
    public String function() {
        return function;
    }

    /** Address of the trapping instruction in compiled code, or 0 when unknown (a trap raised in Java). */
    public long pc() {
        return pc;
    }
}
