package dev.twill.machinst;

/** Register classes and physical register numbering shared by back ends and allocators. */
public final class RegClass {
    private RegClass() {}

    public static final int INT = 0;
    public static final int FLOAT = 1;

    /**
     * Physical registers are numbered 0..63: 0..31 for the integer class (the ISA's own register
     * numbers), 32..63 for the float class (32 + the ISA's vector register number). So a set of
     * physical registers is one {@code long} bit mask.
     */
    public static final int FLOAT_BASE = 32;

    public static int classOf(int preg) {
        return preg >= FLOAT_BASE ? FLOAT : INT;
    }
}
