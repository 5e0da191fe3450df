package dev.twill.legalize;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;

/**
 * Expands the scalar instructions that back ends need not know into shared ones, so every back
 * end gets them for free: {@code bmask bitrev cls bitselect}, bit operations on floats, the
 * overflow-flag family and {@code uadd_overflow_trap}, and big-endian loads and stores.
 *
 * <p><b>Rewrites</b> ({@code T} the controlling type, {@code N} its width):
 * <ul>
 *   <li>{@code bmask.T x}: {@code -(uextend.T (x != 0))}.
 *   <li>{@code bitrev x}: swap adjacent bits, pairs and nibbles with masks and shifts
 *       (Hacker's Delight 7-1), then {@code bswap} the bytes.
 *   <li>{@code cls x}: {@code clz(x ^ (x >>s (N-1))) - 1}: the sign copies become leading zeros.
 *   <li>{@code bitselect c, x, y}: {@code (x & c) | (y & ~c)}; floats through {@code bitcast}.
 *   <li>{@code band bor bxor bnot band_not bor_not bxor_not} on f32/f64: the integer operation on
 *       the {@code bitcast} bits.
 *   <li>Overflow flags (Hacker's Delight 2-13): unsigned add wraps iff the sum is below an
 *       operand, unsigned subtract iff {@code a < b}; signed add overflows iff {@code (a ^ s) &
 *       (b ^ s)} is negative, signed subtract iff {@code (a ^ b) & (a ^ d)} is. Multiplication:
 *       below 64 bits the exact product of the extended operands, compared with its own
 *       truncation; at 64 bits the high half ({@code umulhi}, {@code smulhi}) against zero or the
 *       low half's sign. Carry/borrow forms do the two steps and combine their flags: unsigned
 *       with {@code bor} (the exact sum crosses 2^N at most once), signed with {@code bxor}
 *       (two steps overflow at most once, or cancel).
 *   <li>{@code select_spectre_guard} of floats: the same select on the {@code bitcast} bits
 *       (integer selects have a branch-free form everywhere; float ones may not).
 *   <li>{@code uadd_overflow_trap a, b, code}: {@code s = iadd a, b; trapnz (s <u a), code}.
 *   <li>{@code big} loads and stores of 2+ bytes: the little-endian access of the same width
 *       and a {@code bswap} (floats through {@code bitcast}, narrow forms through an exact-width
 *       access and an extension or reduction).
 * </ul>
 * The instruction's results become aliases of the expansion's values and the instruction leaves
 * the layout; new instructions go before it, already legal, so none is visited twice. Atomics
 * with {@code big} stay as they are (only byte-swapping back ends take them).
 */
final class ScalarExpander {
    private Function func;
    private DataFlowGraph dfg;
    private Layout layout;
    private InstBuilder b;

    void begin(Function f, InstBuilder builder) {
        func = f;
        dfg = f.dfg;
        layout = f.layout;
        b = builder;
    }

    /** {@link #handles} by opcode ordinal: the legalizer asks it of every instruction. */
    private static final boolean[] HANDLES = new boolean[Opcode.values().length];

    static {
        for (Opcode op : Opcode.values()) HANDLES[op.ordinal()] = handledOpcode(op);
    }

    /** True if {@code i} of {@code op} is expanded here (cheap test first: the opcode). */
    static boolean handles(Opcode op) {
        return HANDLES[op.ordinal()];
    }

    private static boolean handledOpcode(Opcode op) {
        switch (op) {
            case BMASK: case BITREV: case CLS: case BITSELECT: case SELECT_SPECTRE_GUARD:
            case BAND: case BOR: case BXOR: case BNOT: case BAND_NOT: case BOR_NOT: case BXOR_NOT:
            case UADD_OVERFLOW: case SADD_OVERFLOW: case USUB_OVERFLOW: case SSUB_OVERFLOW: case UMUL_OVERFLOW: case SMUL_OVERFLOW:
            case UADD_OVERFLOW_CIN: case SADD_OVERFLOW_CIN: case USUB_OVERFLOW_BIN: case SSUB_OVERFLOW_BIN: case UADD_OVERFLOW_TRAP:
            case LOAD: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32: case STORE: case ISTORE16: case ISTORE32:
                return true;
            default:
                return false;
        }
    }

    /** Expands {@code i} if it needs it. */
    void expand(int i, Opcode op) {
        int t = dfg.ctrlType(i);
        switch (op) {
            case BAND: case BOR: case BXOR: case BNOT: case BAND_NOT: case BOR_NOT: case BXOR_NOT:
                if (Type.isFloat(t)) floatBits(i, op, t);
                return;
            case LOAD: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32:
                if ((dfg.aux(i) & MemFlags.BIG) != 0) bigLoad(i, op, t);
                return;
            case SELECT_SPECTRE_GUARD:
                if (Type.isFloat(t)) floatSpectreGuard(i, t);
                return;
            case STORE: case ISTORE16: case ISTORE32:
                if ((dfg.aux(i) & MemFlags.BIG) != 0) bigStore(i, op);
                return;
            default:
        }
        b.before(i);
        int a0 = arg(i, 0);
        switch (op) {
            case BMASK: {
                int c = b.icmpImm(IntCC.NE, a0, 0);
                int w = t == Type.I8 ? c : b.convert(Opcode.UEXTEND, t, c);
                replace(i, b.unary(Opcode.INEG, t, w));
                return;
            }
            case BITREV: replace(i, bitrev(a0, t)); return;
            case CLS: {
                int s = b.binaryImm(Opcode.SSHR_IMM, a0, Type.bits(t) - 1);
                int z = b.unary(Opcode.CLZ, t, b.binary(Opcode.BXOR, a0, s));
                replace(i, b.binaryImm(Opcode.IADD_IMM, z, -1));
                return;
            }
            case BITSELECT: {
                int c = a0, x = arg(i, 1), y = arg(i, 2);
                int it = intOf(t);
                if (it != t) {
                    c = b.convert(Opcode.BITCAST, it, c);
                    x = b.convert(Opcode.BITCAST, it, x);
                    y = b.convert(Opcode.BITCAST, it, y);
                }
                int r = b.binary(Opcode.BOR, b.binary(Opcode.BAND, x, c), b.binary(Opcode.BAND_NOT, y, c));
                replace(i, it != t ? b.convert(Opcode.BITCAST, t, r) : r);
                return;
            }
            case UADD_OVERFLOW_TRAP: {
                int a1 = arg(i, 1);
                int s = b.binary(Opcode.IADD, a0, a1);
                b.condTrap(Opcode.TRAPNZ, b.icmp(IntCC.ULT, s, a0), dfg.aux(i));
                replace(i, s);
                return;
            }
            default:
                flagOp(i, op, t, a0, arg(i, 1));
        }
    }

    private int arg(int i, int n) {
        return dfg.resolveAliases(dfg.arg(i, n));
    }

    private static int intOf(int t) {
        return t == Type.F32 ? Type.I32 : t == Type.F64 ? Type.I64 : t;
    }

    /** Makes the result of {@code i} an alias of {@code v} and takes {@code i} out. */
    private void replace(int i, int v) {
        int r = dfg.firstResult(i);
        dfg.detachResults(i);
        dfg.changeToAlias(r, v);
        layout.removeInst(i);
    }

    private void replace2(int i, int v, int flag) {
        int r0 = dfg.result(i, 0), r1 = dfg.result(i, 1);
        dfg.detachResults(i);
        dfg.changeToAlias(r0, v);
        dfg.changeToAlias(r1, flag);
        layout.removeInst(i);
    }

    private void floatBits(int i, Opcode op, int t) {
        b.before(i);
        int it = intOf(t);
        int x = b.convert(Opcode.BITCAST, it, arg(i, 0));
        int r = op == Opcode.BNOT ? b.unary(Opcode.BNOT, it, x) : b.binary(op, x, b.convert(Opcode.BITCAST, it, arg(i, 1)));
        replace(i, b.convert(Opcode.BITCAST, t, r));
    }

    /** A float select_spectre_guard selects the bits as integers, where back ends have a branch-free cmov. */
    private void floatSpectreGuard(int i, int t) {
        b.before(i);
        int it = intOf(t);
        int x = b.convert(Opcode.BITCAST, it, arg(i, 1));
        int y = b.convert(Opcode.BITCAST, it, arg(i, 2));
        int sel = b.insert(Opcode.SELECT_SPECTRE_GUARD, it);
        dfg.setField(sel, DataFlowGraph.A0, arg(i, 0));
        dfg.setField(sel, DataFlowGraph.A1, x);
        dfg.setField(sel, DataFlowGraph.A2, y);
        int r = dfg.appendResult(sel, it);
        replace(i, b.convert(Opcode.BITCAST, t, r));
    }

    private int bitrev(int x, int t) {
        int bits = Type.bits(t);
        long mask = Type.mask(t);
        long[] m = {0x5555_5555_5555_5555L, 0x3333_3333_3333_3333L, 0x0F0F_0F0F_0F0F_0F0FL};
        for (int k = 0; k < 3; k++) {
            int s = 1 << k;
            int hi = b.binaryImm(Opcode.BAND_IMM, b.binaryImm(Opcode.USHR_IMM, x, s), m[k] & mask);
            int lo = b.binaryImm(Opcode.ISHL_IMM, b.binaryImm(Opcode.BAND_IMM, x, m[k] & mask), s);
            x = b.binary(Opcode.BOR, hi, lo);
        }
        return bits == 8 ? x : b.unary(Opcode.BSWAP, t, x);
    }

    private void flagOp(int i, Opcode op, int t, int a, int c) {
        int bits = Type.bits(t);
        switch (op) {
            case UADD_OVERFLOW: {
                int s = b.binary(Opcode.IADD, a, c);
                replace2(i, s, b.icmp(IntCC.ULT, s, a));
                return;
            }
            case SADD_OVERFLOW: {
                int s = b.binary(Opcode.IADD, a, c);
                replace2(i, s, signBit(b.binary(Opcode.BAND, b.binary(Opcode.BXOR, a, s), b.binary(Opcode.BXOR, c, s))));
                return;
            }
            case USUB_OVERFLOW: {
                int d = b.binary(Opcode.ISUB, a, c);
                replace2(i, d, b.icmp(IntCC.ULT, a, c));
                return;
            }
            case SSUB_OVERFLOW: {
                int d = b.binary(Opcode.ISUB, a, c);
                replace2(i, d, signBit(b.binary(Opcode.BAND, b.binary(Opcode.BXOR, a, c), b.binary(Opcode.BXOR, a, d))));
                return;
            }
            case UMUL_OVERFLOW: case SMUL_OVERFLOW: {
                boolean signed = op == Opcode.SMUL_OVERFLOW;
                if (bits == 64) {
                    int lo = b.binary(Opcode.IMUL, a, c);
                    int hi = b.binary(signed ? Opcode.SMULHI : Opcode.UMULHI, a, c);
                    int flag = signed ? b.icmp(IntCC.NE, hi, b.binaryImm(Opcode.SSHR_IMM, lo, 63)) : b.icmpImm(IntCC.NE, hi, 0);
                    replace2(i, lo, flag);
                    return;
                }
                Opcode ext = signed ? Opcode.SEXTEND : Opcode.UEXTEND;
                int p = b.binary(Opcode.IMUL, b.convert(ext, Type.I64, a), b.convert(ext, Type.I64, c));
                int r = b.convert(Opcode.IREDUCE, t, p);
                int flag = b.icmp(IntCC.NE, p, b.convert(ext, Type.I64, r));
                replace2(i, r, flag);
                return;
            }
            default:
        }
        // carry and borrow forms: the third operand, non-zero read as 1
        int third = arg(i, 2);
        int c1 = b.icmpImm(IntCC.NE, third, 0);
        int cin = t == Type.I8 ? c1 : b.convert(Opcode.UEXTEND, t, c1);
        switch (op) {
            case UADD_OVERFLOW_CIN: {
                int s1 = b.binary(Opcode.IADD, a, c);
                int s = b.binary(Opcode.IADD, s1, cin);
                replace2(i, s, b.binary(Opcode.BOR, b.icmp(IntCC.ULT, s1, a), b.icmp(IntCC.ULT, s, s1)));
                return;
            }
            case SADD_OVERFLOW_CIN: {
                int s1 = b.binary(Opcode.IADD, a, c);
                int s = b.binary(Opcode.IADD, s1, cin);
                int f1 = signBit(b.binary(Opcode.BAND, b.binary(Opcode.BXOR, a, s1), b.binary(Opcode.BXOR, c, s1)));
                int f2 = signBit(b.binary(Opcode.BAND, b.binary(Opcode.BXOR, s1, s), b.binary(Opcode.BXOR, cin, s)));
                replace2(i, s, b.binary(Opcode.BXOR, f1, f2));
                return;
            }
            case USUB_OVERFLOW_BIN: {
                int d1 = b.binary(Opcode.ISUB, a, c);
                int d = b.binary(Opcode.ISUB, d1, cin);
                replace2(i, d, b.binary(Opcode.BOR, b.icmp(IntCC.ULT, a, c), b.icmp(IntCC.ULT, d1, cin)));
                return;
            }
            default: { // SSUB_OVERFLOW_BIN
                int d1 = b.binary(Opcode.ISUB, a, c);
                int d = b.binary(Opcode.ISUB, d1, cin);
                int f1 = signBit(b.binary(Opcode.BAND, b.binary(Opcode.BXOR, a, c), b.binary(Opcode.BXOR, a, d1)));
                int f2 = signBit(b.binary(Opcode.BAND, b.binary(Opcode.BXOR, d1, cin), b.binary(Opcode.BXOR, d1, d)));
                replace2(i, d, b.binary(Opcode.BXOR, f1, f2));
            }
        }
    }

    /** 1 if {@code v} is negative (its sign bit), as an i8. */
    private int signBit(int v) {
        return b.icmpImm(IntCC.SLT, v, 0);
    }

    private void bigLoad(int i, Opcode op, int t) {
        int bytes = op.accessBytes(t);
        int flags = dfg.aux(i) & ~MemFlags.BIG;
        if (bytes == 1) {
            dfg.setAux(i, flags);
            return;
        }
        b.before(i);
        int it = Type.isFloat(t) ? intOf(t) : bytes == 2 ? Type.I16 : bytes == 4 ? Type.I32 : Type.I64;
        int v = b.load(Opcode.LOAD, it, flags, arg(i, 0), dfg.imm(i));
        int s = b.unary(Opcode.BSWAP, it, v);
        int r;
        if (Type.isFloat(t)) r = b.convert(Opcode.BITCAST, t, s);
        else if (it != t) r = b.convert(op.isSignedLoad() ? Opcode.SEXTEND : Opcode.UEXTEND, t, s);
        else r = s;
        replace(i, r);
    }

    private void bigStore(int i, Opcode op) {
        int v = arg(i, 0);
        int t = dfg.valueType(v);
        int bytes = op.accessBytes(t);
        int flags = dfg.aux(i) & ~MemFlags.BIG;
        if (bytes == 1) {
            dfg.setAux(i, flags);
            return;
        }
        b.before(i);
        if (Type.isFloat(t)) v = b.convert(Opcode.BITCAST, intOf(t), v);
        int it = bytes == 2 ? Type.I16 : bytes == 4 ? Type.I32 : Type.I64;
        if (dfg.valueType(v) != it) v = b.convert(Opcode.IREDUCE, it, v);
        b.store(Opcode.STORE, flags, b.unary(Opcode.BSWAP, it, v), arg(i, 1), dfg.imm(i));
        layout.removeInst(i);
    }
}
