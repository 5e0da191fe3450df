package dev.twill.ir;

/**
 * A global value: an address or value computed from the VM context, known at function entry.
 * <ul>
 *   <li>{@code gv0 = vmctx}: the function's vmctx parameter;
 *   <li>{@code gv1 = load.i64 notrap aligned gv0+8}: a load from {@code base + offset};
 *   <li>{@code gv2 = iadd_imm.i64 gv1, 16}: {@code base + offset};
 *   <li>{@code gv3 = symbol colocated %name}: the address of a symbol, plus {@code offset}.
 * </ul>
 * The legalizer expands {@code global_value} into these computations.
 */
public final class GlobalValueData {
    public enum Kind { VMCTX, LOAD, IADD_IMM, SYMBOL }

    public final Kind kind;
    /** The base global value for LOAD and IADD_IMM; -1 otherwise. */
    public final int base;
    public final long offset;
    /** The value type (pointer type for VMCTX and SYMBOL). */
    public final int type;
    /** MemFlags for LOAD. */
    public final int flags;
    /** The symbol name for SYMBOL (as written, with its sigil); null otherwise. */
    public final String symbol;
    public final boolean colocated;

    public GlobalValueData(Kind kind, int base, long offset, int type, int flags, String symbol, boolean colocated) {
        this.kind = kind;
        this.base = base;
        this.offset = offset;
        this.type = type;
        this.flags = flags;
        this.symbol = symbol;
        this.colocated = colocated;
    }

    public static GlobalValueData vmctx() {
        return new GlobalValueData(Kind.VMCTX, -1, 0, Type.I64, 0, null, false);
    }

    public static GlobalValueData load(int base, long offset, int type, int flags) {
        return new GlobalValueData(Kind.LOAD, base, offset, type, flags, null, false);
    }

    public static GlobalValueData iaddImm(int base, long offset, int type) {
        return new GlobalValueData(Kind.IADD_IMM, base, offset, type, 0, null, false);
    }

    public static GlobalValueData symbol(String name, long offset, boolean colocated) {
        return new GlobalValueData(Kind.SYMBOL, -1, offset, Type.I64, 0, name, colocated);
    }
}
