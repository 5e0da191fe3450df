package dev.twill.wasm.spectest;

import dev.twill.ir.TrapCode;

/**
 * The spec scripts' trap messages ({@code assert_trap (invoke ...) "integer divide by zero"})
 * against Twill's {@link TrapCode}s.
 *
 * <p>The reference interpreter's messages are finer than a machine trap: a {@code call_indirect}
 * whose index is past the table's end is "undefined element", while {@code table.get} past the
 * end is "out of bounds table access"; both are one bounds check in compiled code, so
 * {@code table_oob} answers to either (wasmtime makes the same choice). A null entry reached by
 * {@code call_indirect} is "uninitialized element", which is {@code null_reference}
 * ({@code icall_null}). Scripts sometimes append detail ("uninitialized element 2"), so a phrase
 * matches by prefix.
 */
public final class TrapPhrases {
    private TrapPhrases() {}

    /** The phrases a trap with {@code code} satisfies; empty for a code no script names. */
    public static String[] phrases(int code) {
        return switch (code) {
            case TrapCode.HEAP_OOB -> new String[] {"out of bounds memory access"};
            case TrapCode.TABLE_OOB -> new String[] {"out of bounds table access", "undefined element"};
            case TrapCode.INT_DIVZ -> new String[] {"integer divide by zero"};
            case TrapCode.INT_OVF -> new String[] {"integer overflow"};
            case TrapCode.BAD_TOINT -> new String[] {"invalid conversion to integer"};
            case TrapCode.BAD_SIG -> new String[] {"indirect call type mismatch"};
            case TrapCode.NULL_REFERENCE -> new String[] {"uninitialized element", "null reference", "null function reference"};
            case TrapCode.STK_OVF -> new String[] {"call stack exhausted"};
            case TrapCode.UNREACHABLE -> new String[] {"unreachable"};
            case TrapCode.INTERRUPT -> new String[] {"interrupt"};
            default -> new String[0];
        };
    }

    /** Whether a trap with {@code code} is what a script that expects {@code text} means. */
    public static boolean matches(int code, String text) {
        for (String p : phrases(code)) {
            if (text.startsWith(p)) return true;
        }
        return false;
    }
}
