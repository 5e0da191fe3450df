package dev.twill.machinst;

/**
 * A register-allocator operand packed into one {@code long}: which virtual register, whether it
 * is read or written, when in the instruction, and what location it must get. Packing keeps
 * VCode's operand table a flat {@code long[]} the allocators scan without virtual calls
 * (regalloc2's design).
 *
 * <p>Layout (low to high):
 * <pre>
 *   bits  0-23  vreg number
 *   bits 24     kind: 0 use, 1 def
 *   bits 25     position: 0 early (before the instruction's effects), 1 late (after)
 *   bits 26-28  constraint: ANY, REG, FIXED_REG, REUSE, STACK
 *   bits 29     register class: 0 int, 1 float
 *   bits 32-39  fixed physical register (FIXED_REG) or index of the reused use operand (REUSE)
 * </pre>
 * Positions: a use is normally early and a def late, so a def may share a register with a use
 * that dies at the same instruction. An <i>early def</i> is written before all uses are read
 * (it must not share a register with any use); a <i>late use</i> is still live when the defs are
 * written (Graal's ALIVE). A REUSE def must be allocated to the same location as use operand
 * {@code k} of the same instruction (x86 two-address forms); that use must be a REG use that
 * dies here or the allocator inserts a copy. STACK asks for a spill slot; ANY accepts a
 * register or a spill slot.
 */
public final class Operand {
    private Operand() {}

    public static final int USE = 0, DEF = 1;
    public static final int EARLY = 0, LATE = 1;
    public static final int ANY = 0, REG = 1, FIXED_REG = 2, REUSE = 3, STACK = 4;

    public static final int MAX_VREGS = 1 << 24;

    private static long pack(int vreg, int kind, int pos, int constraint, int cls, int extra) {
        assert vreg >= 0 && vreg < MAX_VREGS;
        return (vreg & 0xFF_FFFFL) | ((long) kind << 24) | ((long) pos << 25) | ((long) constraint << 26)
                | ((long) cls << 29) | ((long) (extra & 0xFF) << 32);
    }

    /** A use read early, in any register of the class. */
    public static long regUse(int vreg, int cls) {
        return pack(vreg, USE, EARLY, REG, cls, 0);
    }

    /** A use read early, in a register or a spill slot. */
    public static long anyUse(int vreg, int cls) {
        return pack(vreg, USE, EARLY, ANY, cls, 0);
    }

    /** A use in physical register {@code preg}. */
    public static long fixedUse(int vreg, int cls, int preg) {
        return pack(vreg, USE, EARLY, FIXED_REG, cls, preg);
    }

    /** A use still live when the defs are written (must not share a register with any def). */
    public static long lateUse(int vreg, int cls) {
        return pack(vreg, USE, LATE, REG, cls, 0);
    }

    /** A def written late, in any register of the class. */
    public static long regDef(int vreg, int cls) {
        return pack(vreg, DEF, LATE, REG, cls, 0);
    }

    /** A def in physical register {@code preg}, written late. */
    public static long fixedDef(int vreg, int cls, int preg) {
        return pack(vreg, DEF, LATE, FIXED_REG, cls, preg);
    }

    /** A def written before the uses are read (its register differs from every use's). */
    public static long earlyDef(int vreg, int cls) {
        return pack(vreg, DEF, EARLY, REG, cls, 0);
    }

    /** A def that must land where use operand {@code useIndex} of the same instruction is. */
    public static long reuseDef(int vreg, int cls, int useIndex) {
        return pack(vreg, DEF, LATE, REUSE, cls, useIndex);
    }

    /** A def or use with a fully explicit description. */
    public static long of(int vreg, int kind, int pos, int constraint, int cls, int extra) {
        return pack(vreg, kind, pos, constraint, cls, extra);
    }

    public static int vreg(long op) {
        return (int) (op & 0xFF_FFFF);
    }

    public static int kind(long op) {
        return (int) (op >>> 24) & 1;
    }

    public static boolean isUse(long op) {
        return kind(op) == USE;
    }

    public static boolean isDef(long op) {
        return kind(op) == DEF;
    }

    public static int pos(long op) {
        return (int) (op >>> 25) & 1;
    }

    public static int constraint(long op) {
        return (int) (op >>> 26) & 7;
    }

    public static int regClass(long op) {
        return (int) (op >>> 29) & 1;
    }

    /** The fixed register of a FIXED_REG operand. */
    public static int fixedReg(long op) {
        return (int) (op >>> 32) & 0xFF;
    }

    /** The reused use operand's index of a REUSE def. */
    public static int reuseIndex(long op) {
        return (int) (op >>> 32) & 0xFF;
    }

    public static String toString(long op) {
        String c = switch (constraint(op)) {
            case ANY -> "any";
            case REG -> "reg";
            case FIXED_REG -> "p" + fixedReg(op);
            case REUSE -> "reuse(" + reuseIndex(op) + ")";
            default -> "stack";
        };
        return (isUse(op) ? "use" : "def") + (pos(op) == EARLY ? "@early " : "@late ") + "v" + vreg(op)
                + (regClass(op) == RegClass.FLOAT ? "f" : "") + ":" + c;
    }
}
