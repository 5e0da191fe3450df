package dev.twill.ir;

/**
 * Float condition codes of {@code fcmp}, named as in CLIF. Ordered conditions are false when
 * either operand is NaN; the {@code u*} conditions are true then.
 */
public enum FloatCC {
    ORD("ord"), UNO("uno"),
    EQ("eq"), NE("ne"), ONE("one"), UEQ("ueq"),
    LT("lt"), LE("le"), GT("gt"), GE("ge"),
    ULT("ult"), ULE("ule"), UGT("ugt"), UGE("uge");

    public final String text;
    private static final FloatCC[] VALUES = values();

    FloatCC(String text) {
        this.text = text;
    }

    public static FloatCC of(int ordinal) {
        return VALUES[ordinal];
    }

    public static FloatCC parse(String s) {
        for (FloatCC c : VALUES) if (c.text.equals(s)) return c;
        return null;
    }

    public boolean eval(double a, double b) {
        boolean uno = Double.isNaN(a) || Double.isNaN(b);
        switch (this) {
            case ORD: return !uno;
            case UNO: return uno;
            case EQ: return a == b;
            case NE: return uno || a != b;
            case ONE: return !uno && a != b;
            case UEQ: return uno || a == b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            case GE: return a >= b;
            case ULT: return uno || a < b;
            case ULE: return uno || a <= b;
            case UGT: return uno || a > b;
            default: return uno || a >= b;
        }
    }
}
