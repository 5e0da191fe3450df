package dev.twill.runtime;

/**
 * Makes the machine code of the process's {@code SIGSEGV} handler that turns a fault of compiled
 * code in a guard region into a trap ({@link FaultTraps} states the protocol). A back end
 * provides one through {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.twill.runtime.FaultHandlerGenerator}), as it does its entry trampolines.
 */
public interface FaultHandlerGenerator {
    /** The {@code os.arch} this generator serves ({@code amd64}, {@code aarch64}). */
    String arch();

    /**
     * Position-independent machine code of a {@code sa_sigaction} handler, entry at offset 0,
     * that follows {@link FaultTraps}' protocol with the header block at {@code header} and
     * stores {@code trapCode} as the trap code. It must not touch the stack (it may run on the
     * last bytes of a thread's stack) nor any register the platform's C convention makes
     * callee-saved.
     */
    byte[] generate(long header, int trapCode);
}
