package dev.twill.isa.x64.inst;

import dev.twill.isa.x64.asm.X64Cond;
import dev.twill.machinst.Operand;
import dev.twill.machinst.VCode;
import java.util.Arrays;

/**
 * The x86-64 payload of a {@link VCode}: for every VCode instruction number, the machine
 * opcode ({@code X64Insts.*} below, not Intel's), operand size, condition, immediate, auxiliary
 * fields, an optional memory operand and an optional fused compare. Struct-of-arrays, reused
 * across compilations ({@link #clear}).
 *
 * <p><b>Operand layouts.</b> Each opcode fixes the order of its {@link Operand}s in VCode; the
 * emitter reads them by position. Three optional parts are recorded here rather than in the
 * opcode:
 * <ul>
 *   <li>a <i>fused compare</i> ({@link #cmpKind}) comes first: {@code CMP_RR}: uses a, b
 *       ({@code cmp a, b}); {@code CMP_RI}: use a ({@code cmp a, imm}); {@code TEST}: use a
 *       ({@code test a, a}); {@code UCOMIS}: uses a, b ({@code ucomiss/sd a, b}); {@code
 *       CMP_RM}: use a, then the memory operand ({@code cmp a, [mem]}); {@code CMP_MI}: the
 *       memory operand ({@code cmp [mem], imm}; the instruction then has no other memory
 *       operand). Its flags feed
 *       the instruction's {@link #cond}, so flags never live across VCode instructions (the
 *       allocator's moves could not clobber them anyway, but this keeps the invariant local);
 *   <li>a <i>memory operand</i>: {@link #memBase} is an operand index (a use holding the base
 *       register) or one of the pseudo bases {@link #MB_SLOT} (explicit stack slot {@link
 *       #memSlot}), {@link #MB_OUTARG} (outgoing stack arguments at {@code [rsp]}), {@link
 *       #MB_RETAREA} (the return area of calls made by this function), {@link #MB_INARG}
 *       (incoming stack arguments at {@code [rbp + 16]}); {@link #memIndex} is an operand index
 *       or -1; plus {@link #memScale} and {@link #memDisp};
 *   <li>the opcode's own operands follow, as documented per opcode ("mem" marks where the memory
 *       operand's base and index uses sit when present).
 * </ul>
 * Conditions are x86 condition codes ({@link X64Cond}) or the two compound float conditions
 * {@link #FEQ} (ZF=1 and PF=0) and {@link #FNE} (ZF=0 or PF=1), which ucomis needs for
 * ordered-equal and unordered-or-unequal.
 */
public final class X64Insts {
    // ---- opcodes; operand layout after any fused-compare operands
    /** [use src, def dst]: integer register copy (VCode MOVE). */
    public static final int MOV = 0;
    /** [use src, def dst]: xmm register copy (VCode MOVE). */
    public static final int MOVF = 1;
    /** [def d]: d = imm (64 bits, shortest encoding). */
    public static final int IMM = 2;
    /** [def d]: float constant with bits imm, size 4/8. */
    public static final int FIMM = 3;
    /** [mem, def d]: lea d, [mem]. */
    public static final int LEA = 4;
    /** [use a, use b, def d=reuse a]: aux = ALU op (X64Assembler.ADD..XOR). */
    public static final int ALU_RR = 5;
    /** [use a, def d=reuse a]: aux = ALU op, imm. */
    public static final int ALU_RI = 6;
    /** [use a, mem, def d=reuse a]: aux = ALU op or {@link #ALU_IMUL}; a folded load. */
    public static final int ALU_RM = 7;
    /** [use a, use b, def d=reuse a]: imul. */
    public static final int IMUL_RR = 8;
    /** [use a, def d]: imul d, a, imm. */
    public static final int IMUL_RRI = 9;
    /** [use a, def d=reuse a]: aux = X64Assembler.NOT or NEG. */
    public static final int UNARY = 10;
    /** [use a, use amount fixed rcx, def d=reuse a]: aux = shift op. */
    public static final int SHIFT_CL = 11;
    /** [use a, def d=reuse a]: aux = shift op, imm = amount. */
    public static final int SHIFT_RI = 12;
    /** [use a fixed rax, use b, def hi fixed rdx, def lo fixed rax]: aux = X64Assembler.MUL or IMUL; size 8. */
    public static final int MULHI = 13;
    /**
     * [use a fixed rax, use b, def q fixed rax, early def r fixed rdx]: division; aux = DIV_*
     * flags; size 4/8 is the operation size, imm the IR width in bytes (for the MIN / -1 check).
     */
    public static final int DIV = 14;
    /** [use a, def d]: extension; aux = source bytes | {@link #EXT_SIGNED}; size = destination bytes. */
    public static final int EXT = 15;
    /** [mem, def d]: load of size bytes; aux = {@link #LD_ZERO}, {@link #LD_SIGN} (imm = dst bytes) or {@link #LD_FLOAT}. */
    public static final int LOAD = 16;
    /** [use v, mem]: store size bytes; aux = 0 int, 1 float. */
    public static final int STORE = 17;
    /** [mem]: store imm (size bytes). */
    public static final int STORE_IMM = 18;
    /** [cmp, def d]: d = cond ? 1 : 0 (zero-extended to 32 bits). */
    public static final int SETCC = 19;
    /** [cmp]: terminator; succ 0 if cond, else succ 1. */
    public static final int JCC = 20;
    /** [cmp, use x, use y, def d=reuse y]: d = cond ? x : y; size 4/8. */
    public static final int CMOV = 21;
    /** [cmp, use x, use y, def d=reuse y]: float select, by a branch around a movaps. */
    public static final int FSEL = 22;
    /** [cmp]: trap with code aux if cond. */
    public static final int TRAPIF = 23;
    /** []: terminator, jump to succ 0. */
    public static final int JMP = 24;
    /** []: terminator, trap with code aux. */
    public static final int TRAP = 25;
    /** [use index]: terminator; zero-extended index, jump table entries in the lowering's table (aux = table id). */
    public static final int BR_TABLE = 26;
    /** [uses of the returned values in fixed registers]: terminator. */
    public static final int RET = 27;
    /** [defs of the register arguments in fixed registers]: function entry. */
    public static final int ARGS = 28;
    /**
     * [uses of register arguments fixed, defs of register results fixed]: aux = symbol id, cond =
     * 1 if colocated, memDisp = the bytes of stack arguments the callee pops (tail convention).
     */
    public static final int CALL = 29;
    /** [use callee, uses of register arguments fixed, defs fixed]: imm = signature hash, memDisp as CALL. */
    public static final int CALL_IND = 30;
    /** [def d]: movabs d, address of symbol aux + imm (ABS64 relocation). */
    public static final int SYMBOL_ADDR = 31;
    /** [use a, def d=reuse a]: bswap; size 2 is rol 8. */
    public static final int BSWAP = 32;
    /** [use a, def d]: aux = CNT_LZ, CNT_TZ, CNT_POP with lzcnt/tzcnt/popcnt; size 4/8. */
    public static final int BITCNT = 33;
    /** [use a, early def d]: clz from bsr; size 4/8. */
    public static final int CLZ_BSR = 34;
    /** [use a, early def d]: ctz from bsf; size 4/8. */
    public static final int CTZ_BSF = 35;
    /** [use a, early def d, early def t]: popcount by the SWAR sequence; size 4/8. */
    public static final int POPCNT_SWAR = 36;
    /** [use a, early def d]: |a|; size 4/8. */
    public static final int IABS = 37;
    /** [use a, use b, def d=reuse a]: aux = SSE op. */
    public static final int SSE_RR = 38;
    /** [use a, mem, def d=reuse a]: aux = SSE op with a folded load. */
    public static final int SSE_RM = 39;
    /** [use a, def d]: sseRR(aux, d, a): sqrt, cvtss2sd, cvtsd2ss. */
    public static final int SSE_UN = 40;
    /** [use a, def d]: roundss/sd with mode aux; size 4/8. */
    public static final int ROUND = 41;
    /** [use a, def d=reuse a]: aux 0 fneg, 1 fabs; size 4/8. */
    public static final int FSIGN = 42;
    /** [use a, use b, def d=reuse a]: fcopysign; size 4/8. */
    public static final int FCOPYSIGN = 43;
    /** [use a, use b, def d=reuse a]: aux 0 fmin, 1 fmax (wasm NaN and -0 rules); size 4/8. */
    public static final int FMINMAX = 44;
    /** [use a, def d]: cvtsi2ss/sd; size = float bytes, aux = int bytes 4/8. */
    public static final int CVT_I2F = 45;
    /** [use a, def d]: u64 to float; size = float bytes. */
    public static final int CVT_U64_F = 46;
    /** [use a, early def d, early def t]: float to int; size = int bytes, imm = float bytes, aux = CVT_* flags. */
    public static final int CVT_F2I = 47;
    /** [use a int, def d xmm]: movd/movq; size 4/8. */
    public static final int MOVD_XR = 48;
    /** [use a xmm, def d int]: movd/movq; size 4/8. */
    public static final int MOVD_RX = 49;
    /** [use a, def d]: rounding without SSE4.1; aux = mode, size 4/8. */
    public static final int ROUND_SOFT = 50;

    /** []: mfence. */
    public static final int MFENCE = 51;
    /** [use a, use b, use c, def d=reuse c]: vfmadd231ss/sd d, a, b (d = a * b + c, rounded once); size 4/8. */
    public static final int FMA = 52;
    /** [use v, mem, def d=reuse v]: lock xadd [mem], d (d receives the old value); size = access bytes. */
    public static final int ATOMIC_XADD = 53;
    /** [use v, mem, def d=reuse v]: xchg [mem], d (implicitly locked); size = access bytes. */
    public static final int ATOMIC_XCHG = 54;
    /** [use expected fixed rax, use replacement, mem, def old fixed rax]: lock cmpxchg [mem], replacement. */
    public static final int ATOMIC_CAS = 55;
    /**
     * [use x, mem, early def old fixed rax, early def t]: a compare-exchange loop applying
     * {@link dev.twill.ir.AtomicRmwOp} aux (and, nand, or, xor, min, max) with operand x; size = access bytes.
     */
    public static final int ATOMIC_RMW_LOOP = 56;

    /**
     * [uses of register arguments fixed]: terminator, a tail call; aux = symbol id, cond = 1 if
     * colocated, memDisp = bytes of outgoing stack arguments (already stored at [rsp]), memSlot =
     * where the callee's argument area starts relative to the caller's incoming one.
     */
    public static final int TAIL_CALL = 57;
    /** [use callee fixed in rax, uses of register arguments fixed]: as TAIL_CALL; imm = signature hash. */
    public static final int TAIL_CALL_IND = 58;
    public static final int NUM_OPS = 59;

    private static final String[] NAMES = {
        "mov", "movf", "imm", "fimm", "lea", "alu_rr", "alu_ri", "alu_rm", "imul_rr", "imul_rri", "unary",
        "shift_cl", "shift_ri", "mulhi", "div", "ext", "load", "store", "store_imm", "setcc", "jcc", "cmov",
        "fsel", "trapif", "jmp", "trap", "br_table", "ret", "args", "call", "call_ind", "symbol_addr", "bswap",
        "bitcnt", "clz_bsr", "ctz_bsf", "popcnt_swar", "iabs", "sse_rr", "sse_rm", "sse_un", "round", "fsign",
        "fcopysign", "fminmax", "cvt_i2f", "cvt_u64_f", "cvt_f2i", "movd_xr", "movd_rx", "round_soft",
        "mfence", "fma", "atomic_xadd", "atomic_xchg", "atomic_cas", "atomic_rmw_loop",
        "tail_call", "tail_call_ind",
    };

    // ---- fused compare kinds
    public static final int CMP_NONE = 0, CMP_RR = 1, CMP_RI = 2, TEST = 3, UCOMIS = 4;
    /** {@code cmp reg, [mem]} (operand 0, then the memory operands) and {@code cmp [mem], imm}. */
    public static final int CMP_RM = 5, CMP_MI = 6;

    /** Compound float conditions (beyond the 16 x86 codes). */
    public static final int FEQ = 16, FNE = 17;

    /** ALU_RM aux: imul instead of an ALU op. */
    public static final int ALU_IMUL = 8;

    /** Pseudo memory bases. */
    public static final int MB_NONE = -1, MB_SLOT = -2, MB_OUTARG = -3, MB_RETAREA = -4, MB_INARG = -5;

    // ---- DIV flags
    public static final int DIV_SIGNED = 1, DIV_REM = 2, DIV_NO_ZERO_CHECK = 4, DIV_NO_NEG1_CHECK = 8;
    // ---- EXT flag
    public static final int EXT_SIGNED = 16;
    // ---- LOAD kinds
    public static final int LD_ZERO = 0, LD_SIGN = 1, LD_FLOAT = 2;
    // ---- BITCNT kinds
    public static final int CNT_LZ = 0, CNT_TZ = 1, CNT_POP = 2;
    // ---- CVT_F2I flags
    public static final int CVT_SIGNED = 1, CVT_SAT = 2;

    // ---- payload
    public int[] op = new int[256];
    public byte[] size = new byte[256];
    public byte[] cond = new byte[256];
    public long[] imm = new long[256];
    public int[] aux = new int[256];
    public byte[] cmpKind = new byte[256];
    public byte[] cmpSize = new byte[256];
    public int[] memBase = new int[256];
    public int[] memIndex = new int[256];
    public byte[] memScale = new byte[256];
    public int[] memDisp = new int[256];
    public int[] memSlot = new int[256];

    /** Symbols named by CALL and SYMBOL_ADDR (aux), in order of first use. */
    public final java.util.ArrayList<String> symbols = new java.util.ArrayList<>();
    /** Jump tables of BR_TABLE (aux = table id): successor index per entry, entries from {@link #tableStart}. */
    public int[] tableStart = new int[9];
    public int[] tableSucc = new int[64];
    public int numTables;
    private int numTableEntries;

    /**
     * Instructions {@code 0 .. used-1} may hold payload; every entry from {@code used} on holds
     * the defaults {@link #set} promises. Resetting the optional parts with one bulk fill per
     * array in {@link #clear} costs far less than a dozen scattered stores per instruction.
     */
    private int used;

    public X64Insts() {
        resetOptional(0, op.length);
    }

    public void clear() {
        symbols.clear();
        numTables = 0;
        numTableEntries = 0;
        tableStart[0] = 0;
        resetOptional(0, used);
        used = 0;
    }

    /** Sets the payload of instruction {@code i} (growing the arrays); its optional parts hold their defaults. */
    public void set(int i, int opcode, int sz) {
        if (i >= op.length) grow(i + 1);
        if (i >= used) {
            used = i + 1;
        } else {
            resetOptional(i, i + 1); // set again since the last clear
        }
        op[i] = opcode;
        size[i] = (byte) sz;
    }

    /** The defaults of the optional parts, for instructions {@code from .. to-1}. */
    private void resetOptional(int from, int to) {
        if (from >= to) return;
        Arrays.fill(cond, from, to, (byte) 0);
        Arrays.fill(imm, from, to, 0);
        Arrays.fill(aux, from, to, 0);
        Arrays.fill(cmpKind, from, to, (byte) CMP_NONE);
        Arrays.fill(cmpSize, from, to, (byte) 0);
        Arrays.fill(memBase, from, to, MB_NONE);
        Arrays.fill(memIndex, from, to, -1);
        Arrays.fill(memScale, from, to, (byte) 1);
        Arrays.fill(memDisp, from, to, 0);
        Arrays.fill(memSlot, from, to, -1);
    }

    private void grow(int n) {
        int old = op.length;
        int m = Math.max(n, old * 2);
        op = Arrays.copyOf(op, m);
        size = Arrays.copyOf(size, m);
        cond = Arrays.copyOf(cond, m);
        imm = Arrays.copyOf(imm, m);
        aux = Arrays.copyOf(aux, m);
        cmpKind = Arrays.copyOf(cmpKind, m);
        cmpSize = Arrays.copyOf(cmpSize, m);
        memBase = Arrays.copyOf(memBase, m);
        memIndex = Arrays.copyOf(memIndex, m);
        memScale = Arrays.copyOf(memScale, m);
        memDisp = Arrays.copyOf(memDisp, m);
        memSlot = Arrays.copyOf(memSlot, m);
        resetOptional(old, m);
    }

    /** Starts a new jump table; add its entries with {@link #addTableEntry}. Returns its id. */
    public int newTable() {
        if (numTables + 2 >= tableStart.length) tableStart = Arrays.copyOf(tableStart, tableStart.length * 2);
        tableStart[numTables + 1] = numTableEntries;
        return numTables++;
    }

    public void addTableEntry(int succIndex) {
        if (numTableEntries == tableSucc.length) tableSucc = Arrays.copyOf(tableSucc, numTableEntries * 2);
        tableSucc[numTableEntries++] = succIndex;
        tableStart[numTables] = numTableEntries;
    }

    public int tableSize(int t) {
        return tableStart[t + 1] - tableStart[t];
    }

    public int tableEntry(int t, int k) {
        return tableSucc[tableStart[t] + k];
    }

    /** Number of operands the fused compare of {@code i} takes. */
    public int cmpOperands(int i) {
        return switch (cmpKind[i]) {
            case CMP_RR, UCOMIS -> 2;
            case CMP_RI, TEST -> 1;
            case CMP_RM -> 1 + memOperands(i);
            case CMP_MI -> memOperands(i);
            default -> 0;
        };
    }

    /** How many register operands instruction {@code i}'s memory operand uses (base, index). */
    public int memOperands(int i) {
        return (memBase[i] >= 0 ? 1 : 0) + (memIndex[i] >= 0 ? 1 : 0);
    }

    public static String opName(int opcode) {
        return NAMES[opcode];
    }

    /** A listing of {@code code} with this payload, one instruction per line, for tests. */
    public String print(VCode code) {
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < code.numBlocks(); b++) {
            sb.append("block").append(b);
            if (code.numBlockParams(b) > 0) {
                sb.append('(');
                for (int k = 0; k < code.numBlockParams(b); k++) sb.append(k > 0 ? ", v" : "v").append(code.blockParam(b, k));
                sb.append(')');
            }
            sb.append(":\n");
            for (int i = code.blockStart(b); i < code.blockEnd(b); i++) {
                sb.append("  ").append(NAMES[op[i]]);
                if (size[i] != 0) sb.append('.').append(size[i]);
                if (cmpKind[i] != CMP_NONE) {
                    sb.append(' ').append(new String[] {"", "cmp", "cmpi", "test", "ucomis", "cmpm", "cmpmi"}[cmpKind[i]]).append('.').append(cmpSize[i]);
                }
                if (op[i] == SETCC || op[i] == JCC || op[i] == CMOV || op[i] == FSEL || op[i] == TRAPIF) {
                    sb.append(' ').append(cond[i] == FEQ ? "feq" : cond[i] == FNE ? "fne" : X64Cond.name(cond[i]));
                }
                if (imm[i] != 0) sb.append(" #").append(imm[i]);
                if (aux[i] != 0) sb.append(" aux=").append(aux[i]);
                if (memBase[i] != MB_NONE) {
                    sb.append(" [");
                    sb.append(switch (memBase[i]) {
                        case MB_SLOT -> "ss" + memSlot[i];
                        case MB_OUTARG -> "outarg";
                        case MB_RETAREA -> "retarea";
                        case MB_INARG -> "inarg";
                        default -> "op" + memBase[i];
                    });
                    if (memIndex[i] >= 0) sb.append("+op").append(memIndex[i]).append('*').append(memScale[i]);
                    if (memDisp[i] != 0) sb.append(memDisp[i] > 0 ? "+" : "").append(memDisp[i]);
                    sb.append(']');
                }
                sb.append(" :");
                for (int k = 0; k < code.numOperands(i); k++) sb.append(' ').append(Operand.toString(code.operand(i, k)));
                if (code.clobbers(i) != 0) sb.append(" clobbers 0x").append(Long.toHexString(code.clobbers(i)));
                sb.append('\n');
            }
            for (int n = 0; n < code.numSuccs(b); n++) {
                sb.append("  -> block").append(code.succ(b, n)).append('(');
                for (int k = 0; k < code.numBranchArgs(b, n); k++) sb.append(k > 0 ? ", v" : "v").append(code.branchArg(b, n, k));
                sb.append(")\n");
            }
        }
        return sb.toString();
    }
}
