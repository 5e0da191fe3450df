package dev.twill.wasm.spectest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;

import java.util.Map;

import org.junit.jupiter.api.Test;

class WastValuesTest {
    /** ref.extern N as 1000 + N, so that the mapping is visible. */
    private static final WastValues.HostRefs REFS = new WastValues.HostRefs() {
        @Override
        public long externRef(long n) {
            return 1000 + n;
        }

        @Override
        public boolean isExternRef(long bits, long n) {
            return bits == 1000 + n;
        }

        @Override
        public String describeExternRef(long bits) {
            return "ref.extern " + (bits - 1000);
        }
    };

    private static Map<String, Object> v(String type, String value) {
        return Map.of("type", type, "value", value);
    }

    @Test
    void argumentsAreRawBits() {
        assertEquals(-1L, WastValues.argument(v("i32", "4294967295"), REFS));
        assertEquals(Integer.MIN_VALUE, WastValues.argument(v("i32", "2147483648"), REFS));
        assertEquals(-1L, WastValues.argument(v("i64", "18446744073709551615"), REFS));
        assertEquals(Float.floatToRawIntBits(1.0f), WastValues.argument(v("f32", "1065353216"), REFS));
        // f32 bits are zero-extended: the sign bit stays in bit 31
        assertEquals(0x8000_0000L, WastValues.argument(v("f32", "2147483648"), REFS));
        assertEquals(Double.doubleToRawLongBits(-2.0), WastValues.argument(v("f64", Long.toUnsignedString(Double.doubleToRawLongBits(-2.0))), REFS));
        assertEquals(0, WastValues.argument(v("externref", "null"), REFS));
        assertEquals(1007, WastValues.argument(v("externref", "7"), REFS));
        assertEquals(0, WastValues.argument(v("funcref", "null"), REFS));
        assertThrows(IllegalArgumentException.class, () -> WastValues.argument(v("i32", "4294967296"), REFS));
        assertThrows(IllegalArgumentException.class, () -> WastValues.argument(v("i32", "-1"), REFS));
        assertThrows(IllegalArgumentException.class, () -> WastValues.argument(v("i31", "1"), REFS));
        assertThrows(UnsupportedOperationException.class, () -> WastValues.argument(v("v128", "1"), REFS));
    }

    @Test
    void integersCompareTheirWidthOnly() {
        assertTrue(WastValues.matches(v("i32", "4294967295"), -1L, REFS));
        // an i32 result whose high half is not the sign extension still has the right low bits
        assertTrue(WastValues.matches(v("i32", "4294967295"), 0xFFFF_FFFFL, REFS));
        assertFalse(WastValues.matches(v("i32", "4294967294"), -1L, REFS));
        assertTrue(WastValues.matches(v("i64", "9223372036854775808"), Long.MIN_VALUE, REFS));
        assertFalse(WastValues.matches(v("i64", "4294967295"), -1L, REFS));
    }

    @Test
    void floatsCompareBitsAndNanClasses() {
        long one = Float.floatToRawIntBits(1.0f);
        assertTrue(WastValues.matches(v("f32", "1065353216"), one, REFS));
        // -0.0 and +0.0 differ in bits, so they differ here
        assertFalse(WastValues.matches(v("f32", "0"), Float.floatToRawIntBits(-0.0f) & 0xFFFF_FFFFL, REFS));
        // canonical: quiet bit only, either sign
        assertTrue(WastValues.matches(v("f32", "nan:canonical"), 0x7fc0_0000L, REFS));
        assertTrue(WastValues.matches(v("f32", "nan:canonical"), 0xffc0_0000L, REFS));
        assertFalse(WastValues.matches(v("f32", "nan:canonical"), 0x7fc0_0001L, REFS));
        assertFalse(WastValues.matches(v("f32", "nan:canonical"), 0x7fa0_0000L, REFS));
        // arithmetic: quiet bit and any payload; a signalling NaN or infinity is not one
        assertTrue(WastValues.matches(v("f32", "nan:arithmetic"), 0x7fc0_0001L, REFS));
        assertTrue(WastValues.matches(v("f32", "nan:arithmetic"), 0xffff_ffffL, REFS));
        assertFalse(WastValues.matches(v("f32", "nan:arithmetic"), 0x7fa0_0000L, REFS));
        assertFalse(WastValues.matches(v("f32", "nan:arithmetic"), Float.floatToRawIntBits(Float.POSITIVE_INFINITY), REFS));
        assertFalse(WastValues.matches(v("f32", "nan:arithmetic"), one, REFS));

        long dnan = Double.doubleToRawLongBits(Double.NaN); // Java's canonical NaN: 0x7ff8000000000000
        assertTrue(WastValues.matches(v("f64", "nan:canonical"), dnan, REFS));
        assertTrue(WastValues.matches(v("f64", "nan:canonical"), dnan | Long.MIN_VALUE, REFS));
        assertFalse(WastValues.matches(v("f64", "nan:canonical"), dnan | 1, REFS));
        assertTrue(WastValues.matches(v("f64", "nan:arithmetic"), dnan | 1, REFS));
        assertFalse(WastValues.matches(v("f64", "nan:arithmetic"), 0x7ff0_0000_0000_0001L, REFS));
        // an exact NaN pattern is compared bit for bit
        assertTrue(WastValues.matches(v("f64", Long.toUnsignedString(0x7ff0_0000_0000_0001L)), 0x7ff0_0000_0000_0001L, REFS));
        assertFalse(WastValues.matches(v("f64", Long.toUnsignedString(0x7ff0_0000_0000_0001L)), dnan, REFS));
    }

    @Test
    void references() {
        assertTrue(WastValues.matches(v("externref", "null"), 0, REFS));
        assertFalse(WastValues.matches(v("externref", "null"), 1003, REFS));
        assertTrue(WastValues.matches(v("externref", "3"), 1003, REFS));
        assertFalse(WastValues.matches(v("externref", "3"), 1004, REFS));
        assertFalse(WastValues.matches(v("externref", "3"), 0, REFS));
        assertTrue(WastValues.matches(v("funcref", "null"), 0, REFS));
        assertFalse(WastValues.matches(v("funcref", "null"), 0x1000, REFS));
        assertTrue(WastValues.matches(Map.of("type", "funcref"), 0x1000, REFS));
        assertFalse(WastValues.matches(Map.of("type", "funcref"), 0, REFS));
    }

    @Test
    void descriptions() {
        assertEquals("i32:4294967295 (-1)", WastValues.describe((byte) 0x7F, -1, null));
        assertEquals("f32:0x3f800000 (1.0)", WastValues.describe((byte) 0x7D, 0x3f80_0000L, null));
        assertEquals("externref:ref.extern 5", WastValues.describe((byte) 0x6F, 1005, REFS));
        assertEquals("f64:nan:canonical", WastValues.describeExpected(v("f64", "nan:canonical")));
        assertEquals("i32:7", WastValues.describeExpected(v("i32", "7")));
    }

    @Test
    void trapPhrases() {
        assertTrue(TrapPhrases.matches(TrapCode.INT_DIVZ, "integer divide by zero"));
        assertFalse(TrapPhrases.matches(TrapCode.INT_OVF, "integer divide by zero"));
        assertTrue(TrapPhrases.matches(TrapCode.TABLE_OOB, "undefined element"));
        assertTrue(TrapPhrases.matches(TrapCode.TABLE_OOB, "out of bounds table access"));
        assertFalse(TrapPhrases.matches(TrapCode.HEAP_OOB, "out of bounds table access"));
        assertTrue(TrapPhrases.matches(TrapCode.NULL_REFERENCE, "uninitialized element 2"));
        assertTrue(TrapPhrases.matches(TrapCode.STK_OVF, "call stack exhausted"));
        assertFalse(TrapPhrases.matches(TrapCode.user(3), "unreachable"));
    }
}
