package dev.twill.interp;

import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.TrapCode;
import java.math.BigInteger;

/**
 * {@code i128} semantics for the interpreter, the oracle narrowed native code is tested against.
 *
 * <p>Representation: a value is a {@link BigInteger} in {@code [0, 2^128)} (the unsigned reading
 * of its bits); signed operations read it through {@link #signed}. Exact arbitrary-precision
 * arithmetic followed by {@link #wrap} makes every rule of {@link Opcode} ("modulo 2^128",
 * "the exact result fits") a one-liner, which is the point: this code is the reference, so it
 * says what the result is rather than how a machine would get it. It allocates and is slow,
 * which is fine off the hot path: only instructions that touch an {@code i128} come here.
 */
final class WideOps {
    private WideOps() {}

    static final int BITS = 128;
    static final BigInteger MOD = BigInteger.ONE.shiftLeft(BITS);
    static final BigInteger MASK = MOD.subtract(BigInteger.ONE);
    private static final BigInteger MASK64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigInteger SIGN = BigInteger.ONE.shiftLeft(BITS - 1);

    /** The value of halves {@code lo, hi}. */
    static BigInteger of(long lo, long hi) {
        return unsigned(hi).shiftLeft(64).or(unsigned(lo));
    }

    static BigInteger unsigned(long v) {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).and(MASK64);
    }

    static long lo(BigInteger v) {
        return v.longValue();
    }

    static long hi(BigInteger v) {
        return v.shiftRight(64).longValue();
    }

    /** {@code v} modulo 2^bits, in {@code [0, 2^bits)}. */
    static BigInteger wrap(BigInteger v, int bits) {
        return v.and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
    }

    static BigInteger wrap(BigInteger v) {
        return v.and(MASK);
    }

    /** The signed reading of an unsigned value of {@code bits} bits. */
    static BigInteger signed(BigInteger v, int bits) {
        return v.testBit(bits - 1) ? v.subtract(BigInteger.ONE.shiftLeft(bits)) : v;
    }

    static BigInteger signed(BigInteger v) {
        return signed(v, BITS);
    }

    /** {@code udiv sdiv urem srem} of i128: the trap code, or -1 if it does not trap. */
    static int divTrap(Opcode op, BigInteger a, BigInteger b) {
        if (b.signum() == 0) return TrapCode.INT_DIVZ;
        if ((op == Opcode.SDIV || op == Opcode.SDIV_IMM) && a.equals(SIGN) && b.equals(MASK)) return TrapCode.INT_OVF;
        return -1;
    }

    /** A binary operation at i128; {@code b} is the shift amount for shifts (any integer, taken modulo 128). */
    static BigInteger binary(Opcode op, BigInteger a, BigInteger b) {
        switch (op) {
            case IADD: case IADD_IMM: return wrap(a.add(b));
            case ISUB: return wrap(a.subtract(b));
            case IRSUB_IMM: return wrap(b.subtract(a));
            case IMUL: case IMUL_IMM: return wrap(a.multiply(b));
            case UMULHI: return a.multiply(b).shiftRight(BITS);
            case SMULHI: return wrap(signed(a).multiply(signed(b)).shiftRight(BITS));
            case UDIV: case UDIV_IMM: return a.divide(b);
            case UREM: case UREM_IMM: return a.mod(b);
            // BigInteger division truncates toward zero and the remainder takes the dividend's sign, as in CLIF
            case SDIV: case SDIV_IMM: return wrap(signed(a).divide(signed(b)));
            case SREM: case SREM_IMM: return wrap(signed(a).remainder(signed(b)));
            case SMIN: return signed(a).compareTo(signed(b)) <= 0 ? a : b;
            case SMAX: return signed(a).compareTo(signed(b)) >= 0 ? a : b;
            case UMIN: return a.compareTo(b) <= 0 ? a : b;
            case UMAX: return a.compareTo(b) >= 0 ? a : b;
            case BAND: case BAND_IMM: return a.and(b);
            case BOR: case BOR_IMM: return a.or(b);
            case BXOR: case BXOR_IMM: return a.xor(b);
            case BAND_NOT: return a.and(b.xor(MASK));
            case BOR_NOT: return a.or(b.xor(MASK));
            case BXOR_NOT: return a.xor(b.xor(MASK));
            case ISHL: case ISHL_IMM: return wrap(a.shiftLeft(amount(b)));
            case USHR: case USHR_IMM: return a.shiftRight(amount(b));
            case SSHR: case SSHR_IMM: return wrap(signed(a).shiftRight(amount(b)));
            case ROTL: case ROTL_IMM: return rotl(a, amount(b));
            case ROTR: case ROTR_IMM: return rotl(a, (BITS - amount(b)) % BITS);
            default: throw new IllegalArgumentException(op.text + " is not a binary i128 operation");
        }
    }

    private static int amount(BigInteger b) {
        return b.intValue() & (BITS - 1);
    }

    private static BigInteger rotl(BigInteger a, int s) {
        return s == 0 ? a : wrap(a.shiftLeft(s)).or(a.shiftRight(BITS - s));
    }

    static BigInteger unary(Opcode op, BigInteger a) {
        switch (op) {
            case INEG: return wrap(a.negate());
            case IABS: return wrap(signed(a).abs());
            case BNOT: return a.xor(MASK);
            case CLZ: return BigInteger.valueOf(BITS - a.bitLength());
            case CTZ: return BigInteger.valueOf(a.signum() == 0 ? BITS : a.getLowestSetBit());
            case POPCNT: return BigInteger.valueOf(a.bitCount());
            case CLS: {
                // leading bits after the sign bit that equal it: of x ^ (x >> 1), the leading zeros less one
                BigInteger s = signed(a);
                BigInteger same = s.signum() < 0 ? s.not() : s;
                return BigInteger.valueOf(BITS - 1 - same.bitLength());
            }
            case BSWAP: {
                BigInteger r = BigInteger.ZERO;
                for (int k = 0; k < 16; k++) r = r.shiftLeft(8).or(a.shiftRight(8 * k).and(BigInteger.valueOf(0xFF)));
                return r;
            }
            case BITREV: {
                BigInteger r = BigInteger.ZERO;
                for (int k = 0; k < BITS; k++) if (a.testBit(k)) r = r.setBit(BITS - 1 - k);
                return r;
            }
            default: throw new IllegalArgumentException(op.text + " is not a unary i128 operation");
        }
    }

    /** An integer comparison of two values of {@code bits} bits (unsigned readings). */
    static boolean compare(IntCC cc, BigInteger a, BigInteger b, int bits) {
        switch (cc) {
            case EQ: return a.equals(b);
            case NE: return !a.equals(b);
            case SLT: return signed(a, bits).compareTo(signed(b, bits)) < 0;
            case SGE: return signed(a, bits).compareTo(signed(b, bits)) >= 0;
            case SGT: return signed(a, bits).compareTo(signed(b, bits)) > 0;
            case SLE: return signed(a, bits).compareTo(signed(b, bits)) <= 0;
            case ULT: return a.compareTo(b) < 0;
            case UGE: return a.compareTo(b) >= 0;
            case UGT: return a.compareTo(b) > 0;
            default: return a.compareTo(b) <= 0;
        }
    }

    /**
     * The overflow-flag family at i128: the exact result of {@code a op b} (with carry or borrow
     * {@code c}), from which the caller takes the wrapped value and whether it fits.
     */
    static BigInteger exact(Opcode op, BigInteger a, BigInteger b, long c, boolean signedRead) {
        BigInteger x = signedRead ? signed(a) : a, y = signedRead ? signed(b) : b;
        BigInteger cin = BigInteger.valueOf(c);
        switch (op) {
            case UADD_OVERFLOW: case SADD_OVERFLOW: case UADD_OVERFLOW_TRAP: return x.add(y);
            case UADD_OVERFLOW_CIN: case SADD_OVERFLOW_CIN: return x.add(y).add(cin);
            case USUB_OVERFLOW: case SSUB_OVERFLOW: return x.subtract(y);
            case USUB_OVERFLOW_BIN: case SSUB_OVERFLOW_BIN: return x.subtract(y).subtract(cin);
            case UMUL_OVERFLOW: case SMUL_OVERFLOW: return x.multiply(y);
            default: throw new IllegalArgumentException(op.text + " has no overflow flag");
        }
    }

    static boolean isSignedFlagOp(Opcode op) {
        switch (op) {
            case SADD_OVERFLOW: case SSUB_OVERFLOW: case SMUL_OVERFLOW: case SADD_OVERFLOW_CIN: case SSUB_OVERFLOW_BIN: return true;
            default: return false;
        }
    }

    /**
     * {@code fcvt_to_sint fcvt_to_uint} (and {@code _sat}) from the float {@code x} to i128:
     * the truncated value, or null if the plain form traps; {@code trap[0]} gets the code.
     */
    static BigInteger fromFloat(Opcode op, double x, int[] trap) {
        boolean signedTo = op == Opcode.FCVT_TO_SINT || op == Opcode.FCVT_TO_SINT_SAT;
        boolean sat = op == Opcode.FCVT_TO_SINT_SAT || op == Opcode.FCVT_TO_UINT_SAT;
        BigInteger lowest = signedTo ? SIGN.negate() : BigInteger.ZERO;
        BigInteger highest = signedTo ? SIGN.subtract(BigInteger.ONE) : MASK;
        if (Double.isNaN(x)) {
            if (sat) return BigInteger.ZERO;
            trap[0] = TrapCode.BAD_TOINT;
            return null;
        }
        BigInteger t;
        if (Double.isInfinite(x)) t = x > 0 ? MOD : MOD.negate();
        else t = new java.math.BigDecimal(x).toBigInteger(); // truncates toward zero
        if (t.compareTo(lowest) < 0 || t.compareTo(highest) > 0) {
            if (sat) return wrap(t.signum() < 0 ? lowest : highest);
            trap[0] = TrapCode.INT_OVF;
            return null;
        }
        return wrap(t);
    }

    /** True if exact result {@code x} fits 128 bits read signed ({@code signedRead}) or unsigned. */
    static boolean fits(BigInteger x, boolean signedRead) {
        return signedRead ? x.bitLength() <= BITS - 1 : x.signum() >= 0 && x.bitLength() <= BITS;
    }
}
