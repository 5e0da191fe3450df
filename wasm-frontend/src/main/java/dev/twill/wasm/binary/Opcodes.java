package dev.twill.wasm.binary;

/**
 * WebAssembly 2.0 instruction opcodes as encoded in the binary format (WebAssembly 2.0 §5.4),
 * SIMD excepted. Single-byte opcodes are plain {@code int} constants 0x00..0xFF; the
 * {@code 0xFC}-prefixed instructions (non-trapping float-to-int, bulk memory, table operations)
 * have their sub-opcode (a u32 LEB128 after the prefix) as constants named {@code FC_*}.
 * {@link #SIMD_PREFIX} 0xFD is listed only so that decoders can reject it with a clear message.
 *
 * <p>Constants are {@code int}, not an enum, so that the validator and the translator dispatch
 * on the raw byte with a {@code switch} and allocate nothing per instruction.
 */
public final class Opcodes {
    private Opcodes() {}

    // Control instructions (§5.4.1).
    public static final int UNREACHABLE = 0x00;
    public static final int NOP = 0x01;
    public static final int BLOCK = 0x02;
    public static final int LOOP = 0x03;
    public static final int IF = 0x04;
    public static final int ELSE = 0x05;
    public static final int END = 0x0B;
    public static final int BR = 0x0C;
    public static final int BR_IF = 0x0D;
    public static final int BR_TABLE = 0x0E;
    public static final int RETURN = 0x0F;
    public static final int CALL = 0x10;
    public static final int CALL_INDIRECT = 0x11;
    /** Tail calls (WebAssembly 3.0). */
    public static final int RETURN_CALL = 0x12;
    public static final int RETURN_CALL_INDIRECT = 0x13;

    // Block type encodings (§5.4.1): 0x40 is the empty type; a value type byte is one result; a
    // non-negative s33 is a type index.
    /** The empty block type {@code []->[]}. */
    public static final int BLOCKTYPE_EMPTY = 0x40;

    // Reference instructions (§5.4.2).
    public static final int REF_NULL = 0xD0;
    public static final int REF_IS_NULL = 0xD1;
    public static final int REF_FUNC = 0xD2;

    // Parametric instructions (§5.4.3).
    public static final int DROP = 0x1A;
    public static final int SELECT = 0x1B;
    /** {@code select t*}: followed by a vector of value types (exactly one in 2.0). */
    public static final int SELECT_T = 0x1C;

    // Variable instructions (§5.4.4).
    public static final int LOCAL_GET = 0x20;
    public static final int LOCAL_SET = 0x21;
    public static final int LOCAL_TEE = 0x22;
    public static final int GLOBAL_GET = 0x23;
    public static final int GLOBAL_SET = 0x24;

    // Table instructions (§5.4.5); the rest are 0xFC-prefixed.
    public static final int TABLE_GET = 0x25;
    public static final int TABLE_SET = 0x26;

    // Memory instructions (§5.4.6): loads and stores take a memarg (flags u32, [memory u32 if flag bit 6], offset u64; u32 in 2.0).
    public static final int I32_LOAD = 0x28;
    public static final int I64_LOAD = 0x29;
    public static final int F32_LOAD = 0x2A;
    public static final int F64_LOAD = 0x2B;
    public static final int I32_LOAD8_S = 0x2C;
    public static final int I32_LOAD8_U = 0x2D;
    public static final int I32_LOAD16_S = 0x2E;
    public static final int I32_LOAD16_U = 0x2F;
    public static final int I64_LOAD8_S = 0x30;
    public static final int I64_LOAD8_U = 0x31;
    public static final int I64_LOAD16_S = 0x32;
    public static final int I64_LOAD16_U = 0x33;
    public static final int I64_LOAD32_S = 0x34;
    public static final int I64_LOAD32_U = 0x35;
    public static final int I32_STORE = 0x36;
    public static final int I64_STORE = 0x37;
    public static final int F32_STORE = 0x38;
    public static final int F64_STORE = 0x39;
    public static final int I32_STORE8 = 0x3A;
    public static final int I32_STORE16 = 0x3B;
    public static final int I64_STORE8 = 0x3C;
    public static final int I64_STORE16 = 0x3D;
    public static final int I64_STORE32 = 0x3E;
    /** Followed by a memory index (u32; in 2.0 a reserved 0x00 byte). */
    public static final int MEMORY_SIZE = 0x3F;
    /** Followed by a memory index (u32; in 2.0 a reserved 0x00 byte). */
    public static final int MEMORY_GROW = 0x40;

    // Numeric instructions (§5.4.7).
    public static final int I32_CONST = 0x41;
    public static final int I64_CONST = 0x42;
    public static final int F32_CONST = 0x43;
    public static final int F64_CONST = 0x44;

    public static final int I32_EQZ = 0x45;
    public static final int I32_EQ = 0x46;
    public static final int I32_NE = 0x47;
    public static final int I32_LT_S = 0x48;
    public static final int I32_LT_U = 0x49;
    public static final int I32_GT_S = 0x4A;
    public static final int I32_GT_U = 0x4B;
    public static final int I32_LE_S = 0x4C;
    public static final int I32_LE_U = 0x4D;
    public static final int I32_GE_S = 0x4E;
    public static final int I32_GE_U = 0x4F;

    public static final int I64_EQZ = 0x50;
    public static final int I64_EQ = 0x51;
    public static final int I64_NE = 0x52;
    public static final int I64_LT_S = 0x53;
    public static final int I64_LT_U = 0x54;
    public static final int I64_GT_S = 0x55;
    public static final int I64_GT_U = 0x56;
    public static final int I64_LE_S = 0x57;
    public static final int I64_LE_U = 0x58;
    public static final int I64_GE_S = 0x59;
    public static final int I64_GE_U = 0x5A;

    public static final int F32_EQ = 0x5B;
    public static final int F32_NE = 0x5C;
    public static final int F32_LT = 0x5D;
    public static final int F32_GT = 0x5E;
    public static final int F32_LE = 0x5F;
    public static final int F32_GE = 0x60;

    public static final int F64_EQ = 0x61;
    public static final int F64_NE = 0x62;
    public static final int F64_LT = 0x63;
    public static final int F64_GT = 0x64;
    public static final int F64_LE = 0x65;
    public static final int F64_GE = 0x66;

    public static final int I32_CLZ = 0x67;
    public static final int I32_CTZ = 0x68;
    public static final int I32_POPCNT = 0x69;
    public static final int I32_ADD = 0x6A;
    public static final int I32_SUB = 0x6B;
    public static final int I32_MUL = 0x6C;
    public static final int I32_DIV_S = 0x6D;
    public static final int I32_DIV_U = 0x6E;
    public static final int I32_REM_S = 0x6F;
    public static final int I32_REM_U = 0x70;
    public static final int I32_AND = 0x71;
    public static final int I32_OR = 0x72;
    public static final int I32_XOR = 0x73;
    public static final int I32_SHL = 0x74;
    public static final int I32_SHR_S = 0x75;
    public static final int I32_SHR_U = 0x76;
    public static final int I32_ROTL = 0x77;
    public static final int I32_ROTR = 0x78;

    public static final int I64_CLZ = 0x79;
    public static final int I64_CTZ = 0x7A;
    public static final int I64_POPCNT = 0x7B;
    public static final int I64_ADD = 0x7C;
    public static final int I64_SUB = 0x7D;
    public static final int I64_MUL = 0x7E;
    public static final int I64_DIV_S = 0x7F;
    public static final int I64_DIV_U = 0x80;
    public static final int I64_REM_S = 0x81;
    public static final int I64_REM_U = 0x82;
    public static final int I64_AND = 0x83;
    public static final int I64_OR = 0x84;
    public static final int I64_XOR = 0x85;
    public static final int I64_SHL = 0x86;
    public static final int I64_SHR_S = 0x87;
    public static final int I64_SHR_U = 0x88;
    public static final int I64_ROTL = 0x89;
    public static final int I64_ROTR = 0x8A;

    public static final int F32_ABS = 0x8B;
    public static final int F32_NEG = 0x8C;
    public static final int F32_CEIL = 0x8D;
    public static final int F32_FLOOR = 0x8E;
    public static final int F32_TRUNC = 0x8F;
    public static final int F32_NEAREST = 0x90;
    public static final int F32_SQRT = 0x91;
    public static final int F32_ADD = 0x92;
    public static final int F32_SUB = 0x93;
    public static final int F32_MUL = 0x94;
    public static final int F32_DIV = 0x95;
    public static final int F32_MIN = 0x96;
    public static final int F32_MAX = 0x97;
    public static final int F32_COPYSIGN = 0x98;

    public static final int F64_ABS = 0x99;
    public static final int F64_NEG = 0x9A;
    public static final int F64_CEIL = 0x9B;
    public static final int F64_FLOOR = 0x9C;
    public static final int F64_TRUNC = 0x9D;
    public static final int F64_NEAREST = 0x9E;
    public static final int F64_SQRT = 0x9F;
    public static final int F64_ADD = 0xA0;
    public static final int F64_SUB = 0xA1;
    public static final int F64_MUL = 0xA2;
    public static final int F64_DIV = 0xA3;
    public static final int F64_MIN = 0xA4;
    public static final int F64_MAX = 0xA5;
    public static final int F64_COPYSIGN = 0xA6;

    public static final int I32_WRAP_I64 = 0xA7;
    public static final int I32_TRUNC_F32_S = 0xA8;
    public static final int I32_TRUNC_F32_U = 0xA9;
    public static final int I32_TRUNC_F64_S = 0xAA;
    public static final int I32_TRUNC_F64_U = 0xAB;
    public static final int I64_EXTEND_I32_S = 0xAC;
    public static final int I64_EXTEND_I32_U = 0xAD;
    public static final int I64_TRUNC_F32_S = 0xAE;
    public static final int I64_TRUNC_F32_U = 0xAF;
    public static final int I64_TRUNC_F64_S = 0xB0;
    public static final int I64_TRUNC_F64_U = 0xB1;
    public static final int F32_CONVERT_I32_S = 0xB2;
    public static final int F32_CONVERT_I32_U = 0xB3;
    public static final int F32_CONVERT_I64_S = 0xB4;
    public static final int F32_CONVERT_I64_U = 0xB5;
    public static final int F32_DEMOTE_F64 = 0xB6;
    public static final int F64_CONVERT_I32_S = 0xB7;
    public static final int F64_CONVERT_I32_U = 0xB8;
    public static final int F64_CONVERT_I64_S = 0xB9;
    public static final int F64_CONVERT_I64_U = 0xBA;
    public static final int F64_PROMOTE_F32 = 0xBB;
    public static final int I32_REINTERPRET_F32 = 0xBC;
    public static final int I64_REINTERPRET_F64 = 0xBD;
    public static final int F32_REINTERPRET_I32 = 0xBE;
    public static final int F64_REINTERPRET_I64 = 0xBF;

    // Sign-extension operators (2.0).
    public static final int I32_EXTEND8_S = 0xC0;
    public static final int I32_EXTEND16_S = 0xC1;
    public static final int I64_EXTEND8_S = 0xC2;
    public static final int I64_EXTEND16_S = 0xC3;
    public static final int I64_EXTEND32_S = 0xC4;

    /** Prefix of the saturating truncations, bulk memory and table instructions; a u32 sub-opcode follows. */
    public static final int PREFIX_FC = 0xFC;
    /** Prefix of the SIMD instructions (not supported). */
    public static final int SIMD_PREFIX = 0xFD;

    // 0xFC sub-opcodes: non-trapping float-to-int conversions (2.0).
    public static final int FC_I32_TRUNC_SAT_F32_S = 0;
    public static final int FC_I32_TRUNC_SAT_F32_U = 1;
    public static final int FC_I32_TRUNC_SAT_F64_S = 2;
    public static final int FC_I32_TRUNC_SAT_F64_U = 3;
    public static final int FC_I64_TRUNC_SAT_F32_S = 4;
    public static final int FC_I64_TRUNC_SAT_F32_U = 5;
    public static final int FC_I64_TRUNC_SAT_F64_S = 6;
    public static final int FC_I64_TRUNC_SAT_F64_U = 7;

    // 0xFC sub-opcodes: bulk memory (2.0).
    /** {@code memory.init x m}: data index u32, then a memory index u32 (2.0: a reserved 0x00 byte). */
    public static final int FC_MEMORY_INIT = 8;
    /** {@code data.drop x}: data index u32. */
    public static final int FC_DATA_DROP = 9;
    /** {@code memory.copy d s}: destination then source memory index, u32 each (2.0: two reserved 0x00 bytes). */
    public static final int FC_MEMORY_COPY = 10;
    /** {@code memory.fill m}: a memory index u32 (2.0: a reserved 0x00 byte). */
    public static final int FC_MEMORY_FILL = 11;

    // 0xFC sub-opcodes: table instructions (2.0).
    /** {@code table.init y x}: element index y, then table index x. */
    public static final int FC_TABLE_INIT = 12;
    /** {@code elem.drop x}: element index u32. */
    public static final int FC_ELEM_DROP = 13;
    /** {@code table.copy x y}: destination table x, then source table y. */
    public static final int FC_TABLE_COPY = 14;
    /** {@code table.grow x}. */
    public static final int FC_TABLE_GROW = 15;
    /** {@code table.size x}. */
    public static final int FC_TABLE_SIZE = 16;
    /** {@code table.fill x}. */
    public static final int FC_TABLE_FILL = 17;

    /** The text-format name of a single-byte opcode, or {@code null} if it is not one (prefixes included). */
    public static String name(int op) {
        return op >= 0 && op < NAMES.length ? NAMES[op] : null;
    }

    /** The text-format name of a 0xFC sub-opcode, or {@code null}. */
    public static String fcName(int sub) {
        return sub >= 0 && sub < FC_NAMES.length ? FC_NAMES[sub] : null;
    }

    private static final String[] FC_NAMES = {
        "i32.trunc_sat_f32_s", "i32.trunc_sat_f32_u", "i32.trunc_sat_f64_s", "i32.trunc_sat_f64_u",
        "i64.trunc_sat_f32_s", "i64.trunc_sat_f32_u", "i64.trunc_sat_f64_s", "i64.trunc_sat_f64_u",
        "memory.init", "data.drop", "memory.copy", "memory.fill",
        "table.init", "elem.drop", "table.copy", "table.grow", "table.size", "table.fill",
    };

    private static final String[] NAMES = new String[256];

    static {
        String[] n = NAMES;
        n[0x00] = "unreachable"; n[0x01] = "nop"; n[0x02] = "block"; n[0x03] = "loop"; n[0x04] = "if";
        n[0x05] = "else"; n[0x0B] = "end"; n[0x0C] = "br"; n[0x0D] = "br_if"; n[0x0E] = "br_table";
        n[0x0F] = "return"; n[0x10] = "call"; n[0x11] = "call_indirect";
        n[0x1A] = "drop"; n[0x1B] = "select"; n[0x1C] = "select";
        n[0x20] = "local.get"; n[0x21] = "local.set"; n[0x22] = "local.tee";
        n[0x23] = "global.get"; n[0x24] = "global.set"; n[0x25] = "table.get"; n[0x26] = "table.set";
        String[] mem = {"i32.load", "i64.load", "f32.load", "f64.load", "i32.load8_s", "i32.load8_u",
            "i32.load16_s", "i32.load16_u", "i64.load8_s", "i64.load8_u", "i64.load16_s", "i64.load16_u",
            "i64.load32_s", "i64.load32_u", "i32.store", "i64.store", "f32.store", "f64.store",
            "i32.store8", "i32.store16", "i64.store8", "i64.store16", "i64.store32",
            "memory.size", "memory.grow", "i32.const", "i64.const", "f32.const", "f64.const"};
        System.arraycopy(mem, 0, n, 0x28, mem.length);
        String[] num = {"i32.eqz", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u",
            "i32.le_s", "i32.le_u", "i32.ge_s", "i32.ge_u",
            "i64.eqz", "i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.gt_s", "i64.gt_u",
            "i64.le_s", "i64.le_u", "i64.ge_s", "i64.ge_u",
            "f32.eq", "f32.ne", "f32.lt", "f32.gt", "f32.le", "f32.ge",
            "f64.eq", "f64.ne", "f64.lt", "f64.gt", "f64.le", "f64.ge",
            "i32.clz", "i32.ctz", "i32.popcnt", "i32.add", "i32.sub", "i32.mul", "i32.div_s", "i32.div_u",
            "i32.rem_s", "i32.rem_u", "i32.and", "i32.or", "i32.xor", "i32.shl", "i32.shr_s", "i32.shr_u",
            "i32.rotl", "i32.rotr",
            "i64.clz", "i64.ctz", "i64.popcnt", "i64.add", "i64.sub", "i64.mul", "i64.div_s", "i64.div_u",
            "i64.rem_s", "i64.rem_u", "i64.and", "i64.or", "i64.xor", "i64.shl", "i64.shr_s", "i64.shr_u",
            "i64.rotl", "i64.rotr",
            "f32.abs", "f32.neg", "f32.ceil", "f32.floor", "f32.trunc", "f32.nearest", "f32.sqrt",
            "f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max", "f32.copysign",
            "f64.abs", "f64.neg", "f64.ceil", "f64.floor", "f64.trunc", "f64.nearest", "f64.sqrt",
            "f64.add", "f64.sub", "f64.mul", "f64.div", "f64.min", "f64.max", "f64.copysign",
            "i32.wrap_i64", "i32.trunc_f32_s", "i32.trunc_f32_u", "i32.trunc_f64_s", "i32.trunc_f64_u",
            "i64.extend_i32_s", "i64.extend_i32_u", "i64.trunc_f32_s", "i64.trunc_f32_u",
            "i64.trunc_f64_s", "i64.trunc_f64_u",
            "f32.convert_i32_s", "f32.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u", "f32.demote_f64",
            "f64.convert_i32_s", "f64.convert_i32_u", "f64.convert_i64_s", "f64.convert_i64_u", "f64.promote_f32",
            "i32.reinterpret_f32", "i64.reinterpret_f64", "f32.reinterpret_i32", "f64.reinterpret_i64",
            "i32.extend8_s", "i32.extend16_s", "i64.extend8_s", "i64.extend16_s", "i64.extend32_s"};
        System.arraycopy(num, 0, n, 0x45, num.length);
        n[0xD0] = "ref.null"; n[0xD1] = "ref.is_null"; n[0xD2] = "ref.func";
    }
}
