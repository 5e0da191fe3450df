package dev.twill.wasm.binary;

import dev.twill.CompileError;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over a WebAssembly binary: fixed-width little-endian values, LEB128 integers and
 * UTF-8 names (WebAssembly 2.0 §5.2), read from a {@code byte[]} between {@link #pos} and
 * {@link #limit}. The decoder, the validator and the translator share it; one reader can be
 * re-aimed with {@link #reset} so that reading a function body allocates nothing.
 *
 * <p>LEB128 limits follow §5.2.2: an N-bit integer takes at most ceil(N/7) bytes ("integer
 * representation too long" otherwise), and the unused bits of the last byte must be zero for
 * unsigned and copies of the sign bit for signed integers ("integer too large"). Names must be
 * well-formed UTF-8 (§5.2.4): no overlong forms, no surrogates, nothing above U+10FFFF.
 *
 * <p>Errors are {@link CompileError}s at the offending byte, with the reasons the reference
 * interpreter gives (its decoder is what the spec suite's {@code assert_malformed} texts come
 * from). Reading past {@link #limit} is "unexpected end of section or function".
 *
 * <p>Invariant: {@code 0 <= pos <= limit <= buf.length} between calls.
 */
public final class ByteReader {
    public static final String UNEXPECTED_END = "unexpected end of section or function";

    /** The whole binary. */
    public final byte[] buf;
    /** Next byte to read. */
    public int pos;
    /** End (exclusive) of what may be read. */
    public int limit;

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteReader(byte[] buf, int pos, int limit) {
        this.buf = buf;
        reset(pos, limit);
    }

    /** Aims the reader at {@code [pos, limit)} of the same binary. */
    public void reset(int pos, int limit) {
        if (pos < 0 || limit > buf.length || pos > limit) throw new IllegalArgumentException(pos + ".." + limit);
        this.pos = pos;
        this.limit = limit;
    }

    public boolean atEnd() {
        return pos >= limit;
    }

    public int remaining() {
        return limit - pos;
    }

    /** A malformed-input error at {@code offset}. */
    public static CompileError error(int offset, String reason) {
        return CompileError.atOffset(null, offset, reason);
    }

    private CompileError eof() {
        return error(limit, UNEXPECTED_END);
    }

    /** The next byte without consuming it, or -1 at the limit. */
    public int peek() {
        return pos < limit ? buf[pos] & 0xFF : -1;
    }

    public int u8() {
        if (pos >= limit) throw eof();
        return buf[pos++] & 0xFF;
    }

    /** Reads one byte that must be {@code expected}, else fails with {@code reason}. */
    public void expect(int expected, String reason) {
        int at = pos;
        if (u8() != expected) throw error(at, reason);
    }

    public void skip(int n) {
        if (n < 0 || n > limit - pos) throw eof();
        pos += n;
    }

    /** A 4-byte little-endian word (the bits of an f32, the magic and version). */
    public int fixed32() {
        if (limit - pos < 4) {
            pos = limit;
            throw eof();
        }
        byte[] b = buf;
        int p = pos;
        pos = p + 4;
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    /** An 8-byte little-endian word (the bits of an f64). */
    public long fixed64() {
        if (limit - pos < 8) {
            pos = limit;
            throw eof();
        }
        long lo = fixed32() & 0xFFFF_FFFFL;
        long hi = fixed32() & 0xFFFF_FFFFL;
        return lo | hi << 32;
    }

    /** An unsigned 32-bit LEB128 integer, as the int with the same bits. */
    public int u32() {
        int p = pos;
        if (p < limit) {
            int b = buf[p];
            if (b >= 0) {
                pos = p + 1;
                return b;
            }
        }
        return u32Slow();
    }

    private int u32Slow() {
        int result = 0;
        for (int shift = 0; ; shift += 7) {
            int at = pos;
            int b = u8();
            if (shift == 28) {
                // The fifth byte holds bits 28..31: its three high payload bits must be zero,
                // and it must end the number.
                if ((b & 0x70) != 0) throw error(at, "integer too large");
                if ((b & 0x80) != 0) throw error(at + 1, "integer representation too long");
                return result | b << 28;
            }
            result |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    /**
     * An unsigned 64-bit LEB128 integer (memory64 limits and memarg offsets), as the long with
     * the same bits: at most ten bytes, the tenth holding only bit 63.
     */
    public long u64() {
        int p = pos;
        if (p < limit) {
            int b = buf[p];
            if (b >= 0) { // one byte: the usual memarg offset, on the translator's hot path
                pos = p + 1;
                return b;
            }
        }
        return u64Slow();
    }

    private long u64Slow() {
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            int at = pos;
            int b = u8();
            if (shift == 63) {
                if ((b & 0x7E) != 0) throw error(at, "integer too large");
                if ((b & 0x80) != 0) throw error(at + 1, "integer representation too long");
                return result | (long) b << 63;
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    /** A u32 that must not exceed the bytes left before the limit (vector counts, byte lengths). */
    public int len32() {
        int at = pos;
        int n = u32();
        if (Integer.toUnsignedLong(n) > limit - pos) throw error(at, "length out of bounds");
        return n;
    }

    /**
     * A vector's element count (a u32). Every element takes at least one byte, so a count
     * above the bytes left can only end in "unexpected end", which is reported at once,
     * before anything is allocated for the elements.
     */
    public int count() {
        int n = u32();
        if (Integer.toUnsignedLong(n) > limit - pos) throw eof();
        return n;
    }

    /**
     * Reads a one-byte type code (a value type, the function type tag 0x60), which the
     * reference decoder reads as a signed LEB128 integer of 7 bits: a continuation bit makes
     * it "integer representation too long".
     */
    public int typeCode() {
        int b = u8();
        if ((b & 0x80) != 0) throw error(pos, "integer representation too long");
        return b;
    }

    /** A signed 32-bit LEB128 integer. */
    public int s32() {
        int p = pos;
        if (p < limit) {
            int b = buf[p];
            if ((b & 0xC0) == 0) {
                pos = p + 1;
                return b;
            }
        }
        return (int) signed(32);
    }

    /** A signed 33-bit LEB128 integer (block types). */
    public long s33() {
        return signed(33);
    }

    /** A signed 64-bit LEB128 integer. */
    public long s64() {
        return signed(64);
    }

    private long signed(int bits) {
        long result = 0;
        int shift = 0;
        while (true) {
            int at = pos;
            int b = u8();
            int left = bits - shift;
            if (left < 7) {
                // Last possible byte: bits left-1..6 must all equal the sign bit, and it must end the number.
                int mask = (-1 << (left - 1)) & 0x7F;
                int high = b & mask;
                if (high != 0 && high != mask) throw error(at, "integer too large");
                if ((b & 0x80) != 0) throw error(at + 1, "integer representation too long");
            }
            result |= (long) (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
                return result;
            }
            if (left <= 7) throw error(at + 1, "integer representation too long");
        }
    }

    /** A name (§5.2.4): a byte length and that many bytes of well-formed UTF-8. */
    public String name() {
        int at = pos;
        int n = len32();
        int start = pos;
        if (!isUtf8(buf, start, start + n)) throw error(at, "malformed UTF-8 encoding");
        pos = start + n;
        return new String(buf, start, n, StandardCharsets.UTF_8);
    }

    /** Whether {@code b[from, to)} is well-formed UTF-8 (Unicode §3.9, Table 3-7). */
    public static boolean isUtf8(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int len;
            int lo = 0x80, hi = 0xBF; // allowed range of the second byte
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0) lo = 0xA0; // no overlong forms
                else if (c == 0xED) hi = 0x9F; // no surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0) lo = 0x90; // no overlong forms
                else if (c == 0xF4) hi = 0x8F; // nothing above U+10FFFF
            } else {
                return false; // continuation byte, overlong 0xC0/0xC1, or 0xF5..0xFF
            }
            if (to - i < len) return false;
            int c1 = b[i + 1] & 0xFF;
            if (c1 < lo || c1 > hi) return false;
            for (int k = 2; k < len; k++) {
                if ((b[i + k] & 0xC0) != 0x80) return false;
            }
            i += len;
        }
        return true;
    }
}
