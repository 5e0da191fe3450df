package dev.twill;

/**
 * Bad input: malformed or invalid IR text, IR that fails verification, a malformed or invalid
 * WebAssembly module. It always says where: a source name with line and column (text), a byte
 * offset (binary), or a function and instruction (IR built in memory).
 */
public class CompileError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** File or module name, or null. */
    public final String source;
    /** 1-based line, or 0 when not from text. */
    public final int line;
    /** 1-based column, or 0. */
    public final int column;
    /** Byte offset in a binary, or -1. */
    public final long offset;
    /** The bare reason, without location. */
    public final String reason;

    private CompileError(String source, int line, int column, long offset, String reason, String message) {
        super(message);
        this.source = source;
        this.line = line;
        this.column = column;
        this.offset = offset;
        this.reason = reason;
    }

    /** An error in text at {@code source:line:column}. */
    public static CompileError at(String source, int line, int column, String reason) {
        String where = (source == null ? "<input>" : source) + ":" + line + ":" + column;
        return new CompileError(source, line, column, -1, reason, where + ": " + reason);
    }

    /** An error in a binary at byte {@code offset}. */
    public static CompileError atOffset(String source, long offset, String reason) {
        String where = (source == null ? "<module>" : source) + "@0x" + Long.toHexString(offset);
        return new CompileError(source, 0, 0, offset, reason, where + ": " + reason);
    }

    /** An error in IR held in memory, located by function and, when known, instruction text. */
    public static CompileError inFunction(String function, String where, String reason) {
        String msg = function + (where == null ? "" : ", " + where) + ": " + reason;
        return new CompileError(function, 0, 0, -1, reason, msg);
    }
}
