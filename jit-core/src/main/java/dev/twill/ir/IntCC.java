package dev.twill.ir;

/** Integer condition codes of {@code icmp}, {@code icmp_imm} and {@code br_icmp}. */
public enum IntCC {
    EQ("eq"), NE("ne"),
    SLT("slt"), SGE("sge"), SGT("sgt"), SLE("sle"),
    ULT("ult"), UGE("uge"), UGT("ugt"), ULE("ule");

    public final String text;
    private static final IntCC[] VALUES = values();

    IntCC(String text) {
        this.text = text;
    }

    public static IntCC of(int ordinal) {
        return VALUES[ordinal];
    }

    public static IntCC parse(String s) {
        for (IntCC c : VALUES) if (c.text.equals(s)) return c;
        return null;
    }

    /** The condition that holds exactly when this one does not. */
    public IntCC inverse() {
        switch (this) {
            case EQ: return NE;
            case NE: return EQ;
            case SLT: return SGE;
            case SGE: return SLT;
            case SGT: return SLE;
            case SLE: return SGT;
            case ULT: return UGE;
            case UGE: return ULT;
            case UGT: return ULE;
            default: return UGT;
        }
    }

    /** The condition with operands swapped: {@code a cc b == b cc.swapped() a}. */
    public IntCC swapped() {
        switch (this) {
            case SLT: return SGT;
            case SGT: return SLT;
            case SGE: return SLE;
            case SLE: return SGE;
            case ULT: return UGT;
            case UGT: return ULT;
            case UGE: return ULE;
            case ULE: return UGE;
            default: return this;
        }
    }

    /** Evaluates the condition on two values already sign-extended to 64 bits from {@code bits}. */
    public boolean eval(long a, long b, int bits) {
        long mask = bits >= 64 ? -1L : (1L << bits) - 1;
        long ua = a & mask, ub = b & mask;
        long sa = bits >= 64 ? a : (a << (64 - bits)) >> (64 - bits);
        long sb = bits >= 64 ? b : (b << (64 - bits)) >> (64 - bits);
        switch (this) {
            case EQ: return ua == ub;
            case NE: return ua != ub;
            case SLT: return sa < sb;
            case SGE: return sa >= sb;
            case SGT: return sa > sb;
            case SLE: return sa <= sb;
            case ULT: return Long.compareUnsigned(ua, ub) < 0;
            case UGE: return Long.compareUnsigned(ua, ub) >= 0;
            case UGT: return Long.compareUnsigned(ua, ub) > 0;
            default: return Long.compareUnsigned(ua, ub) <= 0;
        }
    }
}
