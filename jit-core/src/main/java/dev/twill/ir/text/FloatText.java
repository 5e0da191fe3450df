package dev.twill.ir.text;

/**
 * The text form of float immediates, as CLIF writes them: exact hexadecimal significands
 * ({@code 0x1.800000p1}), {@code 0.0}, {@code -0.0}, subnormals as {@code 0x0.xxxp-126},
 * {@code +Inf}, {@code -Inf}, {@code +NaN}, {@code +NaN:0x1} (quiet with payload) and {@code
 * +sNaN:0x1} (signalling). Exact, so every bit pattern round-trips.
 */
public final class FloatText {
    private FloatText() {}

    public static String formatF32(int bits) {
        return format(bits & 0xFFFF_FFFFL, 8, 23);
    }

    public static String formatF64(long bits) {
        return format(bits, 11, 52);
    }

    /** Formats a float of {@code w} exponent bits and {@code t} trailing significand bits. */
    static String format(long bits, int w, int t) {
        long maxE = (1L << w) - 1;
        long tBits = bits & ((1L << t) - 1);
        long eBits = (bits >>> t) & maxE;
        boolean negative = ((bits >>> (w + t)) & 1) != 0;
        int bias = (1 << (w - 1)) - 1;
        int digits = (t + 3) / 4;
        long leftT = tBits << (4 * digits - t);
        StringBuilder sb = new StringBuilder();
        if (negative) sb.append('-');
        if (eBits == 0) {
            if (tBits == 0) sb.append("0.0");
            else sb.append("0x0.").append(hex(leftT, digits)).append('p').append(1 - bias);
        } else if (eBits == maxE) {
            if (!negative) sb.append('+');
            if (tBits == 0) {
                sb.append("Inf");
            } else {
                long payload = tBits & ((1L << (t - 1)) - 1);
                if ((tBits & (1L << (t - 1))) != 0) {
                    sb.append("NaN");
                    if (payload != 0) sb.append(":0x").append(Long.toHexString(payload));
                } else {
                    sb.append("sNaN:0x").append(Long.toHexString(payload));
                }
            }
        } else {
            sb.append("0x1.").append(hex(leftT, digits)).append('p').append(eBits - bias);
        }
        return sb.toString();
    }

    private static String hex(long v, int digits) {
        String h = Long.toHexString(v);
        StringBuilder sb = new StringBuilder(digits);
        for (int i = h.length(); i < digits; i++) sb.append('0');
        return sb.append(h).toString();
    }
}
