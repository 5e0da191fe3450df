package dev.twill.interp;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstructionFormat;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.Type;
import java.util.Arrays;

/**
 * A function flattened for interpretation, made once per function and reused by every call.
 *
 * <p>Problem: walking the layout's linked lists, resolving value aliases and re-deriving operand
 * shapes on every executed instruction would make the oracle slow and allocation-prone. So the
 * layout is flattened into a program counter space (blocks in layout order, each block's
 * instructions consecutive), and each instruction into a fixed record of {@link #STRIDE} ints
 * whose fields are already what the interpreter needs: an execution kind ({@code K_*}), operands
 * resolved through aliases, access sizes, and block calls turned into (target pc, arguments,
 * target parameters) lists.
 *
 * <p>Record fields by kind (unused fields are -1): {@code A0..A2} value operands, or for loads
 * {@code A1} = access bytes and {@code A2} = 1 if sign-extending, for conversions {@code A1} =
 * argument type; {@code X} the entity or condition code; {@code RES} the result value, or for
 * calls the offset of the result list; {@code B0/B1} block-call offsets, or for stores {@code B0}
 * = access bytes; operations with an overflow flag keep their second result in {@code B1}, and
 * {@code atomic_rmw}/{@code atomic_cas} their access bytes in {@code B0}. Lists live in {@link #lists}: a value list is {@code n, v1..vn}; a block call
 * is {@code pc, n, arg1..argn, param1..paramn}; a jump table {@code n, call1..calln} with the
 * default first. {@link #imm} holds the immediate, for {@code _imm} forms already cut to the width.
 *
 * <p>{@code i128}: a function with an {@code i128} value or parameter is {@link #wide}; its
 * frames have a second register file for the high halves, moved along with the low one by
 * block arguments, calls and returns. Every instruction that reads or writes an {@code i128}
 * (other than those moves) is {@link #K_WIDE}, executed by {@link WideOps} off the hot loop,
 * with its usual fields; {@code isplit} keeps its second result in {@code B1}.
 *
 * <p>Invariant: every block that can be reached by a branch ends in a terminator, so the pc never
 * runs past a block's end; decoding rejects functions that break this or refer to missing
 * entities, with an {@link IllegalArgumentException} naming the function.
 */
final class DecodedFunction {
    static final int KIND = 0, OP = 1, TYPE = 2, A0 = 3, A1 = 4, A2 = 5, X = 6, RES = 7, B0 = 8, B1 = 9;
    static final int STRIDE = 10;

    // execution kinds: one interpreter case each
    static final int K_NOP = 0, K_CONST = 1, K_INT_BIN = 2, K_INT_BIN_IMM = 3, K_INT_DIV = 4, K_INT_DIV_IMM = 5,
            K_INT_UNARY = 6, K_INT_CONVERT = 7, K_FLOAT_CONVERT = 8, K_FCVT_TO_INT = 9, K_FLOAT_BIN = 10,
            K_FLOAT_UNARY = 11, K_ICMP = 12, K_ICMP_IMM = 13, K_FCMP = 14, K_SELECT = 15, K_LOAD = 16,
            K_STORE = 17, K_STACK_LOAD = 18, K_STACK_STORE = 19, K_STACK_ADDR = 20, K_HEAP_LOAD = 21,
            K_HEAP_STORE = 22, K_HEAP_ADDR = 23, K_TABLE_ADDR = 24, K_GLOBAL_VALUE = 25, K_FUNC_ADDR = 26,
            K_CALL = 27, K_CALL_INDIRECT = 28, K_RETURN = 29, K_JUMP = 30, K_BRIF = 31, K_BRZ = 32, K_BRNZ = 33,
            K_BR_ICMP = 34, K_BR_TABLE = 35, K_TRAP = 36, K_TRAPZ = 37, K_TRAPNZ = 38, K_BITSELECT = 39, K_FMA = 40,
            K_FLAG_OP = 41, K_ADD_TRAP = 42, K_LOAD_BIG = 43, K_STORE_BIG = 44, K_ATOMIC_RMW = 45, K_ATOMIC_CAS = 46,
            K_RETURN_CALL = 47, K_RETURN_CALL_INDIRECT = 48, K_WIDE = 49, K_FRAME_ADDR = 50, K_STACK_LIMIT = 51;

    /** {@link #K_FRAME_ADDR}'s X: which address of the frame. */
    static final int FRAME_SP = 0, FRAME_FP = 1, FRAME_RA = 2;

    final Function function;
    final String name;
    final Signature signature;
    final int[] code;
    final long[] imm;
    final int[] lists;
    /** Size of the register file: the number of values. */
    final int numRegs;
    final int entryPc;
    /** Offset of the entry block's parameter list. */
    final int entryParams;
    /** Index of the vmctx parameter, or -1. */
    final int vmctxParam;
    final int[] slotSize, slotAlign;
    final GlobalValueData[] globalValues;
    final HeapData[] heaps;
    final TableData[] tables;
    final ExtFuncData[] extFuncs;
    final Signature[] signatures;
    /** Callees by function reference, resolved on first use by the interpreter. */
    final InterpModule.Entry[] callees;
    /** The most block parameters any block has (size of the parallel-move buffer). */
    final int maxBlockParams;
    /** True if the function has an i128 value: its frames keep high halves too. */
    final boolean wide;
    /** Value types by value number, for {@link #K_WIDE} instructions; null unless {@link #wide}. */
    final int[] valueTypes;

    private DecodedFunction(Function f, int[] code, long[] imm, int[] lists, int entryPc, int entryParams, int maxBlockParams) {
        this.function = f;
        this.name = f.name;
        this.signature = f.signature;
        this.code = code;
        this.imm = imm;
        this.lists = lists;
        this.numRegs = f.dfg.numValues();
        this.entryPc = entryPc;
        this.entryParams = entryParams;
        this.vmctxParam = f.signature.vmctxParam();
        this.slotSize = new int[f.stackSlots.size()];
        this.slotAlign = new int[f.stackSlots.size()];
        for (int s = 0; s < slotSize.length; s++) {
            StackSlotData d = f.stackSlots.get(s);
            slotSize[s] = d.size;
            slotAlign[s] = d.align == 0 ? 16 : d.align;
        }
        this.globalValues = f.globalValues.toArray(new GlobalValueData[0]);
        this.heaps = f.heaps.toArray(new HeapData[0]);
        this.tables = f.tables.toArray(new TableData[0]);
        this.extFuncs = f.extFuncs.toArray(new ExtFuncData[0]);
        this.signatures = f.signatures.toArray(new Signature[0]);
        this.callees = new InterpModule.Entry[extFuncs.length];
        this.maxBlockParams = maxBlockParams;
        boolean anyWide = Type.slots(f.signature.params) != f.signature.params.length
                || Type.slots(f.signature.returns) != f.signature.returns.length;
        for (int v = 0; v < numRegs && !anyWide; v++) anyWide = f.dfg.valueType(v) == Type.I128;
        this.wide = anyWide;
        if (anyWide) {
            valueTypes = new int[numRegs];
            for (int v = 0; v < numRegs; v++) valueTypes[v] = f.dfg.valueType(v);
        } else {
            valueTypes = null;
        }
    }

    /** Flattens {@code f}; throws {@link IllegalArgumentException} if it cannot be run. */
    static DecodedFunction decode(Function f) {
        return new Decoder(f).run();
    }

    /** One decoding: two passes over the layout (block pcs, then records). */
    private static final class Decoder {
        private final Function f;
        private final DataFlowGraph dfg;
        private final Layout layout;
        private int[] code;
        private long[] imm;
        private int[] lists = new int[64];
        private int listTop;
        private int[] blockPc;
        private int maxBlockParams;

        Decoder(Function f) {
            this.f = f;
            this.dfg = f.dfg;
            this.layout = f.layout;
        }

        private IllegalArgumentException error(String msg) {
            return new IllegalArgumentException("cannot interpret " + f.name + ": " + msg);
        }

        DecodedFunction run() {
            if (layout.firstBlock() < 0) throw error("no entry block");
            blockPc = new int[dfg.numBlocks()];
            Arrays.fill(blockPc, -1);
            // a stack limit is checked by one record before the entry block's code (entryPc)
            boolean limited = f.stackLimit >= 0;
            int n = limited ? 1 : 0;
            for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
                blockPc[b] = n;
                int last = layout.lastInst(b);
                if (last < 0 || !dfg.opcode(last).isTerminator()) throw error("block" + b + " does not end in a terminator");
                for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) n++;
                maxBlockParams = Math.max(maxBlockParams, dfg.numBlockParams(b));
            }
            code = new int[n * STRIDE];
            imm = new long[n];
            Arrays.fill(code, -1);
            int pc = 0;
            if (limited) {
                checkEntity(f.stackLimit, f.globalValues.size(), "gv", -1);
                code[KIND] = K_STACK_LIMIT;
                code[X] = f.stackLimit;
                pc++;
            }
            for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
                for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) encode(i, pc++);
            }
            int entry = layout.firstBlock();
            int np = dfg.numBlockParams(entry);
            if (np != f.signature.params.length) throw error("entry block has " + np + " parameters, signature " + f.signature.params.length);
            int entryParams = list(np);
            for (int k = 0; k < np; k++) lists[entryParams + 1 + k] = dfg.blockParam(entry, k);
            checkGlobalValues();
            if (f.signature.vmctxParam() < 0) {
                for (GlobalValueData g : f.globalValues) {
                    if (g.kind == GlobalValueData.Kind.VMCTX) throw error("a vmctx global value but no vmctx parameter");
                }
            }
            return new DecodedFunction(f, code, imm, Arrays.copyOf(lists, listTop), limited ? 0 : blockPc[entry], entryParams,
                    maxBlockParams);
        }

        /** Rejects global value chains that refer to missing entries or loop. */
        private void checkGlobalValues() {
            int n = f.globalValues.size();
            for (int g = 0; g < n; g++) {
                int cur = g;
                for (int steps = 0; ; steps++) {
                    if (steps > n) throw error("global value gv" + g + " depends on itself");
                    GlobalValueData d = f.globalValues.get(cur);
                    if (d.kind != GlobalValueData.Kind.LOAD && d.kind != GlobalValueData.Kind.IADD_IMM) break;
                    if (d.base < 0 || d.base >= n) throw error("gv" + cur + " has no base");
                    cur = d.base;
                }
            }
        }

        /** Reserves a list of {@code n} elements after a length slot; returns its offset. */
        private int list(int n) {
            if (listTop + n + 1 > lists.length) lists = Arrays.copyOf(lists, Math.max(lists.length * 2, listTop + n + 1));
            int off = listTop;
            lists[off] = n;
            listTop += n + 1;
            return off;
        }

        private int value(int v) {
            if (!dfg.isValidValue(v)) throw error("operand v" + v + " is not a value");
            return dfg.resolveAliases(v);
        }

        private int valueList(int i) {
            int n = dfg.numArgs(i);
            int off = list(n);
            for (int k = 0; k < n; k++) lists[off + 1 + k] = value(dfg.arg(i, k));
            return off;
        }

        private int resultList(int i) {
            int n = dfg.numResults(i);
            int off = list(n);
            for (int k = 0; k < n; k++) lists[off + 1 + k] = dfg.result(i, k);
            return off;
        }

        private int blockCall(int call) {
            int b = dfg.blockCallBlock(call);
            if (b < 0 || b >= blockPc.length || blockPc[b] < 0) throw error("branch to block" + b + ", which is not in the layout");
            int n = dfg.blockCallNumArgs(call);
            if (n != dfg.numBlockParams(b)) throw error("block" + b + " takes " + dfg.numBlockParams(b) + " arguments, given " + n);
            int off = list(2 * n + 1);
            lists[off] = blockPc[b];
            lists[off + 1] = n;
            for (int k = 0; k < n; k++) {
                lists[off + 2 + k] = value(dfg.blockCallArg(call, k));
                lists[off + 2 + n + k] = dfg.blockParam(b, k);
            }
            return off;
        }

        private void checkEntity(int index, int size, String what, int i) {
            if (index < 0 || index >= size) throw error("inst" + i + " refers to missing " + what + index);
        }

        private void encode(int i, int pc) {
            Opcode op = dfg.opcode(i);
            int o = pc * STRIDE;
            code[o + OP] = op.ordinal();
            code[o + X] = dfg.aux(i);
            imm[pc] = dfg.imm(i);
            InstructionFormat fmt = op.format;
            if (!fmt.hasValueList()) {
                for (int k = 0; k < fmt.fixedArgs; k++) code[o + A0 + k] = value(dfg.field(i, DataFlowGraph.A0 + k));
            }
            if (dfg.numResults(i) == 1 && !op.isCall()) code[o + RES] = dfg.firstResult(i);
            int type = operativeType(i, op, o);
            code[o + TYPE] = type;
            int kind;
            switch (op) {
                case NOP: kind = K_NOP; break;
                case ICONST: kind = K_CONST; imm[pc] &= Type.mask(type); break;
                case F32CONST: kind = K_CONST; imm[pc] &= 0xFFFF_FFFFL; break;
                case F64CONST: kind = K_CONST; break;
                case IADD: case ISUB: case IMUL: case UMULHI: case SMULHI: case SMIN: case SMAX: case UMIN: case UMAX:
                case BAND: case BOR: case BXOR: case BAND_NOT: case BOR_NOT: case BXOR_NOT:
                case ISHL: case USHR: case SSHR: case ROTL: case ROTR:
                    kind = K_INT_BIN; break;
                case IADD_IMM: case IMUL_IMM: case IRSUB_IMM: case BAND_IMM: case BOR_IMM: case BXOR_IMM:
                case ISHL_IMM: case USHR_IMM: case SSHR_IMM: case ROTL_IMM: case ROTR_IMM:
                    kind = K_INT_BIN_IMM; imm[pc] &= Type.mask(type); break;
                case UDIV: case SDIV: case UREM: case SREM: kind = K_INT_DIV; break;
                case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM:
                    kind = K_INT_DIV_IMM; imm[pc] &= Type.mask(type); break;
                case INEG: case IABS: case BNOT: case CLZ: case CTZ: case POPCNT: case BSWAP: case BITREV: case CLS: case BMASK:
                    kind = K_INT_UNARY; break;
                case BITSELECT: kind = K_BITSELECT; break;
                case FMA: kind = K_FMA; break;
                case UADD_OVERFLOW: case SADD_OVERFLOW: case USUB_OVERFLOW: case SSUB_OVERFLOW: case UMUL_OVERFLOW:
                case SMUL_OVERFLOW: case UADD_OVERFLOW_CIN: case SADD_OVERFLOW_CIN: case USUB_OVERFLOW_BIN: case SSUB_OVERFLOW_BIN:
                    kind = K_FLAG_OP;
                    if (dfg.numResults(i) != 2) throw error("inst" + i + " needs two results");
                    code[o + RES] = dfg.result(i, 0);
                    code[o + B1] = dfg.result(i, 1);
                    code[o + TYPE] = dfg.valueType(code[o + A0]);
                    break;
                case UADD_OVERFLOW_TRAP: kind = K_ADD_TRAP; break;
                case FENCE: kind = K_NOP; break;
                case ATOMIC_LOAD:
                    kind = (code[o + X] & MemFlags.BIG) != 0 ? K_LOAD_BIG : K_LOAD;
                    code[o + A1] = Type.bytes(type);
                    code[o + A2] = 0;
                    break;
                case ATOMIC_STORE:
                    kind = (code[o + X] & MemFlags.BIG) != 0 ? K_STORE_BIG : K_STORE;
                    code[o + B0] = Type.bytes(type);
                    break;
                case ATOMIC_RMW: kind = K_ATOMIC_RMW; code[o + B0] = Type.bytes(type); break;
                case ATOMIC_CAS: kind = K_ATOMIC_CAS; code[o + B0] = Type.bytes(type); break;
                case ICONCAT: kind = K_WIDE; break;
                case ISPLIT:
                    kind = K_WIDE;
                    if (dfg.numResults(i) != 2) throw error("inst" + i + " needs two results");
                    code[o + RES] = dfg.result(i, 0);
                    code[o + B1] = dfg.result(i, 1);
                    code[o + TYPE] = dfg.valueType(code[o + A0]);
                    break;
                case UEXTEND: case SEXTEND: case IREDUCE: case BITCAST:
                    kind = K_INT_CONVERT; code[o + A1] = dfg.valueType(code[o + A0]); break;
                case FPROMOTE: case FDEMOTE: case FCVT_FROM_SINT: case FCVT_FROM_UINT: case FCVT_TO_SINT_SAT: case FCVT_TO_UINT_SAT:
                    kind = K_FLOAT_CONVERT; code[o + A1] = dfg.valueType(code[o + A0]); break;
                case FCVT_TO_SINT: case FCVT_TO_UINT:
                    kind = K_FCVT_TO_INT; code[o + A1] = dfg.valueType(code[o + A0]); break;
                case FADD: case FSUB: case FMUL: case FDIV: case FMIN: case FMAX: case FCOPYSIGN: kind = K_FLOAT_BIN; break;
                case SQRT: case FNEG: case FABS: case CEIL: case FLOOR: case TRUNC: case NEAREST: kind = K_FLOAT_UNARY; break;
                case ICMP: kind = K_ICMP; break;
                case ICMP_IMM: kind = K_ICMP_IMM; break;
                case FCMP: kind = K_FCMP; break;
                case SELECT: case SELECT_SPECTRE_GUARD: kind = K_SELECT; break;
                case LOAD: case ULOAD8: case SLOAD8: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32:
                    kind = (code[o + X] & MemFlags.BIG) != 0 ? K_LOAD_BIG : K_LOAD;
                    code[o + A1] = op.accessBytes(type);
                    code[o + A2] = op.isSignedLoad() ? 1 : 0;
                    break;
                case STORE: case ISTORE8: case ISTORE16: case ISTORE32:
                    kind = (code[o + X] & MemFlags.BIG) != 0 ? K_STORE_BIG : K_STORE;
                    code[o + B0] = op.accessBytes(type);
                    break;
                case STACK_LOAD:
                    kind = K_STACK_LOAD;
                    checkEntity(code[o + X], f.stackSlots.size(), "ss", i);
                    code[o + A1] = Type.bytes(type);
                    code[o + A2] = 0;
                    break;
                case STACK_STORE:
                    kind = K_STACK_STORE;
                    checkEntity(code[o + X], f.stackSlots.size(), "ss", i);
                    code[o + B0] = Type.bytes(type);
                    break;
                case STACK_ADDR: kind = K_STACK_ADDR; checkEntity(code[o + X], f.stackSlots.size(), "ss", i); break;
                case HEAP_LOAD: case HEAP_ULOAD8: case HEAP_SLOAD8: case HEAP_ULOAD16: case HEAP_SLOAD16: case HEAP_ULOAD32: case HEAP_SLOAD32:
                    kind = K_HEAP_LOAD;
                    checkEntity(code[o + X], f.heaps.size(), "heap", i);
                    code[o + A1] = op.accessBytes(type);
                    code[o + A2] = op.isSignedLoad() ? 1 : 0;
                    break;
                case HEAP_STORE: case HEAP_ISTORE8: case HEAP_ISTORE16: case HEAP_ISTORE32:
                    kind = K_HEAP_STORE;
                    checkEntity(code[o + X], f.heaps.size(), "heap", i);
                    code[o + B0] = op.accessBytes(type);
                    break;
                case HEAP_ADDR: kind = K_HEAP_ADDR; checkEntity(code[o + X], f.heaps.size(), "heap", i); break;
                case TABLE_ADDR: kind = K_TABLE_ADDR; checkEntity(code[o + X], f.tables.size(), "table", i); break;
                case GLOBAL_VALUE: case SYMBOL_VALUE:
                    kind = K_GLOBAL_VALUE; checkEntity(code[o + X], f.globalValues.size(), "gv", i); break;
                case FUNC_ADDR: kind = K_FUNC_ADDR; checkEntity(code[o + X], f.extFuncs.size(), "fn", i); break;
                case GET_STACK_POINTER: kind = K_FRAME_ADDR; code[o + X] = FRAME_SP; break;
                case GET_FRAME_POINTER: kind = K_FRAME_ADDR; code[o + X] = FRAME_FP; break;
                case GET_RETURN_ADDRESS: kind = K_FRAME_ADDR; code[o + X] = FRAME_RA; break;
                case CALL: {
                    kind = K_CALL;
                    checkEntity(code[o + X], f.extFuncs.size(), "fn", i);
                    Signature sig = f.signatures.get(f.extFuncs.get(code[o + X]).signature);
                    checkCallShape(i, sig, dfg.numArgs(i));
                    code[o + A0] = valueList(i);
                    code[o + RES] = resultList(i);
                    break;
                }
                case CALL_INDIRECT: {
                    kind = K_CALL_INDIRECT;
                    checkEntity(code[o + X], f.signatures.size(), "sig", i);
                    checkCallShape(i, f.signatures.get(code[o + X]), dfg.numArgs(i) - 1);
                    code[o + A0] = valueList(i);
                    code[o + RES] = resultList(i);
                    break;
                }
                case RETURN_CALL: {
                    kind = K_RETURN_CALL;
                    checkEntity(code[o + X], f.extFuncs.size(), "fn", i);
                    Signature sig = f.signatures.get(f.extFuncs.get(code[o + X]).signature);
                    checkTailCallShape(i, sig, dfg.numArgs(i));
                    code[o + A0] = valueList(i);
                    break;
                }
                case RETURN_CALL_INDIRECT: {
                    kind = K_RETURN_CALL_INDIRECT;
                    checkEntity(code[o + X], f.signatures.size(), "sig", i);
                    checkTailCallShape(i, f.signatures.get(code[o + X]), dfg.numArgs(i) - 1);
                    code[o + A0] = valueList(i);
                    break;
                }
                case RETURN:
                    kind = K_RETURN;
                    if (dfg.numArgs(i) != f.signature.returns.length) throw error("inst" + i + " returns the wrong number of values");
                    code[o + A0] = valueList(i);
                    break;
                case JUMP: kind = K_JUMP; code[o + B0] = blockCall(dfg.blockCall(i, 0)); break;
                case BRIF:
                    kind = K_BRIF;
                    code[o + B0] = blockCall(dfg.blockCall(i, 0));
                    code[o + B1] = blockCall(dfg.blockCall(i, 1));
                    break;
                case BRZ: kind = K_BRZ; code[o + B0] = blockCall(dfg.blockCall(i, 0)); break;
                case BRNZ: kind = K_BRNZ; code[o + B0] = blockCall(dfg.blockCall(i, 0)); break;
                case BR_ICMP: kind = K_BR_ICMP; code[o + B0] = blockCall(dfg.blockCall(i, 0)); break;
                case BR_TABLE: {
                    kind = K_BR_TABLE;
                    checkEntity(code[o + X], dfg.numJumpTables(), "jt", i);
                    int n = dfg.numBlockCalls(i);
                    if (n < 1) throw error("inst" + i + ": br_table without a default");
                    int[] calls = new int[n];
                    for (int k = 0; k < n; k++) calls[k] = blockCall(dfg.blockCall(i, k));
                    int off = list(n);
                    System.arraycopy(calls, 0, lists, off + 1, n);
                    code[o + X] = off;
                    break;
                }
                case TRAP: kind = K_TRAP; break;
                case TRAPZ: kind = K_TRAPZ; break;
                case TRAPNZ: kind = K_TRAPNZ; break;
                default: throw error("inst" + i + ": opcode " + op.text + " is not interpretable");
            }
            if (kind != K_WIDE && touchesWide(i, op)) {
                switch (kind) {
                    case K_JUMP: case K_CALL: case K_CALL_INDIRECT: case K_RETURN: case K_BR_TABLE: break; // moves only
                    case K_FLOAT_CONVERT:
                        if (op != Opcode.FCVT_TO_SINT_SAT && op != Opcode.FCVT_TO_UINT_SAT) {
                            throw error("inst" + i + ": " + op.text + " of an i128 is not interpretable");
                        }
                        kind = K_WIDE;
                        break;
                    case K_ATOMIC_RMW: case K_ATOMIC_CAS: case K_HEAP_LOAD: case K_HEAP_STORE:
                        throw error("inst" + i + ": " + op.text + " of an i128 is not interpretable");
                    default: kind = K_WIDE;
                }
            }
            code[o + KIND] = kind;
        }

        /**
         * The type an instruction computes at, taken from its values rather than the controlling
         * type, so the interpreter does not depend on how a producer filled that field: the
         * compared operands' type for comparisons, the stored value's for stores, the result's
         * otherwise.
         */
        private int operativeType(int i, Opcode op, int o) {
            switch (op) {
                case ICMP: case ICMP_IMM: case FCMP: case BR_ICMP:
                case STORE: case ISTORE8: case ISTORE16: case ISTORE32: case STACK_STORE: case ATOMIC_STORE:
                case HEAP_STORE: case HEAP_ISTORE8: case HEAP_ISTORE16: case HEAP_ISTORE32:
                    return dfg.valueType(code[o + A0]);
                default:
                    return code[o + RES] >= 0 ? dfg.valueType(code[o + RES]) : dfg.ctrlType(i);
            }
        }

        /** True if a fixed operand or a result of {@code i} is an i128 (value lists and block-call arguments do not count). */
        private boolean touchesWide(int i, Opcode op) {
            if (op.format.hasValueList()) return false;
            for (int k = 0; k < op.format.fixedArgs; k++) {
                if (dfg.valueType(dfg.resolveAliases(dfg.field(i, DataFlowGraph.A0 + k))) == Type.I128) return true;
            }
            for (int k = 0; k < dfg.numResults(i); k++) if (dfg.valueType(dfg.result(i, k)) == Type.I128) return true;
            return false;
        }

        private void checkCallShape(int i, Signature sig, int nargs) {
            if (nargs != sig.params.length) throw error("inst" + i + " passes " + nargs + " arguments to a signature of " + sig.params.length);
            if (dfg.numResults(i) != sig.returns.length) throw error("inst" + i + " has the wrong number of results");
        }

        private void checkTailCallShape(int i, Signature sig, int nargs) {
            if (nargs != sig.params.length) throw error("inst" + i + " passes " + nargs + " arguments to a signature of " + sig.params.length);
            if (dfg.numResults(i) != 0 || !Arrays.equals(sig.returns, f.signature.returns)) {
                throw error("inst" + i + ": a tail call's callee must return what the function returns");
            }
        }
    }
}
