package dev.twill.wasm;

/**
 * A function implemented in Java that wasm modules import ({@link Linker#defineFunction}).
 * Arguments and results are raw bits in longs (i32 sign-extended, i64 as is, f32 as {@code
 * Float.floatToRawIntBits} zero-extended, f64 as {@code Double.doubleToRawLongBits}, funcref a
 * FuncRef address, externref a {@link Store} handle, null 0). It must return exactly as many
 * results as its type has. Any exception it throws reaches the Java caller of the wasm code
 * unchanged; the wasm frames in between are abandoned.
 */
@FunctionalInterface
public interface HostFunction {
    /** Runs the function for the instance {@code caller} that imported it. */
    long[] call(Instance caller, long[] args);
}
