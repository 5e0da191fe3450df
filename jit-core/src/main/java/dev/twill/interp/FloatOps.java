package dev.twill.interp;

import dev.twill.ir.FloatCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;

/**
 * Float instruction semantics and the conversions that touch floats, as pure functions on raw
 * bits ({@code f32}: its bits in the low 32 of a {@code long}; {@code f64}: its bits).
 *
 * <p>Arithmetic is IEEE 754 binary32/binary64 with round-to-nearest-even, which is what Java's
 * {@code float} and {@code double} operators compute (JLS 15.4); {@code f32} arithmetic is done in
 * {@code float}, never in {@code double}, except for {@code sqrt}, where rounding the exact
 * double square root to float is correctly rounded because 53 >= 2 * 24 + 2 (Figueroa, "When is
 * double rounding innocuous?", 1995).
 *
 * <p>NaN results are deterministic so the oracle can be compared bit for bit: if an input is NaN
 * the result is the first NaN input, quieted (quiet bit set, payload and sign kept); otherwise a
 * NaN result is the canonical positive quiet NaN. {@code fneg fabs fcopysign} only move the
 * sign bit. {@code fpromote}/{@code fdemote} of a NaN keep the payload's top bits, as x86-64
 * and AArch64 do. Inputs are never NaN-tested through Java floats, only by their bits, because
 * the JVM may quiet a signalling NaN when it moves one through a float register.
 */
public final class FloatOps {
    private FloatOps() {}

    public static final long CANONICAL_NAN32 = 0x7fc0_0000L;
    public static final long CANONICAL_NAN64 = 0x7ff8_0000_0000_0000L;
    private static final long QUIET32 = 0x0040_0000L;
    private static final long QUIET64 = 0x0008_0000_0000_0000L;
    private static final long SIGN32 = 0x8000_0000L;
    private static final long SIGN64 = 0x8000_0000_0000_0000L;
    private static final double TWO_63 = 0x1p63;

    public static boolean isNaN(int type, long bits) {
        return type == Type.F32
                ? (bits & 0x7FFF_FFFFL) > 0x7F80_0000L
                : (bits & 0x7FFF_FFFF_FFFF_FFFFL) > 0x7FF0_0000_0000_0000L;
    }

    /** The NaN an operation returns: the first NaN input quieted, else the canonical NaN. */
    private static long nanResult(int type, long a, long b, boolean binary) {
        if (type == Type.F32) {
            if (isNaN(type, a)) return a | QUIET32;
            if (binary && isNaN(type, b)) return b | QUIET32;
            return CANONICAL_NAN32;
        }
        if (isNaN(type, a)) return a | QUIET64;
        if (binary && isNaN(type, b)) return b | QUIET64;
        return CANONICAL_NAN64;
    }

    private static float f32(long bits) {
        return Float.intBitsToFloat((int) bits);
    }

    private static long bits32(float f) {
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }

    private static double f64(long bits) {
        return Double.longBitsToDouble(bits);
    }

    private static long bits64(double d) {
        return Double.doubleToRawLongBits(d);
    }

    /** The value of a float as a double (exact for f32). */
    public static double toDouble(int type, long bits) {
        return type == Type.F32 ? (double) f32(bits) : f64(bits);
    }

    /** {@code fadd fsub fmul fdiv fmin fmax fcopysign}. */
    public static long binary(Opcode op, int type, long a, long b) {
        boolean single = type == Type.F32;
        long sign = single ? SIGN32 : SIGN64;
        switch (op) {
            case FCOPYSIGN: return (a & ~sign) | (b & sign);
            case FMIN: case FMAX: {
                if (isNaN(type, a) || isNaN(type, b)) return nanResult(type, a, b, true);
                double x = toDouble(type, a), y = toDouble(type, b);
                if (x < y) return op == Opcode.FMIN ? a : b;
                if (y < x) return op == Opcode.FMIN ? b : a;
                // equal: only +0.0 and -0.0 differ in bits, and min takes the negative one
                return op == Opcode.FMIN ? a | b : a & b;
            }
            default:
        }
        if (single) {
            float x = f32(a), y = f32(b), r;
            switch (op) {
                case FADD: r = x + y; break;
                case FSUB: r = x - y; break;
                case FMUL: r = x * y; break;
                case FDIV: r = x / y; break;
                default: throw new IllegalArgumentException("not a binary float opcode: " + op);
            }
            return r != r ? nanResult(type, a, b, true) : bits32(r);
        }
        double x = f64(a), y = f64(b), r;
        switch (op) {
            case FADD: r = x + y; break;
            case FSUB: r = x - y; break;
            case FMUL: r = x * y; break;
            case FDIV: r = x / y; break;
            default: throw new IllegalArgumentException("not a binary float opcode: " + op);
        }
        return r != r ? nanResult(type, a, b, true) : bits64(r);
    }

    /** {@code fma}: {@code a * b + c} rounded once. */
    public static long fma(int type, long a, long b, long c) {
        if (type == Type.F32) {
            float r = Math.fma(f32(a), f32(b), f32(c));
            return r != r ? CANONICAL_NAN32 : bits32(r);
        }
        double r = Math.fma(f64(a), f64(b), f64(c));
        return r != r ? CANONICAL_NAN64 : bits64(r);
    }

    /** {@code sqrt fneg fabs ceil floor trunc nearest}. */
    public static long unary(Opcode op, int type, long a) {
        boolean single = type == Type.F32;
        long sign = single ? SIGN32 : SIGN64;
        switch (op) {
            case FNEG: return a ^ sign;
            case FABS: return a & ~sign;
            default:
        }
        if (isNaN(type, a)) return nanResult(type, a, 0, false);
        double x = toDouble(type, a), r;
        switch (op) {
            case SQRT: r = Math.sqrt(x); break;
            case CEIL: r = Math.ceil(x); break;
            case FLOOR: r = Math.floor(x); break;
            // floor/ceil toward zero keep the sign of zero: trunc(-0.5) is -0.0
            case TRUNC: r = x < 0 ? Math.ceil(x) : Math.floor(x); break;
            case NEAREST: r = Math.rint(x); break;
            default: throw new IllegalArgumentException("not a unary float opcode: " + op);
        }
        if (r != r) return single ? CANONICAL_NAN32 : CANONICAL_NAN64;
        // the rounding functions of a float are floats, and sqrt rounds correctly (see above)
        return single ? bits32((float) r) : bits64(r);
    }

    /** {@code fcmp}: 1 if the condition holds, else 0. */
    public static long compare(FloatCC cc, int type, long a, long b) {
        return cc.eval(toDouble(type, a), toDouble(type, b)) ? 1 : 0;
    }

    /**
     * The non-trapping conversions that touch floats: {@code fpromote fdemote fcvt_from_sint
     * fcvt_from_uint fcvt_to_sint_sat fcvt_to_uint_sat}, and the trapping {@code fcvt_to_sint
     * fcvt_to_uint} when {@link #toIntTrap} says they do not trap. {@code to} is the result type,
     * {@code from} the argument's.
     */
    public static long convert(Opcode op, int to, int from, long a) {
        switch (op) {
            case FPROMOTE:
                if (isNaN(Type.F32, a)) {
                    return ((a & SIGN32) << 32) | 0x7FF0_0000_0000_0000L | ((a & 0x7F_FFFFL) << 29) | QUIET64;
                }
                return bits64(f32(a));
            case FDEMOTE:
                if (isNaN(Type.F64, a)) {
                    return ((a >>> 32) & SIGN32) | 0x7F80_0000L | ((a & 0xF_FFFF_FFFF_FFFFL) >>> 29) | QUIET32;
                }
                return bits32((float) f64(a));
            case FCVT_FROM_SINT: {
                long x = IntOps.sext(a, Type.laneBits(from));
                // long to float/double is a single IEEE rounding (JLS 5.1.2), no double rounding
                return to == Type.F32 ? bits32((float) x) : bits64((double) x);
            }
            case FCVT_FROM_UINT: return fromUnsigned(to, a);
            case FCVT_TO_SINT: case FCVT_TO_SINT_SAT: return toSigned(to, from, a);
            case FCVT_TO_UINT: case FCVT_TO_UINT_SAT: return toUnsigned(to, from, a);
            default: throw new IllegalArgumentException("not a float conversion: " + op);
        }
    }

    /**
     * Unsigned 64-bit to float. Java converts only signed longs, so a value with the top bit set
     * is halved first, keeping the shifted-out bit as a sticky bit so the one rounding of the
     * halved value matches the rounding of the original, then doubled (exactly).
     */
    private static long fromUnsigned(int to, long x) {
        if (x >= 0) return to == Type.F32 ? bits32((float) x) : bits64((double) x);
        long half = (x >>> 1) | (x & 1);
        return to == Type.F32 ? bits32((float) half * 2f) : bits64((double) half * 2.0);
    }

    /**
     * The trap {@code fcvt_to_sint}/{@code fcvt_to_uint} raise, or -1: {@code bad_toint} for NaN,
     * {@code int_ovf} when the value truncated toward zero does not fit {@code to}.
     */
    public static int toIntTrap(Opcode op, int to, int from, long a) {
        if (isNaN(from, a)) return TrapCode.BAD_TOINT;
        double x = toDouble(from, a);
        int bits = Type.laneBits(to);
        boolean fits;
        if (op == Opcode.FCVT_TO_SINT) {
            // in range iff -2^(N-1) - 1 < x < 2^(N-1); for N = 64 the lower bound is not a double
            // and the nearest doubles above it are >= -2^63
            double hi = Math.scalb(1.0, bits - 1);
            fits = x < hi && (bits == 64 ? x >= -hi : x > -hi - 1.0);
        } else {
            fits = x > -1.0 && x < Math.scalb(1.0, bits);
        }
        return fits ? -1 : TrapCode.INT_OVF;
    }

    /** Truncates toward zero, saturating at the bounds of {@code to}; NaN gives 0. */
    private static long toSigned(int to, int from, long a) {
        if (isNaN(from, a)) return 0;
        double x = toDouble(from, a);
        int bits = Type.laneBits(to);
        double hi = Math.scalb(1.0, bits - 1);
        long r;
        if (x >= hi) r = Long.MAX_VALUE >>> (64 - bits);
        else if (x < -hi) r = Long.MIN_VALUE >> (64 - bits);
        else r = (long) x;
        return r & Type.mask(to);
    }

    /** Truncates toward zero, saturating at 0 and 2^N - 1; NaN gives 0. */
    private static long toUnsigned(int to, int from, long a) {
        if (isNaN(from, a)) return 0;
        double x = toDouble(from, a);
        int bits = Type.laneBits(to);
        if (x < 1.0) return 0;
        if (x >= Math.scalb(1.0, bits)) return Type.mask(to);
        // x - 2^63 is exact for x in [2^63, 2^64)
        if (x >= TWO_63) return (long) (x - TWO_63) ^ Long.MIN_VALUE;
        return (long) x;
    }
}
