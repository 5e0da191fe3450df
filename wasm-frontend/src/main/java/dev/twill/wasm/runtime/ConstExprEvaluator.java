package dev.twill.wasm.runtime;

import dev.twill.wasm.binary.ConstExpr;

/**
 * Evaluates a validated constant expression (WebAssembly 2.0 §3.3.10, §4.5.3) at instantiation
 * to the raw bits of its value (the API's convention: i32 sign-extended, f32 bits zero-extended,
 * references as addresses or handles, null 0). The instructions allowed are {@code t.const},
 * {@code ref.null}, {@code ref.func}, {@code global.get} and WebAssembly 3.0's {@code i32/i64
 * add sub mul} (wrapping); the validator has checked the expression, so anything else here is
 * an internal error.
 */
public final class ConstExprEvaluator {
    private ConstExprEvaluator() {}

    /** Where {@code global.get} and {@code ref.func} look values up. */
    public interface Environment {
        /** The bits of global {@code index}. */
        long global(int index);

        /** The funcref (FuncRef record address) of function {@code index}. */
        long funcRef(int index);
    }

    public static long evaluate(ConstExpr e, Environment env) {
        byte[] c = e.code();
        int[] pos = {0};
        long[] stack = new long[c.length]; // at most one value per byte of code
        int sp = 0;
        long value;
        while (pos[0] < c.length) {
            int op = c[pos[0]++] & 0xFF;
            switch (op) {
                case 0x0B -> {
                    if (sp != 1) throw new IllegalStateException("constant expression at offset " + e.offset() + " leaves " + sp + " values");
                    return stack[0];
                }
                case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E -> {
                    long b = stack[--sp], a = stack[--sp];
                    long r = switch (op) {
                        case 0x6A, 0x7C -> a + b;
                        case 0x6B, 0x7D -> a - b;
                        default -> a * b;
                    };
                    value = op <= 0x6C ? (int) r : r; // i32 results wrap and stay sign-extended
                }
                case 0x41 -> value = (int) signed(c, pos, 32);
                case 0x42 -> value = signed(c, pos, 64);
                case 0x43 -> {
                    value = littleEndian(c, pos[0], 4);
                    pos[0] += 4;
                }
                case 0x44 -> {
                    value = littleEndian(c, pos[0], 8);
                    pos[0] += 8;
                }
                case 0xD0 -> {
                    pos[0]++; // reference type
                    value = 0;
                }
                case 0xD2 -> value = env.funcRef((int) unsigned(c, pos));
                case 0x23 -> value = env.global((int) unsigned(c, pos));
                default -> throw new IllegalStateException("opcode 0x" + Integer.toHexString(op)
                        + " in a constant expression at offset " + e.offset());
            }
            stack[sp++] = value;
        }
        throw new IllegalStateException("constant expression at offset " + e.offset() + " has no end");
    }

    private static long littleEndian(byte[] c, int at, int n) {
        long v = 0;
        for (int k = 0; k < n; k++) v |= (c[at + k] & 0xFFL) << (8 * k);
        return v;
    }

    private static long unsigned(byte[] c, int[] pos) {
        long v = 0;
        int shift = 0;
        while (true) {
            int b = c[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
            shift += 7;
        }
    }

    private static long signed(byte[] c, int[] pos, int bits) {
        long v = 0;
        int shift = 0;
        int b;
        do {
            b = c[pos[0]++];
            if (shift < 64) v |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) v |= -1L << shift;
        return v;
    }
}
