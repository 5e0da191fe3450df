package dev.twill.ir;

/**
 * Value types, encoded as small ints so that side tables of types are {@code int[]}.
 *
 * <p>Encoding: bits 0-3 are the lane kind ({@link #I8} .. {@link #F64}, with room for {@code
 * i128}), bits 4-7 are log2 of the lane count. A scalar has lane count 1, so its code is the
 * lane kind itself; the 128-bit vector {@code i32x4} is {@code I32 | 2 << 4}. {@link #INVALID}
 * (0) means "no type" (for instructions whose controlling type is implied). Adding {@code i128}
 * or vectors adds constants and names only: no existing code changes meaning.
 */
public final class Type {
    private Type() {}

    public static final int INVALID = 0;
    public static final int I8 = 1;
    public static final int I16 = 2;
    public static final int I32 = 3;
    public static final int I64 = 4;
    /**
     * 128-bit integers: the interpreter computes them exactly; back ends never see them, as
     * legalization narrows every {@code i128} value to a (low, high) pair of {@code i64}s.
     * Wherever values travel as raw {@code long} bits (interpreter and native calls, run lines)
     * an {@code i128} takes two consecutive slots, low half first ({@link #slots}).
     */
    public static final int I128 = 5;
    public static final int F32 = 6;
    public static final int F64 = 7;

    private static final int LANE_MASK = 0xF;
    private static final int LOG2_LANES_SHIFT = 4;

    /** The scalar types every back end takes directly, in order ({@link #I128} is narrowed first). */
    public static final int[] SCALARS = {I8, I16, I32, I64, F32, F64};

    public static int lane(int t) {
        return t & LANE_MASK;
    }

    public static int lanes(int t) {
        return 1 << (t >>> LOG2_LANES_SHIFT);
    }

    public static boolean isInt(int t) {
        int l = lane(t);
        return t != INVALID && l >= I8 && l <= I128 && lanes(t) == 1;
    }

    public static boolean isFloat(int t) {
        int l = lane(t);
        return (l == F32 || l == F64) && lanes(t) == 1;
    }

    public static boolean isScalar(int t) {
        return isInt(t) || isFloat(t);
    }

    /** Width of one lane in bits. */
    public static int laneBits(int t) {
        switch (lane(t)) {
            case I8: return 8;
            case I16: return 16;
            case I32: case F32: return 32;
            case I64: case F64: return 64;
            case I128: return 128;
            default: return 0;
        }
    }

    public static int bits(int t) {
        return laneBits(t) * lanes(t);
    }

    public static int bytes(int t) {
        return bits(t) / 8;
    }

    /** The integer type of {@code bits} bits, or {@link #INVALID}. */
    public static int intOfBits(int bits) {
        switch (bits) {
            case 8: return I8;
            case 16: return I16;
            case 32: return I32;
            case 64: return I64;
            case 128: return I128;
            default: return INVALID;
        }
    }

    /** The integer type as wide as a float type (for bitcasts), or the type itself. */
    public static int asInt(int t) {
        return isFloat(t) ? intOfBits(bits(t)) : t;
    }

    public static String name(int t) {
        String lane;
        switch (lane(t)) {
            case I8: lane = "i8"; break;
            case I16: lane = "i16"; break;
            case I32: lane = "i32"; break;
            case I64: lane = "i64"; break;
            case I128: lane = "i128"; break;
            case F32: lane = "f32"; break;
            case F64: lane = "f64"; break;
            default: return t == INVALID ? "invalid" : "type" + t;
        }
        int n = lanes(t);
        return n == 1 ? lane : lane + "x" + n;
    }

    /** Parses a scalar type name; returns {@link #INVALID} if unknown or not supported yet. */
    public static int parse(String s) {
        switch (s) {
            case "i8": return I8;
            case "i16": return I16;
            case "i32": return I32;
            case "i64": return I64;
            case "i128": return I128;
            case "f32": return F32;
            case "f64": return F64;
            default: return INVALID;
        }
    }

    /** The number of raw 64-bit slots a value of {@code t} takes where values travel as {@code long}s: 2 for i128, else 1. */
    public static int slots(int t) {
        return t == I128 ? 2 : 1;
    }

    /** The number of raw 64-bit slots of the values of {@code types} ({@link #slots} each). */
    public static int slots(int[] types) {
        int n = 0;
        for (int t : types) n += slots(t);
        return n;
    }

    /** The first slot of {@code types[k]} among the slots of {@code types}, or -1 for {@code k < 0}. */
    public static int slotOf(int[] types, int k) {
        if (k < 0) return -1;
        int n = 0;
        for (int j = 0; j < k; j++) n += slots(types[j]);
        return n;
    }

    /** Mask of the low {@code bits(t)} bits of an integer type (all ones for 64 bits and more: a long holds one half of an i128). */
    public static long mask(int t) {
        int b = laneBits(t);
        return b >= 64 ? -1L : (1L << b) - 1;
    }
}
