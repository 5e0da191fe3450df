package dev.twill.machinst;

/**
 * Where the allocator put an operand or a value, as an int: a physical register 0..63 (see
 * {@link RegClass}), or a spill slot {@code SLOT_BASE + n}. Spill slots are 8 bytes each; the
 * frame layout decides where they live.
 */
public final class Allocation {
    private Allocation() {}

    public static final int NONE = -1;
    public static final int SLOT_BASE = 1 << 16;

    public static int reg(int preg) {
        return preg;
    }

    public static int slot(int n) {
        return SLOT_BASE + n;
    }

    public static boolean isReg(int a) {
        return a >= 0 && a < SLOT_BASE;
    }

    public static boolean isSlot(int a) {
        return a >= SLOT_BASE;
    }

    public static int slotIndex(int a) {
        return a - SLOT_BASE;
    }

    public static String toString(int a) {
        if (a == NONE) return "none";
        return isSlot(a) ? "slot" + slotIndex(a) : (a >= RegClass.FLOAT_BASE ? "f" + (a - RegClass.FLOAT_BASE) : "r" + a);
    }
}
