package dev.twill.interp;

import static dev.twill.interp.IrKit.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every integer opcode at every width, checked against a model written with {@link BigInteger}
 * (exact integers, reduced modulo 2^N by hand), over edge values and seeded random ones, plus
 * hand-worked cases for the famous corners.
 */
class IntegerOpsTest {
    static final int[] INTS = {Type.I8, Type.I16, Type.I32, Type.I64};

    static BigInteger two(int bits) {
        return BigInteger.ONE.shiftLeft(bits);
    }

    static BigInteger u(long v, int bits) {
        return new BigInteger(Long.toUnsignedString(v)).mod(two(bits));
    }

    static BigInteger s(long v, int bits) {
        BigInteger x = u(v, bits);
        return x.testBit(bits - 1) ? x.subtract(two(bits)) : x;
    }

    static long wrap(BigInteger x, int bits) {
        return x.mod(two(bits)).longValue();
    }

    /** Edge values for a width, as zero-extended raw bits, plus a few seeded random ones. */
    static long[] samples(int bits, long seed) {
        List<Long> vs = new ArrayList<>();
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        long min = 1L << (bits - 1);
        long[] edge = {0, 1, 2, 3, 7, mask, mask - 1, min, min - 1, min + 1, 0x55, bits, bits + 1, bits - 1, mask - bits + 1};
        for (long e : edge) vs.add(e & mask);
        Random rnd = new Random(seed);
        for (int k = 0; k < 6; k++) vs.add(rnd.nextLong() & mask);
        long[] out = new long[vs.size()];
        for (int k = 0; k < out.length; k++) out[k] = vs.get(k);
        return out;
    }

    /** The model's result of a binary op, or a trap code as {@code Long.MIN_VALUE + code}... kept apart below. */
    static final long TRAP_DIVZ = Long.MIN_VALUE + 11, TRAP_OVF = Long.MIN_VALUE + 13;

    static long model(Opcode op, int bits, long a, long b) {
        BigInteger ua = u(a, bits), ub = u(b, bits), sa = s(a, bits), sb = s(b, bits);
        int amount = ub.mod(BigInteger.valueOf(bits)).intValue();
        switch (op) {
            case IADD: return wrap(ua.add(ub), bits);
            case ISUB: return wrap(ua.subtract(ub), bits);
            case IMUL: return wrap(ua.multiply(ub), bits);
            case UMULHI: return wrap(ua.multiply(ub).shiftRight(bits), bits);
            case SMULHI: return wrap(sa.multiply(sb).shiftRight(bits), bits);
            case UDIV: return ub.signum() == 0 ? TRAP_DIVZ : wrap(ua.divide(ub), bits);
            case UREM: return ub.signum() == 0 ? TRAP_DIVZ : wrap(ua.remainder(ub), bits);
            case SDIV: {
                if (sb.signum() == 0) return TRAP_DIVZ;
                BigInteger q = sa.divide(sb);
                if (q.compareTo(two(bits - 1)) >= 0) return TRAP_OVF;
                return wrap(q, bits);
            }
            case SREM: return sb.signum() == 0 ? TRAP_DIVZ : wrap(sa.remainder(sb), bits);
            case SMIN: return wrap(sa.min(sb), bits);
            case SMAX: return wrap(sa.max(sb), bits);
            case UMIN: return wrap(ua.min(ub), bits);
            case UMAX: return wrap(ua.max(ub), bits);
            case BAND: return wrap(ua.and(ub), bits);
            case BOR: return wrap(ua.or(ub), bits);
            case BXOR: return wrap(ua.xor(ub), bits);
            case BAND_NOT: return wrap(ua.andNot(ub), bits);
            case BOR_NOT: return wrap(ua.or(ub.not().mod(two(bits))), bits);
            case BXOR_NOT: return wrap(ua.xor(ub.not().mod(two(bits))), bits);
            case ISHL: return wrap(ua.shiftLeft(amount), bits);
            case USHR: return wrap(ua.shiftRight(amount), bits);
            case SSHR: return wrap(sa.shiftRight(amount), bits);
            case ROTL: return wrap(ua.shiftLeft(amount).or(ua.shiftRight(bits - amount)), bits);
            case ROTR: return wrap(ua.shiftRight(amount).or(ua.shiftLeft(bits - amount)), bits);
            default: throw new AssertionError(op);
        }
    }

    static final Opcode[] BINARY = {
        Opcode.IADD, Opcode.ISUB, Opcode.IMUL, Opcode.UMULHI, Opcode.SMULHI, Opcode.UDIV, Opcode.SDIV, Opcode.UREM,
        Opcode.SREM, Opcode.SMIN, Opcode.SMAX, Opcode.UMIN, Opcode.UMAX, Opcode.BAND, Opcode.BOR, Opcode.BXOR,
        Opcode.BAND_NOT, Opcode.BOR_NOT, Opcode.BXOR_NOT, Opcode.ISHL, Opcode.USHR, Opcode.SSHR, Opcode.ROTL, Opcode.ROTR,
    };

    static void check(Function f, Opcode op, int bits, long a, long b, long expected) {
        InterpResult r = run(f, a, b);
        String what = op.text + ".i" + bits + " 0x" + Long.toHexString(a) + ", 0x" + Long.toHexString(b);
        if (expected == TRAP_DIVZ) assertEquals(InterpResult.trap(TrapCode.INT_DIVZ), r, what);
        else if (expected == TRAP_OVF) assertEquals(InterpResult.trap(TrapCode.INT_OVF), r, what);
        else assertEquals(InterpResult.returning(expected), r, what);
    }

    @Test
    void everyBinaryOpAtEveryWidthMatchesTheBigIntegerModel() {
        for (int t : INTS) {
            int bits = Type.laneBits(t);
            long[] vs = samples(bits, 42 + bits);
            for (Opcode op : BINARY) {
                Function f = binary(op, t, t);
                for (long a : vs) for (long b : vs) check(f, op, bits, a, b, model(op, bits, a, b));
            }
        }
    }

    @Test
    void immediateFormsMatchTheRegisterForms() {
        Opcode[] imms = {Opcode.IADD_IMM, Opcode.IMUL_IMM, Opcode.UDIV_IMM, Opcode.SDIV_IMM, Opcode.UREM_IMM,
            Opcode.SREM_IMM, Opcode.BAND_IMM, Opcode.BOR_IMM, Opcode.BXOR_IMM, Opcode.ISHL_IMM, Opcode.USHR_IMM,
            Opcode.SSHR_IMM, Opcode.ROTL_IMM, Opcode.ROTR_IMM};
        for (int t : INTS) {
            int bits = Type.laneBits(t);
            long[] vs = samples(bits, 7 + bits);
            // immediates are 64-bit sign-extended numbers: -1 means all ones at the width
            long[] immediates = {0, 1, -1, 3, bits, bits + 3, -bits, Long.MIN_VALUE >> (64 - bits), 0x1234_5678_9abc_def1L};
            for (Opcode op : imms) {
                for (long imm : immediates) {
                    Function f = binaryImm(op, t, imm);
                    long bcut = imm & Type.mask(t);
                    for (long a : vs) {
                        long expected = model(op.regForm(), bits, a, bcut);
                        InterpResult r = run(f, a);
                        String what = op.text + ".i" + bits + " 0x" + Long.toHexString(a) + ", " + imm;
                        if (expected == TRAP_DIVZ) assertEquals(InterpResult.trap(TrapCode.INT_DIVZ), r, what);
                        else if (expected == TRAP_OVF) assertEquals(InterpResult.trap(TrapCode.INT_OVF), r, what);
                        else assertEquals(InterpResult.returning(expected), r, what);
                    }
                }
            }
        }
    }

    @Test
    void irsubImmSubtractsTheArgumentFromTheImmediate() {
        assertEquals(7, run1(binaryImm(Opcode.IRSUB_IMM, Type.I32, 10), 3));
        assertEquals(0xFFFF_FFF9L, run1(binaryImm(Opcode.IRSUB_IMM, Type.I32, 3), 10));
        assertEquals(0xFBL, run1(binaryImm(Opcode.IRSUB_IMM, Type.I8, -1), 4));
        assertEquals(-5L, run1(binaryImm(Opcode.IRSUB_IMM, Type.I64, 0), 5));
    }

    @Test
    void divisionCornersByHand() {
        Function sdiv32 = binary(Opcode.SDIV, Type.I32, Type.I32);
        assertTrap(TrapCode.INT_OVF, run(sdiv32, 0x8000_0000L, 0xFFFF_FFFFL));
        assertTrap(TrapCode.INT_DIVZ, run(sdiv32, 5, 0));
        assertEquals(0xFFFF_FFFEL, run1(sdiv32, 0xFFFF_FFF9L, 3)); // -7 / 3 = -2
        Function srem8 = binary(Opcode.SREM, Type.I8, Type.I8);
        assertEquals(0, run1(srem8, 0x80, 0xFF)); // MIN % -1 = 0, no trap
        assertEquals(0xFFL, run1(srem8, 0xF9, 3)); // -7 % 3 = -1
        Function sdiv64 = binary(Opcode.SDIV, Type.I64, Type.I64);
        assertTrap(TrapCode.INT_OVF, run(sdiv64, Long.MIN_VALUE, -1));
        assertEquals(0, run1(binary(Opcode.SREM, Type.I64, Type.I64), Long.MIN_VALUE, -1));
        assertEquals(Long.divideUnsigned(-1L, 3), run1(binary(Opcode.UDIV, Type.I64, Type.I64), -1L, 3));
        assertTrap(TrapCode.INT_DIVZ, run(binary(Opcode.UREM, Type.I16, Type.I16), 1, 0));
        assertTrap(TrapCode.INT_OVF, run(binaryImm(Opcode.SDIV_IMM, Type.I16, -1), 0x8000));
        assertTrap(TrapCode.INT_DIVZ, run(binaryImm(Opcode.UDIV_IMM, Type.I16, 0x10000), 9)); // imm cut to 0
        assertEquals(0, run1(binaryImm(Opcode.SREM_IMM, Type.I16, -1), 0x8000));
    }

    @Test
    void shiftAmountsAreModuloTheWidthIncludingNegativeAndWiderAmounts() {
        // i32 value shifted by an i64 amount of 33 and of -1
        Function shl = binary(Opcode.ISHL, Type.I32, Type.I64);
        assertEquals(2, run1(shl, 1, 33));
        assertEquals(0x8000_0000L, run1(shl, 1, -1));
        // i8 value, i32 amount 9 -> 1; -7 & 7 = 1
        Function sshr8 = binary(Opcode.SSHR, Type.I8, Type.I32);
        assertEquals(0xC0L, run1(sshr8, 0x80, 9));
        assertEquals(0xC0L, run1(sshr8, 0x80, -7));
        // i64 value, i8 amount 0xFF = 255 -> 63
        Function ushr64 = binary(Opcode.USHR, Type.I64, Type.I8);
        assertEquals(1, run1(ushr64, Long.MIN_VALUE, 0xFF));
        Function rotl16 = binary(Opcode.ROTL, Type.I16, Type.I16);
        assertEquals(0xABCDL, run1(rotl16, 0xABCD, 16)); // a full turn
        assertEquals(0x3412L, run1(rotl16, 0x1234, 8));
        assertEquals(0x2341L, run1(rotl16, 0x1234, 4 + 16 * 3));
        Function rotr64 = binary(Opcode.ROTR, Type.I64, Type.I64);
        assertEquals(0x8000_0000_0000_0000L, run1(rotr64, 1, 1));
        assertEquals(2, run1(rotr64, 1, -1));
        assertEquals(0x81L, run1(binaryImm(Opcode.ROTL_IMM, Type.I8, 7 + 8), 0x03));
        assertEquals(0x81L, run1(binaryImm(Opcode.ROTR_IMM, Type.I8, -7), 0x03));
        assertEquals(0xFFFF_FFFFL, run1(binaryImm(Opcode.SSHR_IMM, Type.I32, 31), 0x8000_0000L));
        assertEquals(0x8000_0000L, run1(binaryImm(Opcode.SSHR_IMM, Type.I32, 32), 0x8000_0000L));
    }

    static long unaryModel(Opcode op, int bits, long a) {
        BigInteger ua = u(a, bits), sa = s(a, bits);
        switch (op) {
            case INEG: return wrap(ua.negate(), bits);
            case IABS: return wrap(sa.abs(), bits);
            case BNOT: return wrap(ua.not(), bits);
            case CLZ: {
                int n = 0;
                for (int i = bits - 1; i >= 0 && !ua.testBit(i); i--) n++;
                return n;
            }
            case CTZ: {
                int n = 0;
                for (int i = 0; i < bits && !ua.testBit(i); i++) n++;
                return n;
            }
            case POPCNT: return ua.bitCount();
            case BSWAP: {
                long r = 0;
                for (int i = 0; i < bits / 8; i++) r |= ((a >>> (8 * i)) & 0xFF) << (bits - 8 - 8 * i);
                return r;
            }
            default: throw new AssertionError(op);
        }
    }

    @Test
    void everyUnaryOpAtEveryWidthMatchesTheModel() {
        Opcode[] ops = {Opcode.INEG, Opcode.IABS, Opcode.BNOT, Opcode.CLZ, Opcode.CTZ, Opcode.POPCNT, Opcode.BSWAP};
        for (int t : INTS) {
            int bits = Type.laneBits(t);
            for (Opcode op : ops) {
                Function f = unary(op, t, t);
                for (long a : samples(bits, 99 + bits)) {
                    assertEquals(unaryModel(op, bits, a), run1(f, a), op.text + ".i" + bits + " 0x" + Long.toHexString(a));
                }
            }
        }
    }

    @Test
    void unaryCornersByHand() {
        assertEquals(8, run1(unary(Opcode.CLZ, Type.I8, Type.I8), 0));
        assertEquals(16, run1(unary(Opcode.CTZ, Type.I16, Type.I16), 0));
        assertEquals(64, run1(unary(Opcode.CLZ, Type.I64, Type.I64), 0));
        assertEquals(32, run1(unary(Opcode.CTZ, Type.I32, Type.I32), 0));
        assertEquals(0x80L, run1(unary(Opcode.IABS, Type.I8, Type.I8), 0x80));
        assertEquals(Long.MIN_VALUE, run1(unary(Opcode.IABS, Type.I64, Type.I64), Long.MIN_VALUE));
        assertEquals(0x7856_3412L, run1(unary(Opcode.BSWAP, Type.I32, Type.I32), 0x1234_5678L));
        assertEquals(0x3412L, run1(unary(Opcode.BSWAP, Type.I16, Type.I16), 0x1234L));
        assertEquals(0xEFCD_AB89_6745_2301L, run1(unary(Opcode.BSWAP, Type.I64, Type.I64), 0x0123_4567_89AB_CDEFL));
        assertEquals(0xFFL, run1(unary(Opcode.INEG, Type.I8, Type.I8), 1));
    }

    @Test
    void icmpEveryConditionAtEveryWidth() {
        for (int t : INTS) {
            int bits = Type.laneBits(t);
            long[] vs = samples(bits, 5 + bits);
            for (IntCC cc : IntCC.values()) {
                IrKit k = new IrKit("%c", types(t, t), types(Type.I8));
                k.b.ret(k.b.icmp(cc, k.args[0], k.args[1]));
                for (long a : vs) {
                    for (long b : vs) {
                        int su = s(a, bits).compareTo(s(b, bits)), uu = u(a, bits).compareTo(u(b, bits));
                        boolean want = switch (cc) {
                            case EQ -> uu == 0;
                            case NE -> uu != 0;
                            case SLT -> su < 0;
                            case SGE -> su >= 0;
                            case SGT -> su > 0;
                            case SLE -> su <= 0;
                            case ULT -> uu < 0;
                            case UGE -> uu >= 0;
                            case UGT -> uu > 0;
                            case ULE -> uu <= 0;
                        };
                        assertEquals(want ? 1 : 0, run1(k.f, a, b), cc.text + ".i" + bits + " " + a + " " + b);
                    }
                }
            }
        }
    }

    @Test
    void icmpImmComparesTheSignExtendedImmediateAtTheWidth() {
        IrKit k = new IrKit("%c", types(Type.I8), types(Type.I8));
        k.b.ret(k.b.icmpImm(IntCC.EQ, k.args[0], -1));
        assertEquals(1, run1(k.f, 0xFF));
        IrKit k2 = new IrKit("%c", types(Type.I32), types(Type.I8));
        k2.b.ret(k2.b.icmpImm(IntCC.SLT, k2.args[0], -5));
        assertEquals(1, run1(k2.f, -6));
        assertEquals(0, run1(k2.f, -5));
        assertEquals(0, run1(k2.f, 3));
        IrKit k3 = new IrKit("%c", types(Type.I16), types(Type.I8));
        k3.b.ret(k3.b.icmpImm(IntCC.UGT, k3.args[0], -2)); // 0xFFFE at i16
        assertEquals(1, run1(k3.f, 0xFFFF));
        assertEquals(0, run1(k3.f, 0xFFFE));
        IrKit k4 = new IrKit("%c", types(Type.I64), types(Type.I8));
        k4.b.ret(k4.b.icmpImm(IntCC.ULT, k4.args[0], -1));
        assertEquals(1, run1(k4.f, Long.MAX_VALUE));
        assertEquals(0, run1(k4.f, -1));
    }

    @Test
    void selectTestsNonZeroAndExtensionsAndReduce() {
        IrKit k = new IrKit("%s", types(Type.I16, Type.I64, Type.I64), types(Type.I64));
        k.b.ret(k.b.select(k.args[0], k.args[1], k.args[2]));
        assertEquals(10, run1(k.f, 0x100, 10, 20));
        assertEquals(20, run1(k.f, 0, 10, 20));
        assertEquals(10, run1(k.f, 0x8000, 10, 20));

        assertEquals(0xFFFF_FF80L, run1(unary(Opcode.SEXTEND, Type.I8, Type.I32), 0x80));
        assertEquals(0x7FL, run1(unary(Opcode.SEXTEND, Type.I8, Type.I64), 0x7F));
        assertEquals(-2L, run1(unary(Opcode.SEXTEND, Type.I32, Type.I64), 0xFFFF_FFFEL));
        assertEquals(0xFFFF_8000L, run1(unary(Opcode.SEXTEND, Type.I16, Type.I32), 0x8000));
        assertEquals(0x80L, run1(unary(Opcode.UEXTEND, Type.I8, Type.I64), 0x80));
        assertEquals(0xFFFF_FFFFL, run1(unary(Opcode.UEXTEND, Type.I32, Type.I64), -1));
        assertEquals(0xCDL, run1(unary(Opcode.IREDUCE, Type.I64, Type.I8), 0xABCDL));
        assertEquals(0x89AB_CDEFL, run1(unary(Opcode.IREDUCE, Type.I64, Type.I32), 0x0123_4567_89AB_CDEFL));
        assertEquals(0xCDEFL, run1(unary(Opcode.IREDUCE, Type.I32, Type.I16), 0x89AB_CDEFL));
    }

    @Test
    void constantsAreCutToTheirWidth() {
        IrKit k = new IrKit("%k", types(), types(Type.I8, Type.I32, Type.I64));
        int a = k.b.iconst(Type.I8, -1);
        int c = k.b.iconst(Type.I32, -2);
        int d = k.b.iconst(Type.I64, Long.MIN_VALUE);
        k.b.ret(a, c, d);
        assertEquals(InterpResult.returning(0xFF, 0xFFFF_FFFEL, Long.MIN_VALUE), run(k.f));
    }
}
