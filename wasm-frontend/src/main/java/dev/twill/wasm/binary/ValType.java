package dev.twill.wasm.binary;

import dev.twill.ir.Type;

/**
 * WebAssembly value types, as the byte that encodes them in the binary format (WebAssembly 2.0
 * §5.3.1). A value type is a plain {@code byte} everywhere in the front end, so type vectors are
 * {@code byte[]}: no object per type.
 *
 * <p>In IR: {@code i32 i64 f32 f64} map to the same IR types; a reference ({@code funcref},
 * {@code externref}) is an {@code i64}: a funcref is the address of its function's {@code
 * FuncRef} record (see {@code VmContextLayout}), an externref an opaque host handle, and null is
 * 0 for both.
 */
public final class ValType {
    private ValType() {}

    public static final byte I32 = 0x7F;
    public static final byte I64 = 0x7E;
    public static final byte F32 = 0x7D;
    public static final byte F64 = 0x7C;
    /** SIMD; decoded so that the error can say "SIMD is not supported". */
    public static final byte V128 = 0x7B;
    public static final byte FUNCREF = 0x70;
    public static final byte EXTERNREF = 0x6F;

    public static boolean isNum(byte t) {
        return t == I32 || t == I64 || t == F32 || t == F64;
    }

    public static boolean isRef(byte t) {
        return t == FUNCREF || t == EXTERNREF;
    }

    /** Whether {@code b} encodes a value type this front end knows (V128 included). */
    public static boolean isValid(byte b) {
        return isNum(b) || isRef(b) || b == V128;
    }

    /** The text-format name: {@code i32}, {@code funcref}, ... */
    public static String name(byte t) {
        return switch (t) {
            case I32 -> "i32";
            case I64 -> "i64";
            case F32 -> "f32";
            case F64 -> "f64";
            case V128 -> "v128";
            case FUNCREF -> "funcref";
            case EXTERNREF -> "externref";
            default -> String.format("0x%02x", t & 0xff);
        };
    }

    /** The IR type that carries values of this type. */
    public static int irType(byte t) {
        return switch (t) {
            case I32 -> Type.I32;
            case I64, FUNCREF, EXTERNREF -> Type.I64;
            case F32 -> Type.F32;
            case F64 -> Type.F64;
            default -> throw new IllegalArgumentException("no IR type for " + name(t));
        };
    }
}
