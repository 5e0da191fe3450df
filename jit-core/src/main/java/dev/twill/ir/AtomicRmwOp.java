package dev.twill.ir;

/**
 * The read-modify-write operations of {@code atomic_rmw}, printed as their lowercase names. Each
 * computes the new memory value from the old one {@code m} and the operand {@code x} at the
 * access width: {@code add sub and or xor} the usual wrapping arithmetic, {@code nand} {@code
 * ~(m & x)}, {@code xchg} {@code x}, {@code umin umax smin smax} the minimum or maximum read
 * unsigned or signed.
 */
public enum AtomicRmwOp {
    ADD, SUB, AND, NAND, OR, XOR, XCHG, UMIN, UMAX, SMIN, SMAX;

    private static final AtomicRmwOp[] VALUES = values();

    /** The name in the text format. */
    public final String text = name().toLowerCase(java.util.Locale.ROOT);

    public static AtomicRmwOp of(int ordinal) {
        return VALUES[ordinal];
    }

    /** The operation named {@code s}, or null. */
    public static AtomicRmwOp parse(String s) {
        for (AtomicRmwOp o : VALUES) if (o.text.equals(s)) return o;
        return null;
    }

    /** The new memory value from the old value {@code m} and operand {@code x}, both at {@code bits} (upper bits ignored). */
    public long apply(long m, long x, int bits) {
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        int shift = 64 - bits;
        return mask & switch (this) {
            case ADD -> m + x;
            case SUB -> m - x;
            case AND -> m & x;
            case NAND -> ~(m & x);
            case OR -> m | x;
            case XOR -> m ^ x;
            case XCHG -> x;
            case UMIN -> Long.compareUnsigned(m & mask, x & mask) <= 0 ? m : x;
            case UMAX -> Long.compareUnsigned(m & mask, x & mask) >= 0 ? m : x;
            case SMIN -> (m << shift) >> shift <= (x << shift) >> shift ? m : x;
            case SMAX -> (m << shift) >> shift >= (x << shift) >> shift ? m : x;
        };
    }
}
