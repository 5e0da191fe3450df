package dev.twill.ir.text;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import dev.twill.ir.Function;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Integer and float literals: exact bits, edge cases, and agreement with FloatText. */
class LiteralsTest {
    @Test
    void integers() {
        assertEquals(255, Literals.parseInt("0xff", 8));
        assertEquals(0xFF, Literals.parseInt("-1", 8));
        assertEquals(0x80, Literals.parseInt("-128", 8));
        assertEquals(0x8000, Literals.parseInt("-32768", 16));
        assertEquals(1000, Literals.parseInt("1_000", 32));
        assertEquals(16, Literals.parseInt("+0x10", 32));
        assertEquals(-16L & 0xFFFF_FFFFL, Literals.parseInt("-0x10", 32));
        assertEquals(-1L, Literals.parseInt("0xffff_ffff_ffff_ffff", 64));
        assertEquals(-1L, Literals.parseInt("18446744073709551615", 64));
        assertEquals(Long.MIN_VALUE, Literals.parseInt("-9223372036854775808", 64));
        assertEquals(Long.MIN_VALUE, Literals.parseInt("0x8000_0000_0000_0000", 64));
        for (String bad : new String[] {"256", "-129", "0x100"}) {
            assertThrows(IllegalArgumentException.class, () -> Literals.parseInt(bad, 8), bad);
        }
        for (String bad : new String[] {"18446744073709551616", "-9223372036854775809", "0x1_0000_0000_0000_0000",
                                        "", "-", "0x", "_1", "12a", "1.5", "0xg", "--1"}) {
            assertThrows(IllegalArgumentException.class, () -> Literals.parseInt(bad, 64), bad);
        }
    }

    @Test
    void floatsReadAsClifWritesThem() {
        assertEquals(Float.floatToRawIntBits(3.0f), Literals.parseF32("0x1.8p1"));
        assertEquals(Float.floatToRawIntBits(3.0f), Literals.parseF32("0x1.800000p1"));
        assertEquals(Float.floatToRawIntBits(-6.0f), Literals.parseF32("-0x1.8p2"));
        assertEquals(Float.floatToRawIntBits(1.5f), Literals.parseF32("1.5"));
        assertEquals(Double.doubleToRawLongBits(-2500.0), Literals.parseF64("-2.5e3"));
        assertEquals(Double.doubleToRawLongBits(0.1), Literals.parseF64("0.1"));
        assertEquals(Float.floatToRawIntBits(0.1f), Literals.parseF32("0.1")); // rounded once, to f32
        assertEquals(0, Literals.parseF32("0.0"));
        assertEquals(0x8000_0000, Literals.parseF32("-0.0"));
        assertEquals(0x7F80_0000, Literals.parseF32("Inf"));
        assertEquals(0x7F80_0000, Literals.parseF32("+Inf"));
        assertEquals(0xFF80_0000, Literals.parseF32("-Inf"));
        assertEquals(0x7FC0_0000, Literals.parseF32("NaN"));
        assertEquals(0x7FC0_0000, Literals.parseF32("+NaN"));
        assertEquals(0xFFC0_0001, Literals.parseF32("-NaN:0x1"));
        assertEquals(0x7F80_0001, Literals.parseF32("+sNaN:0x1"));
        assertEquals(0x7FF8_0000_0000_0000L, Literals.parseF64("NaN"));
        assertEquals(0x7FF4_0000_0000_0000L, Literals.parseF64("sNaN:0x4_0000_0000_0000"));
        assertEquals(1, Literals.parseF32("0x1p-149"));                  // smallest subnormal
        assertEquals(1, Literals.parseF32("0x0.000002p-126"));           // the same, as FloatText writes it
        assertEquals(0x0080_0000, Literals.parseF32("0x1p-126"));        // smallest normal
        assertEquals(Float.floatToRawIntBits(Float.MAX_VALUE), Literals.parseF32("0x1.fffffep127"));
        assertEquals(1L, Literals.parseF64("0x1p-1074"));
        assertEquals(Double.doubleToRawLongBits(0x1.000001p0), Literals.parseF64("0x1.000001p0"));
        assertEquals(Double.doubleToRawLongBits(16.0), Literals.parseF64("0x10"));
        for (String bad : new String[] {"0x1.000001p0", "0x1p128", "0x1p-150", "0x3p-150", "1e39", "sNaN:0x0",
                                        "NaN:0x400000", "NaN:1", "Infinity", "1f", "", "+", ".", "1e", "0x1.8q1", "0x.p1",
                                        "0x1p", "0x1.2.3p0", "nan"}) {
            assertThrows(IllegalArgumentException.class, () -> Literals.parseF32(bad), bad);
        }
    }

    private static final int[] SPECIAL_F32 = {
        0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7FC0_0001, 0x7F80_0001,
        0xFFBF_FFFF, 0x7FFF_FFFF, 1, 0x007F_FFFF, 0x0080_0000, 0x7F7F_FFFF, 0x3F80_0000, 0xC020_0000,
    };
    private static final long[] SPECIAL_F64 = {
        0, 0x8000_0000_0000_0000L, 0x7FF0_0000_0000_0000L, 0xFFF0_0000_0000_0000L, 0x7FF8_0000_0000_0000L,
        0x7FF8_0000_0000_0001L, 0x7FF0_0000_0000_0001L, 0xFFF7_FFFF_FFFF_FFFFL, 1, 0x000F_FFFF_FFFF_FFFFL,
        0x0010_0000_0000_0000L, 0x7FEF_FFFF_FFFF_FFFFL, 0x3FF0_0000_0000_0000L,
    };

    @Test
    void everySpecialFloatPrintsAndParsesToIdenticalBits() {
        for (int bits : SPECIAL_F32) {
            String s = FloatText.formatF32(bits);
            assertEquals(bits, Literals.parseF32(s), s);
            assertEquals(bits, (int) constant("f32const " + s), s);
        }
        for (long bits : SPECIAL_F64) {
            String s = FloatText.formatF64(bits);
            assertEquals(bits, Literals.parseF64(s), s);
            assertEquals(bits, constant("f64const " + s), s);
        }
    }

    @Test
    void randomBitPatternsRoundTrip() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int k = 0; k < 200_000; k++) {
            int b32 = rnd.nextInt();
            // bias towards the interesting exponents: zero (subnormals) and all ones (NaNs)
            if (k % 4 == 1) b32 &= 0x807F_FFFF;
            if (k % 4 == 2) b32 |= 0x7F80_0000;
            String s32 = FloatText.formatF32(b32);
            assertEquals(b32, Literals.parseF32(s32), "seed " + seed + ": " + s32);
            long b64 = rnd.nextLong();
            if (k % 4 == 1) b64 &= 0x800F_FFFF_FFFF_FFFFL;
            if (k % 4 == 2) b64 |= 0x7FF0_0000_0000_0000L;
            String s64 = FloatText.formatF64(b64);
            assertEquals(b64, Literals.parseF64(s64), "seed " + seed + ": " + s64);
            // decimals of finite values read back to the same value (Java's shortest repr is exact on reading)
            float f = Float.intBitsToFloat(b32);
            if (!Float.isNaN(f) && !Float.isInfinite(f) && k % 16 == 0) {
                String dec = new java.math.BigDecimal(f).toString();
                if (!dec.contains("E")) assertEquals(b32, Literals.parseF32(dec), "seed " + seed + ": " + dec);
            }
        }
    }

    @Test
    void iconstIsMaskedToItsType() {
        assertEquals(0xFF, constant("iconst.i8 -1"));
        assertEquals(0xFFFF, constant("iconst.i16 0xffff"));
        assertEquals(0x8000_0000L, constant("iconst.i32 -2147483648"));
        assertEquals(0xFFFF_FFFFL, constant("iconst.i32 4294967295"));
        assertEquals(-1L, constant("iconst.i64 -1"));
        assertThrows(CompileError.class, () -> constant("iconst.i16 65536"));
        assertThrows(CompileError.class, () -> constant("iconst.i32 0x1_0000_0000"));
        assertThrows(CompileError.class, () -> constant("iconst.i32 -2147483649"));
    }

    /** The immediate of the one instruction {@code v1 = <inst>}. */
    private static long constant(String inst) {
        Function f = Parser.parseFunction("function %c() {\nblock0:\n    v1 = " + inst + "\n    return\n}\n");
        return f.dfg.imm(f.dfg.valueDef(1));
    }
}
