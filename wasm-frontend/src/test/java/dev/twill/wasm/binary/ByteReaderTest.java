package dev.twill.wasm.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** LEB128 limits of §5.2.2 and UTF-8 of §5.2.4, with values worked out by hand. */
class ByteReaderTest {
    private static ByteReader r(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return new ByteReader(b);
    }

    private static void fails(String reason, Runnable read) {
        CompileError e = assertThrows(CompileError.class, read::run);
        assertEquals(reason, e.reason);
    }

    @Test
    void unsigned32() {
        assertEquals(0, r(0x00).u32());
        assertEquals(127, r(0x7F).u32());
        assertEquals(128, r(0x80, 0x01).u32());
        assertEquals(624485, r(0xE5, 0x8E, 0x26).u32()); // the LEB128 example of the DWARF spec
        assertEquals(0, r(0x80, 0x00).u32()); // padded forms are allowed within the length limit
        assertEquals(3, r(0x83, 0x80, 0x80, 0x80, 0x00).u32());
        assertEquals(0xFFFF_FFFF, r(0xFF, 0xFF, 0xFF, 0xFF, 0x0F).u32());
        ByteReader two = r(0x81, 0x01, 0x05);
        assertEquals(129, two.u32());
        assertEquals(2, two.pos);
        // The fifth byte carries bits 28..31 only.
        fails("integer too large", () -> r(0x80, 0x80, 0x80, 0x80, 0x10).u32());
        fails("integer too large", () -> r(0xFF, 0xFF, 0xFF, 0xFF, 0x4F).u32());
        fails("integer representation too long", () -> r(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32());
        fails(ByteReader.UNEXPECTED_END, () -> r(0x80).u32());
        fails(ByteReader.UNEXPECTED_END, () -> r().u32());
    }

    @Test
    void signed32() {
        assertEquals(-1, r(0x7F).s32());
        assertEquals(-64, r(0x40).s32());
        assertEquals(63, r(0x3F).s32());
        assertEquals(64, r(0xC0, 0x00).s32());
        assertEquals(-65, r(0xBF, 0x7F).s32());
        assertEquals(Integer.MAX_VALUE, r(0xFF, 0xFF, 0xFF, 0xFF, 0x07).s32());
        assertEquals(Integer.MIN_VALUE, r(0x80, 0x80, 0x80, 0x80, 0x78).s32());
        assertEquals(-1, r(0xFF, 0xFF, 0xFF, 0xFF, 0x7F).s32());
        // Bits 3..6 of the fifth byte must all be copies of the sign (bit 31).
        fails("integer too large", () -> r(0x80, 0x80, 0x80, 0x80, 0x70).s32());
        fails("integer too large", () -> r(0xFF, 0xFF, 0xFF, 0xFF, 0x0F).s32());
        fails("integer representation too long", () -> r(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F).s32());
    }

    @Test
    void signed33And64() {
        // 0x0F in the fifth byte sets bits 28..31; bit 32 (the sign) stays clear: 2^32 - 2^28.
        assertEquals(4026531840L, r(0x80, 0x80, 0x80, 0x80, 0x0F).s33());
        assertEquals(-(1L << 32), r(0x80, 0x80, 0x80, 0x80, 0x70).s33());
        fails("integer too large", () -> r(0x80, 0x80, 0x80, 0x80, 0x10).s33());
        assertEquals(Long.MAX_VALUE, r(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00).s64());
        assertEquals(Long.MIN_VALUE, r(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F).s64());
        assertEquals(-2, r(0x7E).s64());
        fails("integer too large", () -> r(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).s64());
        fails("integer too large", () -> r(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7E).s64());
        fails("integer representation too long",
            () -> r(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s64());
    }

    @Test
    void fixedWidth() {
        ByteReader in = r(0x00, 0x00, 0x80, 0x3F, 0x18, 0x2D, 0x44, 0x54, 0xFB, 0x21, 0x09, 0x40);
        assertEquals(Float.floatToRawIntBits(1.0f), in.fixed32());
        assertEquals(Double.doubleToRawLongBits(Math.PI), in.fixed64());
        fails(ByteReader.UNEXPECTED_END, () -> r(1, 2, 3).fixed32());
    }

    @Test
    void lengthsAndCounts() {
        fails("length out of bounds", () -> r(0x03, 'a', 'b').name());
        fails(ByteReader.UNEXPECTED_END, () -> r(0xFF, 0xFF, 0xFF, 0xFF, 0x0F).count());
        assertEquals(2, r(0x02, 0, 0).count());
    }

    @Test
    void utf8Names() {
        assertEquals("héllo", r(0x06, 'h', 0xC3, 0xA9, 'l', 'l', 'o').name());
        assertEquals("\uD83D\uDE00", r(0x04, 0xF0, 0x9F, 0x98, 0x80).name()); // U+1F600
        assertEquals("", r(0x00).name());
        assertTrue(utf8(0xEF, 0xBF, 0xBF)); // U+FFFF
        assertTrue(utf8(0xF4, 0x8F, 0xBF, 0xBF)); // U+10FFFF
        assertTrue(utf8(0xED, 0x9F, 0xBF)); // U+D7FF, just below the surrogates
        assertFalse(utf8(0xC0, 0x80)); // overlong NUL
        assertFalse(utf8(0xE0, 0x9F, 0xBF)); // overlong U+07FF
        assertFalse(utf8(0xF0, 0x8F, 0xBF, 0xBF)); // overlong U+FFFF
        assertFalse(utf8(0xED, 0xA0, 0x80)); // surrogate U+D800
        assertFalse(utf8(0xF4, 0x90, 0x80, 0x80)); // U+110000
        assertFalse(utf8(0xF5, 0x80, 0x80, 0x80));
        assertFalse(utf8(0x80)); // lone continuation
        assertFalse(utf8(0xE2, 0x82)); // truncated
        assertFalse(utf8(0xE2, 0x28, 0xA1)); // bad continuation
        fails("malformed UTF-8 encoding", () -> r(0x02, 0xC0, 0x80).name());
        // Agrees with the JDK's strict decoder on every two-byte sequence.
        for (int a = 0; a < 256; a++) {
            for (int c = 0; c < 256; c++) {
                byte[] two = {(byte) a, (byte) c};
                assertEquals(jdkStrict(two), ByteReader.isUtf8(two, 0, 2), a + " " + c);
            }
        }
    }

    private static boolean utf8(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        boolean ours = ByteReader.isUtf8(b, 0, b.length);
        assertEquals(jdkStrict(b), ours, "disagrees with the JDK decoder");
        return ours;
    }

    private static boolean jdkStrict(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
