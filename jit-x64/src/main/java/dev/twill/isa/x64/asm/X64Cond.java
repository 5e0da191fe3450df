package dev.twill.isa.x64.asm;

/**
 * The 16 x86 condition codes, numbered as the low nibble of Jcc (0x70+cc, 0x0F 0x80+cc), SETcc
 * (0x0F 0x90+cc) and CMOVcc (0x0F 0x40+cc) encode them (Intel SDM vol. 1, appendix B). Flipping
 * bit 0 negates a condition, which {@link #invert} relies on.
 */
public final class X64Cond {
    private X64Cond() {}

    /** Overflow (OF=1). */
    public static final int O = 0;
    /** No overflow. */
    public static final int NO = 1;
    /** Below, unsigned less than (CF=1); also "carry". */
    public static final int B = 2;
    /** Above or equal, unsigned (CF=0). */
    public static final int AE = 3;
    /** Equal / zero (ZF=1). */
    public static final int E = 4;
    /** Not equal / not zero. */
    public static final int NE = 5;
    /** Below or equal, unsigned (CF=1 or ZF=1). */
    public static final int BE = 6;
    /** Above, unsigned (CF=0 and ZF=0). */
    public static final int A = 7;
    /** Sign (SF=1). */
    public static final int S = 8;
    /** No sign. */
    public static final int NS = 9;
    /** Parity even (PF=1); after ucomis*, "unordered". */
    public static final int P = 10;
    /** Parity odd; after ucomis*, "ordered". */
    public static final int NP = 11;
    /** Less, signed (SF != OF). */
    public static final int L = 12;
    /** Greater or equal, signed. */
    public static final int GE = 13;
    /** Less or equal, signed (ZF=1 or SF != OF). */
    public static final int LE = 14;
    /** Greater, signed. */
    public static final int G = 15;

    private static final String[] NAMES = {"o", "no", "b", "ae", "e", "ne", "be", "a",
        "s", "ns", "p", "np", "l", "ge", "le", "g"};

    /** The condition that holds exactly when {@code cc} does not. */
    public static int invert(int cc) {
        return cc ^ 1;
    }

    /** The mnemonic suffix, as in {@code j<name>}. */
    public static String name(int cc) {
        return NAMES[cc];
    }
}
