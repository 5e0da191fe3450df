package dev.twill.ir;

import java.util.Arrays;

/**
 * A function signature: parameter and return types, each with a purpose ({@code vmctx}) and an
 * extension attribute ({@code uext}, {@code sext}), and a calling convention name.
 *
 * <p>Immutable once built; {@link #equals} is structural, which is what {@code call_indirect}'s
 * signature check compares.
 */
public final class Signature {
    /** Plain parameter or return value. */
    public static final int PURPOSE_NORMAL = 0;
    /** The VM context pointer that global values of kind {@code vmctx} refer to. */
    public static final int PURPOSE_VMCTX = 1;

    public static final int EXT_NONE = 0;
    public static final int EXT_UEXT = 1;
    public static final int EXT_SEXT = 2;

    public final int[] params;
    public final int[] paramPurposes;
    public final int[] paramExts;
    public final int[] returns;
    public final int[] returnPurposes;
    public final int[] returnExts;
    /** Calling convention name as written ({@code fast}, {@code system_v}, ...); null for the default. */
    public final String callConv;

    public Signature(int[] params, int[] paramPurposes, int[] paramExts,
                     int[] returns, int[] returnPurposes, int[] returnExts, String callConv) {
        this.params = params;
        this.paramPurposes = paramPurposes;
        this.paramExts = paramExts;
        this.returns = returns;
        this.returnPurposes = returnPurposes;
        this.returnExts = returnExts;
        this.callConv = callConv;
    }

    /** A signature of plain parameters and returns. */
    public static Signature of(int[] params, int[] returns) {
        return new Signature(params.clone(), new int[params.length], new int[params.length],
                returns.clone(), new int[returns.length], new int[returns.length], null);
    }

    /** The index of the vmctx parameter, or -1. */
    public int vmctxParam() {
        for (int i = 0; i < params.length; i++) if (paramPurposes[i] == PURPOSE_VMCTX) return i;
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Signature s)) return false;
        return Arrays.equals(params, s.params) && Arrays.equals(paramPurposes, s.paramPurposes)
                && Arrays.equals(paramExts, s.paramExts) && Arrays.equals(returns, s.returns)
                && Arrays.equals(returnPurposes, s.returnPurposes) && Arrays.equals(returnExts, s.returnExts)
                && java.util.Objects.equals(callConv, s.callConv);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(params) * 31 + Arrays.hashCode(returns);
    }

    /** CLIF text: {@code (i64 vmctx, i32) -> i32 system_v}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        appendList(sb, params, paramPurposes, paramExts);
        sb.append(')');
        if (returns.length > 0) {
            sb.append(" -> ");
            appendList(sb, returns, returnPurposes, returnExts);
        }
        if (callConv != null) sb.append(' ').append(callConv);
        return sb.toString();
    }

    private static void appendList(StringBuilder sb, int[] types, int[] purposes, int[] exts) {
        for (int i = 0; i < types.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(Type.name(types[i]));
            if (exts[i] == EXT_UEXT) sb.append(" uext");
            if (exts[i] == EXT_SEXT) sb.append(" sext");
            if (purposes[i] == PURPOSE_VMCTX) sb.append(" vmctx");
        }
    }
}
