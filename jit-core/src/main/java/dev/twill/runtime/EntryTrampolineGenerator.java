package dev.twill.runtime;

/**
 * Makes the entry trampolines through which Java calls compiled code (see {@link TrapContext}
 * for the protocol they follow). A back end provides one through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.twill.runtime.EntryTrampolineGenerator}), so that {@code jit-core}
 * never imports back-end classes.
 *
 * <p>A trampoline for IR parameter types {@code P} and result types {@code R} is called with the
 * native C convention as {@code (long context, long function, [long results,] P...) -> r}: with
 * one result, {@code r} is it (i8 and i16 sign-extended to 32 bits, as Java's byte and short
 * are); with two or more, {@code r} is void and the trampoline stores result {@code k} at {@code
 * results + 8k} (narrow integers in the low bytes) on return, and may use {@code results + 8 *
 * R.length} onwards ({@code 8 * R.length} bytes) as the callee's return area. It calls {@code
 * function} with {@code P} in the places the compiled-code convention gives them (see {@link
 * dev.twill.machinst.CompiledCode}).
 */
public interface EntryTrampolineGenerator {
    /** The {@code os.arch} this generator serves ({@code amd64}, {@code aarch64}). */
    String arch();

    /** Position-independent machine code of the trampoline, entry at offset 0. */
    byte[] generate(int[] params, int[] returns);

    /**
     * A trampoline for the same shape that takes its arguments from memory, so that one Panama
     * downcall of type {@code (long context, long function, long buffer) -> void} serves every
     * shape (a downcall or typed method handle per shape costs the JVM code cache it never gives
     * back). It loads parameter {@code k} from {@code buffer + 8k} (integers as 8 bytes, already
     * sign-extended from narrow types; f32 from the low 4 bytes), calls {@code function} with
     * the compiled-code convention, and stores result {@code k} at {@code buffer + 8k} (an f32
     * or narrow integer in the low bytes); {@code 8 * R.length} bytes from {@code buffer + 8 *
     * max(P.length, R.length)} may serve as the callee's return area. The {@link TrapContext}
     * protocol is that of {@link #generate}.
     */
    default byte[] generateBuffered(int[] params, int[] returns) {
        throw new UnsupportedOperationException("no buffered entry trampolines for " + arch());
    }
}
