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

    public Trap(int code, String function) {
        super(message(code, function));
        this.code = code;
        this.function = function;
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
}
