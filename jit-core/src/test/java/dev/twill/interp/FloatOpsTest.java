package dev.twill.interp;

import static dev.twill.interp.IrKit.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import org.junit.jupiter.api.Test;

/**
 * Float arithmetic, rounding, comparison and NaN rules. Expected values come from Java's own
 * float/double operators and hand-worked bit patterns, never from the interpreter.
 */
class FloatOpsTest {
    static long f(float x) {
        return Float.floatToRawIntBits(x) & 0xFFFF_FFFFL;
    }

    static long d(double x) {
        return Double.doubleToRawLongBits(x);
    }

    static final float[] F32S = {0f, -0f, 1f, -1f, 1.5f, -2.75f, 3.4028235e38f, 1.4e-45f, -1.17549435e-38f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.1f, 16777217f, 1e-20f, 7f};
    static final double[] F64S = {0.0, -0.0, 1.0, -1.0, 1.5, -2.75, Double.MAX_VALUE, Double.MIN_VALUE, -2.2250738585072014E-308,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1, 9007199254740993.0, 1e-300, 7.0};

    static final long SNAN32 = 0x7FA0_0001L, QNAN32_PAYLOAD = 0xFFC1_2345L;
    static final long SNAN64 = 0x7FF4_0000_0000_0001L, QNAN64_PAYLOAD = 0xFFF8_1234_5678_9ABCL;

    @Test
    void arithmeticMatchesJavaFloatAndDouble() {
        Opcode[] ops = {Opcode.FADD, Opcode.FSUB, Opcode.FMUL, Opcode.FDIV};
        for (Opcode op : ops) {
            Function f32 = binary(op, Type.F32, Type.F32), f64 = binary(op, Type.F64, Type.F64);
            for (float a : F32S) {
                for (float b : F32S) {
                    float r = switch (op) {
                        case FADD -> a + b;
                        case FSUB -> a - b;
                        case FMUL -> a * b;
                        default -> a / b;
                    };
                    long want = Float.isNaN(r) ? FloatOps.CANONICAL_NAN32 : f(r);
                    assertEquals(want, run1(f32, f(a), f(b)), op.text + " " + a + " " + b);
                }
            }
            for (double a : F64S) {
                for (double b : F64S) {
                    double r = switch (op) {
                        case FADD -> a + b;
                        case FSUB -> a - b;
                        case FMUL -> a * b;
                        default -> a / b;
                    };
                    long want = Double.isNaN(r) ? FloatOps.CANONICAL_NAN64 : d(r);
                    assertEquals(want, run1(f64, d(a), d(b)), op.text + " " + a + " " + b);
                }
            }
        }
    }

    @Test
    void nanResultsPropagateTheFirstNanInputQuieted() {
        Function add32 = binary(Opcode.FADD, Type.F32, Type.F32);
        assertEquals(0x7FE0_0001L, run1(add32, SNAN32, f(1f)));
        assertEquals(QNAN32_PAYLOAD, run1(add32, f(1f), QNAN32_PAYLOAD));
        assertEquals(0x7FE0_0001L, run1(add32, SNAN32, QNAN32_PAYLOAD));
        assertEquals(QNAN32_PAYLOAD, run1(add32, QNAN32_PAYLOAD, SNAN32));
        assertEquals(0x7FC0_0000L, run1(add32, f(Float.POSITIVE_INFINITY), f(Float.NEGATIVE_INFINITY)));
        assertEquals(0x7FC0_0000L, run1(binary(Opcode.FDIV, Type.F32, Type.F32), f(0f), f(-0f)));
        assertEquals(0x7FC0_0000L, run1(binary(Opcode.FMUL, Type.F32, Type.F32), f(0f), f(Float.POSITIVE_INFINITY)));

        Function sub64 = binary(Opcode.FSUB, Type.F64, Type.F64);
        assertEquals(0x7FFC_0000_0000_0001L, run1(sub64, SNAN64, d(2.0)));
        assertEquals(QNAN64_PAYLOAD, run1(sub64, d(2.0), QNAN64_PAYLOAD));
        assertEquals(0x7FF8_0000_0000_0000L, run1(sub64, d(Double.POSITIVE_INFINITY), d(Double.POSITIVE_INFINITY)));

        assertEquals(0x7FC0_0000L, run1(unary(Opcode.SQRT, Type.F32, Type.F32), f(-1f)));
        assertEquals(0x7FE0_0001L, run1(unary(Opcode.SQRT, Type.F32, Type.F32), SNAN32));
        assertEquals(0x7FF8_0000_0000_0000L, run1(unary(Opcode.SQRT, Type.F64, Type.F64), d(-4.0)));
        assertEquals(0x7FFC_0000_0000_0001L, run1(unary(Opcode.CEIL, Type.F64, Type.F64), SNAN64));
        assertEquals(0xFFC1_2345L, run1(unary(Opcode.NEAREST, Type.F32, Type.F32), QNAN32_PAYLOAD));
    }

    @Test
    void signOpsOnlyMoveTheSignBit() {
        assertEquals(0xFFA0_0001L, run1(unary(Opcode.FNEG, Type.F32, Type.F32), SNAN32));
        assertEquals(0x7FA0_0001L, run1(unary(Opcode.FABS, Type.F32, Type.F32), 0xFFA0_0001L));
        assertEquals(f(-0f), run1(unary(Opcode.FNEG, Type.F32, Type.F32), f(0f)));
        assertEquals(0xFFF4_0000_0000_0001L, run1(unary(Opcode.FNEG, Type.F64, Type.F64), SNAN64));
        assertEquals(d(3.5), run1(unary(Opcode.FABS, Type.F64, Type.F64), d(-3.5)));
        Function cs32 = binary(Opcode.FCOPYSIGN, Type.F32, Type.F32);
        assertEquals(0xFFA0_0001L, run1(cs32, SNAN32, f(-1f)));
        assertEquals(f(2f), run1(cs32, f(-2f), f(0f)));
        Function cs64 = binary(Opcode.FCOPYSIGN, Type.F64, Type.F64);
        assertEquals(d(-2.0), run1(cs64, d(2.0), d(-0.0)));
        assertEquals(0x7FF4_0000_0000_0001L, run1(cs64, SNAN64, QNAN64_PAYLOAD & 0x7FFF_FFFF_FFFF_FFFFL));
    }

    @Test
    void fminFmaxOrderNegativeZeroBelowPositiveAndPropagateNan() {
        Function min32 = binary(Opcode.FMIN, Type.F32, Type.F32), max32 = binary(Opcode.FMAX, Type.F32, Type.F32);
        assertEquals(f(-0f), run1(min32, f(0f), f(-0f)));
        assertEquals(f(-0f), run1(min32, f(-0f), f(0f)));
        assertEquals(f(0f), run1(max32, f(-0f), f(0f)));
        assertEquals(f(0f), run1(max32, f(0f), f(-0f)));
        assertEquals(f(-1f), run1(min32, f(3f), f(-1f)));
        assertEquals(f(3f), run1(max32, f(3f), f(-1f)));
        assertEquals(f(Float.NEGATIVE_INFINITY), run1(min32, f(Float.NEGATIVE_INFINITY), f(-1f)));
        assertEquals(0x7FE0_0001L, run1(min32, f(1f), SNAN32));
        assertEquals(QNAN32_PAYLOAD, run1(max32, QNAN32_PAYLOAD, f(1f)));
        Function min64 = binary(Opcode.FMIN, Type.F64, Type.F64), max64 = binary(Opcode.FMAX, Type.F64, Type.F64);
        assertEquals(d(-0.0), run1(min64, d(0.0), d(-0.0)));
        assertEquals(d(0.0), run1(max64, d(-0.0), d(0.0)));
        assertEquals(d(2.0), run1(max64, d(2.0), d(1.0)));
        assertEquals(0x7FFC_0000_0000_0001L, run1(max64, d(2.0), SNAN64));
        assertEquals(QNAN64_PAYLOAD, run1(min64, QNAN64_PAYLOAD, SNAN64));
    }

    @Test
    void roundingOpsByHand() {
        Function near64 = unary(Opcode.NEAREST, Type.F64, Type.F64);
        double[][] nearest = {{2.5, 2.0}, {3.5, 4.0}, {-2.5, -2.0}, {-0.5, -0.0}, {0.5, 0.0}, {1.5, 2.0},
            {-1.5, -2.0}, {0.49999999999999994, 0.0}, {4503599627370497.0, 4503599627370497.0},
            {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, {-0.0, -0.0}};
        for (double[] c : nearest) assertEquals(d(c[1]), run1(near64, d(c[0])), "nearest " + c[0]);
        Function near32 = unary(Opcode.NEAREST, Type.F32, Type.F32);
        float[][] nearest32 = {{2.5f, 2f}, {3.5f, 4f}, {-2.5f, -2f}, {-0.5f, -0f}, {0.49999997f, 0f}, {8388609f, 8388609f},
            {8388607.5f, 8388608f}, {8388606.5f, 8388606f}};
        for (float[] c : nearest32) assertEquals(f(c[1]), run1(near32, f(c[0])), "nearest " + c[0]);
        assertEquals(d(-0.0), run1(unary(Opcode.TRUNC, Type.F64, Type.F64), d(-0.7)));
        assertEquals(d(-3.0), run1(unary(Opcode.TRUNC, Type.F64, Type.F64), d(-3.9)));
        assertEquals(f(3f), run1(unary(Opcode.TRUNC, Type.F32, Type.F32), f(3.9f)));
        assertEquals(d(-0.0), run1(unary(Opcode.CEIL, Type.F64, Type.F64), d(-0.5)));
        assertEquals(f(2f), run1(unary(Opcode.CEIL, Type.F32, Type.F32), f(1.0000001f)));
        assertEquals(d(-2.0), run1(unary(Opcode.FLOOR, Type.F64, Type.F64), d(-1.5)));
        assertEquals(f(0f), run1(unary(Opcode.FLOOR, Type.F32, Type.F32), f(0.5f)));
        assertEquals(f(-0f), run1(unary(Opcode.FLOOR, Type.F32, Type.F32), f(-0f)));
        assertEquals(d(3.0), run1(unary(Opcode.SQRT, Type.F64, Type.F64), d(9.0)));
        assertEquals(d(-0.0), run1(unary(Opcode.SQRT, Type.F64, Type.F64), d(-0.0)));
        assertEquals(f((float) Math.sqrt(2.0)), run1(unary(Opcode.SQRT, Type.F32, Type.F32), f(2f)));
        assertEquals(f(Float.POSITIVE_INFINITY), run1(unary(Opcode.SQRT, Type.F32, Type.F32), f(Float.POSITIVE_INFINITY)));
    }

    /** fcmp written out from the IEEE definitions, independently of FloatCC.eval. */
    static boolean fcmpModel(FloatCC cc, double a, double b) {
        boolean uno = a != a || b != b;
        boolean lt = !uno && a < b, gt = !uno && a > b, eq = !uno && a == b;
        return switch (cc) {
            case ORD -> !uno;
            case UNO -> uno;
            case EQ -> eq;
            case NE -> !eq;
            case ONE -> lt || gt;
            case UEQ -> uno || eq;
            case LT -> lt;
            case LE -> lt || eq;
            case GT -> gt;
            case GE -> gt || eq;
            case ULT -> !(gt || eq);
            case ULE -> !gt;
            case UGT -> !(lt || eq);
            case UGE -> !lt;
        };
    }

    @Test
    void fcmpAllFourteenConditionsAtBothWidths() {
        double[] vals = {0.0, -0.0, 1.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40};
        for (FloatCC cc : FloatCC.values()) {
            for (int t : new int[] {Type.F32, Type.F64}) {
                IrKit k = new IrKit("%fc", types(t, t), types(Type.I8));
                k.b.ret(k.b.fcmp(cc, k.args[0], k.args[1]));
                for (double a : vals) {
                    for (double b : vals) {
                        // 1e-40 is a subnormal f32; cast first so the model sees the f32 value
                        double ma = t == Type.F32 ? (float) a : a, mb = t == Type.F32 ? (float) b : b;
                        long ba = t == Type.F32 ? f((float) a) : d(a), bb = t == Type.F32 ? f((float) b) : d(b);
                        assertEquals(fcmpModel(cc, ma, mb) ? 1 : 0, run1(k.f, ba, bb), cc.text + " " + Type.name(t) + " " + a + " " + b);
                    }
                }
                // a signalling NaN is unordered as well
                long snan = t == Type.F32 ? SNAN32 : SNAN64;
                assertEquals(fcmpModel(cc, Double.NaN, 1.0) ? 1 : 0, run1(k.f, snan, t == Type.F32 ? f(1f) : d(1.0)));
            }
        }
    }

    @Test
    void promoteAndDemote() {
        Function promote = unary(Opcode.FPROMOTE, Type.F32, Type.F64), demote = unary(Opcode.FDEMOTE, Type.F64, Type.F32);
        for (float x : F32S) assertEquals(d(x), run1(promote, f(x)), "fpromote " + x);
        for (double x : F64S) assertEquals(f((float) x), run1(demote, d(x)), "fdemote " + x);
        // 1 + 2^-24 is a tie between 1 and 1 + 2^-23: even wins; 1 + 3 * 2^-24 rounds up
        assertEquals(f(1f), run1(demote, d(1 + 0x1p-24)));
        assertEquals(f(1 + 0x1p-22f), run1(demote, d(1 + 3 * 0x1p-24)));
        assertEquals(f(Float.POSITIVE_INFINITY), run1(demote, d(1e39)));
        assertEquals(f(-0f), run1(demote, d(-1e-50)));
        // NaN payloads: the f32 payload moves to the top of the f64 one and back, quieted
        assertEquals(0x7FFC_0000_2000_0000L, run1(promote, SNAN32));
        assertEquals(0xFFF8_2468_A000_0000L, run1(promote, QNAN32_PAYLOAD));
        assertEquals(0xFFC0_0001L, run1(demote, 0xFFF0_0000_2000_0001L));
        assertEquals(0x7FC0_0000L, run1(demote, 0x7FF0_0000_0000_0001L));
    }

    @Test
    void bitcastAndFloatConstantsKeepEveryBit() {
        assertEquals(SNAN32, run1(unary(Opcode.BITCAST, Type.F32, Type.I32), SNAN32));
        assertEquals(SNAN64, run1(unary(Opcode.BITCAST, Type.I64, Type.F64), SNAN64));
        assertEquals(0x8000_0000L, run1(unary(Opcode.BITCAST, Type.I32, Type.F32), 0x8000_0000L));
        assertEquals(0xFFF8_1234_5678_9ABCL, run1(unary(Opcode.BITCAST, Type.F64, Type.I64), 0xFFF8_1234_5678_9ABCL));
        IrKit k = new IrKit("%c", types(), types(Type.F32, Type.F64, Type.F32));
        int a = k.b.f32constBits((int) SNAN32);
        int b = k.b.f64constBits(SNAN64);
        int c = k.b.f32const(-1.5f);
        k.b.ret(a, b, c);
        assertEquals(InterpResult.returning(SNAN32, SNAN64, 0xBFC0_0000L), run(k.f));
    }
}
