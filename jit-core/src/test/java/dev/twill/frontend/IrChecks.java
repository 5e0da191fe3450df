package dev.twill.frontend;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Test oracles written independently of the builder: a structural SSA check (argument counts,
 * defined operands, definitions dominating uses over the basic blocks an EBB splits into) and a
 * tiny evaluator for the integer and branch instructions the tests emit.
 */
final class IrChecks {
    private IrChecks() {}

    /** Checks SSA shape; {@code dominance} may be off for huge functions (the check is quadratic). */
    static void checkSsa(Function f, boolean dominance) {
        DataFlowGraph dfg = f.dfg;
        Layout layout = f.layout;
        // basic blocks: split each EBB after every mid-block branch
        int[] bbOfInst = new int[dfg.numInsts()];
        int[] posOfInst = new int[dfg.numInsts()];
        List<int[]> bbFirstLast = new ArrayList<>();
        int[] firstBbOfBlock = new int[dfg.numBlocks()];
        java.util.Arrays.fill(firstBbOfBlock, -1);
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            int bb = bbFirstLast.size();
            firstBbOfBlock[b] = bb;
            bbFirstLast.add(new int[] {b});
            int pos = 0;
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                bbOfInst[i] = bb;
                posOfInst[i] = pos++;
                Opcode op = dfg.opcode(i);
                if (op.isBranch() && !op.isTerminator() && layout.nextInst(i) >= 0) {
                    bb = bbFirstLast.size();
                    bbFirstLast.add(new int[] {b});
                }
            }
        }
        int n = bbFirstLast.size();
        List<List<Integer>> preds = new ArrayList<>();
        for (int k = 0; k < n; k++) preds.add(new ArrayList<>());
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                Opcode op = dfg.opcode(i);
                if (op.isBranch() && !op.isTerminator() && layout.nextInst(i) >= 0) {
                    preds.get(bbOfInst[i] + 1).add(bbOfInst[i]);
                }
                for (int c = 0; c < dfg.numBlockCalls(i); c++) {
                    int call = dfg.blockCall(i, c);
                    int dest = dfg.blockCallBlock(call);
                    assertTrue(layout.isBlockInserted(dest), "branch to block" + dest + " not in layout");
                    int inst = i;
                    assertEquals(dfg.numBlockParams(dest), dfg.blockCallNumArgs(call),
                            () -> "argument count of inst" + inst + " to block" + dest + "\n" + f);
                    preds.get(firstBbOfBlock[dest]).add(bbOfInst[i]);
                }
                if (op.isTerminator()) assertEquals(-1, layout.nextInst(i), "inst after terminator");
            }
            int blk = b;
            assertTrue(layout.lastInst(b) >= 0 && dfg.opcode(layout.lastInst(b)).isTerminator(), () -> "block" + blk + " filled");
        }
        BitSet[] dom = null;
        if (dominance) {
            dom = new BitSet[n];
            for (int k = 0; k < n; k++) {
                dom[k] = new BitSet();
                if (k == 0) dom[k].set(0);
                else dom[k].set(0, n);
            }
            boolean changed = true;
            while (changed) {
                changed = false;
                for (int k = 1; k < n; k++) {
                    BitSet d = null;
                    for (int p : preds.get(k)) {
                        if (d == null) d = (BitSet) dom[p].clone();
                        else d.and(dom[p]);
                    }
                    if (d == null) d = new BitSet(); // unreachable
                    d.set(k);
                    if (!d.equals(dom[k])) {
                        dom[k] = d;
                        changed = true;
                    }
                }
            }
        }
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            for (int k = 0; k < dfg.numBlockParams(b); k++) {
                int p = dfg.blockParam(b, k);
                assertEquals(DataFlowGraph.DEF_PARAM, dfg.valueKind(p));
                assertEquals(b, dfg.valueDef(p));
            }
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                for (int k = 0; k < dfg.numArgs(i); k++) checkUse(f, dom, bbOfInst, posOfInst, firstBbOfBlock, i, dfg.arg(i, k));
                for (int c = 0; c < dfg.numBlockCalls(i); c++) {
                    int call = dfg.blockCall(i, c);
                    for (int k = 0; k < dfg.blockCallNumArgs(call); k++) {
                        checkUse(f, dom, bbOfInst, posOfInst, firstBbOfBlock, i, dfg.blockCallArg(call, k));
                    }
                }
            }
        }
    }

    private static void checkUse(Function f, BitSet[] dom, int[] bbOfInst, int[] posOfInst, int[] firstBb, int i, int v) {
        DataFlowGraph dfg = f.dfg;
        int kind = dfg.valueKind(v);
        if (kind != DataFlowGraph.DEF_RESULT && kind != DataFlowGraph.DEF_PARAM) {
            fail("inst" + i + " uses v" + v + " of kind " + kind + "\n" + f);
        }
        int defBb, defPos;
        if (kind == DataFlowGraph.DEF_PARAM) {
            assertTrue(f.layout.isBlockInserted(dfg.valueDef(v)));
            defBb = firstBb[dfg.valueDef(v)];
            defPos = -1;
        } else {
            int d = dfg.valueDef(v);
            if (!f.layout.isInstInserted(d)) fail("v" + v + " defined by a removed inst");
            defBb = bbOfInst[d];
            defPos = posOfInst[d];
        }
        if (dom == null) return;
        int useBb = bbOfInst[i];
        if (!dom[useBb].get(0)) return; // unreachable: every block dominates it, vacuously
        if (defBb == useBb) {
            if (defPos >= posOfInst[i]) fail("v" + v + " used before its definition in inst" + i + "\n" + f);
        } else {
            if (!dom[useBb].get(defBb)) fail("v" + v + " does not dominate its use in inst" + i + "\n" + f);
        }
    }

    /** Runs {@code f} on {@code args}; integers only, values kept as bits masked to their type. */
    static long[] eval(Function f, long... args) {
        DataFlowGraph dfg = f.dfg;
        long[] val = new long[dfg.numValues()];
        int b = f.layout.firstBlock();
        for (int k = 0; k < args.length; k++) {
            int p = dfg.blockParam(b, k);
            val[p] = args[k] & Type.mask(dfg.valueType(p));
        }
        int i = f.layout.firstInst(b);
        for (long steps = 0; steps < 10_000_000; steps++) {
            Opcode op = dfg.opcode(i);
            int t = dfg.ctrlType(i);
            long m = Type.mask(t);
            int target = -1, call = -1;
            switch (op) {
                case ICONST -> val[dfg.firstResult(i)] = dfg.imm(i) & m;
                case IADD -> val[dfg.firstResult(i)] = (get(f, val, dfg.arg(i, 0)) + get(f, val, dfg.arg(i, 1))) & m;
                case ISUB -> val[dfg.firstResult(i)] = (get(f, val, dfg.arg(i, 0)) - get(f, val, dfg.arg(i, 1))) & m;
                case IMUL -> val[dfg.firstResult(i)] = (get(f, val, dfg.arg(i, 0)) * get(f, val, dfg.arg(i, 1))) & m;
                case IADD_IMM -> val[dfg.firstResult(i)] = (get(f, val, dfg.arg(i, 0)) + dfg.imm(i)) & m;
                case ICMP -> val[dfg.firstResult(i)] = cmp(IntCC.of(dfg.aux(i)), t, get(f, val, dfg.arg(i, 0)), get(f, val, dfg.arg(i, 1))) ? 1 : 0;
                case ICMP_IMM -> val[dfg.firstResult(i)] = cmp(IntCC.of(dfg.aux(i)), t, get(f, val, dfg.arg(i, 0)), dfg.imm(i) & m) ? 1 : 0;
                case SELECT -> val[dfg.firstResult(i)] = get(f, val, dfg.arg(i, 0)) != 0 ? get(f, val, dfg.arg(i, 1)) : get(f, val, dfg.arg(i, 2));
                case JUMP -> call = dfg.blockCall(i, 0);
                case BRIF -> call = dfg.blockCall(i, get(f, val, dfg.arg(i, 0)) != 0 ? 0 : 1);
                case BRZ -> { if (get(f, val, dfg.arg(i, 0)) == 0) call = dfg.blockCall(i, 0); }
                case BRNZ -> { if (get(f, val, dfg.arg(i, 0)) != 0) call = dfg.blockCall(i, 0); }
                case BR_ICMP -> {
                    if (cmp(IntCC.of(dfg.aux(i)), t, get(f, val, dfg.arg(i, 0)), get(f, val, dfg.arg(i, 1)))) call = dfg.blockCall(i, 0);
                }
                case BR_TABLE -> {
                    long x = get(f, val, dfg.arg(i, 0));
                    int entries = dfg.numBlockCalls(i) - 1;
                    call = dfg.blockCall(i, Long.compareUnsigned(x, entries) < 0 ? 1 + (int) x : 0);
                }
                case RETURN -> {
                    long[] r = new long[dfg.numArgs(i)];
                    for (int k = 0; k < r.length; k++) r[k] = get(f, val, dfg.arg(i, k));
                    return r;
                }
                case TRAP -> throw new IllegalStateException("trap " + dfg.aux(i));
                default -> throw new UnsupportedOperationException(op.text);
            }
            if (call >= 0) {
                target = dfg.blockCallBlock(call);
                int na = dfg.blockCallNumArgs(call);
                long[] tmp = new long[na];
                for (int k = 0; k < na; k++) tmp[k] = get(f, val, dfg.blockCallArg(call, k));
                for (int k = 0; k < na; k++) val[dfg.blockParam(target, k)] = tmp[k];
                i = f.layout.firstInst(target);
            } else {
                i = f.layout.nextInst(i);
            }
        }
        throw new IllegalStateException("too many steps");
    }

    private static long get(Function f, long[] val, int v) {
        return val[f.dfg.resolveAliases(v)];
    }

    private static boolean cmp(IntCC cc, int type, long a, long b) {
        int sh = 64 - Type.bits(type);
        long sa = (a << sh) >> sh, sb = (b << sh) >> sh;
        return switch (cc) {
            case EQ -> a == b;
            case NE -> a != b;
            case SLT -> sa < sb;
            case SGE -> sa >= sb;
            case SGT -> sa > sb;
            case SLE -> sa <= sb;
            case ULT -> Long.compareUnsigned(a, b) < 0;
            case UGE -> Long.compareUnsigned(a, b) >= 0;
            case UGT -> Long.compareUnsigned(a, b) > 0;
            case ULE -> Long.compareUnsigned(a, b) <= 0;
        };
    }

    /** Counts instructions with opcode {@code op} in the layout. */
    static int count(Function f, Opcode op) {
        int n = 0;
        for (int b = f.layout.firstBlock(); b >= 0; b = f.layout.nextBlock(b)) {
            for (int i = f.layout.firstInst(b); i >= 0; i = f.layout.nextInst(i)) if (f.dfg.opcode(i) == op) n++;
        }
        return n;
    }
}
