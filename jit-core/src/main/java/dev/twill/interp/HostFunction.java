package dev.twill.interp;

/**
 * A Java implementation of a function the interpreted code calls by name (an import). It gets
 * the arguments as raw bits (see {@link InterpResult}) and returns values or a trap; it may read
 * and write {@link Interpreter#memory()} and call back into the interpreter.
 */
@FunctionalInterface
public interface HostFunction {
    InterpResult call(Interpreter interpreter, long[] args);
}
