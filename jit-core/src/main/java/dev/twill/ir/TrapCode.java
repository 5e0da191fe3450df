package dev.twill.ir;

/**
 * Trap codes, as ints. Codes 0..{@link #INTERRUPT} are the built-in ones; {@code user(N)} is
 * {@code USER_BASE + N} for N in 0..65535.
 *
 * <p>Text: the built-in names below; a user code prints as {@code user(N)} and also parses as
 * CLIF's {@code userN}. {@code icall_null} parses as {@link #NULL_REFERENCE}.
 */
public final class TrapCode {
    private TrapCode() {}

    public static final int HEAP_OOB = 0;
    public static final int TABLE_OOB = 1;
    public static final int INT_DIVZ = 2;
    public static final int INT_OVF = 3;
    public static final int BAD_TOINT = 4;
    public static final int BAD_SIG = 5;
    public static final int NULL_REFERENCE = 6;
    public static final int STK_OVF = 7;
    public static final int UNREACHABLE = 8;
    public static final int INTERRUPT = 9;
    public static final int USER_BASE = 16;
    public static final int USER_MAX = 0xFFFF;

    private static final String[] NAMES = {
        "heap_oob", "table_oob", "int_divz", "int_ovf", "bad_toint",
        "bad_sig", "null_reference", "stk_ovf", "unreachable", "interrupt",
    };

    public static int user(int n) {
        if (n < 0 || n > USER_MAX) throw new IllegalArgumentException("user trap code out of range: " + n);
        return USER_BASE + n;
    }

    public static boolean isValid(int code) {
        return (code >= 0 && code < NAMES.length) || (code >= USER_BASE && code <= USER_BASE + USER_MAX);
    }

    public static String name(int code) {
        if (code >= 0 && code < NAMES.length) return NAMES[code];
        if (code >= USER_BASE && code <= USER_BASE + USER_MAX) return "user(" + (code - USER_BASE) + ")";
        return "trapcode" + code;
    }

    /** Parses a trap code name; returns -1 if it is not one. */
    public static int parse(String s) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(s)) return i;
        if (s.equals("icall_null")) return NULL_REFERENCE;
        String digits = null;
        if (s.startsWith("user(") && s.endsWith(")")) digits = s.substring(5, s.length() - 1);
        else if (s.startsWith("user")) digits = s.substring(4);
        if (digits != null && !digits.isEmpty() && digits.length() <= 5 && digits.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(digits);
            if (n <= USER_MAX) return USER_BASE + n;
        }
        return -1;
    }
}
