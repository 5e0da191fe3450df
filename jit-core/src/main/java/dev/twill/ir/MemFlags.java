package dev.twill.ir;

/**
 * Flags of memory-level loads and stores, as bits of an int. They are promises by the producer
 * that optimizations may rely on, never facts the compiler invents:
 * <ul>
 *   <li>{@code notrap}: the address is valid, so the access cannot trap;
 *   <li>{@code aligned}: the address is a multiple of the access size;
 *   <li>{@code readonly}: the memory does not change while the function runs.
 * </ul>
 */
public final class MemFlags {
    private MemFlags() {}

    public static final int NONE = 0;
    public static final int NOTRAP = 1;
    public static final int ALIGNED = 2;
    public static final int READONLY = 4;
    /** Explicit little-endian access (CLIF's {@code little}), the default byte order. */
    public static final int LITTLE = 8;

    /** Big-endian access (CLIF's {@code big}): the bytes are swapped relative to the default little-endian order. */
    public static final int BIG = 16;
    private static final String[] NAMES = {"notrap", "aligned", "readonly", "little", "big"};

    /** The bit of a flag name, or 0 if {@code s} is not one. */
    public static int parse(String s) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(s)) return 1 << i;
        return 0;
    }

    /** Appends " flag" for each flag set, in canonical order. */
    public static void print(int flags, StringBuilder sb) {
        for (int i = 0; i < NAMES.length; i++) if ((flags & (1 << i)) != 0) sb.append(' ').append(NAMES[i]);
    }
}
