package dev.twill.ir.text;

import java.math.BigInteger;

/**
 * Reads integer and float literals as CLIF writes them, to raw bits; the reading side of {@link
 * Printer#formatImm} and {@link FloatText}.
 *
 * <p>Integers: an optional sign, then decimal digits or {@code 0x} and hex digits, with {@code
 * _} separators anywhere after the first digit or prefix. A literal for an {@code n}-bit field
 * must fit as either a signed or an unsigned {@code n}-bit number ({@code -128 ..= 255} for 8
 * bits); the result is the two's complement bit pattern masked to {@code n} bits.
 *
 * <p>Floats, for a format of {@code w} exponent and {@code t} fraction bits: {@code [+-]0x
 * h.hhh p[+-]d} read exactly (a hex float that does not fit the format exactly is an error, as
 * in Cranelift), {@code [+-]Inf}, {@code [+-]NaN} (quiet, payload 0), {@code [+-]NaN:0xP} (quiet
 * with payload), {@code [+-]sNaN:0xP} (signalling, payload non-zero), and decimals {@code 1.5},
 * {@code -2.5e3} rounded to nearest (overflow to infinity is an error).
 *
 * <p>Bad literals throw {@link IllegalArgumentException} with a reason; callers turn it into a
 * {@link dev.twill.CompileError} at the literal's location.
 */
public final class Literals {
    private Literals() {}

    /** Parses an integer literal for a field of {@code bits} bits (8..64); see the class comment. */
    public static long parseInt(String s, int bits) {
        int n = s.length();
        int i = 0;
        boolean negative = false;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long mag = 0;
        int digits = 0;
        if (i + 1 < n && s.charAt(i) == '0' && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
            for (i += 2; i < n; i++) {
                char c = s.charAt(i);
                if (c == '_') continue;
                int d = Character.digit(c, 16);
                if (d < 0) throw new IllegalArgumentException("bad hex digit '" + c + "' in " + quote(s));
                if ((mag >>> 60) != 0) throw new IllegalArgumentException("integer " + quote(s) + " does not fit in 64 bits");
                mag = (mag << 4) | d;
                digits++;
            }
        } else {
            for (; i < n; i++) {
                char c = s.charAt(i);
                if (c == '_' && digits > 0) continue;
                if (c < '0' || c > '9') throw new IllegalArgumentException("bad digit '" + c + "' in integer " + quote(s));
                long times10 = mag * 10;
                if (Long.compareUnsigned(mag, 0x1999_9999_9999_9999L) > 0
                        || Long.compareUnsigned(times10 + (c - '0'), times10) < 0) {
                    throw new IllegalArgumentException("integer " + quote(s) + " does not fit in 64 bits");
                }
                mag = times10 + (c - '0');
                digits++;
            }
        }
        if (digits == 0) throw new IllegalArgumentException("expected digits in integer " + quote(s));
        long mask = bits >= 64 ? -1L : (1L << bits) - 1;
        if (negative) {
            // -mag must be >= -2^(bits-1), i.e. mag <= 2^(bits-1) as an unsigned number.
            if (Long.compareUnsigned(mag, 1L << (bits - 1)) > 0) {
                throw new IllegalArgumentException("integer " + quote(s) + " is out of range for " + bits + " bits");
            }
            return -mag & mask;
        }
        if (Long.compareUnsigned(mag, mask) > 0) {
            throw new IllegalArgumentException("integer " + quote(s) + " is out of range for " + bits + " bits");
        }
        return mag;
    }

    private static final java.math.BigInteger TWO_128 = java.math.BigInteger.ONE.shiftLeft(128);

    /**
     * An {@code i128} literal as {@code {low, high}} 64-bit halves: decimal or hex (with {@code _}
     * separators), optionally negative, in range for 128 bits read signed or unsigned (from
     * {@code -2^127} to {@code 2^128 - 1}), as Cranelift's run lines write them.
     */
    public static long[] parseInt128(String s) {
        String t = s.replace("_", "");
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) t = t.substring(1);
        java.math.BigInteger mag;
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) mag = new java.math.BigInteger(t.substring(2), 16);
            else mag = new java.math.BigInteger(t, 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad integer " + quote(s));
        }
        if (mag.signum() < 0 || t.isEmpty() || t.charAt(t.length() - 1) == '-') throw new IllegalArgumentException("bad integer " + quote(s));
        if (negative ? mag.compareTo(java.math.BigInteger.ONE.shiftLeft(127)) > 0 : mag.compareTo(TWO_128) >= 0) {
            throw new IllegalArgumentException("integer " + quote(s) + " is out of range for 128 bits");
        }
        java.math.BigInteger v = negative ? TWO_128.subtract(mag).mod(TWO_128) : mag;
        return new long[] {v.longValue(), v.shiftRight(64).longValue()};
    }

    /** Parses an f32 literal to its raw bits. */
    public static int parseF32(String s) {
        return (int) parseFloat(s, 8, 23);
    }

    /** Parses an f64 literal to its raw bits. */
    public static long parseF64(String s) {
        return parseFloat(s, 11, 52);
    }

    /** Parses a float of {@code w} exponent bits and {@code t} fraction bits to raw bits. */
    static long parseFloat(String s, int w, int t) {
        String name = t == 23 ? "f32" : "f64";
        int i = 0;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        long sign = negative ? 1L << (w + t) : 0;
        long expAllOnes = ((1L << w) - 1) << t;
        long quiet = 1L << (t - 1);
        String r = s.substring(i);
        if (r.equals("Inf")) return sign | expAllOnes;
        if (r.equals("NaN")) return sign | expAllOnes | quiet;
        if (r.startsWith("NaN:") || r.startsWith("sNaN:")) {
            boolean signalling = r.charAt(0) == 's';
            String p = r.substring(signalling ? 5 : 4);
            if (!(p.startsWith("0x") || p.startsWith("0X"))) {
                throw new IllegalArgumentException("NaN payload must be hexadecimal in " + quote(s));
            }
            long payload = parseInt(p, 64);
            if (Long.compareUnsigned(payload, quiet) >= 0) {
                throw new IllegalArgumentException("NaN payload of " + quote(s) + " does not fit in " + (t - 1) + " bits");
            }
            if (signalling && payload == 0) {
                throw new IllegalArgumentException("signalling NaN needs a non-zero payload: " + quote(s));
            }
            return sign | expAllOnes | (signalling ? 0 : quiet) | payload;
        }
        if (r.startsWith("0x") || r.startsWith("0X")) return sign | parseHexFloat(s, r, w, t, name);
        return parseDecimal(s, r, negative, t == 23);
    }

    /** Reads {@code h[.h][p[+-]d]} (after the 0x) exactly; {@code s} is the whole literal for messages. */
    private static long parseHexFloat(String s, String r, int w, int t, String name) {
        int n = r.length();
        int i = 2;
        StringBuilder digits = new StringBuilder();
        int fracDigits = 0;
        boolean dot = false;
        for (; i < n; i++) {
            char c = r.charAt(i);
            if (c == '_') continue;
            if (c == '.') {
                if (dot) throw new IllegalArgumentException("two '.' in " + quote(s));
                dot = true;
                continue;
            }
            if (c == 'p' || c == 'P') break;
            if (Character.digit(c, 16) < 0) throw new IllegalArgumentException("bad hex digit '" + c + "' in " + quote(s));
            digits.append(c);
            if (dot) fracDigits++;
        }
        if (digits.length() == 0) throw new IllegalArgumentException("expected hex digits in " + quote(s));
        long exp = 0;
        if (i < n) {
            String e = r.substring(i + 1);
            if (!e.matches("[+-]?[0-9]{1,9}")) throw new IllegalArgumentException("bad exponent in " + quote(s));
            exp = Long.parseLong(e.startsWith("+") ? e.substring(1) : e);
        }
        BigInteger m = new BigInteger(digits.toString(), 16);
        if (m.signum() == 0) return 0;
        // value = m * 2^e2 with m odd
        long e2 = exp - 4L * fracDigits;
        int tz = m.getLowestSetBit();
        m = m.shiftRight(tz);
        e2 += tz;
        int bitsM = m.bitLength();
        long top = e2 + bitsM - 1;
        int bias = (1 << (w - 1)) - 1;
        long emin = 1 - bias;
        if (top > bias) throw new IllegalArgumentException(quote(s) + " is too large for " + name);
        if (top >= emin) {
            if (bitsM > t + 1) throw new IllegalArgumentException(quote(s) + " is not exactly representable as " + name);
            long frac = m.longValue() << (t + 1 - bitsM);
            frac &= (1L << t) - 1;
            return ((top + bias) << t) | frac;
        }
        long unit = emin - t;
        if (e2 < unit) throw new IllegalArgumentException(quote(s) + " is not exactly representable as " + name);
        return m.longValue() << (e2 - unit);
    }

    private static long parseDecimal(String s, String r, boolean negative, boolean f32) {
        // Validate the CLIF decimal form ourselves: Java's parsers accept more ("1f", "Infinity").
        int n = r.length();
        int i = 0;
        int intDigits = 0, fracDigits = 0;
        while (i < n && Lexer.isDigit(r.charAt(i))) {
            i++;
            intDigits++;
        }
        if (i < n && r.charAt(i) == '.') {
            i++;
            while (i < n && Lexer.isDigit(r.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        if (intDigits + fracDigits == 0) throw new IllegalArgumentException("bad float literal " + quote(s));
        if (i < n && (r.charAt(i) == 'e' || r.charAt(i) == 'E')) {
            i++;
            if (i < n && (r.charAt(i) == '+' || r.charAt(i) == '-')) i++;
            int expDigits = 0;
            while (i < n && Lexer.isDigit(r.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) throw new IllegalArgumentException("bad exponent in " + quote(s));
        }
        if (i != n) throw new IllegalArgumentException("bad float literal " + quote(s));
        String text = negative ? "-" + r : r;
        if (f32) {
            float v = Float.parseFloat(text);
            if (Float.isInfinite(v)) throw new IllegalArgumentException(quote(s) + " is too large for f32");
            return Float.floatToRawIntBits(v) & 0xFFFF_FFFFL;
        }
        double v = Double.parseDouble(text);
        if (Double.isInfinite(v)) throw new IllegalArgumentException(quote(s) + " is too large for f64");
        return Double.doubleToRawLongBits(v);
    }

    private static String quote(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
}
