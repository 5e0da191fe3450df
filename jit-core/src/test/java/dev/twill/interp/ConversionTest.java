package dev.twill.interp;

import static dev.twill.interp.IrKit.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import dev.twill.ir.Opcode;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Int/float conversions. The oracle is exact decimal arithmetic: {@link BigDecimal} truncation
 * and range checks for float-to-int, and BigDecimal's correctly rounded {@code floatValue} /
 * {@code doubleValue} for int-to-float, plus hand-worked rounding ties.
 */
class ConversionTest {
    static final int[] INTS = {Type.I8, Type.I16, Type.I32, Type.I64};

    static long f(float x) {
        return Float.floatToRawIntBits(x) & 0xFFFF_FFFFL;
    }

    static long d(double x) {
        return Double.doubleToRawLongBits(x);
    }

    /** Candidates near the edges of an N-bit signed and unsigned range, in float type {@code ft}. */
    static List<Double> edges(int ft, int bits) {
        double[] anchors = {Math.scalb(1.0, bits - 1), -Math.scalb(1.0, bits - 1), -Math.scalb(1.0, bits - 1) - 1,
            Math.scalb(1.0, bits), -1.0, 0.0, -0.0, 0.5, -0.5, 1.0, 2.5, -2.5, Math.scalb(1.0, bits - 1) - 1,
            Math.scalb(1.0, bits) - 1, 1e30, -1e30, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        List<Double> out = new ArrayList<>();
        for (double a : anchors) {
            if (ft == Type.F32) {
                float x = (float) a;
                out.add((double) x);
                out.add((double) Math.nextUp(x));
                out.add((double) Math.nextDown(x));
            } else {
                out.add(a);
                out.add(Math.nextUp(a));
                out.add(Math.nextDown(a));
            }
        }
        return out;
    }

    static long bitsOf(int ft, double x) {
        return ft == Type.F32 ? f((float) x) : d(x);
    }

    @Test
    void floatToIntTrapsExactlyOutsideTheRangeAtEveryWidth() {
        for (int ft : new int[] {Type.F32, Type.F64}) {
            for (int it : INTS) {
                int bits = Type.laneBits(it);
                BigInteger smin = BigInteger.ONE.shiftLeft(bits - 1).negate(), smax = BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
                BigInteger umax = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
                BigInteger two = BigInteger.ONE.shiftLeft(bits);
                Function ts = unary(Opcode.FCVT_TO_SINT, ft, it), tu = unary(Opcode.FCVT_TO_UINT, ft, it);
                Function ss = unary(Opcode.FCVT_TO_SINT_SAT, ft, it), su = unary(Opcode.FCVT_TO_UINT_SAT, ft, it);
                for (double x : edges(ft, bits)) {
                    long in = bitsOf(ft, x);
                    String what = Type.name(ft) + " " + x + " -> i" + bits;
                    if (Double.isInfinite(x)) {
                        assertTrap(TrapCode.INT_OVF, run(ts, in));
                        assertTrap(TrapCode.INT_OVF, run(tu, in));
                        assertEquals((x > 0 ? smax : smin).mod(two).longValue(), run1(ss, in), what);
                        assertEquals(x > 0 ? umax.longValue() : 0, run1(su, in), what);
                        continue;
                    }
                    BigInteger t = new BigDecimal(x).setScale(0, RoundingMode.DOWN).toBigIntegerExact();
                    boolean sOk = t.compareTo(smin) >= 0 && t.compareTo(smax) <= 0;
                    boolean uOk = t.signum() >= 0 && t.compareTo(umax) <= 0;
                    if (sOk) assertEquals(t.mod(two).longValue(), run1(ts, in), what);
                    else assertTrap(TrapCode.INT_OVF, run(ts, in));
                    if (uOk) assertEquals(t.longValue(), run1(tu, in), what + " unsigned");
                    else assertTrap(TrapCode.INT_OVF, run(tu, in));
                    BigInteger sat = t.max(smin).min(smax), usat = t.max(BigInteger.ZERO).min(umax);
                    assertEquals(sat.mod(two).longValue(), run1(ss, in), what + " sat");
                    assertEquals(usat.longValue(), run1(su, in), what + " usat");
                }
                long nan = ft == Type.F32 ? 0x7FC0_0000L : 0x7FF8_0000_0000_0000L;
                long snan = ft == Type.F32 ? 0xFFA0_0001L : 0xFFF0_0000_0000_0001L;
                assertTrap(TrapCode.BAD_TOINT, run(ts, nan));
                assertTrap(TrapCode.BAD_TOINT, run(tu, snan));
                assertEquals(0, run1(ss, snan));
                assertEquals(0, run1(su, nan));
            }
        }
    }

    @Test
    void floatToIntBoundariesByHand() {
        Function f64ToI32 = unary(Opcode.FCVT_TO_SINT, Type.F64, Type.I32);
        assertEquals(0x8000_0000L, run1(f64ToI32, d(-2147483648.9)));
        assertTrap(TrapCode.INT_OVF, run(f64ToI32, d(-2147483649.0)));
        assertEquals(0x7FFF_FFFFL, run1(f64ToI32, d(2147483647.9)));
        assertTrap(TrapCode.INT_OVF, run(f64ToI32, d(2147483648.0)));
        Function f32ToI64 = unary(Opcode.FCVT_TO_SINT, Type.F32, Type.I64);
        assertEquals(Long.MIN_VALUE, run1(f32ToI64, f(-0x1p63f)));
        assertTrap(TrapCode.INT_OVF, run(f32ToI64, f(0x1p63f)));
        Function f64ToU64 = unary(Opcode.FCVT_TO_UINT, Type.F64, Type.I64);
        assertEquals(0xFFFF_FFFF_FFFF_F800L, run1(f64ToU64, d(Math.nextDown(0x1p64))));
        assertEquals(Long.MIN_VALUE, run1(f64ToU64, d(0x1p63)));
        assertEquals(0, run1(f64ToU64, d(-0.999)));
        assertTrap(TrapCode.INT_OVF, run(f64ToU64, d(-1.0)));
        assertTrap(TrapCode.INT_OVF, run(f64ToU64, d(0x1p64)));
        assertEquals(0xFFL, run1(unary(Opcode.FCVT_TO_UINT_SAT, Type.F32, Type.I8), f(300f)));
        assertEquals(0x80L, run1(unary(Opcode.FCVT_TO_SINT_SAT, Type.F32, Type.I8), f(-300f)));
        assertEquals(0x7FFF_FFFF_FFFF_FFFFL, run1(unary(Opcode.FCVT_TO_SINT_SAT, Type.F64, Type.I64), d(1e300)));
    }

    static BigDecimal unsignedDec(long v, int bits) {
        return new BigDecimal(new BigInteger(Long.toUnsignedString(v)).mod(BigInteger.ONE.shiftLeft(bits)));
    }

    @Test
    void intToFloatRoundsCorrectlyAtEveryWidth() {
        long[] vals = {0, 1, -1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
            0x0100_0001L, 0x0100_0003L, (1L << 53) + 1, (1L << 53) + 3, Long.MAX_VALUE, Long.MIN_VALUE,
            0x8000_0000_0000_0400L, 0x8000_0000_0000_0401L, 0x8000_0000_0000_0C00L, 0x8000_0080_0000_0000L,
            0x8000_0080_0000_0001L, 0xFFFF_FFFF_FFFF_FFFFL, 0xFFFF_FF7F_FFFF_FFFFL, 0x1234_5678_9ABC_DEF1L};
        for (int it : INTS) {
            int bits = Type.laneBits(it);
            long mask = Type.mask(it);
            Function sf = unary(Opcode.FCVT_FROM_SINT, it, Type.F32), sd = unary(Opcode.FCVT_FROM_SINT, it, Type.F64);
            Function uf = unary(Opcode.FCVT_FROM_UINT, it, Type.F32), ud = unary(Opcode.FCVT_FROM_UINT, it, Type.F64);
            for (long v0 : vals) {
                long v = v0 & mask;
                BigDecimal s = new BigDecimal(IntegerOpsTest.s(v, bits)), u = unsignedDec(v, bits);
                String what = "i" + bits + " 0x" + Long.toHexString(v);
                assertEquals(f(s.floatValue()), run1(sf, v), what + " sint->f32");
                assertEquals(d(s.doubleValue()), run1(sd, v), what + " sint->f64");
                assertEquals(f(u.floatValue()), run1(uf, v), what + " uint->f32");
                assertEquals(d(u.doubleValue()), run1(ud, v), what + " uint->f64");
            }
        }
    }

    @Test
    void unsigned64ToFloatTiesByHand() {
        Function ud = unary(Opcode.FCVT_FROM_UINT, Type.I64, Type.F64), uf = unary(Opcode.FCVT_FROM_UINT, Type.I64, Type.F32);
        // doubles near 2^63 are 2048 apart: 0x400 is a tie (to even: 2^63), 0x401 is above it
        assertEquals(d(0x1p63), run1(ud, 0x8000_0000_0000_0400L));
        assertEquals(d(0x1p63 + 2048), run1(ud, 0x8000_0000_0000_0401L));
        assertEquals(d(0x1p63 + 4096), run1(ud, 0x8000_0000_0000_0C00L));
        assertEquals(d(0x1p64), run1(ud, -1L));
        // floats near 2^63 are 2^40 apart
        assertEquals(f(0x1p63f), run1(uf, 0x8000_0080_0000_0000L));
        assertEquals(f(0x1p63f + 0x1p40f), run1(uf, 0x8000_0080_0000_0001L));
        assertEquals(f(0x1p64f), run1(uf, -1L));
        Function sd = unary(Opcode.FCVT_FROM_SINT, Type.I64, Type.F64);
        assertEquals(d(0x1p53), run1(sd, (1L << 53) + 1));
        assertEquals(d(0x1p53 + 4), run1(sd, (1L << 53) + 3));
        assertEquals(d(-0x1p63), run1(sd, Long.MIN_VALUE));
        assertEquals(f(-1f), run1(unary(Opcode.FCVT_FROM_SINT, Type.I8, Type.F32), 0xFF));
        assertEquals(f(255f), run1(unary(Opcode.FCVT_FROM_UINT, Type.I8, Type.F32), 0xFF));
    }
}
