package dev.twill.legalize;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny evaluator for the straight-line, single-block code the legalizer emits, written
 * independently of the real interpreter so the tests can check the bounds checks on edge
 * values. Global-value loads read {@link #memory}; the accesses that were heap accesses or
 * table_addr before legalization (named by {@link #accessInsts}) only record their address.
 */
final class MiniEval {
    /** 8-byte little-endian words by address, for the VM context. */
    final Map<Long, Long> memory = new HashMap<>();
    /** Instructions whose address is recorded instead of accessing memory. */
    final List<Integer> accessInsts = new ArrayList<>();
    /** The addresses recorded, in execution order. */
    final List<Long> addresses = new ArrayList<>();
    /** The trap code, or -1 if the function returned. */
    int trap = -1;
    long returned;

    void run(Function f, long... args) {
        DataFlowGraph dfg = f.dfg;
        long[] v = new long[dfg.numValues()];
        int b = f.layout.firstBlock();
        for (int k = 0; k < args.length; k++) v[dfg.blockParam(b, k)] = args[k];
        addresses.clear();
        trap = -1;
        for (int i = f.layout.firstInst(b); i >= 0; i = f.layout.nextInst(i)) {
            Opcode op = dfg.opcode(i);
            int type = dfg.ctrlType(i);
            long mask = Type.mask(type);
            long imm = dfg.imm(i);
            long a = 0, c = 0;
            int nargs = dfg.numArgs(i);
            if (nargs > 0 && dfg.arg(i, 0) >= 0) a = v[dfg.resolveAliases(dfg.arg(i, 0))];
            if (nargs > 1 && !op.format.hasValueList()) c = v[dfg.resolveAliases(dfg.arg(i, 1))];
            long r;
            switch (op) {
                case ICONST: r = imm; break;
                case UEXTEND: r = a & Type.mask(dfg.valueType(dfg.arg(i, 0))); break;
                case IADD_IMM: r = (a + imm) & mask; break;
                case IADD: r = (a + c) & mask; break;
                case ISHL_IMM: r = (a << imm) & mask; break;
                case IMUL_IMM: r = (a * imm) & mask; break;
                case BOR: r = a | c; break;
                case ICMP: r = compare(dfg.aux(i), a, c) ? 1 : 0; break;
                case ICMP_IMM: r = compare(dfg.aux(i), a, imm) ? 1 : 0; break;
                case SYMBOL_VALUE: r = 0x5000_0000L; break;
                case TRAPNZ:
                    if (a != 0) {
                        trap = dfg.aux(i);
                        return;
                    }
                    continue;
                case RETURN:
                    if (nargs > 0) returned = v[dfg.resolveAliases(dfg.arg(i, 0))];
                    return;
                case LOAD: case ULOAD8: case SLOAD8: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32:
                    if (accessInsts.contains(i)) {
                        addresses.add(a + imm);
                        r = 0;
                    } else {
                        Long w = memory.get(a + imm);
                        if (w == null) throw new AssertionError("load from unmapped " + Long.toHexString(a + imm));
                        r = w & mask;
                    }
                    break;
                case STORE: case ISTORE8: case ISTORE16: case ISTORE32:
                    if (!accessInsts.contains(i)) throw new AssertionError("unexpected store inst" + i);
                    addresses.add(c + imm);
                    continue;
                default:
                    throw new AssertionError("MiniEval does not know " + op.text);
            }
            if (op == Opcode.IADD || op == Opcode.IADD_IMM) {
                if (accessInsts.contains(i)) addresses.add(r);
            }
            v[dfg.firstResult(i)] = r;
        }
        throw new AssertionError("fell off the block");
    }

    /** Only the unsigned conditions the legalizer emits. */
    private static boolean compare(int cc, long a, long b) {
        switch (dev.twill.ir.IntCC.of(cc)) {
            case ULT: return Long.compareUnsigned(a, b) < 0;
            case UGT: return Long.compareUnsigned(a, b) > 0;
            case UGE: return Long.compareUnsigned(a, b) >= 0;
            default: throw new AssertionError("unexpected condition");
        }
    }
}
