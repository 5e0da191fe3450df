package dev.twill.ir;

/** A function a function may call: {@code fn0 = colocated %name sig0}. */
public final class ExtFuncData {
    /** The callee's name as written, with its sigil ({@code %foo}, {@code u0:1}). */
    public final String name;
    public final int signature;
    /** True if the callee is in the same module (near call). */
    public final boolean colocated;

    public ExtFuncData(String name, int signature, boolean colocated) {
        this.name = name;
        this.signature = signature;
        this.colocated = colocated;
    }
}
