package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.twill.ir.TrapCode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.function.IntBinaryOperator;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every numeric instruction of numeric.wat over edge-case operands, against Java's own
 * arithmetic as the oracle (WebAssembly 2.0 §4.3), in the interpreter and natively.
 */
class TranslateNumericTest {
    static WasmHarness h;

    static final int[] I32 = {0, 1, -1, 2, 7, -7, 31, 32, 33, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x12345678, 0x80000001, 0xFFFF0000};
    static final long[] I64 = {0, 1, -1, 2, 7, -7, 63, 64, 65, Long.MIN_VALUE, Long.MAX_VALUE, 0x123456789ABCDEF0L,
        0xFFFF_FFFFL, 0x1_0000_0000L, Integer.MIN_VALUE};
    static final float[] F32 = {0f, -0f, 1f, -1f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 3.7f, -3.7f, 0.49999997f, Float.NaN,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, 2147483648f, -2147483648f,
        2147483520f, 4294967296f, 4294967040f, 1e10f, -1e10f, 9.223372e18f, -9.223372e18f, 1.8446743e19f, 1.8446744e19f};
    static final double[] F64 = {0d, -0d, 1d, -1d, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 0.49999999999999994, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 2147483647.9, 2147483648.0,
        -2147483648.9, -2147483649.0, 4294967295.9, 4294967296.0, -0.9, -1.0, 9.223372036854775E18, 9.223372036854775807E18,
        -9.223372036854775808E18, -9.223372036854778E18, 1.8446744073709550E19, 1.8446744073709552E19, 1e300, 1e-300};

    @BeforeAll
    static void setUp() {
        h = WasmHarness.of("numeric.wat");
    }

    @AfterAll
    static void tearDown() {
        h.close();
    }

    private static long u32(int v) {
        return v & 0xFFFF_FFFFL;
    }

    private static long f32(float f) {
        return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
    }

    private static long f64(double d) {
        return Double.doubleToRawLongBits(d);
    }

    private static long bool(boolean b) {
        return b ? 1 : 0;
    }

    // =====================================================================================
    // Integers

    private static void i32Bin(String op, IntBinaryOperator f) {
        for (int a : I32) for (int b : I32) h.expect1("i32." + op, u32(f.applyAsInt(a, b)), u32(a), u32(b));
    }

    private static void i64Bin(String op, LongBinaryOperator f) {
        for (long a : I64) for (long b : I64) h.expect1("i64." + op, f.applyAsLong(a, b), a, b);
    }

    @Test
    void i32Arithmetic() {
        i32Bin("add", (a, b) -> a + b);
        i32Bin("sub", (a, b) -> a - b);
        i32Bin("mul", (a, b) -> a * b);
        i32Bin("and", (a, b) -> a & b);
        i32Bin("or", (a, b) -> a | b);
        i32Bin("xor", (a, b) -> a ^ b);
        i32Bin("shl", (a, b) -> a << b);
        i32Bin("shr_s", (a, b) -> a >> b);
        i32Bin("shr_u", (a, b) -> a >>> b);
        i32Bin("rotl", Integer::rotateLeft);
        i32Bin("rotr", Integer::rotateRight);
        for (int a : I32) {
            h.expect1("i32.clz", Integer.numberOfLeadingZeros(a), u32(a));
            h.expect1("i32.ctz", Integer.numberOfTrailingZeros(a), u32(a));
            h.expect1("i32.popcnt", Integer.bitCount(a), u32(a));
            h.expect1("i32.eqz", bool(a == 0), u32(a));
            h.expect1("i32.extend8_s", u32((byte) a), u32(a));
            h.expect1("i32.extend16_s", u32((short) a), u32(a));
            h.expect1("i64.extend_i32_s", a, u32(a));
            h.expect1("i64.extend_i32_u", u32(a), u32(a));
            h.expect1("f32.convert_i32_s", f32((float) a), u32(a));
            h.expect1("f32.convert_i32_u", f32((float) u32(a)), u32(a));
            h.expect1("f64.convert_i32_s", f64(a), u32(a));
            h.expect1("f64.convert_i32_u", f64(u32(a)), u32(a));
            h.expectBits("f32.reinterpret_i32", u32(a), u32(a));
        }
    }

    @Test
    void i32DivisionTraps() {
        for (int a : I32) {
            for (int b : I32) {
                if (b == 0) {
                    for (String op : new String[] {"div_s", "div_u", "rem_s", "rem_u"}) h.expectTrap("i32." + op, TrapCode.INT_DIVZ, u32(a), 0);
                    continue;
                }
                if (a == Integer.MIN_VALUE && b == -1) h.expectTrap("i32.div_s", TrapCode.INT_OVF, u32(a), u32(b));
                else h.expect1("i32.div_s", u32(a / b), u32(a), u32(b));
                h.expect1("i32.rem_s", u32(a % b), u32(a), u32(b)); // Java: MIN % -1 == 0, as wasm
                h.expect1("i32.div_u", u32(Integer.divideUnsigned(a, b)), u32(a), u32(b));
                h.expect1("i32.rem_u", u32(Integer.remainderUnsigned(a, b)), u32(a), u32(b));
            }
        }
    }

    @Test
    void i32Comparisons() {
        for (int a : I32) {
            for (int b : I32) {
                long x = u32(a), y = u32(b);
                h.expect1("i32.eq", bool(a == b), x, y);
                h.expect1("i32.ne", bool(a != b), x, y);
                h.expect1("i32.lt_s", bool(a < b), x, y);
                h.expect1("i32.lt_u", bool(Integer.compareUnsigned(a, b) < 0), x, y);
                h.expect1("i32.gt_s", bool(a > b), x, y);
                h.expect1("i32.gt_u", bool(Integer.compareUnsigned(a, b) > 0), x, y);
                h.expect1("i32.le_s", bool(a <= b), x, y);
                h.expect1("i32.le_u", bool(Integer.compareUnsigned(a, b) <= 0), x, y);
                h.expect1("i32.ge_s", bool(a >= b), x, y);
                h.expect1("i32.ge_u", bool(Integer.compareUnsigned(a, b) >= 0), x, y);
            }
        }
    }

    @Test
    void i64Arithmetic() {
        i64Bin("add", (a, b) -> a + b);
        i64Bin("sub", (a, b) -> a - b);
        i64Bin("mul", (a, b) -> a * b);
        i64Bin("and", (a, b) -> a & b);
        i64Bin("or", (a, b) -> a | b);
        i64Bin("xor", (a, b) -> a ^ b);
        i64Bin("shl", (a, b) -> a << b);
        i64Bin("shr_s", (a, b) -> a >> b);
        i64Bin("shr_u", (a, b) -> a >>> b);
        i64Bin("rotl", (a, b) -> Long.rotateLeft(a, (int) b));
        i64Bin("rotr", (a, b) -> Long.rotateRight(a, (int) b));
        for (long a : I64) {
            h.expect1("i64.clz", Long.numberOfLeadingZeros(a), a);
            h.expect1("i64.ctz", Long.numberOfTrailingZeros(a), a);
            h.expect1("i64.popcnt", Long.bitCount(a), a);
            h.expect1("i64.eqz", bool(a == 0), a);
            h.expect1("i64.extend8_s", (byte) a, a);
            h.expect1("i64.extend16_s", (short) a, a);
            h.expect1("i64.extend32_s", (int) a, a);
            h.expect1("i32.wrap_i64", u32((int) a), a);
            h.expect1("f32.convert_i64_s", f32((float) a), a);
            h.expect1("f32.convert_i64_u", f32(Float.parseFloat(Long.toUnsignedString(a))), a);
            h.expect1("f64.convert_i64_s", f64((double) a), a);
            h.expect1("f64.convert_i64_u", f64(Double.parseDouble(Long.toUnsignedString(a))), a);
            h.expectBits("f64.reinterpret_i64", a, a);
        }
    }

    @Test
    void i64DivisionAndComparisons() {
        for (long a : I64) {
            for (long b : I64) {
                h.expect1("i64.eq", bool(a == b), a, b);
                h.expect1("i64.ne", bool(a != b), a, b);
                h.expect1("i64.lt_s", bool(a < b), a, b);
                h.expect1("i64.lt_u", bool(Long.compareUnsigned(a, b) < 0), a, b);
                h.expect1("i64.gt_s", bool(a > b), a, b);
                h.expect1("i64.gt_u", bool(Long.compareUnsigned(a, b) > 0), a, b);
                h.expect1("i64.le_s", bool(a <= b), a, b);
                h.expect1("i64.le_u", bool(Long.compareUnsigned(a, b) <= 0), a, b);
                h.expect1("i64.ge_s", bool(a >= b), a, b);
                h.expect1("i64.ge_u", bool(Long.compareUnsigned(a, b) >= 0), a, b);
                if (b == 0) {
                    for (String op : new String[] {"div_s", "div_u", "rem_s", "rem_u"}) h.expectTrap("i64." + op, TrapCode.INT_DIVZ, a, 0);
                    continue;
                }
                if (a == Long.MIN_VALUE && b == -1) h.expectTrap("i64.div_s", TrapCode.INT_OVF, a, b);
                else h.expect1("i64.div_s", a / b, a, b);
                h.expect1("i64.rem_s", a % b, a, b);
                h.expect1("i64.div_u", Long.divideUnsigned(a, b), a, b);
                h.expect1("i64.rem_u", Long.remainderUnsigned(a, b), a, b);
            }
        }
    }

    // =====================================================================================
    // Floats

    private static float nearest(float x) {
        return (float) Math.rint(x);
    }

    private static float trunc(float x) {
        return (float) (x < 0 ? Math.ceil(x) : Math.floor(x));
    }

    private static double trunc(double x) {
        return x < 0 ? Math.ceil(x) : Math.floor(x);
    }

    @Test
    void f32Arithmetic() {
        for (float a : F32) {
            long x = f32(a);
            h.expectBits("f32.abs", x & 0x7FFF_FFFFL, x);
            h.expectBits("f32.neg", x ^ 0x8000_0000L, x);
            h.expect1("f32.ceil", f32((float) Math.ceil(a)), x);
            h.expect1("f32.floor", f32((float) Math.floor(a)), x);
            h.expect1("f32.trunc", f32(trunc(a)), x);
            h.expect1("f32.nearest", f32(nearest(a)), x);
            h.expect1("f32.sqrt", f32((float) Math.sqrt(a)), x);
            h.expect1("f64.promote_f32", f64(a), x);
            h.expectBits("i32.reinterpret_f32", x, x);
            for (float b : F32) {
                long y = f32(b);
                h.expect1("f32.add", f32(a + b), x, y);
                h.expect1("f32.sub", f32(a - b), x, y);
                h.expect1("f32.mul", f32(a * b), x, y);
                h.expect1("f32.div", f32(a / b), x, y);
                h.expect1("f32.min", f32(Math.min(a, b)), x, y);
                h.expect1("f32.max", f32(Math.max(a, b)), x, y);
                h.expectBits("f32.copysign", (x & 0x7FFF_FFFFL) | (y & 0x8000_0000L), x, y);
                h.expect1("f32.eq", bool(a == b), x, y);
                h.expect1("f32.ne", bool(a != b), x, y);
                h.expect1("f32.lt", bool(a < b), x, y);
                h.expect1("f32.gt", bool(a > b), x, y);
                h.expect1("f32.le", bool(a <= b), x, y);
                h.expect1("f32.ge", bool(a >= b), x, y);
            }
        }
        // NaN payloads and signs pass through the bit operations unchanged
        long nan = 0x7FA0_0001L, negNan = 0xFFC0_0123L;
        h.expectBits("f32.abs", negNan & 0x7FFF_FFFFL, negNan);
        h.expectBits("f32.neg", nan | 0x8000_0000L, nan);
        h.expectBits("f32.copysign", nan | 0x8000_0000L, nan, negNan);
    }

    @Test
    void f64Arithmetic() {
        for (double a : F64) {
            long x = f64(a);
            h.expectBits("f64.abs", x & Long.MAX_VALUE, x);
            h.expectBits("f64.neg", x ^ Long.MIN_VALUE, x);
            h.expect1("f64.ceil", f64(Math.ceil(a)), x);
            h.expect1("f64.floor", f64(Math.floor(a)), x);
            h.expect1("f64.trunc", f64(trunc(a)), x);
            h.expect1("f64.nearest", f64(Math.rint(a)), x);
            h.expect1("f64.sqrt", f64(Math.sqrt(a)), x);
            h.expect1("f32.demote_f64", f32((float) a), x);
            h.expectBits("i64.reinterpret_f64", x, x);
            for (double b : F64) {
                long y = f64(b);
                h.expect1("f64.add", f64(a + b), x, y);
                h.expect1("f64.sub", f64(a - b), x, y);
                h.expect1("f64.mul", f64(a * b), x, y);
                h.expect1("f64.div", f64(a / b), x, y);
                h.expect1("f64.min", f64(Math.min(a, b)), x, y);
                h.expect1("f64.max", f64(Math.max(a, b)), x, y);
                h.expectBits("f64.copysign", (x & Long.MAX_VALUE) | (y & Long.MIN_VALUE), x, y);
                h.expect1("f64.eq", bool(a == b), x, y);
                h.expect1("f64.ne", bool(a != b), x, y);
                h.expect1("f64.lt", bool(a < b), x, y);
                h.expect1("f64.gt", bool(a > b), x, y);
                h.expect1("f64.le", bool(a <= b), x, y);
                h.expect1("f64.ge", bool(a >= b), x, y);
                h.expect1("fcmp_if", bool(a < b), x, y);
            }
        }
    }

    // =====================================================================================
    // Float to integer: traps and saturation

    /** The truncation of {@code x} if it lies in [lo, hi] (exact bounds of the integer type); else null. */
    private static BigInteger truncIn(double x, BigInteger lo, BigInteger hi) {
        if (Double.isNaN(x) || Double.isInfinite(x)) return null;
        BigInteger t = new BigDecimal(x).toBigInteger(); // rounds toward zero
        return t.compareTo(lo) < 0 || t.compareTo(hi) > 0 ? null : t;
    }

    private static final BigInteger I32_MIN = BigInteger.valueOf(Integer.MIN_VALUE), I32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger U32_MAX = BigInteger.valueOf(0xFFFF_FFFFL);
    private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE), I64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** Checks one float-to-int conversion, trapping and saturating, for input {@code x} with argument bits {@code bits}. */
    private static void toInt(String name, double x, long bits, BigInteger lo, BigInteger hi, boolean i32) {
        BigInteger t = truncIn(x, lo, hi);
        long mask = i32 ? 0xFFFF_FFFFL : -1L;
        if (Double.isNaN(x)) h.expectTrap(name, TrapCode.BAD_TOINT, bits);
        else if (t == null) h.expectTrap(name, TrapCode.INT_OVF, bits);
        else h.expect1(name, t.longValue() & mask, bits);
        BigInteger sat = Double.isNaN(x) ? BigInteger.ZERO : x < 0 ? (t == null ? lo : t) : (t == null ? hi : t);
        String satName = name.replace("trunc_", "trunc_sat_");
        h.expect1(satName, sat.longValue() & mask, bits);
    }

    @Test
    void floatToIntTrapsAndSaturation() {
        for (float a : F32) {
            long x = f32(a);
            toInt("i32.trunc_f32_s", a, x, I32_MIN, I32_MAX, true);
            toInt("i32.trunc_f32_u", a, x, BigInteger.ZERO, U32_MAX, true);
            toInt("i64.trunc_f32_s", a, x, I64_MIN, I64_MAX, false);
            toInt("i64.trunc_f32_u", a, x, BigInteger.ZERO, U64_MAX, false);
        }
        for (double a : F64) {
            long x = f64(a);
            toInt("i32.trunc_f64_s", a, x, I32_MIN, I32_MAX, true);
            toInt("i32.trunc_f64_u", a, x, BigInteger.ZERO, U32_MAX, true);
            toInt("i64.trunc_f64_s", a, x, I64_MIN, I64_MAX, false);
            toInt("i64.trunc_f64_u", a, x, BigInteger.ZERO, U64_MAX, false);
        }
    }

    @Test
    void constantsAndConditions() {
        h.expect("consts", new long[] {u32(-123456789), -0x7fffffffffffffffL, 0x7FA0_0001L, f64(-0x1.8p-1022)});
        org.junit.jupiter.api.Assertions.assertEquals(0x7FA0_0001L, h.call("consts").values()[2], "NaN payload of f32.const");
        h.expect("consts2", new long[] {0x7FFF_FFFFL, Long.MIN_VALUE});
        h.expectI32("eqz_if", 1, 0);
        h.expectI32("eqz_if", 2, 1L << 40);
        h.expectI32("eqz_br_if", 3, 0);
        h.expectI32("eqz_br_if", 4, 9);
        // the eqz feeding the branch is folded into the branch's sense: no icmp against zero remains
        assertFalse(h.ir("eqz_br_if").contains("icmp_imm"), h.ir("eqz_br_if"));
    }
}
