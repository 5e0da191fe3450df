package dev.twill.ir;

import static dev.twill.ir.InstructionFormat.*;
import static dev.twill.ir.Opcode.Level.*;

/**
 * Every IR instruction, with its format, abstraction level and the properties passes query.
 *
 * <p>Semantics are defined for every input (no undefined behaviour); the summary per row is the
 * reference the interpreter and the back ends implement:
 * <ul>
 *   <li>Integer arithmetic wraps modulo 2^bits. {@code udiv urem sdiv srem} trap {@code int_divz}
 *       on a zero divisor; {@code sdiv} traps {@code int_ovf} on MIN / -1 while {@code srem} of
 *       MIN by -1 is 0. Shift and rotate amounts are taken modulo the width.
 *   <li>{@code icmp fcmp} produce an {@code i8} 0 or 1. Branch and select conditions test
 *       "non-zero".
 *   <li>Float arithmetic is IEEE 754 round-to-nearest-even. A NaN result is a quiet NaN whose
 *       payload is unspecified (WebAssembly's rule); {@code fneg fabs fcopysign} and {@code
 *       bitcast} only move bits. {@code fmin fmax} return NaN if either input is NaN and order
 *       -0.0 below +0.0.
 *   <li>{@code fcvt_to_sint fcvt_to_uint} trap {@code bad_toint} on NaN and {@code int_ovf} when
 *       the truncated value does not fit; the {@code _sat} forms saturate and map NaN to 0.
 *   <li>Sandbox-level memory access is bounds-checked ({@code heap_oob}, {@code table_oob});
 *       memory-level access is by address and must hit valid memory (the interpreter traps
 *       {@code heap_oob} when it does not).
 *   <li>{@code call_indirect} traps {@code null_reference} on a zero callee and {@code bad_sig}
 *       when the callee's signature differs from the one named.
 *   <li>{@code return_call fn(args)} and {@code return_call_indirect sig, callee(args)} are
 *       terminators: the current function's frame is replaced by the callee's (a guaranteed tail
 *       call, no stack growth however deep the chain), and whatever the callee returns is what
 *       this function returns, so the callee's results must equal the function's. They have no
 *       results of their own. {@code return_call_indirect} checks its callee as {@code
 *       call_indirect} does. Back ends accept them when the callee's stack arguments fit the
 *       frame being replaced: always under the {@code tail} convention (callee-pop), and under
 *       the default one when the callee's stack-argument area is no larger than the caller's.
 *   <li>Bit operations: {@code bitrev} reverses the bit order; {@code cls} counts the leading
 *       bits after the sign bit that equal it (0 .. bits-1); {@code bmask.T x} is all ones in T
 *       if {@code x != 0}, else 0 ({@code x} any integer type); {@code bitselect c, x, y} is
 *       {@code (x & c) | (y & ~c)}, on the bits of floats too. {@code band bor bxor bnot
 *       band_not bor_not bxor_not} also take f32/f64 and act on their bits.
 *   <li>{@code uadd_overflow sadd_overflow usub_overflow ssub_overflow umul_overflow
 *       smul_overflow} return the wrapped result and an {@code i8} that is 1 iff the exact
 *       (unbounded) result does not fit the type, read unsigned or signed. The {@code _cin}
 *       forms add a carry and the {@code _bin} forms subtract a borrow, each 1 if their i8
 *       third operand is non-zero, else 0; the flag again tells whether the exact {@code a + b +
 *       c} or {@code a - b - c} fits. {@code uadd_overflow_trap a, b, code} is {@code iadd} that
 *       traps with {@code code} when the unsigned sum wraps.
 *   <li>{@code select_spectre_guard} is {@code select} that back ends must compute without a
 *       branch (a conditional move), so a mispredicted bounds check cannot steer speculation.
 *   <li>{@code fma x, y, z} is {@code x * y + z} rounded once (IEEE 754 fusedMultiplyAdd).
 *   <li>Atomics are sequentially consistent and little-endian: {@code atomic_load},
 *       {@code atomic_store}, {@code atomic_rmw.T op p, x} (returns the old value; ops {@code add
 *       sub and nand or xor xchg umin umax smin smax}), {@code atomic_cas p, expected,
 *       replacement} (returns the old value; stores only if it equals {@code expected}), and
 *       {@code fence}. They access memory like {@code load}/{@code store} without offset; the
 *       address need not be aligned for the interpreter, and back ends support what the
 *       hardware makes atomic (x86-64: any address, via lock-prefixed instructions).
 *   <li>{@code get_stack_pointer get_frame_pointer get_return_address} (type {@code i64}) read
 *       the current frame's stack pointer (after the prologue), frame pointer and return
 *       address, for code that inspects its own stack. A frame replaced by a tail call to a
 *       function with the same frame has the same values. The interpreter models them per call
 *       depth: {@code get_stack_pointer} is {@code 0x00E0_0000_0000_0000 - depth * 2^20}, the
 *       frame pointer lies 16 bytes above it and the return address is {@code
 *       0x00D0_0000_0000_0000 + depth}; no memory lies there, so an access through them traps
 *       {@code heap_oob} in the interpreter (natively it reads the machine stack).
 *   <li>The {@code big} memory flag makes a load or store big-endian (bytes swapped).
 *   <li>{@code i128}: every integer instruction takes it as it takes the narrower types
 *       (arithmetic modulo 2^128; shift and rotate amounts of any integer type, taken modulo
 *       128; an {@code i128} amount shifts a narrower value modulo that value's width; the
 *       {@code _imm} forms sign-extend their 64-bit immediate). There is no {@code i128}
 *       constant: {@code iconcat lo, hi} joins two {@code i64} halves (the controlling type is
 *       the halves' type, the result twice as wide) and {@code isplit x} returns the low and the
 *       high half (controlling type: the argument's). Memory holds an {@code i128} in 16 bytes,
 *       little-endian unless {@code big}. Back ends never see an {@code i128}: legalization
 *       narrows it to pairs of {@code i64} ({@code dev.twill.legalize.I128Narrowing}).
 * </ul>
 */
public enum Opcode {
    // ---- constants
    ICONST(UNARY_IMM, SHARED, 0),
    F32CONST(UNARY_IEEE32, SHARED, 0),
    F64CONST(UNARY_IEEE64, SHARED, 0),
    NOP(NULLARY, SHARED, 0),

    // ---- integer arithmetic
    IADD(BINARY, SHARED, 0),
    ISUB(BINARY, SHARED, 0),
    IMUL(BINARY, SHARED, 0),
    UMULHI(BINARY, SHARED, 0),
    SMULHI(BINARY, SHARED, 0),
    UDIV(BINARY, SHARED, Flags.CAN_TRAP),
    SDIV(BINARY, SHARED, Flags.CAN_TRAP),
    UREM(BINARY, SHARED, Flags.CAN_TRAP),
    SREM(BINARY, SHARED, Flags.CAN_TRAP),
    INEG(UNARY, SHARED, 0),
    IABS(UNARY, SHARED, 0),
    SMIN(BINARY, SHARED, 0),
    SMAX(BINARY, SHARED, 0),
    UMIN(BINARY, SHARED, 0),
    UMAX(BINARY, SHARED, 0),
    IADD_IMM(BINARY_IMM, SHARED, 0),
    IMUL_IMM(BINARY_IMM, SHARED, 0),
    UDIV_IMM(BINARY_IMM, SHARED, Flags.CAN_TRAP),
    SDIV_IMM(BINARY_IMM, SHARED, Flags.CAN_TRAP),
    UREM_IMM(BINARY_IMM, SHARED, Flags.CAN_TRAP),
    SREM_IMM(BINARY_IMM, SHARED, Flags.CAN_TRAP),
    IRSUB_IMM(BINARY_IMM, SHARED, 0),

    // ---- bitwise
    BAND(BINARY, SHARED, 0),
    BOR(BINARY, SHARED, 0),
    BXOR(BINARY, SHARED, 0),
    BNOT(UNARY, SHARED, 0),
    BAND_NOT(BINARY, SHARED, 0),
    BOR_NOT(BINARY, SHARED, 0),
    BXOR_NOT(BINARY, SHARED, 0),
    BAND_IMM(BINARY_IMM, SHARED, 0),
    BOR_IMM(BINARY_IMM, SHARED, 0),
    BXOR_IMM(BINARY_IMM, SHARED, 0),
    ISHL(BINARY, SHARED, 0),
    USHR(BINARY, SHARED, 0),
    SSHR(BINARY, SHARED, 0),
    ROTL(BINARY, SHARED, 0),
    ROTR(BINARY, SHARED, 0),
    ISHL_IMM(BINARY_IMM, SHARED, 0),
    USHR_IMM(BINARY_IMM, SHARED, 0),
    SSHR_IMM(BINARY_IMM, SHARED, 0),
    ROTL_IMM(BINARY_IMM, SHARED, 0),
    ROTR_IMM(BINARY_IMM, SHARED, 0),
    CLZ(UNARY, SHARED, 0),
    CTZ(UNARY, SHARED, 0),
    POPCNT(UNARY, SHARED, 0),
    BSWAP(UNARY, SHARED, 0),
    BITREV(UNARY, SHARED, 0),
    CLS(UNARY, SHARED, 0),
    BMASK(UNARY, SHARED, 0),
    BITSELECT(TERNARY, SHARED, 0),

    // ---- arithmetic with an overflow flag: two results, the wrapped value and an i8 0 or 1
    UADD_OVERFLOW(BINARY, SHARED, Flags.FLAG_PAIR),
    SADD_OVERFLOW(BINARY, SHARED, Flags.FLAG_PAIR),
    USUB_OVERFLOW(BINARY, SHARED, Flags.FLAG_PAIR),
    SSUB_OVERFLOW(BINARY, SHARED, Flags.FLAG_PAIR),
    UMUL_OVERFLOW(BINARY, SHARED, Flags.FLAG_PAIR),
    SMUL_OVERFLOW(BINARY, SHARED, Flags.FLAG_PAIR),
    UADD_OVERFLOW_CIN(TERNARY, SHARED, Flags.FLAG_PAIR),
    SADD_OVERFLOW_CIN(TERNARY, SHARED, Flags.FLAG_PAIR),
    USUB_OVERFLOW_BIN(TERNARY, SHARED, Flags.FLAG_PAIR),
    SSUB_OVERFLOW_BIN(TERNARY, SHARED, Flags.FLAG_PAIR),
    UADD_OVERFLOW_TRAP(INT_ADD_TRAP, SHARED, Flags.CAN_TRAP),

    // ---- comparisons and selection
    ICMP(INT_COMPARE, SHARED, 0),
    ICMP_IMM(INT_COMPARE_IMM, SHARED, 0),
    FCMP(FLOAT_COMPARE, SHARED, 0),
    SELECT(TERNARY, SHARED, 0),
    SELECT_SPECTRE_GUARD(TERNARY, SHARED, 0),

    // ---- conversions
    UEXTEND(UNARY, SHARED, 0),
    SEXTEND(UNARY, SHARED, 0),
    IREDUCE(UNARY, SHARED, 0),
    BITCAST(UNARY, SHARED, 0),
    ICONCAT(BINARY, SHARED, 0),
    ISPLIT(UNARY, SHARED, 0),
    FPROMOTE(UNARY, SHARED, 0),
    FDEMOTE(UNARY, SHARED, 0),
    FCVT_FROM_SINT(UNARY, SHARED, 0),
    FCVT_FROM_UINT(UNARY, SHARED, 0),
    FCVT_TO_SINT(UNARY, SHARED, Flags.CAN_TRAP),
    FCVT_TO_UINT(UNARY, SHARED, Flags.CAN_TRAP),
    FCVT_TO_SINT_SAT(UNARY, SHARED, 0),
    FCVT_TO_UINT_SAT(UNARY, SHARED, 0),

    // ---- float arithmetic
    FADD(BINARY, SHARED, 0),
    FSUB(BINARY, SHARED, 0),
    FMUL(BINARY, SHARED, 0),
    FDIV(BINARY, SHARED, 0),
    SQRT(UNARY, SHARED, 0),
    FMIN(BINARY, SHARED, 0),
    FMAX(BINARY, SHARED, 0),
    FNEG(UNARY, SHARED, 0),
    FABS(UNARY, SHARED, 0),
    FCOPYSIGN(BINARY, SHARED, 0),
    CEIL(UNARY, SHARED, 0),
    FLOOR(UNARY, SHARED, 0),
    TRUNC(UNARY, SHARED, 0),
    NEAREST(UNARY, SHARED, 0),
    FMA(TERNARY, SHARED, 0),

    // ---- sandbox-level memory
    HEAP_LOAD(InstructionFormat.HEAP_LOAD, SANDBOX, Flags.CAN_TRAP | Flags.CAN_LOAD),
    HEAP_ULOAD8(InstructionFormat.HEAP_LOAD, SANDBOX, Flags.CAN_TRAP | Flags.CAN_LOAD),
    HEAP_SLOAD8(InstructionFormat.HEAP_LOAD, SANDBOX, Flags.CAN_TRAP | Flags.CAN_LOAD),
    HEAP_ULOAD16(InstructionFormat.HEAP_LOAD, SANDBOX, Flags.CAN_TRAP | Flags.CAN_LOAD),
    HEAP_SLOAD16(InstructionFormat.HEAP_LOAD, SANDBOX, Flags.CAN_TRAP | Flags.CAN_LOAD),
    HEAP_ULOAD32(InstructionFormat.HEAP_LOAD, SANDBOX, Flags.CAN_TRAP | Flags.CAN_LOAD),
    HEAP_SLOAD32(InstructionFormat.HEAP_LOAD, SANDBOX, Flags.CAN_TRAP | Flags.CAN_LOAD),
    HEAP_STORE(InstructionFormat.HEAP_STORE, SANDBOX, Flags.CAN_TRAP | Flags.CAN_STORE),
    HEAP_ISTORE8(InstructionFormat.HEAP_STORE, SANDBOX, Flags.CAN_TRAP | Flags.CAN_STORE),
    HEAP_ISTORE16(InstructionFormat.HEAP_STORE, SANDBOX, Flags.CAN_TRAP | Flags.CAN_STORE),
    HEAP_ISTORE32(InstructionFormat.HEAP_STORE, SANDBOX, Flags.CAN_TRAP | Flags.CAN_STORE),
    GLOBAL_VALUE(UNARY_GLOBAL_VALUE, SANDBOX, 0),
    TABLE_ADDR(InstructionFormat.TABLE_ADDR, SANDBOX, Flags.CAN_TRAP),

    // ---- memory level
    HEAP_ADDR(InstructionFormat.HEAP_ADDR, MEMORY, Flags.CAN_TRAP),
    LOAD(InstructionFormat.LOAD, MEMORY, Flags.CAN_TRAP | Flags.CAN_LOAD),
    ULOAD8(InstructionFormat.LOAD, MEMORY, Flags.CAN_TRAP | Flags.CAN_LOAD),
    SLOAD8(InstructionFormat.LOAD, MEMORY, Flags.CAN_TRAP | Flags.CAN_LOAD),
    ULOAD16(InstructionFormat.LOAD, MEMORY, Flags.CAN_TRAP | Flags.CAN_LOAD),
    SLOAD16(InstructionFormat.LOAD, MEMORY, Flags.CAN_TRAP | Flags.CAN_LOAD),
    ULOAD32(InstructionFormat.LOAD, MEMORY, Flags.CAN_TRAP | Flags.CAN_LOAD),
    SLOAD32(InstructionFormat.LOAD, MEMORY, Flags.CAN_TRAP | Flags.CAN_LOAD),
    STORE(InstructionFormat.STORE, MEMORY, Flags.CAN_TRAP | Flags.CAN_STORE),
    ISTORE8(InstructionFormat.STORE, MEMORY, Flags.CAN_TRAP | Flags.CAN_STORE),
    ISTORE16(InstructionFormat.STORE, MEMORY, Flags.CAN_TRAP | Flags.CAN_STORE),
    ISTORE32(InstructionFormat.STORE, MEMORY, Flags.CAN_TRAP | Flags.CAN_STORE),
    STACK_LOAD(InstructionFormat.STACK_LOAD, MEMORY, Flags.CAN_LOAD),
    STACK_STORE(InstructionFormat.STACK_STORE, MEMORY, Flags.CAN_STORE),
    STACK_ADDR(InstructionFormat.STACK_LOAD, MEMORY, 0),
    FUNC_ADDR(InstructionFormat.FUNC_ADDR, MEMORY, 0),
    SYMBOL_VALUE(UNARY_GLOBAL_VALUE, MEMORY, 0),
    GET_STACK_POINTER(NULLARY_VALUE, MEMORY, 0),
    GET_FRAME_POINTER(NULLARY_VALUE, MEMORY, 0),
    GET_RETURN_ADDRESS(NULLARY_VALUE, MEMORY, 0),

    // ---- atomics (sequentially consistent; shared by both levels like calls)
    FENCE(NULLARY, SHARED, Flags.CAN_LOAD | Flags.CAN_STORE),
    ATOMIC_LOAD(LOAD_NO_OFFSET, SHARED, Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),
    ATOMIC_STORE(STORE_NO_OFFSET, SHARED, Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),
    ATOMIC_RMW(InstructionFormat.ATOMIC_RMW, SHARED, Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),
    ATOMIC_CAS(InstructionFormat.ATOMIC_CAS, SHARED, Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),

    // ---- calls and control flow
    CALL(InstructionFormat.CALL, SHARED, Flags.CALL | Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),
    CALL_INDIRECT(InstructionFormat.CALL_INDIRECT, SHARED, Flags.CALL | Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),
    RETURN(MULTI_ARY, SHARED, Flags.TERMINATOR | Flags.RETURN),
    RETURN_CALL(InstructionFormat.CALL, SHARED, Flags.TERMINATOR | Flags.RETURN | Flags.CALL | Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),
    RETURN_CALL_INDIRECT(InstructionFormat.CALL_INDIRECT, SHARED, Flags.TERMINATOR | Flags.RETURN | Flags.CALL | Flags.CAN_TRAP | Flags.CAN_LOAD | Flags.CAN_STORE),
    JUMP(InstructionFormat.JUMP, SHARED, Flags.TERMINATOR | Flags.BRANCH),
    BRIF(InstructionFormat.BRIF, SHARED, Flags.TERMINATOR | Flags.BRANCH),
    BRZ(BRANCH, SHARED, Flags.BRANCH),
    BRNZ(BRANCH, SHARED, Flags.BRANCH),
    BR_ICMP(BRANCH_ICMP, SHARED, Flags.BRANCH),
    BR_TABLE(BRANCH_TABLE, SHARED, Flags.TERMINATOR | Flags.BRANCH),
    TRAP(InstructionFormat.TRAP, SHARED, Flags.TERMINATOR | Flags.CAN_TRAP),
    TRAPZ(COND_TRAP, SHARED, Flags.CAN_TRAP),
    TRAPNZ(COND_TRAP, SHARED, Flags.CAN_TRAP);

    /** Abstraction levels; legalization rewrites {@link #SANDBOX} instructions to {@link #MEMORY} ones. */
    public enum Level { SANDBOX, MEMORY, SHARED }

    /** Property bits. */
    public static final class Flags {
        private Flags() {}
        public static final int TERMINATOR = 1;
        public static final int BRANCH = 2;
        public static final int CALL = 4;
        public static final int RETURN = 8;
        public static final int CAN_TRAP = 16;
        public static final int CAN_LOAD = 32;
        public static final int CAN_STORE = 64;
        /** Two results: the value at the controlling type and an i8 flag ({@code uadd_overflow} ...). */
        public static final int FLAG_PAIR = 128;
    }

    private static final Opcode[] VALUES = values();

    public final InstructionFormat format;
    public final Level level;
    private final int flags;
    /** The name in the text format. */
    public final String text;

    Opcode(InstructionFormat format, Level level, int flags) {
        this.format = format;
        this.level = level;
        this.flags = flags;
        this.text = name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Opcode of(int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }

    /** Looks up an opcode by its text name; null if unknown. */
    public static Opcode parse(String s) {
        return ByName.MAP.get(s);
    }

    private static final class ByName {
        static final java.util.Map<String, Opcode> MAP = new java.util.HashMap<>();
        static {
            for (Opcode o : VALUES) MAP.put(o.text, o);
        }
    }

    /** Ends a block: {@code jump brif br_table return return_call return_call_indirect trap}. */
    public boolean isTerminator() {
        return (flags & Flags.TERMINATOR) != 0;
    }

    /** Transfers control to blocks: terminators that branch and the mid-block {@code brz brnz br_icmp}. */
    public boolean isBranch() {
        return (flags & Flags.BRANCH) != 0;
    }

    public boolean isCall() {
        return (flags & Flags.CALL) != 0;
    }

    /** Leaves the function: {@code return} and the tail calls. */
    public boolean isReturn() {
        return (flags & Flags.RETURN) != 0;
    }

    /** A guaranteed tail call: {@code return_call return_call_indirect}. */
    public boolean isTailCall() {
        return (flags & (Flags.RETURN | Flags.CALL)) == (Flags.RETURN | Flags.CALL);
    }

    public boolean canTrap() {
        return (flags & Flags.CAN_TRAP) != 0;
    }

    public boolean canLoad() {
        return (flags & Flags.CAN_LOAD) != 0;
    }

    public boolean canStore() {
        return (flags & Flags.CAN_STORE) != 0;
    }

    /**
     * True for the instructions with two results, the value at the controlling type and an
     * {@code i8} overflow, carry or borrow flag ({@code uadd_overflow}, {@code sadd_overflow_cin}...).
     */
    public boolean hasFlagResult() {
        return (flags & Flags.FLAG_PAIR) != 0;
    }

    /** True if removing an unused instance would change behaviour (stores, calls, traps, control). */
    public boolean hasSideEffects() {
        return (flags & (Flags.TERMINATOR | Flags.BRANCH | Flags.CALL | Flags.CAN_TRAP | Flags.CAN_STORE)) != 0;
    }

    /**
     * The number of bytes a load or store of this opcode moves, given the controlling type, for
     * the narrow forms ({@code uload8}: 1, {@code istore16}: 2, ...); for the plain forms and
     * stack access it is the width of {@code type}.
     */
    public int accessBytes(int type) {
        switch (this) {
            case ULOAD8: case SLOAD8: case ISTORE8: case HEAP_ULOAD8: case HEAP_SLOAD8: case HEAP_ISTORE8: return 1;
            case ULOAD16: case SLOAD16: case ISTORE16: case HEAP_ULOAD16: case HEAP_SLOAD16: case HEAP_ISTORE16: return 2;
            case ULOAD32: case SLOAD32: case ISTORE32: case HEAP_ULOAD32: case HEAP_SLOAD32: case HEAP_ISTORE32: return 4;
            default: return Type.bytes(type);
        }
    }

    /** True for the sign-extending narrow loads. */
    public boolean isSignedLoad() {
        switch (this) {
            case SLOAD8: case SLOAD16: case SLOAD32: case HEAP_SLOAD8: case HEAP_SLOAD16: case HEAP_SLOAD32: return true;
            default: return false;
        }
    }

    /** The memory-level load or store a sandbox-level heap access becomes; this opcode otherwise. */
    public Opcode memoryForm() {
        switch (this) {
            case HEAP_LOAD: return LOAD;
            case HEAP_ULOAD8: return ULOAD8;
            case HEAP_SLOAD8: return SLOAD8;
            case HEAP_ULOAD16: return ULOAD16;
            case HEAP_SLOAD16: return SLOAD16;
            case HEAP_ULOAD32: return ULOAD32;
            case HEAP_SLOAD32: return SLOAD32;
            case HEAP_STORE: return STORE;
            case HEAP_ISTORE8: return ISTORE8;
            case HEAP_ISTORE16: return ISTORE16;
            case HEAP_ISTORE32: return ISTORE32;
            default: return this;
        }
    }

    /** The immediate form of a binary opcode ({@code iadd} -> {@code iadd_imm}), or null. */
    public Opcode immForm() {
        switch (this) {
            case IADD: return IADD_IMM;
            case IMUL: return IMUL_IMM;
            case UDIV: return UDIV_IMM;
            case SDIV: return SDIV_IMM;
            case UREM: return UREM_IMM;
            case SREM: return SREM_IMM;
            case BAND: return BAND_IMM;
            case BOR: return BOR_IMM;
            case BXOR: return BXOR_IMM;
            case ISHL: return ISHL_IMM;
            case USHR: return USHR_IMM;
            case SSHR: return SSHR_IMM;
            case ROTL: return ROTL_IMM;
            case ROTR: return ROTR_IMM;
            case ICMP: return ICMP_IMM;
            default: return null;
        }
    }

    /** The register form of an immediate opcode ({@code iadd_imm} -> {@code iadd}), or null. */
    public Opcode regForm() {
        for (Opcode o : VALUES) if (o.immForm() == this) return o;
        return null;
    }
}
