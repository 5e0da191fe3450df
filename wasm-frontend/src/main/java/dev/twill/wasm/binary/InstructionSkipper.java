package dev.twill.wasm.binary;

import static dev.twill.wasm.binary.ByteReader.error;

import dev.twill.CompileError;
import java.util.Arrays;

/**
 * Walks an instruction sequence checking only that it is well formed (WebAssembly 2.0 §5.4):
 * known opcodes, well-formed immediates, {@code else} only inside {@code if}, the structure
 * closed by {@code end}. Nothing is typed. Three uses:
 *
 * <ul>
 *   <li>the translator steps over unreachable code ({@link #skipImmediates});
 *   <li>the decoder finds where a constant expression ends (the binary format allows any
 *       instruction there; the validator later insists on constant ones);
 *   <li>the validator, after finding a module invalid, looks through the function bodies for
 *       a malformed instruction, because the reference semantics decode the whole module
 *       before validating it, so a malformed byte anywhere takes precedence over a type error.
 * </ul>
 *
 * <p>Messages are the reference interpreter's: "illegal opcode", "zero byte expected",
 * "malformed memop flags", "END opcode expected", "data count section required"; SIMD
 * instructions are refused with "SIMD is not supported".
 *
 * <p>Memory immediates depend on whether multi-memory (WebAssembly 3.0 §5.4.6) is on: a memarg's
 * flags field then has bit 6 saying that a memory index (u32) follows it, and {@code
 * memory.size/grow/fill/copy/init} take memory indices (u32) where 2.0 had reserved zero bytes.
 * Every 2.0 encoding reads the same either way, so the decoder and the translator (which only
 * see or re-read validated bodies) always read the 3.0 form; only the validator's search for
 * malformed bodies needs the 2.0 form, to refuse what 2.0 calls malformed.
 */
public final class InstructionSkipper {
    private InstructionSkipper() {}

    /** Frame kinds on the nesting stack. */
    private static final byte PLAIN = 0, IF = 1;

    /**
     * Skips one expression: instructions up to and including the {@code end} that closes it.
     * With {@code dataCountRequired}, {@code memory.init} and {@code data.drop} are malformed
     * (a function body in a module without a data count section).
     */
    public static void skipExpression(ByteReader in, boolean dataCountRequired) {
        skipExpression(in, dataCountRequired, true, true);
    }

    /**
     * {@link #skipExpression(ByteReader, boolean)}, reading memory immediates per {@code
     * multiMemory} and memarg offsets as u64 ({@code memory64}) or u32.
     */
    public static void skipExpression(ByteReader in, boolean dataCountRequired, boolean multiMemory, boolean memory64) {
        byte[] kinds = null; // allocated only if blocks nest
        int depth = 0;
        while (true) {
            if (in.pos >= in.limit) throw error(in.limit, ByteReader.UNEXPECTED_END);
            int at = in.pos;
            int op = in.u8();
            switch (op) {
                case Opcodes.BLOCK, Opcodes.LOOP, Opcodes.IF -> {
                    blockType(in);
                    if (kinds == null) kinds = new byte[8];
                    else if (depth == kinds.length) kinds = Arrays.copyOf(kinds, depth * 2);
                    kinds[depth++] = op == Opcodes.IF ? IF : PLAIN;
                }
                case Opcodes.ELSE -> {
                    if (depth == 0 || kinds[depth - 1] != IF) throw error(at, "END opcode expected");
                    kinds[depth - 1] = PLAIN; // a second else is misplaced too
                }
                case Opcodes.END -> {
                    if (depth == 0) return;
                    depth--;
                }
                default -> immediates(in, op, at, dataCountRequired, multiMemory, memory64);
            }
        }
    }

    /**
     * Decodes function bodies the way the reference decoder does, to find which malformed
     * encoding it would report: each body is read against the whole binary (not cut at its
     * size) and must then end exactly where its size says ("section size mismatch").
     * Returns the first body's error, or null if all are well formed.
     */
    public static CompileError firstMalformed(byte[] bytes, FunctionBody[] bodies, int count, boolean dataCountRequired) {
        return firstMalformed(bytes, bodies, count, dataCountRequired, true, true);
    }

    /** {@link #firstMalformed(byte[], FunctionBody[], int, boolean)} with or without multi-memory and memory64. */
    public static CompileError firstMalformed(byte[] bytes, FunctionBody[] bodies, int count, boolean dataCountRequired,
            boolean multiMemory, boolean memory64) {
        ByteReader r = new ByteReader(bytes);
        for (int i = 0; i < count; i++) {
            FunctionBody b = bodies[i];
            try {
                r.reset(b.codeStart(), bytes.length);
                skipExpression(r, dataCountRequired, multiMemory, memory64);
                if (r.pos != b.end()) return error(b.codeStart(), "section size mismatch");
            } catch (CompileError malformed) {
                return malformed;
            }
        }
        return null;
    }

    /** Reads a block type (§5.4.1) without interpreting a type index. */
    public static void blockType(ByteReader in) {
        int b = in.peek();
        if (b == Opcodes.BLOCKTYPE_EMPTY) {
            in.pos++;
        } else if (b >= 0 && (b & 0xC0) == 0x40) {
            int at = in.pos;
            in.typeCode();
            if (b == (ValType.V128 & 0xFF)) throw error(at, "SIMD is not supported");
            if (!ValType.isValid((byte) b)) throw error(at, b > 0x70 ? "malformed value type" : "malformed reference type");
        } else {
            in.s33();
        }
    }

    /** Bit of a memarg's flags saying that a memory index follows them (multi-memory). */
    public static final int MEMARG_HAS_MEMORY = 0x40;
    /** The alignment exponent's bits of a memarg's flags. */
    public static final int MEMARG_ALIGN = 0x3F;

    /**
     * Reads the flags of a memarg (§5.4.6): the alignment exponent, and with multi-memory bit
     * {@link #MEMARG_HAS_MEMORY}. Without multi-memory they are below 32 (an exponent that a
     * 32-bit shift can take), with it below 128, as the reference decoder requires.
     */
    public static int memargFlags(ByteReader in, boolean multiMemory) {
        int at = in.pos;
        int flags = in.u32();
        if (Integer.compareUnsigned(flags, multiMemory ? 0x80 : 32) >= 0) throw error(at, "malformed memop flags");
        return flags;
    }

    /** After {@link #memargFlags}, reads the memory index the flags announce, else returns memory 0. */
    public static int memargMemory(ByteReader in, int flags) {
        return (flags & MEMARG_HAS_MEMORY) != 0 ? in.u32() : 0;
    }

    /** Reads a memarg (§5.4.6) in its 3.0 form (memory index, u64 offset), returning the alignment exponent. */
    public static int memarg(ByteReader in) {
        return memarg(in, true, true);
    }

    private static int memarg(ByteReader in, boolean multiMemory, boolean memory64) {
        int flags = memargFlags(in, multiMemory);
        memargMemory(in, flags);
        memargOffset(in, memory64);
        return flags & MEMARG_ALIGN;
    }

    /**
     * Reads a memarg's offset: a u64 with memory64 (WebAssembly 3.0; the validator bounds it by
     * the memory's address type), else a u32.
     */
    public static long memargOffset(ByteReader in, boolean memory64) {
        return memory64 ? in.u64() : in.u32() & 0xFFFF_FFFFL;
    }

    /**
     * Reads the memory index of {@code memory.size/grow/fill/copy/init}: a u32 with
     * multi-memory, else the reserved zero byte (a one-byte 0, not any encoding of 0).
     */
    public static int memoryIndex(ByteReader in, boolean multiMemory) {
        if (multiMemory) return in.u32();
        zero(in);
        return 0;
    }

    /** Reads the reserved zero byte of memory instructions. */
    public static void zero(ByteReader in) {
        in.expect(0, "zero byte expected");
    }

    /** Reads the reference type of {@code ref.null}. */
    public static byte refType(ByteReader in) {
        int at = in.pos;
        int b = in.u8();
        if (b != (ValType.FUNCREF & 0xFF) && b != (ValType.EXTERNREF & 0xFF)) throw error(at, "malformed reference type");
        return (byte) b;
    }

    /** The message for an opcode byte that is not an instruction. */
    public static String illegal(int op) {
        if (op == Opcodes.SIMD_PREFIX) return "SIMD is not supported";
        return "illegal opcode " + hex(op);
    }

    static String hex(int b) {
        return Integer.toHexString(0x100 | b).substring(1);
    }

    /**
     * Skips the immediates of the non-structured instruction {@code op}, whose opcode byte {@code
     * in} has just read (for {@code block loop if}, read the {@link #blockType}). The translator
     * uses it to step over unreachable code of a validated body.
     */
    public static void skipImmediates(ByteReader in, int op) {
        immediates(in, op, in.pos - 1, false, true, true);
    }

    /** Skips the immediates of a non-structured instruction {@code op} read at {@code at}. */
    private static void immediates(ByteReader in, int op, int at, boolean dataCountRequired, boolean multiMemory,
            boolean memory64) {
        if (op >= Opcodes.I32_EQZ && op <= Opcodes.I64_EXTEND32_S) return; // numeric, no immediates
        if (op >= Opcodes.I32_LOAD && op <= Opcodes.I64_STORE32) {
            memarg(in, multiMemory, memory64);
            return;
        }
        switch (op) {
            case Opcodes.UNREACHABLE, Opcodes.NOP, Opcodes.RETURN, Opcodes.DROP, Opcodes.SELECT, Opcodes.REF_IS_NULL -> {}
            case Opcodes.BR, Opcodes.BR_IF, Opcodes.CALL, Opcodes.RETURN_CALL, Opcodes.LOCAL_GET, Opcodes.LOCAL_SET, Opcodes.LOCAL_TEE,
                 Opcodes.GLOBAL_GET, Opcodes.GLOBAL_SET, Opcodes.TABLE_GET, Opcodes.TABLE_SET, Opcodes.REF_FUNC -> in.u32();
            case Opcodes.BR_TABLE -> {
                int n = in.count();
                for (int i = 0; i <= n; i++) in.u32();
            }
            case Opcodes.CALL_INDIRECT, Opcodes.RETURN_CALL_INDIRECT -> {
                in.u32();
                in.u32();
            }
            case Opcodes.SELECT_T -> {
                int n = in.count();
                for (int i = 0; i < n; i++) {
                    int tAt = in.pos;
                    int b = in.typeCode();
                    if (b == (ValType.V128 & 0xFF)) throw error(tAt, "SIMD is not supported");
                    if (!ValType.isValid((byte) b)) throw error(tAt, b > 0x70 ? "malformed value type" : "malformed reference type");
                }
            }
            case Opcodes.MEMORY_SIZE, Opcodes.MEMORY_GROW -> memoryIndex(in, multiMemory);
            case Opcodes.I32_CONST -> in.s32();
            case Opcodes.I64_CONST -> in.s64();
            case Opcodes.F32_CONST -> in.skip(4);
            case Opcodes.F64_CONST -> in.skip(8);
            case Opcodes.REF_NULL -> refType(in);
            case Opcodes.PREFIX_FC -> {
                int sub = in.u32();
                switch (sub) {
                    case 0, 1, 2, 3, 4, 5, 6, 7 -> {}
                    case Opcodes.FC_MEMORY_INIT -> {
                        if (dataCountRequired) throw error(at, "data count section required");
                        in.u32();
                        memoryIndex(in, multiMemory);
                    }
                    case Opcodes.FC_DATA_DROP -> {
                        if (dataCountRequired) throw error(at, "data count section required");
                        in.u32();
                    }
                    case Opcodes.FC_MEMORY_COPY -> {
                        memoryIndex(in, multiMemory);
                        memoryIndex(in, multiMemory);
                    }
                    case Opcodes.FC_MEMORY_FILL -> memoryIndex(in, multiMemory);
                    case Opcodes.FC_TABLE_INIT, Opcodes.FC_TABLE_COPY -> {
                        in.u32();
                        in.u32();
                    }
                    case Opcodes.FC_ELEM_DROP, Opcodes.FC_TABLE_GROW, Opcodes.FC_TABLE_SIZE, Opcodes.FC_TABLE_FILL -> in.u32();
                    default -> throw error(at, "illegal opcode fc " + Integer.toHexString(sub));
                }
            }
            default -> throw error(at, illegal(op));
        }
    }
}
