package dev.twill.ir.text;

import dev.twill.ir.AtomicRmwOp;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstructionFormat;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;

/**
 * Writes a function in the text format: CLIF for scalar code plus Twill's heaps, tables and
 * mid-block branches. The output is canonical: {@link Parser} reads it back into a function
 * that prints identically.
 *
 * <p>An instruction's controlling type is written as a suffix ({@code load.i32}) only when it
 * cannot be read off the operands, the rule CLIF uses; {@link #printsTypeSuffix} states it.
 * An alias is written as {@code vA -> vB} just before the first instruction that uses it.
 */
public final class Printer {
    private final Function f;
    private final DataFlowGraph dfg;
    private final StringBuilder sb;
    private boolean[] aliasPrinted;

    private Printer(Function f, StringBuilder sb) {
        this.f = f;
        this.dfg = f.dfg;
        this.sb = sb;
    }

    public static String print(Function f) {
        StringBuilder sb = new StringBuilder();
        print(f, sb);
        return sb.toString();
    }

    public static void print(Function f, StringBuilder sb) {
        new Printer(f, sb).function();
    }

    /** Prints one instruction without indentation or newline (for error messages). */
    public static String instToString(Function f, int inst) {
        StringBuilder sb = new StringBuilder();
        Printer p = new Printer(f, sb);
        p.aliasPrinted = null;
        p.inst(inst);
        return sb.toString();
    }

    /**
     * True if the controlling type is printed as a suffix: when no operand determines it.
     * The parser infers the type from {@link #typeOperand} otherwise.
     */
    public static boolean printsTypeSuffix(Opcode op) {
        switch (op.format) {
            case UNARY_IMM: case LOAD: case STACK_LOAD: case HEAP_LOAD: case HEAP_ADDR: case TABLE_ADDR:
            case UNARY_GLOBAL_VALUE: case FUNC_ADDR: case LOAD_NO_OFFSET: case ATOMIC_RMW: case NULLARY_VALUE:
                return true;
            case UNARY:
                return !isSameTypeUnary(op) && op != Opcode.ISPLIT;
            default:
                return false;
        }
    }

    /** The argument whose type is the controlling type when there is no suffix, or -1. */
    public static int typeOperand(Opcode op) {
        switch (op.format) {
            case TERNARY: return 1;
            case BINARY: case BINARY_IMM: case INT_COMPARE: case INT_COMPARE_IMM: case FLOAT_COMPARE:
            case STORE: case STACK_STORE: case HEAP_STORE: case BRIF: case BRANCH: case BRANCH_ICMP:
            case BRANCH_TABLE: case COND_TRAP: case UNARY: case INT_ADD_TRAP: case STORE_NO_OFFSET:
                return 0;
            case ATOMIC_CAS: return 1;
            default: return -1;
        }
    }

    /** Unary instructions whose result has the argument's type. */
    public static boolean isSameTypeUnary(Opcode op) {
        switch (op) {
            case INEG: case IABS: case BNOT: case CLZ: case CTZ: case POPCNT: case BSWAP: case BITREV: case CLS:
            case SQRT: case FNEG: case FABS: case CEIL: case FLOOR: case TRUNC: case NEAREST:
                return true;
            default:
                return false;
        }
    }

    /** Formats an integer immediate as CLIF does: decimal when small, else hex in groups of four digits. */
    public static String formatImm(long v) {
        if (v > -10_000 && v < 10_000) return Long.toString(v);
        return formatHex(v);
    }

    public static String formatHex(long v) {
        String h = Long.toHexString(v);
        StringBuilder sb = new StringBuilder("0x");
        int first = h.length() % 4 == 0 ? 4 : h.length() % 4;
        sb.append(h, 0, first);
        for (int k = first; k < h.length(); k += 4) sb.append('_').append(h, k, k + 4);
        return sb.toString();
    }

    private static String offset(long off) {
        if (off == 0) return "";
        return off > 0 ? "+" + off : Long.toString(off);
    }

    private void function() {
        aliasPrinted = new boolean[dfg.numValues()];
        sb.append("function ").append(f.name).append(f.signature).append(" {\n");
        boolean preamble = preamble();
        Layout layout = f.layout;
        boolean first = true;
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            if (!first || preamble) sb.append('\n');
            first = false;
            blockHeader(b);
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                aliases(i);
                sb.append("    ");
                inst(i);
                sb.append('\n');
            }
        }
        sb.append("}\n");
    }

    private boolean preamble() {
        int start = sb.length();
        for (int k = 0; k < f.stackSlots.size(); k++) {
            StackSlotData s = f.stackSlots.get(k);
            sb.append("    ss").append(k).append(" = explicit_slot ").append(s.size);
            if (s.align != 0) sb.append(", align = ").append(s.align);
            sb.append('\n');
        }
        for (int k = 0; k < f.globalValues.size(); k++) {
            GlobalValueData g = f.globalValues.get(k);
            sb.append("    gv").append(k).append(" = ");
            switch (g.kind) {
                case VMCTX:
                    sb.append("vmctx");
                    break;
                case LOAD:
                    sb.append("load.").append(Type.name(g.type));
                    MemFlags.print(g.flags, sb);
                    sb.append(" gv").append(g.base).append(offset(g.offset));
                    break;
                case IADD_IMM:
                    sb.append("iadd_imm.").append(Type.name(g.type)).append(" gv").append(g.base)
                            .append(", ").append(formatImm(g.offset));
                    break;
                case SYMBOL:
                    sb.append("symbol ");
                    if (g.colocated) sb.append("colocated ");
                    sb.append(g.symbol).append(offset(g.offset));
                    break;
            }
            sb.append('\n');
        }
        if (f.stackLimit >= 0) sb.append("    stack_limit = gv").append(f.stackLimit).append('\n');
        for (int k = 0; k < f.heaps.size(); k++) {
            HeapData h = f.heaps.get(k);
            sb.append("    heap").append(k).append(" = ").append(h.style == HeapData.Style.STATIC ? "static" : "dynamic")
                    .append(" gv").append(h.base).append(", min ").append(formatImm(h.min)).append(", bound ");
            if (h.style == HeapData.Style.STATIC) sb.append(formatImm(h.bound));
            else sb.append("gv").append(h.boundGv);
            sb.append(", offset_guard ").append(formatImm(h.offsetGuard))
                    .append(", index_type ").append(Type.name(h.indexType));
            if (h.reserved != 0) sb.append(", reserved ").append(formatImm(h.reserved));
            sb.append('\n');
        }
        for (int k = 0; k < f.tables.size(); k++) {
            TableData t = f.tables.get(k);
            sb.append("    table").append(k).append(" = dynamic gv").append(t.base).append(", min ").append(formatImm(t.min))
                    .append(", bound gv").append(t.boundGv).append(", element_size ").append(t.elementSize)
                    .append(", index_type ").append(Type.name(t.indexType)).append('\n');
        }
        for (int k = 0; k < f.signatures.size(); k++) {
            sb.append("    sig").append(k).append(" = ").append(f.signatures.get(k)).append('\n');
        }
        for (int k = 0; k < f.extFuncs.size(); k++) {
            ExtFuncData e = f.extFuncs.get(k);
            sb.append("    fn").append(k).append(" = ");
            if (e.colocated) sb.append("colocated ");
            sb.append(e.name).append(" sig").append(e.signature).append('\n');
        }
        return sb.length() > start;
    }

    private void blockHeader(int b) {
        sb.append("block").append(b);
        int n = dfg.numBlockParams(b);
        if (n > 0) {
            sb.append('(');
            for (int k = 0; k < n; k++) {
                int v = dfg.blockParam(b, k);
                if (k > 0) sb.append(", ");
                sb.append('v').append(v).append(": ").append(Type.name(dfg.valueType(v)));
            }
            sb.append(')');
        }
        sb.append(":\n");
    }

    /** Prints alias lines for aliased operands of {@code inst} not printed yet. */
    private void aliases(int inst) {
        int na = dfg.numArgs(inst);
        for (int k = 0; k < na; k++) alias(dfg.arg(inst, k));
        int nc = dfg.numBlockCalls(inst);
        for (int c = 0; c < nc; c++) {
            int call = dfg.blockCall(inst, c);
            for (int k = 0; k < dfg.blockCallNumArgs(call); k++) alias(dfg.blockCallArg(call, k));
        }
    }

    private void alias(int v) {
        if (v < 0 || v >= aliasPrinted.length || aliasPrinted[v] || dfg.valueKind(v) != DataFlowGraph.DEF_ALIAS) return;
        alias(dfg.valueDef(v));
        aliasPrinted[v] = true;
        sb.append("    v").append(v).append(" -> v").append(dfg.valueDef(v)).append('\n');
    }

    private void value(int v) {
        sb.append('v').append(v);
    }

    private void args(int inst, int from) {
        int n = dfg.numArgs(inst);
        for (int k = from; k < n; k++) {
            if (k > from) sb.append(", ");
            value(dfg.arg(inst, k));
        }
    }

    private void blockCall(int call) {
        sb.append("block").append(dfg.blockCallBlock(call));
        int n = dfg.blockCallNumArgs(call);
        if (n > 0) {
            sb.append('(');
            for (int k = 0; k < n; k++) {
                if (k > 0) sb.append(", ");
                value(dfg.blockCallArg(call, k));
            }
            sb.append(')');
        }
    }

    private void inst(int i) {
        Opcode op = dfg.opcode(i);
        int nr = dfg.numResults(i);
        for (int k = 0; k < nr; k++) {
            if (k > 0) sb.append(", ");
            value(dfg.result(i, k));
        }
        if (nr > 0) sb.append(" = ");
        sb.append(op.text);
        if (printsTypeSuffix(op)) sb.append('.').append(Type.name(dfg.ctrlType(i)));
        int a0 = dfg.field(i, DataFlowGraph.A0);
        int a1 = dfg.field(i, DataFlowGraph.A1);
        long imm = dfg.imm(i);
        int x = dfg.aux(i);
        switch (op.format) {
            case NULLARY: case NULLARY_VALUE:
                break;
            case UNARY_IMM:
                sb.append(' ').append(formatImm(imm));
                break;
            case UNARY_IEEE32:
                sb.append(' ').append(FloatText.formatF32((int) imm));
                break;
            case UNARY_IEEE64:
                sb.append(' ').append(FloatText.formatF64(imm));
                break;
            case UNARY: case BINARY: case TERNARY:
                sb.append(' ');
                args(i, 0);
                break;
            case UNARY_GLOBAL_VALUE:
                sb.append(" gv").append(x);
                break;
            case FUNC_ADDR:
                sb.append(" fn").append(x);
                break;
            case BINARY_IMM:
                sb.append(" v").append(a0).append(", ").append(formatImm(imm));
                break;
            case INT_COMPARE:
                sb.append(' ').append(IntCC.of(x).text).append(" v").append(a0).append(", v").append(a1);
                break;
            case INT_COMPARE_IMM:
                sb.append(' ').append(IntCC.of(x).text).append(" v").append(a0).append(", ").append(formatImm(imm));
                break;
            case FLOAT_COMPARE:
                sb.append(' ').append(FloatCC.of(x).text).append(" v").append(a0).append(", v").append(a1);
                break;
            case LOAD:
                MemFlags.print(x, sb);
                sb.append(" v").append(a0).append(offset(imm));
                break;
            case STORE:
                MemFlags.print(x, sb);
                sb.append(" v").append(a0).append(", v").append(a1).append(offset(imm));
                break;
            case STACK_LOAD:
                sb.append(" ss").append(x).append(offset(imm));
                break;
            case STACK_STORE:
                sb.append(" v").append(a0).append(", ss").append(x).append(offset(imm));
                break;
            case HEAP_LOAD:
                sb.append(" heap").append(x).append(" v").append(a0).append(offset(imm));
                break;
            case HEAP_STORE:
                sb.append(" v").append(a0).append(", heap").append(x).append(" v").append(a1).append(offset(imm));
                break;
            case HEAP_ADDR:
                sb.append(" heap").append(x).append(", v").append(a0).append(", ").append(imm);
                break;
            case TABLE_ADDR:
                sb.append(" table").append(x).append(", v").append(a0).append(", ").append(imm);
                break;
            case CALL:
                sb.append(" fn").append(x).append('(');
                args(i, 0);
                sb.append(')');
                break;
            case CALL_INDIRECT:
                sb.append(" sig").append(x).append(", v").append(dfg.arg(i, 0)).append('(');
                args(i, 1);
                sb.append(')');
                break;
            case MULTI_ARY:
                if (dfg.numArgs(i) > 0) {
                    sb.append(' ');
                    args(i, 0);
                }
                break;
            case JUMP:
                sb.append(' ');
                blockCall(dfg.blockCall(i, 0));
                break;
            case BRIF:
                sb.append(" v").append(a0).append(", ");
                blockCall(dfg.blockCall(i, 0));
                sb.append(", ");
                blockCall(dfg.blockCall(i, 1));
                break;
            case BRANCH:
                sb.append(" v").append(a0).append(", ");
                blockCall(dfg.blockCall(i, 0));
                break;
            case BRANCH_ICMP:
                sb.append(' ').append(IntCC.of(x).text).append(" v").append(a0).append(", v").append(a1).append(", ");
                blockCall(dfg.blockCall(i, 0));
                break;
            case BRANCH_TABLE: {
                sb.append(" v").append(a0).append(", ");
                int n = dfg.numBlockCalls(i);
                blockCall(dfg.blockCall(i, 0));
                sb.append(", [");
                for (int k = 1; k < n; k++) {
                    if (k > 1) sb.append(", ");
                    blockCall(dfg.blockCall(i, k));
                }
                sb.append(']');
                break;
            }
            case TRAP:
                sb.append(' ').append(TrapCode.name(x));
                break;
            case COND_TRAP:
                sb.append(" v").append(a0).append(", ").append(TrapCode.name(x));
                break;
            case INT_ADD_TRAP:
                sb.append(" v").append(a0).append(", v").append(a1).append(", ").append(TrapCode.name(x));
                break;
            case LOAD_NO_OFFSET:
                MemFlags.print(x, sb);
                sb.append(" v").append(a0);
                break;
            case STORE_NO_OFFSET:
                MemFlags.print(x, sb);
                sb.append(" v").append(a0).append(", v").append(a1);
                break;
            case ATOMIC_RMW:
                MemFlags.print(x, sb);
                sb.append(' ').append(AtomicRmwOp.of((int) imm).text).append(" v").append(a0).append(", v").append(a1);
                break;
            case ATOMIC_CAS:
                MemFlags.print(x, sb);
                sb.append(' ');
                args(i, 0);
                break;
        }
    }
}
