package dev.twill.interp;

import dev.twill.ir.Opcode;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;

/**
 * Integer instruction semantics as pure functions on raw bits, shared by the interpreter and
 * anything that folds constants.
 *
 * <p>Representation: a value of type {@code iN} is held in a {@code long} zero-extended from N
 * bits; every function takes operands in that form and returns its result in that form. Signed
 * operations sign-extend first ({@link #sext}); results are masked back to the width, which is
 * "wrap modulo 2^N". Operations that can trap come in pairs: {@code ...Trap} says whether (and
 * with which {@link TrapCode}) the operation traps, and the value function is only meaningful
 * when it does not.
 */
public final class IntOps {
    private IntOps() {}

    /** Sign-extends the low {@code bits} bits of {@code v}. */
    public static long sext(long v, int bits) {
        return bits >= 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }

    /**
     * A binary integer operation: the register forms and the {@code _imm} forms (whose immediate
     * is passed as {@code b}, already cut to the width). {@code b} of a shift or rotate is the
     * amount, of any integer type, taken modulo the width.
     */
    public static long binary(Opcode op, int type, long a, long b) {
        int bits = Type.laneBits(type);
        long mask = Type.mask(type);
        switch (op) {
            case IADD: case IADD_IMM: return (a + b) & mask;
            case ISUB: return (a - b) & mask;
            case IRSUB_IMM: return (b - a) & mask;
            case IMUL: case IMUL_IMM: return (a * b) & mask;
            case UMULHI:
                // operands of up to 32 bits: the full product fits in 64 bits unsigned
                return bits == 64 ? Math.unsignedMultiplyHigh(a, b) : (a * b) >>> bits;
            case SMULHI:
                return bits == 64 ? Math.multiplyHigh(a, b) : ((sext(a, bits) * sext(b, bits)) >> bits) & mask;
            case UDIV: case UDIV_IMM: return Long.divideUnsigned(a, b);
            case UREM: case UREM_IMM: return Long.remainderUnsigned(a, b);
            case SDIV: case SDIV_IMM: return (sext(a, bits) / sext(b, bits)) & mask;
            case SREM: case SREM_IMM: {
                long sb = sext(b, bits);
                return sb == -1 ? 0 : (sext(a, bits) % sb) & mask;
            }
            case SMIN: return Math.min(sext(a, bits), sext(b, bits)) & mask;
            case SMAX: return Math.max(sext(a, bits), sext(b, bits)) & mask;
            case UMIN: return Long.compareUnsigned(a, b) <= 0 ? a : b;
            case UMAX: return Long.compareUnsigned(a, b) >= 0 ? a : b;
            case BAND: case BAND_IMM: return a & b & mask;
            case BOR: case BOR_IMM: return (a | b) & mask;
            case BXOR: case BXOR_IMM: return (a ^ b) & mask;
            case BAND_NOT: return a & ~b & mask;
            case BOR_NOT: return (a | ~b) & mask;
            case BXOR_NOT: return (a ^ ~b) & mask;
            case ISHL: case ISHL_IMM: return (a << (b & (bits - 1))) & mask;
            case USHR: case USHR_IMM: return a >>> (b & (bits - 1));
            case SSHR: case SSHR_IMM: return (sext(a, bits) >> (b & (bits - 1))) & mask;
            case ROTL: case ROTL_IMM: return rotl(a, (int) (b & (bits - 1)), bits, mask);
            case ROTR: case ROTR_IMM: return rotl(a, (int) (-b & (bits - 1)), bits, mask);
            default: throw new IllegalArgumentException("not a binary integer opcode: " + op);
        }
    }

    private static long rotl(long a, int s, int bits, long mask) {
        if (bits == 64) return Long.rotateLeft(a, s);
        // a has only `bits` bits, so a >>> bits is 0 and s == 0 needs no special case
        return ((a << s) | (a >>> (bits - s))) & mask;
    }

    /**
     * The trap a division or remainder raises, or -1: {@code int_divz} for a zero divisor, and
     * {@code int_ovf} for a signed division of MIN by -1 (the remainder of that is 0).
     */
    public static int divTrap(Opcode op, int type, long a, long b) {
        if (b == 0) return TrapCode.INT_DIVZ;
        if (op == Opcode.SDIV || op == Opcode.SDIV_IMM) {
            int bits = Type.laneBits(type);
            if (sext(b, bits) == -1 && sext(a, bits) == Long.MIN_VALUE >> (64 - bits)) return TrapCode.INT_OVF;
        }
        return -1;
    }

    /** A unary integer operation. */
    public static long unary(Opcode op, int type, long a) {
        int bits = Type.laneBits(type);
        long mask = Type.mask(type);
        switch (op) {
            case INEG: return -a & mask;
            // abs of MIN is MIN: 2^(bits-1) masked to the width
            case IABS: return Math.abs(sext(a, bits)) & mask;
            case BNOT: return ~a & mask;
            case CLZ: return Long.numberOfLeadingZeros(a) - (64 - bits);
            case CTZ: return a == 0 ? bits : Long.numberOfTrailingZeros(a);
            case POPCNT: return Long.bitCount(a);
            case BSWAP:
                switch (bits) {
                    case 8: return a;
                    case 16: return Short.reverseBytes((short) a) & 0xFFFFL;
                    case 32: return Integer.reverseBytes((int) a) & 0xFFFF_FFFFL;
                    default: return Long.reverseBytes(a);
                }
            case BITREV: return Long.reverse(a) >>> (64 - bits);
            // leading bits after the sign that equal it: the leading zeros of a ^ (a >> 1) below the sign
            case CLS: {
                long x = sext(a, bits);
                return Long.numberOfLeadingZeros(x ^ (x >> 63)) - 1 - (64 - bits);
            }
            // the operand is held zero-extended, so "non-zero" needs no width
            case BMASK: return a != 0 ? mask : 0;
            default: throw new IllegalArgumentException("not a unary integer opcode: " + op);
        }
    }

    /**
     * The wrapped value of an operation with an overflow flag ({@code uadd_overflow} ... and the
     * carry/borrow forms, whose carry {@code c} is 0 or 1; 0 for the others).
     */
    public static long flagValue(Opcode op, int type, long a, long b, long c) {
        long mask = Type.mask(type);
        switch (op) {
            case UADD_OVERFLOW: case SADD_OVERFLOW: case UADD_OVERFLOW_CIN: case SADD_OVERFLOW_CIN: return (a + b + c) & mask;
            case USUB_OVERFLOW: case SSUB_OVERFLOW: case USUB_OVERFLOW_BIN: case SSUB_OVERFLOW_BIN: return (a - b - c) & mask;
            case UMUL_OVERFLOW: case SMUL_OVERFLOW: return (a * b) & mask;
            default: throw new IllegalArgumentException("not an overflow opcode: " + op);
        }
    }

    /**
     * The flag of an operation with an overflow flag: 1 iff the exact result of {@code a op b
     * (+/-) c} ({@code c} 0 or 1) does not fit the type, read unsigned ({@code u...}) or signed.
     * Below 64 bits the exact result fits in a long; at 64 bits it is derived from the wrapped
     * steps (two steps overflow at most once in the same direction, so their flags XOR).
     */
    public static long flag(Opcode op, int type, long a, long b, long c) {
        int bits = Type.laneBits(type);
        boolean ov;
        switch (op) {
            case UADD_OVERFLOW: case UADD_OVERFLOW_CIN:
                if (bits < 64) {
                    ov = (a + b + c) >>> bits != 0;
                } else {
                    long s1 = a + b;
                    ov = Long.compareUnsigned(s1, a) < 0 || (c != 0 && s1 == -1);
                }
                break;
            case SADD_OVERFLOW: case SADD_OVERFLOW_CIN:
                if (bits < 64) {
                    long s = sext(a, bits) + sext(b, bits) + c;
                    ov = s != sext(s, bits);
                } else {
                    long s1 = a + b, s2 = s1 + c;
                    ov = (((a ^ s1) & (b ^ s1)) < 0) ^ (((s1 ^ s2) & (c ^ s2)) < 0);
                }
                break;
            case USUB_OVERFLOW: case USUB_OVERFLOW_BIN:
                ov = Long.compareUnsigned(a, b) < 0 || Long.compareUnsigned(a - b, c) < 0;
                break;
            case SSUB_OVERFLOW: case SSUB_OVERFLOW_BIN:
                if (bits < 64) {
                    long d = sext(a, bits) - sext(b, bits) - c;
                    ov = d != sext(d, bits);
                } else {
                    long d1 = a - b, d2 = d1 - c;
                    ov = (((a ^ b) & (a ^ d1)) < 0) ^ (((d1 ^ c) & (d1 ^ d2)) < 0);
                }
                break;
            case UMUL_OVERFLOW:
                // below 64 bits the operands have at most 32 bits, so the product fits unsigned
                ov = bits < 64 ? (a * b) >>> bits != 0 : Math.unsignedMultiplyHigh(a, b) != 0;
                break;
            case SMUL_OVERFLOW:
                if (bits < 64) {
                    long p = sext(a, bits) * sext(b, bits);
                    ov = p != sext(p, bits);
                } else {
                    ov = Math.multiplyHigh(a, b) != (a * b) >> 63;
                }
                break;
            default: throw new IllegalArgumentException("not an overflow opcode: " + op);
        }
        return ov ? 1 : 0;
    }

    /** Swaps the byte order of the low {@code bytes} bytes of {@code v} (big-endian memory access). */
    public static long swapBytes(long v, int bytes) {
        return bytes <= 1 ? v : Long.reverseBytes(v) >>> (64 - 8 * bytes);
    }

    /**
     * {@code uextend sextend ireduce bitcast}: {@code to} is the result type, {@code from} the
     * argument's. A bitcast keeps the bits: a float is held as its raw bits already.
     */
    public static long convert(Opcode op, int to, int from, long a) {
        switch (op) {
            case UEXTEND: case IREDUCE: case BITCAST: return a & Type.mask(to);
            case SEXTEND: return sext(a, Type.laneBits(from)) & Type.mask(to);
            default: throw new IllegalArgumentException("not an integer conversion: " + op);
        }
    }
}
