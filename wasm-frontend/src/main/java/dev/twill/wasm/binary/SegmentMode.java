package dev.twill.wasm.binary;

/** Element and data segment modes (WebAssembly 2.0 §2.5.7, §2.5.8). */
public final class SegmentMode {
    private SegmentMode() {}

    /** Copied into a table or memory at instantiation, at {@code offset}. */
    public static final int ACTIVE = 0;
    /** Used by {@code table.init} / {@code memory.init}. */
    public static final int PASSIVE = 1;
    /** Element segments only: declares functions that {@code ref.func} may name; dropped at start. */
    public static final int DECLARATIVE = 2;
}
