package dev.twill.wasm.wasi;

/**
 * Thrown by WASI's {@code proc_exit}: the guest asked to end with {@link #exitCode()}. Like any
 * exception a host function throws, it abandons the wasm frames and reaches the Java caller of
 * the wasm code (usually of {@code _start}), which decides what exiting means for its process.
 */
public final class WasiExit extends RuntimeException {
    private final int exitCode;

    public WasiExit(int exitCode) {
        super("wasm program exited with code " + exitCode, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
