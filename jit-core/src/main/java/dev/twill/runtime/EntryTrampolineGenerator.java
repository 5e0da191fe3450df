package dev.twill.runtime;

/**
 * Makes the entry trampolines through which Java calls compiled code (see {@link TrapContext}
 * for the protocol they follow). A back end provides one through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.twill.runtime.EntryTrampolineGenerator}), so that {@code jit-core}
 * never imports back-end classes.
 *
 * <p>A trampoline for IR parameter types {@code P} and result types {@code R} is called with the
 * native C convention as {@code (long context, long function, [long returnArea,] P...) -> r},
 * where the return area is present iff {@code R} has two or more results, and {@code r} is the
 * single result (i8 and i16 sign-extended to 32 bits, as Java's byte and short are) or nothing.
 * It calls {@code function} with {@code P...} in the places the ISA's calling convention gives
 * them (which may include a return area of the callee's own) and, with several results, stores
 * result {@code k} in the 8-byte slot {@code returnArea + 8k} after a normal return.
 */
public interface EntryTrampolineGenerator {
    /** The {@code os.arch} this generator serves ({@code amd64}, {@code aarch64}). */
    String arch();

    /** Position-independent machine code of the trampoline, entry at offset 0. */
    byte[] generate(int[] params, int[] returns);
}
