package dev.twill.wasm.spectest;

import dev.twill.wasm.binary.ValType;

import java.util.Map;

/**
 * Values in wast2json command lists: arguments turned into the raw bits that cross the public
 * API, and expected results matched against the raw bits a call returned.
 *
 * <p>Encoding (wast2json 1.0.32, see the test suite's MANIFEST.md): {@code {"type": T, "value":
 * V}} where V is the unsigned decimal of the value's bits for {@code i32 i64 f32 f64} (so
 * {@code "4294967295"} is i32 -1 and {@code "1065353216"} is f32 1.0), {@code "nan:canonical"} or
 * {@code "nan:arithmetic"} for an expected float NaN class, {@code "null"} or a host-reference
 * number {@code N} ({@code ref.extern N}) for {@code externref}, {@code "null"} for
 * {@code funcref}; an expected {@code funcref} without a value means any non-null reference.
 *
 * <p>Raw bits (WASM.md): i32 is the int sign-extended, f32 its bits zero-extended, references are
 * addresses or Store handles, null is 0. Only the low 32 bits of an i32 or f32 result are
 * compared, so an implementation that leaves garbage in the high half is not judged on it.
 *
 * <p>NaN classes (WebAssembly 2.0 §4.3.3): a canonical NaN has only the quiet bit set in its
 * payload (either sign); an arithmetic NaN has the quiet bit set and any other payload.
 */
public final class WastValues {
    private WastValues() {}

    /** Host references {@code ref.extern N}: how the runner makes and recognises them. */
    public interface HostRefs {
        /** The raw bits that stand for {@code ref.extern n} as an argument. */
        long externRef(long n);

        /** Whether {@code bits}, a returned externref, is {@code ref.extern n}. */
        boolean isExternRef(long bits, long n);

        /** A short text for a returned externref, for failure messages. */
        String describeExternRef(long bits);
    }

    static final long F32_EXP_QUIET = 0x7fc0_0000L;
    static final long F64_EXP_QUIET = 0x7ff8_0000_0000_0000L;

    /** The value type of a value descriptor, as a {@link ValType} byte. */
    public static byte type(Map<String, Object> v) {
        String t = Json.string(v, "type");
        return switch (t) {
            case "i32" -> ValType.I32;
            case "i64" -> ValType.I64;
            case "f32" -> ValType.F32;
            case "f64" -> ValType.F64;
            case "funcref" -> ValType.FUNCREF;
            case "externref" -> ValType.EXTERNREF;
            case "v128" -> throw new UnsupportedOperationException("v128 values (SIMD) are not supported");
            default -> throw new IllegalArgumentException("unknown value type \"" + t + "\"");
        };
    }

    /** The raw bits of an argument descriptor. */
    public static long argument(Map<String, Object> v, HostRefs refs) {
        byte type = type(v);
        String s = Json.string(v, "value");
        return switch (type) {
            case ValType.I32 -> (int) unsigned(s, 32);
            case ValType.F32 -> unsigned(s, 32);
            case ValType.I64, ValType.F64 -> unsigned(s, 64);
            case ValType.EXTERNREF -> s.equals("null") ? 0 : refs.externRef(unsigned(s, 64));
            case ValType.FUNCREF -> {
                if (s.equals("null")) yield 0;
                throw new IllegalArgumentException("a funcref argument other than null cannot be written in a script");
            }
            default -> throw new IllegalStateException();
        };
    }

    /**
     * Whether {@code actual} satisfies the expected-value descriptor {@code expected}. Throws
     * IllegalArgumentException for a descriptor this runner does not understand.
     */
    public static boolean matches(Map<String, Object> expected, long actual, HostRefs refs) {
        byte type = type(expected);
        String s = Json.optString(expected, "value");
        if (s == null) {
            if (type == ValType.FUNCREF || type == ValType.EXTERNREF) return actual != 0;
            throw new IllegalArgumentException("expected " + ValType.name(type) + " without a value");
        }
        return switch (type) {
            case ValType.I32 -> (int) actual == (int) unsigned(s, 32);
            case ValType.I64 -> actual == unsigned(s, 64);
            case ValType.F32 -> switch (s) {
                case "nan:canonical" -> (actual & 0x7fff_ffffL) == F32_EXP_QUIET;
                case "nan:arithmetic" -> (actual & F32_EXP_QUIET) == F32_EXP_QUIET;
                default -> (int) actual == (int) unsigned(s, 32);
            };
            case ValType.F64 -> switch (s) {
                case "nan:canonical" -> (actual & 0x7fff_ffff_ffff_ffffL) == F64_EXP_QUIET;
                case "nan:arithmetic" -> (actual & F64_EXP_QUIET) == F64_EXP_QUIET;
                default -> actual == unsigned(s, 64);
            };
            case ValType.EXTERNREF -> s.equals("null") ? actual == 0 : actual != 0 && refs.isExternRef(actual, unsigned(s, 64));
            case ValType.FUNCREF -> {
                if (s.equals("null")) yield actual == 0;
                throw new IllegalArgumentException("a funcref result other than null cannot be written in a script");
            }
            default -> throw new IllegalStateException();
        };
    }

    /** The expected value as written, for messages: {@code i32:4294967295}, {@code f32:nan:canonical}. */
    public static String describeExpected(Map<String, Object> expected) {
        String s = Json.optString(expected, "value");
        String t = Json.optString(expected, "type");
        if (s == null) return t + ":non-null";
        byte type = type(expected);
        if ((type == ValType.F32 || type == ValType.F64) && !s.startsWith("nan:")) return describe(type, unsigned(s, type == ValType.F32 ? 32 : 64), null);
        if (type == ValType.I32 || type == ValType.I64) return describe(type, unsigned(s, type == ValType.I32 ? 32 : 64), null);
        return t + ":" + s;
    }

    /** Raw bits of type {@code type} as text, for messages: {@code i32:4294967295 (-1)}, {@code f32:0x7fc00000 (NaN)}. */
    public static String describe(byte type, long bits, HostRefs refs) {
        return switch (type) {
            case ValType.I32 -> {
                int v = (int) bits;
                yield v < 0 ? "i32:" + Integer.toUnsignedString(v) + " (" + v + ")" : "i32:" + v;
            }
            case ValType.I64 -> bits < 0 ? "i64:" + Long.toUnsignedString(bits) + " (" + bits + ")" : "i64:" + bits;
            case ValType.F32 -> "f32:0x" + Integer.toHexString((int) bits) + " (" + Float.intBitsToFloat((int) bits) + ")";
            case ValType.F64 -> "f64:0x" + Long.toHexString(bits) + " (" + Double.longBitsToDouble(bits) + ")";
            case ValType.FUNCREF -> bits == 0 ? "funcref:null" : "funcref:0x" + Long.toHexString(bits);
            case ValType.EXTERNREF -> bits == 0 ? "externref:null" : refs == null ? "externref:0x" + Long.toHexString(bits) : "externref:" + refs.describeExternRef(bits);
            default -> ValType.name(type) + ":0x" + Long.toHexString(bits);
        };
    }

    /** The unsigned decimal {@code s} as raw bits, checked to fit in {@code width} bits. */
    static long unsigned(String s, int width) {
        long v;
        try {
            v = Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an unsigned decimal: \"" + s + "\"");
        }
        if (width == 32 && (v >>> 32) != 0) throw new IllegalArgumentException("does not fit in 32 bits: " + s);
        return v;
    }
}
