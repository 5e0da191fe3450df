package dev.twill.isa.x64.lower;

import static dev.twill.isa.x64.inst.X64Insts.*;

import dev.twill.CompileError;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.ir.text.Printer;
import dev.twill.isa.x64.X64Features;
import dev.twill.isa.x64.abi.X64Abi;
import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.isa.x64.asm.X64Cond;
import dev.twill.isa.x64.asm.X64Reg;
import dev.twill.isa.x64.inst.X64Insts;
import dev.twill.machinst.BlockLoweringOrder;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.VCode;
import java.util.Arrays;

/**
 * Instruction selection: a legalized (memory-level) IR function becomes {@link VCode} over
 * virtual registers plus its x86-64 payload ({@link X64Insts}).
 *
 * <p><b>Algorithm.</b> Blocks come from {@link BlockLoweringOrder} (EBBs cut at mid-block
 * branches, critical edges split). Each IR instruction is lowered by a rule that looks at the
 * instructions defining its operands (a tree-pattern matcher of depth one or two, as in
 * Cranelift's lowering): immediates from {@code iconst} are folded into ALU, compare, store and
 * multiply forms; {@code iadd}, {@code iadd_imm} and {@code ishl_imm} by 1-3 fold into {@code
 * base + index*scale + disp} address modes of loads, stores and lea; an {@code icmp/fcmp} with a
 * single use fuses into the {@code brif/brz/brnz/select/trapz/trapnz} that uses it (cmp + jcc,
 * cmp + cmov); a plain load with a single use in the same block, with no store, call, trap or
 * branch in between, folds into the ALU or SSE operation that uses it, and into the compare
 * of a conditional branch or trap ({@code cmp [mem], 0}, {@code cmp x, [mem]}).
 *
 * <p>Folding means a producer may no longer be needed. Lowering therefore runs twice over the
 * same rules: first in <i>mark mode</i>, which emits nothing and only records the values each
 * rule reads into registers, starting from the instructions with side effects (a worklist; an
 * instruction is needed once a needed rule reads its result); then in <i>emit mode</i>, in block
 * order, lowering only needed instructions. So pure instructions whose every use was folded (or
 * that have no use) are dropped, and no rule is written twice. Mark mode skips the rule of an
 * instruction none of whose arguments' producers its rule could fold ({@link #markArgsIfPlain}),
 * and emit mode reads back the load folds and compare fusions mark mode chose instead of
 * matching them again ({@link #foldedLoadArg}, {@link #condOfFolding}).
 *
 * <p><b>Cost.</b> Before mark mode, one walk over the layout records the branches' edges for
 * the lowering order, counts uses and collects the roots, and one pass over the values resolves aliases, def instructions and
 * their opcodes into tables (then the sources of the few values an {@code ireduce}, {@code
 * bitcast} or {@code uextend} defines), so the rules never chase aliases; then mark mode
 * (worklist) and emit mode (block order). Everything lives in reused arrays.
 *
 * <p><b>Values</b>: each IR value gets one vreg, created on first mention; {@code ireduce} and
 * same-class {@code bitcast} results share their operand's vreg (a narrow integer's upper bits
 * are undefined everywhere, so truncation is free), and so does {@code uextend.i64} of an i32
 * computed by a 32-bit instruction, which already zeroed the upper half, or of a compare result
 * (materialized zero-extended; a branch on it fuses with the compare). Integer operations whose low bits do not
 * depend on high bits run at 32 bits for i8/i16; comparisons, right shifts, divisions and
 * conversions work at the exact width or extend first.
 *
 * <p><b>Two-address forms</b> use {@link Operand#reuseDef}; fixed registers ({@code rcx} for
 * shift amounts, {@code rax/rdx} for mul/div, argument and result registers) use fixed
 * operands; sequences that write their result before reading all inputs use early defs.
 *
 * <p>Invariant: in emit mode, every needed instruction's operands name vregs of needed
 * instructions, block parameters or function arguments; flags never live across VCode
 * instructions (compares are fused into their consumers).
 */
public final class X64Lowering {
    public final VCode vcode = new VCode();
    public final X64Insts insts = new X64Insts();
    public final BlockLoweringOrder order = new BlockLoweringOrder();

    private X64Features features = X64Features.host();

    /**
     * {@link Opcode#regForm()} by ordinal: that method searches every opcode, far too slow for a
     * per-instruction lookup.
     */
    private static final Opcode[] REG_FORM;

    /**
     * By opcode ordinal, for mark mode's shortcut ({@link #markArgsIfPlain}): the kinds of
     * folding an instruction of that opcode is subject to as a producer ({@link #PRODUCER_FOLDS})
     * and the kinds its rule applies to its arguments' producers as a consumer ({@link
     * #CONSUMER_FOLDS}). {@link #FOLD_IMM}: {@code iconst} into immediates (any rule may);
     * {@link #FOLD_LOAD}: a load into an ALU or SSE operation ({@link #loadFoldArg});
     * {@link #FOLD_COND}: a compare into the branch, trap or select that uses it ({@link
     * #condOf}); {@link #FOLD_ADDRESS}: {@code iadd}/{@code iadd_imm} into the address mode of
     * a load or store ({@link #addrMode}).
     */
    private static final byte[] PRODUCER_FOLDS, CONSUMER_FOLDS;
    private static final byte FOLD_IMM = 1, FOLD_LOAD = 2, FOLD_COND = 4, FOLD_ADDRESS = 8;

    static {
        Opcode[] all = Opcode.values();
        REG_FORM = new Opcode[all.length];
        for (Opcode o : all) REG_FORM[o.ordinal()] = o.regForm();
        PRODUCER_FOLDS = new byte[all.length];
        CONSUMER_FOLDS = new byte[all.length];
        PRODUCER_FOLDS[Opcode.ICONST.ordinal()] = FOLD_IMM;
        PRODUCER_FOLDS[Opcode.LOAD.ordinal()] = FOLD_LOAD;
        // a free uextend sharing a compare's vreg fuses as the compare does (fusableCompare)
        PRODUCER_FOLDS[Opcode.UEXTEND.ordinal()] = FOLD_COND;
        for (Opcode o : new Opcode[] {Opcode.ICMP, Opcode.ICMP_IMM, Opcode.FCMP}) PRODUCER_FOLDS[o.ordinal()] = FOLD_COND;
        for (Opcode o : new Opcode[] {Opcode.IADD, Opcode.IADD_IMM, Opcode.ISHL, Opcode.ISHL_IMM}) PRODUCER_FOLDS[o.ordinal()] = FOLD_ADDRESS;
        for (Opcode o : all) {
            int folds = FOLD_IMM;
            if (o.canLoad() || o.canStore()) folds |= FOLD_ADDRESS;
            CONSUMER_FOLDS[o.ordinal()] = (byte) folds;
        }
        // compares fold a single-use load too (cmp [mem], imm for the interrupt flag; cmp x, [mem] for a bound)
        for (Opcode o : new Opcode[] {Opcode.IADD, Opcode.ISUB, Opcode.BAND, Opcode.BOR, Opcode.BXOR, Opcode.IMUL,
                Opcode.FADD, Opcode.FSUB, Opcode.FMUL, Opcode.FDIV, Opcode.ICMP, Opcode.ICMP_IMM}) {
            CONSUMER_FOLDS[o.ordinal()] |= FOLD_LOAD;
        }
        for (Opcode o : new Opcode[] {Opcode.BRIF, Opcode.BRZ, Opcode.BRNZ, Opcode.TRAPZ, Opcode.TRAPNZ, Opcode.SELECT,
                Opcode.SELECT_SPECTRE_GUARD}) {
            CONSUMER_FOLDS[o.ordinal()] |= FOLD_COND;
        }
        // an add's lea folds the adds and shifts below it (lea)
        for (Opcode o : new Opcode[] {Opcode.IADD, Opcode.IADD_IMM, Opcode.ISUB}) CONSUMER_FOLDS[o.ordinal()] |= FOLD_ADDRESS;
        // and they fold a condition that is itself a single-use load (condFoldLoad: cmp [mem], 0)
        for (Opcode o : new Opcode[] {Opcode.BRIF, Opcode.BRZ, Opcode.BRNZ, Opcode.TRAPZ, Opcode.TRAPNZ}) {
            CONSUMER_FOLDS[o.ordinal()] |= FOLD_LOAD;
        }
    }


    // ---- results for the emitter
    /** Bytes of outgoing stack arguments the largest call needs. */
    public int outArgBytes;
    /** Bytes of the largest return area of the calls made. */
    public int retAreaBytes;
    /** The function lowered. */
    public Function func;
    /**
     * True if the function has a memory access that may trap (no {@code notrap} flag): one that
     * faults in a guard region traps through {@link dev.twill.runtime.FaultTraps}, which needs the
     * trap context, so such code is never called without the entry trampoline.
     */
    public boolean mayFault;

    // ---- per function
    private DataFlowGraph dfg;
    private Layout layout;
    /** Per IR value: its vreg, or, until it has one, the complement ({@code ~}) of its register class. */
    private int[] valueVreg = new int[256];
    private int[] valueSource = new int[256];
    /** Per IR value: the value it aliases to ({@link DataFlowGraph#resolveAliases}), looked up once. */
    private int[] valueResolved = new int[256];
    /** Per IR value: the instruction defining its resolved value, or -1 for a block parameter. */
    private int[] valueDefInst = new int[256];
    /**
     * Per IR value: the ordinal of the opcode of {@link #valueDefInst}, or {@link #NO_DEF}: mark
     * mode's shortcut and the constant test read it per operand, one byte instead of a walk
     * from the value to its instruction's opcode. Read unsigned ({@code & 0xFF}): there are
     * fewer than 255 opcodes (the data-flow graph stores them in a byte as well).
     */
    private byte[] valueDefOp = new byte[256];
    private static final int NO_DEF = 0xFF;
    private static final int ICONST_OP = Opcode.ICONST.ordinal(), UEXTEND_OP = Opcode.UEXTEND.ordinal();
    /** Scratch: the values an ireduce, bitcast or uextend defines. */
    private int[] sharing = new int[256];
    private int[] useCount = new int[256];
    private boolean[] needed = new boolean[256];
    private boolean[] loadFolded = new boolean[256];
    /**
     * Per branch or trap lowered by {@link #condOfFolding}: the compare fused into it and the
     * load folded into that compare (or -1), as mark mode chose them, for emit mode to read back.
     */
    private int[] condCompare = new int[256], condLoad = new int[256];
    private int[] worklist = new int[256];
    /**
     * The instructions in layout order, and each one's index there: emit mode reads a segment
     * from this array instead of following the layout's links, a chain of dependent loads that
     * missed the caches on large functions (the layout's records were last read one pass earlier).
     */
    private int[] instSeq = new int[256], instPos = new int[256];
    /** Loads with side effects that are roots only if no needed rule folds them (mark mode). */
    private int[] deferredLoads = new int[256];
    private int worklistSize;
    private boolean marking;
    private X64Abi.Locations[] sigLocs = new X64Abi.Locations[8];
    private X64Abi.Locations ownLocs;
    private int retPtrVreg;
    /** The lowered block being emitted (for successors and jump tables). */
    private int curLb;
    /** Operands added to the current instruction. */
    private int nOps;
    /** The current VCode instruction, or -1 in mark mode. */
    private int cur;

    public void setFeatures(X64Features f) {
        this.features = f;
    }

    public X64Features features() {
        return features;
    }

    /** The locations of this function's own arguments and results. */
    public X64Abi.Locations ownLocations() {
        return ownLocs;
    }

    /** Lowers a verified, legalized function. Bad input is a {@link CompileError}. */
    public void lower(Function f) {
        func = f;
        dfg = f.dfg;
        layout = f.layout;
        outArgBytes = 0;
        retAreaBytes = 0;
        mayFault = false;
        int nv = dfg.numValues(), ni = dfg.numInsts();
        if (valueVreg.length < nv) {
            int n = Math.max(nv, valueVreg.length * 2);
            valueVreg = new int[n];
            valueSource = new int[n];
            valueResolved = new int[n];
            valueDefInst = new int[n];
            valueDefOp = new byte[n];
            sharing = new int[n];
            useCount = new int[n];
        }
        if (needed.length < ni) {
            int n = Math.max(ni, needed.length * 2);
            needed = new boolean[n];
            loadFolded = new boolean[n];
            worklist = new int[n];
            deferredLoads = new int[n];
            condCompare = new int[n];
            condLoad = new int[n];
            instSeq = new int[n];
            instPos = new int[n];
        }
        Arrays.fill(useCount, 0, nv, 0);
        Arrays.fill(needed, 0, ni, false);
        Arrays.fill(loadFolded, 0, ni, false);
        if (sigLocs.length < f.signatures.size()) sigLocs = new X64Abi.Locations[f.signatures.size() * 2];
        Arrays.fill(sigLocs, null);
        ownLocs = X64Abi.locations(f.signature);

        // aliases resolved once, def instructions and their opcodes, value sources (free
        // truncations and same-class bitcasts share a vreg): the rules below ask these per
        // operand, many times. A value is its own source unless an ireduce, bitcast or uextend
        // defines it; those few are resolved after this loop, since their operands may be
        // values not yet visited.
        int numSharing = 0;
        for (int v = 0; v < nv; v++) {
            int r = dfg.resolveAliases(v);
            valueResolved[v] = r;
            valueSource[v] = r;
            // no vreg yet, and the class the vreg will have: read here, where the value's
            // record is at hand, rather than on its first mention in emit mode (a cache miss
            // on large functions)
            valueVreg[v] = ~cls(dfg.valueType(v));
            if (dfg.valueKind(r) != DataFlowGraph.DEF_RESULT) {
                valueDefInst[v] = -1;
                valueDefOp[v] = (byte) NO_DEF;
                continue;
            }
            int d = dfg.valueDef(r);
            valueDefInst[v] = d;
            Opcode op = dfg.opcode(d);
            valueDefOp[v] = (byte) op.ordinal();
            if (op == Opcode.IREDUCE || op == Opcode.BITCAST || op == Opcode.UEXTEND) sharing[numSharing++] = v;
        }
        for (int k = 0; k < numSharing; k++) valueSource[sharing[k]] = source(sharing[k]);

        // One walk over the layout feeds the lowering order (BlockLoweringOrder's incremental
        // interface: each branch's edges), counts uses and collects mark mode's roots;
        // unreachable blocks, which the lowering order drops, are taken back out afterwards (rare).
        // It also writes the layout order down (instSeq) for emit mode.
        worklistSize = 0;
        int numDeferred = 0;
        int pos = 0;
        order.begin(f);
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            order.beginBlock(b);
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                instSeq[pos] = i;
                instPos[i] = pos++;
                Opcode op = dfg.opcode(i);
                countUses(i, op, 1);
                if (op.format.hasMemFlags() && (dfg.aux(i) & MemFlags.NOTRAP) == 0) mayFault = true;
                if (op == Opcode.LOAD) deferredLoads[numDeferred++] = i;
                else if (op.hasSideEffects()) worklist[worklistSize++] = i;
                if (op.isBranch()) order.addBranch(b, i, op);
            }
            order.endBlock(b);
        }
        order.finish();
        boolean unreachable = false;
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            if (order.blockIndex(b) >= 0) continue;
            unreachable = true;
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) countUses(i, dfg.opcode(i), -1);
        }
        if (unreachable) {
            worklistSize = reachableOnly(worklist, worklistSize);
            numDeferred = reachableOnly(deferredLoads, numDeferred);
        }
        for (int k = 0; k < worklistSize; k++) needed[worklist[k]] = true;

        // mark mode: needed instructions, from the roots with side effects. A load is lowered
        // on its own when a needed rule reads its result in a register, or when it may trap and
        // no needed rule folds it into itself (the rule sets loadFolded): so loads wait until
        // the other roots' closure is known, then the unfolded trapping ones become roots.
        marking = true;
        cur = -1;
        while (true) {
            while (worklistSize > 0) {
                int i = worklist[--worklistSize];
                Opcode op = dfg.opcode(i);
                if (!markArgsIfPlain(i, op)) {
                    curLb = -1;
                    lowerInst(i);
                } else if ((CONSUMER_FOLDS[op.ordinal()] & FOLD_COND) != 0) {
                    // the shortcut: no compare or load to fuse, as condOfFolding would have found
                    condCompare[i] = -1;
                    condLoad[i] = -1;
                }
                if (!op.isBranch()) continue;
                // a branch that ends no segment would sit inside one; refuse it rather than
                // miscompile (the lowering order already refuses a reachable block's branch to a
                // block outside the layout: unverified IR). Every branch of a reachable block
                // passes here once, as a root.
                if (order.segmentEndingAt(i) < 0) throw error("branch inst" + i + " to a block outside the layout");
                int nc = dfg.numBlockCalls(i);
                for (int c = 0; c < nc; c++) {
                    int call = dfg.blockCall(i, c);
                    for (int k = 0, n = dfg.blockCallNumArgs(call); k < n; k++) use(dfg.blockCallArg(call, k));
                }
            }
            for (int d = 0; d < numDeferred; d++) {
                int i = deferredLoads[d];
                // a notrap load that no needed rule reads is dead; one that may trap must still run
                if (!needed[i] && !loadFolded[i] && (dfg.aux(i) & MemFlags.NOTRAP) == 0) markInst(i);
            }
            if (worklistSize == 0) break;
        }
        marking = false;

        // emit mode
        vcode.clear();
        insts.clear();
        for (int lb = 0; lb < order.numBlocks(); lb++) lowerBlock(lb);
        vcode.finish();
    }

    private int source(int v) {
        int n = 0;
        while (true) {
            int d = valueDefInst[v];
            v = valueResolved[v];
            if (d < 0) return v;
            Opcode op = dfg.opcode(d);
            if (op == Opcode.IREDUCE || (op == Opcode.BITCAST && Type.isFloat(dfg.valueType(v)) == Type.isFloat(dfg.valueType(valueResolved[dfg.arg(d, 0)])))
                    || (op == Opcode.UEXTEND && dfg.valueType(v) == Type.I64 && zeroExtended32(dfg.arg(d, 0)))
                    || (op == Opcode.UEXTEND && isCompare(dfg.arg(d, 0)))) {
                v = dfg.arg(d, 0);
                if (++n > dfg.numValues()) return v;
            } else {
                return v;
            }
        }
    }

    /**
     * True if i32 value {@code v} is the result of an instruction whose lowering writes a 32-bit
     * register, which x86-64 zero-extends into the whole register: then {@code uextend.i64 v}
     * is free and shares the vreg (moves, spills and reloads copy all 64 bits). Only the
     * families below, whose every i32 rule is a 32-bit ALU op, lea, imul or zero-extending load;
     * not shifts (a shift by 0 is a plain copy), not constants, not values that share another
     * value's vreg (ireduce's upper bits are the wide value's).
     */
    private boolean zeroExtended32(int v) {
        v = resolved(v);
        if (dfg.valueType(v) != Type.I32 || dfg.valueKind(v) != DataFlowGraph.DEF_RESULT) return false;
        int d = dfg.valueDef(v);
        if (dfg.ctrlType(d) != Type.I32) return false;
        return switch (dfg.opcode(d)) {
            case IADD, ISUB, BAND, BOR, BXOR, IMUL, IADD_IMM, BAND_IMM, BOR_IMM, BXOR_IMM, IMUL_IMM, LOAD, ULOAD8, ULOAD16 -> true;
            default -> false;
        };
    }

    /**
     * True if {@code v} is the i8 result of an icmp or fcmp: materialized by {@code SETCC}, which
     * always ends in {@code movzx r32, r8}, so it is zero-extended to 64 bits and a {@code
     * uextend} of it is free (wasm widens every comparison to i32 this way).
     */
    private boolean isCompare(int v) {
        v = resolved(v);
        if (dfg.valueType(v) != Type.I8 || dfg.valueKind(v) != DataFlowGraph.DEF_RESULT) return false;
        Opcode op = dfg.opcode(dfg.valueDef(v));
        return op == Opcode.ICMP || op == Opcode.ICMP_IMM || op == Opcode.FCMP;
    }

    /** Adds {@code delta} to the use count of each value {@code i} reads (arguments and branch arguments). */
    private void countUses(int i, Opcode op, int delta) {
        int na = loadArgs(i, op);
        int[] args = argBuf; // after loadArgs, which may grow it
        for (int k = 0; k < na; k++) {
            int a = args[k];
            if (a >= 0) useCount[valueResolved[a]] += delta;
        }
        if (!op.isBranch()) return;
        int nc = dfg.numBlockCalls(i);
        for (int c = 0; c < nc; c++) {
            int call = dfg.blockCall(i, c);
            for (int k = 0, n = dfg.blockCallNumArgs(call); k < n; k++) useCount[valueResolved[dfg.blockCallArg(call, k)]] += delta;
        }
    }

    /**
     * By opcode ordinal: the number of value arguments held in the instruction record's fields
     * {@code A0..A2}, or -1 when they are in a value list. The pre-passes and mark mode read
     * every argument of every instruction; reading the record's fields directly skips {@link
     * DataFlowGraph#arg}'s per-argument format test.
     */
    private static final byte[] FIXED_ARGS;

    static {
        Opcode[] all = Opcode.values();
        FIXED_ARGS = new byte[all.length];
        for (Opcode o : all) FIXED_ARGS[o.ordinal()] = (byte) (o.format.hasValueList() ? -1 : o.format.fixedArgs);
    }

    /** Scratch for {@link #loadArgs}. */
    private int[] argBuf = new int[8];

    /** Copies the value arguments of {@code i} (opcode {@code op}) into {@link #argBuf}; returns how many. */
    private int loadArgs(int i, Opcode op) {
        int n = FIXED_ARGS[op.ordinal()];
        if (n >= 0) {
            for (int k = 0; k < n; k++) argBuf[k] = dfg.field(i, DataFlowGraph.A0 + k);
            return n;
        }
        n = dfg.numArgs(i);
        if (argBuf.length < n) argBuf = new int[Math.max(n, argBuf.length * 2)];
        for (int k = 0; k < n; k++) argBuf[k] = dfg.arg(i, k);
        return n;
    }

    /** Keeps the instructions of {@code list} that lie in blocks the lowering order keeps; returns the new length. */
    private int reachableOnly(int[] list, int n) {
        int kept = 0;
        for (int k = 0; k < n; k++) if (order.blockIndex(layout.instBlock(list[k])) >= 0) list[kept++] = list[k];
        return kept;
    }

    /**
     * Mark mode's shortcut: when no argument of {@code i} comes from an instruction that
     * {@code i}'s rule could fold ({@link #PRODUCER_FOLDS}, {@link #CONSUMER_FOLDS}), the rules read all of {@code i}'s
     * arguments in registers and do nothing else in mark mode, so marking their producers is
     * what running the rule would do. Returns false (nothing marked) otherwise, and for the
     * opcodes whose rule may ignore an argument ({@code br_table} with one target is a jump).
     * Marking is conservative either way: a producer marked needed that no rule reads costs an
     * unused instruction, never wrong code.
     */
    private boolean markArgsIfPlain(int i, Opcode op) {
        if (op == Opcode.BR_TABLE) return false;
        int na = loadArgs(i, op);
        int[] args = argBuf; // after loadArgs, which may grow it
        int applies = CONSUMER_FOLDS[op.ordinal()];
        for (int k = 0; k < na; k++) {
            int a = args[k];
            if (a >= 0 && (producerFolds(a) & applies) != 0) return false;
        }
        for (int k = 0; k < na; k++) {
            int a = args[k];
            if (a < 0) continue;
            // use(a) in mark mode
            int d = valueDefInst[valueSource[a]];
            if (d >= 0) markInst(d);
        }
        return true;
    }

    /**
     * The kinds of folding the producer of argument {@code a} is subject to: {@link
     * #PRODUCER_FOLDS} of its opcode, less what the rules' own conditions already rule out for
     * this value: a load folds and a compare fuses only into its single use ({@link
     * #foldableLoadAt}, {@link #fusableCompare}), and a uextend matters only as a free widening
     * of such a compare (no rule looks through any other).
     */
    private int producerFolds(int a) {
        int op = valueDefOp[a] & 0xFF;
        if (op == NO_DEF) return 0;
        int folds = PRODUCER_FOLDS[op];
        if ((folds & (FOLD_LOAD | FOLD_COND)) == 0) return folds;
        int r = valueResolved[a];
        if (useCount[r] != 1) return 0;
        return op == UEXTEND_OP && valueSource[r] == r ? 0 : folds;
    }

    private void markInst(int i) {
        if (needed[i]) return;
        needed[i] = true;
        worklist[worklistSize++] = i;
    }

    // =====================================================================================
    // Blocks

    private void lowerBlock(int lb) {
        curLb = lb;
        vcode.startBlock();
        int kind = order.kind(lb);
        int entry = layout.firstBlock();
        if (kind == BlockLoweringOrder.ENTRY) {
            lowerArgs(true);
            return;
        }
        if (kind == BlockLoweringOrder.EDGE) {
            inst(JMP, 0, VCode.TERMINATOR);
            addSuccs(lb);
            vcode.endBlock();
            return;
        }
        int b = order.irBlock(lb);
        int first = order.firstInst(lb);
        if (first == layout.firstInst(b)) {
            if (lb == 0 && b == entry) {
                lowerArgs(false);
            } else {
                for (int k = 0, n = dfg.numBlockParams(b); k < n; k++) vcode.addBlockParam(vreg(dfg.blockParam(b, k)));
            }
        }
        for (int p = instPos[first], last = order.lastInst(lb); ; p++) {
            int i = instSeq[p];
            if (needed[i]) lowerInst(i);
            if (i == last) break;
        }
        vcode.endBlock();
    }

    /** Function arguments: fixed-register defs, stack loads, the return-area pointer. */
    private void lowerArgs(boolean synthetic) {
        int entry = layout.firstBlock();
        int np = dfg.numBlockParams(entry);
        int[] argVregs = synthetic ? new int[np] : null;
        inst(ARGS, 0, 0);
        retPtrVreg = -1;
        if (ownLocs.hasRetArea) {
            retPtrVreg = vcode.newVReg(RegClass.INT);
            opnd(Operand.fixedDef(retPtrVreg, RegClass.INT, X64Reg.RDI));
        }
        for (int k = 0; k < np; k++) {
            int p = dfg.blockParam(entry, k);
            int v = synthetic ? vcode.newVReg(cls(dfg.valueType(p))) : vreg(p);
            if (synthetic) argVregs[k] = v;
            if (ownLocs.argReg[k] >= 0) opnd(Operand.fixedDef(v, cls(dfg.valueType(p)), ownLocs.argReg[k]));
        }
        for (int k = 0; k < np; k++) {
            if (ownLocs.argStack[k] < 0) continue;
            int p = dfg.blockParam(entry, k);
            int t = dfg.valueType(p);
            int v = synthetic ? argVregs[k] : vreg(p);
            inst(LOAD, Type.isFloat(t) ? Type.bytes(t) : 8, 0);
            insts.aux[cur] = Type.isFloat(t) ? LD_FLOAT : LD_ZERO;
            insts.memBase[cur] = MB_INARG;
            insts.memDisp[cur] = ownLocs.argStack[k];
            opnd(Operand.regDef(v, cls(t)));
        }
        if (synthetic) {
            inst(JMP, 0, VCode.TERMINATOR);
            vcode.addSucc(order.succ(curLb, 0));
            for (int k = 0; k < np; k++) vcode.addBranchArg(argVregs[k]);
            vcode.endBlock();
        }
    }

    private void addSuccs(int lb) {
        for (int n = 0, ns = order.numSuccs(lb); n < ns; n++) {
            vcode.addSucc(order.succ(lb, n));
            int call = order.succBlockCall(lb, n);
            if (call < 0) continue;
            for (int k = 0, na = dfg.blockCallNumArgs(call); k < na; k++) vcode.addBranchArg(vreg(dfg.blockCallArg(call, k)));
        }
    }

    // =====================================================================================
    // Building helpers (no-ops in mark mode)

    private static int cls(int type) {
        return Type.isFloat(type) ? RegClass.FLOAT : RegClass.INT;
    }

    /** The vreg of IR value {@code v}. */
    private int vreg(int v) {
        v = valueSource[v];
        int r = valueVreg[v];
        if (r < 0) r = valueVreg[v] = vcode.newVReg(~r);
        return r;
    }

    /** Reads value {@code v} in a register: in mark mode, marks its producer needed. */
    private int use(int v) {
        if (marking) {
            int d = valueDefInst[valueSource[v]];
            if (d >= 0) markInst(d);
            // the free truncation chain: its instructions need no code
            return 0;
        }
        return vreg(v);
    }

    /** The vreg a result of the current instruction is written to. */
    private int def(int v) {
        return marking ? 0 : vreg(v);
    }

    private int tmp(int c) {
        return marking ? 0 : vcode.newVReg(c);
    }

    private int inst(int opcode, int size, int flags) {
        nOps = 0;
        if (marking) return cur = -1;
        cur = vcode.startInst(flags);
        insts.set(cur, opcode, size);
        return cur;
    }

    private void opnd(long op) {
        nOps++;
        if (!marking) vcode.addOperand(op);
    }

    private int regUse(int vreg, int c) {
        opnd(Operand.regUse(vreg, c));
        return nOps - 1;
    }

    private int iu(int value) {
        return regUse(use(value), RegClass.INT);
    }

    private int fu(int value) {
        return regUse(use(value), RegClass.FLOAT);
    }

    private void idef(int vreg) {
        opnd(Operand.regDef(vreg, RegClass.INT));
    }

    private void fdef(int vreg) {
        opnd(Operand.regDef(vreg, RegClass.FLOAT));
    }

    private void reuse(int vreg, int c, int useIndex) {
        opnd(Operand.reuseDef(vreg, c, useIndex));
    }

    private void setImm(long v) {
        if (!marking) insts.imm[cur] = v;
    }

    private void setAux(int v) {
        if (!marking) insts.aux[cur] = v;
    }

    private void setCond(int v) {
        if (!marking) insts.cond[cur] = (byte) v;
    }

    // =====================================================================================
    // Matching helpers

    /** {@code v} with aliases resolved (the table filled at the start of {@link #lower}). */
    private int resolved(int v) {
        return valueResolved[v];
    }

    private int defInst(int v) {
        return valueDefInst[v];
    }

    private boolean isConst(int v) {
        return (valueDefOp[v] & 0xFF) == ICONST_OP;
    }

    private long constValue(int v) {
        return dfg.imm(defInst(v));
    }

    /** True if {@code c} works as a sign-extended imm32 of an operation on {@code type}. */
    private static boolean fitsImm(int type, long c) {
        return Type.bytes(type) < 8 || c == (int) c;
    }

    private boolean immCandidate(int v, int type) {
        return isConst(v) && fitsImm(type, constValue(v));
    }

    private static int opSize(int type) {
        return Math.max(4, Type.bytes(type));
    }

    /** Sign-extends {@code c} from the width of {@code type}. */
    private static long sext(long c, int type) {
        int bits = Type.bits(type);
        return bits >= 64 ? c : (c << (64 - bits)) >> (64 - bits);
    }

    /**
     * The argument index of the load folded into binary operation {@code u}, or -1: decided by
     * {@link #loadFoldArg} in mark mode, whose rule flags the load ({@link #loadFolded}), and
     * read back from the flag in emit mode. Sound because a foldable load has a single use, so
     * a flagged load among {@code u}'s arguments was flagged by {@code u}'s own rule; and
     * {@code u}, needed, went through mark mode, where either its rule ran or it took the plain
     * shortcut, which it only does when no argument is a single-use load.
     */
    private int foldedLoadArg(int u) {
        if (marking) return loadFoldArg(u);
        int d = defInst(dfg.arg(u, 1));
        if (d >= 0 && loadFolded[d]) return 1;
        d = defInst(dfg.arg(u, 0));
        return d >= 0 && loadFolded[d] ? 0 : -1;
    }

    /** The argument index of a load folded into {@code u}, or -1. The rule lowering follows. */
    private int loadFoldArg(int u) {
        Opcode op = dfg.opcode(u);
        switch (op) {
            case IADD: case BAND: case BOR: case BXOR: case IMUL: {
                int t = dfg.ctrlType(u);
                if (Type.bytes(t) < 4) return -1;
                int a = dfg.arg(u, 0), b = dfg.arg(u, 1);
                if (immCandidate(a, t) || immCandidate(b, t)) return -1;
                if (foldableLoad(u, b)) return 1;
                if (foldableLoad(u, a)) return 0;
                return -1;
            }
            case ISUB: {
                int t = dfg.ctrlType(u);
                if (Type.bytes(t) < 4 || immCandidate(dfg.arg(u, 1), t)) return -1;
                return foldableLoad(u, dfg.arg(u, 1)) ? 1 : -1;
            }
            case FADD: case FMUL:
                if (foldableLoad(u, dfg.arg(u, 1))) return 1;
                return foldableLoad(u, dfg.arg(u, 0)) ? 0 : -1;
            case FSUB: case FDIV:
                return foldableLoad(u, dfg.arg(u, 1)) ? 1 : -1;
            default:
                return -1;
        }
    }

    /**
     * For a conditional branch or trap {@code u} on condition {@code c}: the load folded into
     * its compare, or -1. Two shapes: {@code c} itself a load ({@code cmp [mem], 0} instead of a
     * load and a test: the interrupt check at loop headers), or {@code c = icmp x, load} fused
     * into {@code u} ({@code cmp x, [mem]}: a bounds check against a bound read once). The load
     * must be an i32/i64 {@code load} used only there, in the same block, with nothing between
     * it and {@code u} that could write memory or leave ({@link #foldableLoad}), since the
     * memory is read at {@code u}. {@code d} is {@code fusableCompare(c)}, which the caller
     * needs as well (computed once: branches and traps are a fifth of a wasm function).
     */
    private int condFoldLoad(int u, int c, int d) {
        c = resolved(c);
        if (d < 0) return intLoadFoldable(u, c) ? defInst(c) : -1;
        if (dfg.opcode(d) != Opcode.ICMP) return -1;
        int a = dfg.arg(d, 0), b = dfg.arg(d, 1);
        int t = dfg.valueType(resolved(a));
        if (immCandidate(a, t) || immCandidate(b, t)) return -1;
        return intLoadFoldable(u, b) ? defInst(b) : -1;
    }

    private boolean intLoadFoldable(int u, int v) {
        v = resolved(v);
        int t = dfg.valueType(v);
        if (t != Type.I32 && t != Type.I64) return false;
        int d = defInst(v);
        return d >= 0 && dfg.opcode(d) == Opcode.LOAD && dfg.ctrlType(d) == t && foldableLoadAt(u, v);
    }

    private boolean foldableLoad(int u, int v) {
        v = resolved(v);
        int d = defInst(v);
        if (d < 0 || dfg.ctrlType(d) != dfg.ctrlType(u)) return false;
        return foldableLoadAt(u, v);
    }

    /** True if load result {@code v} has {@code u} as its only use and may be read at {@code u} instead. */
    private boolean foldableLoadAt(int u, int v) {
        v = resolved(v);
        if (valueSource[v] != v || useCount[v] != 1) return false;
        int d = defInst(v);
        if (d < 0 || dfg.opcode(d) != Opcode.LOAD) return false;
        if (layout.instBlock(d) != layout.instBlock(u) || !layout.instPrecedes(d, u)) return false;
        int steps = 0;
        for (int i = layout.nextInst(d); i != u; i = layout.nextInst(i)) {
            if (i < 0 || ++steps > 16) return false;
            Opcode o = dfg.opcode(i);
            if (o.isBranch() || o.isCall() || o.canStore() || (o.canTrap() && !o.canLoad())) return false;
        }
        return true;
    }

    /**
     * Adds the memory operand {@code [addr + offset]} to the current instruction, folding
     * {@code iadd_imm}, {@code iadd} and {@code ishl_imm} by 1..3 into base, index, scale and
     * displacement.
     */
    private void addrMode(int addr, long offset) {
        int base = resolved(addr);
        long disp = offset;
        for (int n = 0; n < 2; n++) {
            int d = defInst(base);
            if (d >= 0 && dfg.opcode(d) == Opcode.IADD_IMM && valueSource[base] == base) {
                long nd = disp + dfg.imm(d);
                if (nd != (int) nd) break;
                disp = nd;
                base = resolved(dfg.arg(d, 0));
            } else {
                break;
            }
        }
        int index = -1, scale = 1;
        int d = defInst(base);
        if (d >= 0 && dfg.opcode(d) == Opcode.IADD && dfg.ctrlType(d) == Type.I64) {
            int x = dfg.arg(d, 0), y = dfg.arg(d, 1);
            if (isConst(y) && disp + constValue(y) == (int) (disp + constValue(y))) {
                disp += constValue(y);
                base = x;
            } else {
                int sx = shiftScale(x), sy = shiftScale(y);
                if (sy > 0) {
                    base = x;
                    index = dfg.arg(defInst(y), 0);
                    scale = sy;
                } else if (sx > 0) {
                    base = y;
                    index = dfg.arg(defInst(x), 0);
                    scale = sx;
                } else {
                    base = x;
                    index = y;
                }
            }
        }
        if (disp != (int) disp) throw error("offset " + offset + " does not fit 32 bits");
        int b = iu(base);
        if (!marking) {
            insts.memBase[cur] = b;
            insts.memDisp[cur] = (int) disp;
        }
        if (index >= 0) {
            int ix = iu(index);
            if (!marking) {
                insts.memIndex[cur] = ix;
                insts.memScale[cur] = (byte) scale;
            }
        }
    }

    private int shiftScale(int v) {
        int d = defInst(v);
        if (d < 0 || dfg.opcode(d) != Opcode.ISHL_IMM || dfg.ctrlType(d) != Type.I64) return 0;
        long k = dfg.imm(d) & 63;
        return k >= 1 && k <= 3 ? 1 << k : 0;
    }

    /**
     * {@code lea d, [rsp]}, {@code lea d, [rbp]} or {@code mov d, [rbp + 8]}: the body's stack
     * pointer (fixed after the prologue), the frame pointer every frame sets, the return address
     * above it. Pseudo bases name rsp and rbp, which the allocator never hands out.
     */
    private void frameAddress(int i, int opcode, int pseudoBase, int disp) {
        inst(opcode, 8, 0);
        if (opcode == LOAD) setAux(LD_ZERO);
        if (!marking) {
            insts.memBase[cur] = pseudoBase;
            insts.memDisp[cur] = disp;
        }
        idef(def(dfg.firstResult(i)));
    }

    private void slotMode(int slot, long offset) {
        if (slot < 0 || slot >= func.stackSlots.size()) throw error("no stack slot ss" + slot);
        if (offset != (int) offset) throw error("stack offset out of range");
        if (!marking) {
            insts.memBase[cur] = MB_SLOT;
            insts.memSlot[cur] = slot;
            insts.memDisp[cur] = (int) offset;
        }
    }

    // =====================================================================================
    // Compares

    private static int intCond(IntCC cc) {
        return switch (cc) {
            case EQ -> X64Cond.E;
            case NE -> X64Cond.NE;
            case SLT -> X64Cond.L;
            case SGE -> X64Cond.GE;
            case SGT -> X64Cond.G;
            case SLE -> X64Cond.LE;
            case ULT -> X64Cond.B;
            case UGE -> X64Cond.AE;
            case UGT -> X64Cond.A;
            case ULE -> X64Cond.BE;
        };
    }

    /** Whether {@code fcmp cc a, b} compares {@code b} with {@code a} (ucomis b, a). */
    private static boolean floatSwap(FloatCC cc) {
        return switch (cc) {
            case LT, LE, UGT, UGE -> true;
            default -> false;
        };
    }

    private static int floatCond(FloatCC cc) {
        return switch (cc) {
            case ORD -> X64Cond.NP;
            case UNO -> X64Cond.P;
            case EQ -> FEQ;
            case NE -> FNE;
            case ONE -> X64Cond.NE;
            case UEQ -> X64Cond.E;
            case LT, GT -> X64Cond.A;
            case LE, GE -> X64Cond.AE;
            case ULT, UGT -> X64Cond.B;
            case ULE, UGE -> X64Cond.BE;
        };
    }

    private static int invert(int cc) {
        if (cc == FEQ) return FNE;
        if (cc == FNE) return FEQ;
        return X64Cond.invert(cc);
    }

    /** An icmp/icmp_imm/fcmp defining {@code c} that may be fused into its single user, or -1. */
    private int fusableCompare(int c) {
        c = resolved(c);
        if (valueSource[c] != c) {
            // a condition widened by a free uextend (a wasm i32 boolean kept in a local): the
            // compare itself fuses when the widened value has no other use
            int d = defInst(c);
            if (d < 0 || dfg.opcode(d) != Opcode.UEXTEND || useCount[c] != 1 || !isCompare(dfg.arg(d, 0))) return -1;
            c = resolved(dfg.arg(d, 0));
        }
        if (useCount[c] != 1 || valueSource[c] != c) return -1;
        int d = defInst(c);
        if (d < 0) return -1;
        Opcode op = dfg.opcode(d);
        if (op == Opcode.ICMP_IMM) return fitsImm(dfg.valueType(resolved(dfg.arg(d, 0))), dfg.imm(d)) ? d : -1;
        return op == Opcode.ICMP || op == Opcode.FCMP ? d : -1;
    }

    /**
     * Adds the fused compare for "condition value {@code c} is non-zero" (negated if asked) to
     * the current instruction and returns the condition.
     */
    private int condOf(int c, boolean negate) {
        int d = fusableCompare(c);
        int cc = d >= 0 ? compareOf(d) : testOf(c);
        return negate ? invert(cc) : cc;
    }

    /**
     * {@link #condOf} for {@code u}, a {@code brif brz brnz trapz trapnz}, with the load {@link
     * #condFoldLoad} picks folded into the compare.
     */
    private int condOfFolding(int u, boolean negate) {
        int c = dfg.arg(u, 0);
        int d, ld;
        if (marking) {
            d = fusableCompare(c);
            ld = condFoldLoad(u, c, d);
            condCompare[u] = d;
            condLoad[u] = ld;
        } else {
            // what mark mode chose, read back rather than matched again (as foldedLoadArg)
            d = condCompare[u];
            ld = condLoad[u];
        }
        if (ld < 0) {
            int cc = d >= 0 ? compareOf(d) : testOf(c);
            return negate ? invert(cc) : cc;
        }
        if (marking) loadFolded[ld] = true;
        int t = dfg.ctrlType(ld);
        int cc;
        if (d < 0) {
            if (!marking) {
                insts.cmpKind[cur] = CMP_MI;
                insts.cmpSize[cur] = (byte) Type.bytes(t);
                insts.imm[cur] = 0;
            }
            addrMode(dfg.arg(ld, 0), dfg.imm(ld));
            cc = X64Cond.NE;
        } else {
            iu(dfg.arg(d, 0));
            if (!marking) {
                insts.cmpKind[cur] = CMP_RM;
                insts.cmpSize[cur] = (byte) Type.bytes(t);
            }
            addrMode(dfg.arg(ld, 0), dfg.imm(ld));
            cc = intCond(IntCC.of(dfg.aux(d)));
        }
        return negate ? invert(cc) : cc;
    }

    private int testOf(int c) {
        iu(c);
        if (!marking) {
            insts.cmpKind[cur] = TEST;
            insts.cmpSize[cur] = (byte) Type.bytes(dfg.valueType(resolved(c)));
        }
        return X64Cond.NE;
    }

    /** Adds the compare of icmp/icmp_imm/fcmp instruction {@code d}; returns the condition. */
    private int compareOf(int d) {
        Opcode op = dfg.opcode(d);
        if (op == Opcode.FCMP) {
            FloatCC cc = FloatCC.of(dfg.aux(d));
            int a = dfg.arg(d, 0), b = dfg.arg(d, 1);
            if (floatSwap(cc)) {
                int t = a;
                a = b;
                b = t;
            }
            fu(a);
            fu(b);
            if (!marking) {
                insts.cmpKind[cur] = UCOMIS;
                insts.cmpSize[cur] = (byte) Type.bytes(dfg.valueType(resolved(a)));
            }
            return floatCond(cc);
        }
        IntCC cc = IntCC.of(dfg.aux(d));
        if (op == Opcode.ICMP_IMM) return intCompareImm(cc, dfg.arg(d, 0), dfg.imm(d));
        return intCompare(cc, dfg.arg(d, 0), dfg.arg(d, 1));
    }

    private int intCompare(IntCC cc, int a, int b) {
        int t = dfg.valueType(resolved(a));
        if (immCandidate(b, t)) return intCompareImm(cc, a, constValue(b));
        if (immCandidate(a, t)) return intCompareImm(cc.swapped(), b, constValue(a));
        iu(a);
        iu(b);
        if (!marking) {
            insts.cmpKind[cur] = CMP_RR;
            insts.cmpSize[cur] = (byte) Type.bytes(t);
        }
        return intCond(cc);
    }

    private int intCompareImm(IntCC cc, int a, long c) {
        int t = dfg.valueType(resolved(a));
        if (!fitsImm(t, c)) throw error("compare immediate does not fit 32 bits");
        iu(a);
        if (!marking) {
            insts.cmpKind[cur] = CMP_RI;
            insts.cmpSize[cur] = (byte) Type.bytes(t);
            insts.imm[cur] = c;
        }
        return intCond(cc);
    }

    // =====================================================================================
    // Instructions

    private CompileError unsupported(int i, String why) {
        return CompileError.inFunction(func.name, "inst" + i + " (" + dfg.opcode(i).text + ")", why);
    }

    private CompileError error(String why) {
        return CompileError.inFunction(func.name, "", why);
    }

    private void lowerInst(int i) {
        Opcode op = dfg.opcode(i);
        int t = dfg.ctrlType(i);
        switch (op) {
            case NOP -> { }
            case ICONST -> {
                inst(IMM, 8, 0);
                setImm(dfg.imm(i));
                idef(def(dfg.firstResult(i)));
            }
            case F32CONST, F64CONST -> {
                inst(FIMM, op == Opcode.F32CONST ? 4 : 8, 0);
                setImm(dfg.imm(i));
                fdef(def(dfg.firstResult(i)));
            }
            case IADD, ISUB, BAND, BOR, BXOR, IMUL -> lowerIntBinary(i, op, t);
            case IADD_IMM, BAND_IMM, BOR_IMM, BXOR_IMM, IMUL_IMM -> lowerIntBinaryImm(i, REG_FORM[op.ordinal()], t, dfg.imm(i));
            case IRSUB_IMM -> {
                int n = tmp(RegClass.INT);
                inst(UNARY, opSize(t), 0);
                setAux(X64Assembler.NEG);
                iu(dfg.arg(i, 0));
                reuse(n, RegClass.INT, 0);
                aluImm(X64Assembler.ADD, t, n, dfg.imm(i), def(dfg.firstResult(i)));
            }
            case INEG, BNOT -> {
                inst(UNARY, opSize(t), 0);
                setAux(op == Opcode.INEG ? X64Assembler.NEG : X64Assembler.NOT);
                iu(dfg.arg(i, 0));
                reuse(def(dfg.firstResult(i)), RegClass.INT, 0);
            }
            case BAND_NOT, BOR_NOT, BXOR_NOT -> {
                int n = tmp(RegClass.INT);
                inst(UNARY, opSize(t), 0);
                setAux(X64Assembler.NOT);
                iu(dfg.arg(i, 1));
                reuse(n, RegClass.INT, 0);
                inst(ALU_RR, opSize(t), 0);
                setAux(op == Opcode.BAND_NOT ? X64Assembler.AND : op == Opcode.BOR_NOT ? X64Assembler.OR : X64Assembler.XOR);
                iu(dfg.arg(i, 0));
                regUse(n, RegClass.INT);
                reuse(def(dfg.firstResult(i)), RegClass.INT, 0);
            }
            case ISHL, USHR, SSHR, ROTL, ROTR -> {
                int amt = dfg.arg(i, 1);
                if (isConst(amt)) lowerShiftImm(i, op, t, constValue(amt));
                else lowerShiftReg(i, op, t, amt);
            }
            case ISHL_IMM, USHR_IMM, SSHR_IMM, ROTL_IMM, ROTR_IMM -> lowerShiftImm(i, REG_FORM[op.ordinal()], t, dfg.imm(i));
            case UMULHI, SMULHI -> lowerMulHi(i, op == Opcode.SMULHI, t);
            case UDIV, SDIV, UREM, SREM -> lowerDiv(i, op, t, dfg.arg(i, 1), false, 0);
            case UDIV_IMM, SDIV_IMM, UREM_IMM, SREM_IMM -> lowerDiv(i, REG_FORM[op.ordinal()], t, -1, true, dfg.imm(i));
            case IABS -> {
                int a = extendIfNarrow(dfg.arg(i, 0), t, true);
                inst(IABS, opSize(t), 0);
                regUse(a, RegClass.INT);
                opnd(Operand.earlyDef(def(dfg.firstResult(i)), RegClass.INT));
            }
            case SMIN, SMAX, UMIN, UMAX -> {
                int a = dfg.arg(i, 0), b = dfg.arg(i, 1);
                inst(CMOV, opSize(t), 0);
                iu(a);
                iu(b);
                if (!marking) {
                    insts.cmpKind[cur] = CMP_RR;
                    insts.cmpSize[cur] = (byte) Type.bytes(t);
                }
                setCond(switch (op) {
                    case SMIN -> X64Cond.L;
                    case SMAX -> X64Cond.G;
                    case UMIN -> X64Cond.B;
                    default -> X64Cond.A;
                });
                iu(a);
                int y = iu(b);
                reuse(def(dfg.firstResult(i)), RegClass.INT, y);
            }
            case CLZ, CTZ, POPCNT -> lowerBitCount(i, op, t);
            case BSWAP -> {
                if (t == Type.I8) {
                    move(dfg.arg(i, 0), dfg.firstResult(i), RegClass.INT);
                } else {
                    inst(BSWAP, Type.bytes(t), 0);
                    iu(dfg.arg(i, 0));
                    reuse(def(dfg.firstResult(i)), RegClass.INT, 0);
                }
            }
            case ICMP, ICMP_IMM, FCMP -> {
                if (op == Opcode.ICMP_IMM && !fitsImm(dfg.valueType(resolved(dfg.arg(i, 0))), dfg.imm(i))) {
                    int k = materialize(dfg.imm(i));
                    inst(SETCC, 0, 0);
                    iu(dfg.arg(i, 0));
                    regUse(k, RegClass.INT);
                    if (!marking) {
                        insts.cmpKind[cur] = CMP_RR;
                        insts.cmpSize[cur] = 8;
                    }
                    setCond(intCond(IntCC.of(dfg.aux(i))));
                    idef(def(dfg.firstResult(i)));
                    return;
                }
                inst(SETCC, 0, 0);
                int cc = compareOf(i);
                setCond(cc);
                idef(def(dfg.firstResult(i)));
            }
            case SELECT -> lowerSelect(i);
            case UEXTEND, SEXTEND -> {
                if (valueSource[dfg.firstResult(i)] != dfg.firstResult(i)) return; // free: shares its operand's vreg
                int a = dfg.arg(i, 0);
                int from = Type.bytes(dfg.valueType(resolved(a)));
                int to = Type.bytes(dfg.valueType(dfg.firstResult(i)));
                boolean signed = op == Opcode.SEXTEND;
                inst(EXT, signed && to == 8 ? 8 : from == 4 ? (signed ? 8 : 4) : 4, 0);
                setAux(from | (signed ? EXT_SIGNED : 0));
                iu(a);
                idef(def(dfg.firstResult(i)));
            }
            case IREDUCE -> { } // shares its operand's vreg
            case BITCAST -> {
                int a = dfg.arg(i, 0);
                int from = dfg.valueType(resolved(a));
                int to = dfg.valueType(dfg.firstResult(i));
                if (Type.isFloat(from) == Type.isFloat(to)) return; // shares the vreg
                if (Type.isFloat(to)) {
                    inst(MOVD_XR, Type.bytes(to), 0);
                    iu(a);
                    fdef(def(dfg.firstResult(i)));
                } else {
                    inst(MOVD_RX, Type.bytes(to), 0);
                    fu(a);
                    idef(def(dfg.firstResult(i)));
                }
            }
            case FPROMOTE, FDEMOTE, SQRT -> {
                inst(SSE_UN, 0, 0);
                setAux(op == Opcode.FPROMOTE ? X64Assembler.CVTSS2SD : op == Opcode.FDEMOTE ? X64Assembler.CVTSD2SS
                        : t == Type.F32 ? X64Assembler.SQRTSS : X64Assembler.SQRTSD);
                fu(dfg.arg(i, 0));
                fdef(def(dfg.firstResult(i)));
            }
            case FCVT_FROM_SINT, FCVT_FROM_UINT -> lowerIntToFloat(i, op == Opcode.FCVT_FROM_SINT);
            case FCVT_TO_SINT, FCVT_TO_UINT, FCVT_TO_SINT_SAT, FCVT_TO_UINT_SAT -> {
                int a = dfg.arg(i, 0);
                inst(CVT_F2I, Type.bytes(dfg.valueType(dfg.firstResult(i))), 0);
                setImm(Type.bytes(dfg.valueType(resolved(a))));
                setAux((op == Opcode.FCVT_TO_SINT || op == Opcode.FCVT_TO_SINT_SAT ? CVT_SIGNED : 0)
                        | (op == Opcode.FCVT_TO_SINT_SAT || op == Opcode.FCVT_TO_UINT_SAT ? CVT_SAT : 0));
                fu(a);
                opnd(Operand.earlyDef(def(dfg.firstResult(i)), RegClass.INT));
                opnd(Operand.earlyDef(tmp(RegClass.FLOAT), RegClass.FLOAT));
            }
            case FADD, FSUB, FMUL, FDIV -> lowerFloatBinary(i, op, t);
            case FMIN, FMAX -> {
                inst(FMINMAX, Type.bytes(t), 0);
                setAux(op == Opcode.FMIN ? 0 : 1);
                fu(dfg.arg(i, 0));
                fu(dfg.arg(i, 1));
                reuse(def(dfg.firstResult(i)), RegClass.FLOAT, 0);
            }
            case FNEG, FABS -> {
                inst(FSIGN, Type.bytes(t), 0);
                setAux(op == Opcode.FNEG ? 0 : 1);
                fu(dfg.arg(i, 0));
                reuse(def(dfg.firstResult(i)), RegClass.FLOAT, 0);
            }
            case FCOPYSIGN -> {
                int a = dfg.arg(i, 0), b = dfg.arg(i, 1);
                if (resolved(a) == resolved(b)) {
                    move(a, dfg.firstResult(i), RegClass.FLOAT);
                } else {
                    inst(FCOPYSIGN, Type.bytes(t), 0);
                    fu(a);
                    fu(b);
                    reuse(def(dfg.firstResult(i)), RegClass.FLOAT, 0);
                }
            }
            case CEIL, FLOOR, TRUNC, NEAREST -> {
                inst(features.sse41() ? ROUND : ROUND_SOFT, Type.bytes(t), 0);
                setAux(switch (op) {
                    case CEIL -> X64Assembler.ROUND_UP;
                    case FLOOR -> X64Assembler.ROUND_DOWN;
                    case TRUNC -> X64Assembler.ROUND_TRUNC;
                    default -> X64Assembler.ROUND_NEAREST;
                });
                fu(dfg.arg(i, 0));
                if (features.sse41()) fdef(def(dfg.firstResult(i)));
                else opnd(Operand.earlyDef(def(dfg.firstResult(i)), RegClass.FLOAT));
            }
            case LOAD, ULOAD8, SLOAD8, ULOAD16, SLOAD16, ULOAD32, SLOAD32 -> lowerLoad(i, op, t);
            case STORE, ISTORE8, ISTORE16, ISTORE32 -> lowerStore(i, op);
            case STACK_LOAD -> {
                int bytes = Type.bytes(t);
                inst(LOAD, bytes, 0);
                setAux(Type.isFloat(t) ? LD_FLOAT : LD_ZERO);
                slotMode(dfg.aux(i), dfg.imm(i));
                opnd(Operand.regDef(def(dfg.firstResult(i)), cls(t)));
            }
            case STACK_STORE -> {
                int v = dfg.arg(i, 0);
                int vt = dfg.valueType(resolved(v));
                inst(STORE, Type.bytes(vt), 0);
                setAux(Type.isFloat(vt) ? 1 : 0);
                regUse(use(v), cls(vt));
                slotMode(dfg.aux(i), dfg.imm(i));
            }
            case STACK_ADDR -> {
                inst(LEA, 8, 0);
                slotMode(dfg.aux(i), dfg.imm(i));
                idef(def(dfg.firstResult(i)));
            }
            case GET_STACK_POINTER -> frameAddress(i, LEA, MB_OUTARG, 0);
            case GET_FRAME_POINTER -> frameAddress(i, LEA, MB_INARG, -16);
            case GET_RETURN_ADDRESS -> frameAddress(i, LOAD, MB_INARG, -8);
            case FUNC_ADDR -> {
                int fn = dfg.aux(i);
                if (fn < 0 || fn >= func.extFuncs.size()) throw unsupported(i, "no function fn" + fn);
                inst(SYMBOL_ADDR, 8, 0);
                setAux(symbol(func.extFuncs.get(fn).name));
                idef(def(dfg.firstResult(i)));
            }
            case SYMBOL_VALUE -> {
                int gv = dfg.aux(i);
                if (gv < 0 || gv >= func.globalValues.size() || func.globalValues.get(gv).kind != GlobalValueData.Kind.SYMBOL) {
                    throw unsupported(i, "symbol_value needs a symbol global value");
                }
                GlobalValueData g = func.globalValues.get(gv);
                inst(SYMBOL_ADDR, 8, 0);
                setAux(symbol(g.symbol));
                setImm(g.offset);
                idef(def(dfg.firstResult(i)));
            }
            case CALL, CALL_INDIRECT -> lowerCall(i, op == Opcode.CALL_INDIRECT);
            case RETURN -> lowerReturn(i);
            case RETURN_CALL, RETURN_CALL_INDIRECT -> lowerTailCall(i, op == Opcode.RETURN_CALL_INDIRECT);
            case JUMP -> {
                inst(JMP, 0, VCode.TERMINATOR);
                if (!marking) addSuccs(curLb);
            }
            case BRIF, BRZ, BRNZ -> {
                inst(JCC, 0, VCode.TERMINATOR);
                setCond(condOfFolding(i, op == Opcode.BRZ));
                if (!marking) addSuccs(curLb);
            }
            case BR_ICMP -> {
                inst(JCC, 0, VCode.TERMINATOR);
                setCond(intCompare(IntCC.of(dfg.aux(i)), dfg.arg(i, 0), dfg.arg(i, 1)));
                if (!marking) addSuccs(curLb);
            }
            case BR_TABLE -> lowerBrTable(i);
            case TRAP -> {
                inst(TRAP, 0, VCode.TERMINATOR);
                setAux(dfg.aux(i));
            }
            case TRAPZ, TRAPNZ -> {
                inst(TRAPIF, 0, 0);
                setAux(dfg.aux(i));
                setCond(condOfFolding(i, op == Opcode.TRAPZ));
            }
            case SELECT_SPECTRE_GUARD -> {
                // cmov only: a float select would branch (legalize it to integers first)
                if (Type.isFloat(t)) throw unsupported(i, "select_spectre_guard of a float (legalize first)");
                lowerSelect(i);
            }
            case FMA, FENCE, ATOMIC_LOAD, ATOMIC_STORE, ATOMIC_RMW, ATOMIC_CAS -> lowerAtomicOrFma(i, op, t);
            default -> throw unsupported(i, "not a memory-level instruction (legalize first)");
        }
    }

    /** Whether the machine has FMA3; fma is only lowered with it. */
    private final boolean fma3 = X64Features.hostFma();

    /**
     * {@code fma} as vfmadd231 (the addend's register accumulates); atomics as the x86-64
     * sequentially consistent mapping: loads are plain moves, stores {@code xchg}, {@code
     * add/sub} {@code lock xadd}, {@code xchg} {@code xchg}, {@code atomic_cas} {@code lock
     * cmpxchg}, other read-modify-writes a {@code lock cmpxchg} loop, {@code fence} mfence.
     */
    private void lowerAtomicOrFma(int i, Opcode op, int t) {
        if (op != Opcode.FMA && op != Opcode.FENCE && (dfg.aux(i) & MemFlags.BIG) != 0) {
            throw unsupported(i, "big-endian atomics are not supported on x86-64");
        }
        switch (op) {
            case FMA -> {
                if (!fma3) throw unsupported(i, "fma needs a CPU with FMA3 (vfmadd231ss/sd)");
                inst(FMA, Type.bytes(t), 0);
                fu(dfg.arg(i, 0));
                fu(dfg.arg(i, 1));
                int c = fu(dfg.arg(i, 2));
                reuse(def(dfg.firstResult(i)), RegClass.FLOAT, c);
            }
            case FENCE -> inst(MFENCE, 0, 0);
            case ATOMIC_LOAD -> {
                inst(LOAD, Type.bytes(t), 0);
                setAux(LD_ZERO);
                baseMem(dfg.arg(i, 0));
                idef(def(dfg.firstResult(i)));
            }
            case ATOMIC_STORE -> {
                int vt = dfg.valueType(resolved(dfg.arg(i, 0)));
                inst(ATOMIC_XCHG, Type.bytes(vt), 0);
                int v = iu(dfg.arg(i, 0));
                baseMem(dfg.arg(i, 1));
                reuse(tmp(RegClass.INT), RegClass.INT, v);
            }
            case ATOMIC_CAS -> {
                inst(ATOMIC_CAS, Type.bytes(t), 0);
                opnd(Operand.fixedUse(use(dfg.arg(i, 1)), RegClass.INT, X64Reg.RAX));
                iu(dfg.arg(i, 2));
                baseMem(dfg.arg(i, 0));
                opnd(Operand.fixedDef(def(dfg.firstResult(i)), RegClass.INT, X64Reg.RAX));
            }
            default -> { // ATOMIC_RMW
                dev.twill.ir.AtomicRmwOp rmw = dev.twill.ir.AtomicRmwOp.of((int) dfg.imm(i));
                int bytes = Type.bytes(t);
                int x = dfg.arg(i, 1);
                switch (rmw) {
                    case ADD, SUB, XCHG -> {
                        int v = use(x);
                        if (rmw == dev.twill.ir.AtomicRmwOp.SUB) {
                            int n = tmp(RegClass.INT);
                            inst(UNARY, opSize(t), 0);
                            setAux(X64Assembler.NEG);
                            regUse(v, RegClass.INT);
                            reuse(n, RegClass.INT, 0);
                            v = n;
                        }
                        inst(rmw == dev.twill.ir.AtomicRmwOp.XCHG ? ATOMIC_XCHG : ATOMIC_XADD, bytes, 0);
                        int k = regUse(v, RegClass.INT);
                        baseMem(dfg.arg(i, 0));
                        reuse(def(dfg.firstResult(i)), RegClass.INT, k);
                    }
                    default -> {
                        inst(ATOMIC_RMW_LOOP, bytes, 0);
                        setAux(rmw.ordinal());
                        iu(x);
                        baseMem(dfg.arg(i, 0));
                        opnd(Operand.of(def(dfg.firstResult(i)), Operand.DEF, Operand.EARLY, Operand.FIXED_REG, RegClass.INT, X64Reg.RAX));
                        opnd(Operand.earlyDef(tmp(RegClass.INT), RegClass.INT));
                    }
                }
            }
        }
    }

    /** The memory operand {@code [addr]} of the current instruction, the address in a register. */
    private void baseMem(int addr) {
        int k = iu(addr);
        if (!marking) insts.memBase[cur] = k;
    }

    private int symbol(String name) {
        if (marking) return 0;
        int k = insts.symbols.indexOf(name);
        if (k < 0) {
            k = insts.symbols.size();
            insts.symbols.add(name);
        }
        return k;
    }

    /** A register copy of value {@code from} into the result {@code to}. */
    private void move(int from, int to, int c) {
        inst(c == RegClass.INT ? MOV : MOVF, 8, VCode.MOVE);
        regUse(use(from), c);
        opnd(Operand.regDef(def(to), c));
    }

    /** d = n op imm (n a vreg), materializing the immediate if it does not fit. */
    private void aluImm(int aluOp, int t, int n, long c, int d) {
        if (fitsImm(t, c)) {
            inst(ALU_RI, opSize(t), 0);
            setAux(aluOp);
            setImm(c);
            regUse(n, RegClass.INT);
            reuse(d, RegClass.INT, 0);
        } else {
            int k = materialize(c);
            inst(ALU_RR, opSize(t), 0);
            setAux(aluOp);
            regUse(n, RegClass.INT);
            regUse(k, RegClass.INT);
            reuse(d, RegClass.INT, 0);
        }
    }

    private int materialize(long c) {
        int k = tmp(RegClass.INT);
        inst(IMM, 8, 0);
        setImm(c);
        idef(k);
        return k;
    }

    private static int aluOf(Opcode op) {
        return switch (op) {
            case IADD -> X64Assembler.ADD;
            case ISUB -> X64Assembler.SUB;
            case BAND -> X64Assembler.AND;
            case BOR -> X64Assembler.OR;
            case BXOR -> X64Assembler.XOR;
            default -> ALU_IMUL;
        };
    }

    private void lowerIntBinary(int i, Opcode op, int t) {
        int a = dfg.arg(i, 0), b = dfg.arg(i, 1);
        int r = dfg.firstResult(i);
        boolean commutative = op != Opcode.ISUB;
        if (immCandidate(b, t)) {
            lowerIntBinaryImm(i, op, t, constValue(b));
            return;
        }
        if (commutative && immCandidate(a, t)) {
            lowerIntBinaryImmOf(op, t, b, constValue(a), r);
            return;
        }
        int k = foldedLoadArg(i);
        if (k >= 0) {
            int other = k == 1 ? a : b;
            int ld = defInst(dfg.arg(i, k));
            if (marking) loadFolded[ld] = true;
            inst(ALU_RM, opSize(t), 0);
            setAux(aluOf(op));
            iu(other);
            addrMode(dfg.arg(ld, 0), dfg.imm(ld));
            reuse(def(r), RegClass.INT, 0);
            return;
        }
        if (op == Opcode.IADD) {
            lea(t, a, b, 0, r);
            return;
        }
        inst(op == Opcode.IMUL ? IMUL_RR : ALU_RR, opSize(t), 0);
        setAux(aluOf(op));
        iu(a);
        iu(b);
        reuse(def(r), RegClass.INT, 0);
    }

    private void lowerIntBinaryImm(int i, Opcode regOp, int t, long c) {
        lowerIntBinaryImmOf(regOp, t, dfg.arg(i, 0), c, dfg.firstResult(i));
    }

    private void lowerIntBinaryImmOf(Opcode regOp, int t, int a, long c, int r) {
        if (regOp == Opcode.IADD && fitsImm(t, c)) {
            lea(t, a, -1, c, r);
            return;
        }
        if (regOp == Opcode.ISUB && c != Long.MIN_VALUE && fitsImm(t, -c)) {
            lea(t, a, -1, -c, r); // three operands: no copy when a stays live
            return;
        }
        if (regOp == Opcode.IMUL) {
            if (fitsImm(t, c)) {
                inst(IMUL_RRI, opSize(t), 0);
                setImm(c);
                iu(a);
                idef(def(r));
            } else {
                int k = materialize(c);
                inst(IMUL_RR, opSize(t), 0);
                iu(a);
                regUse(k, RegClass.INT);
                reuse(def(r), RegClass.INT, 0);
            }
            return;
        }
        aluImm(aluOf(regOp), t, use(a), c, def(r));
    }

    /**
     * {@code r = a + b + disp} ({@code b} -1 for none) as one {@code lea}, folding what a wasm
     * address computation chains below it: an add of a constant ({@code iadd_imm}, or {@code
     * iadd} with a constant operand, as the wasm translator makes them) into the displacement,
     * an {@code iadd} into base and index when {@code b} is absent, a left shift by 1..3 into the
     * index's scale. Each folded instruction has type {@code t}; it may have other uses, which
     * still read it (the lea costs the same either way), and becomes dead when every use folds
     * it. Sound at every width: lea's sum is exact in 64 bits and a narrower result keeps its
     * low bits, which wrapping adds and left shifts of that width also are.
     */
    private void lea(int t, int a, int b, long disp, int r) {
        int d = pureDef(a, t);
        if (d >= 0) {
            Opcode op = dfg.opcode(d);
            int x = -1;
            long c = 0;
            if (op == Opcode.IADD_IMM) {
                x = dfg.arg(d, 0);
                c = dfg.imm(d);
            } else if (op == Opcode.IADD && immCandidate(dfg.arg(d, 1), t)) {
                x = dfg.arg(d, 0);
                c = constValue(dfg.arg(d, 1));
            } else if (op == Opcode.IADD && immCandidate(dfg.arg(d, 0), t)) {
                x = dfg.arg(d, 1);
                c = constValue(dfg.arg(d, 0));
            }
            if (x >= 0 && fitsImm(t, disp + c)) {
                disp += c;
                a = x;
            }
        }
        if (b < 0) {
            int sum = pureDef(a, t);
            if (sum >= 0 && dfg.opcode(sum) == Opcode.IADD) {
                a = dfg.arg(sum, 0);
                b = dfg.arg(sum, 1);
            }
        }
        int scale = 1;
        if (b >= 0) {
            int k = leaShift(b, t);
            if (k == 0 && (k = leaShift(a, t)) != 0) {
                int x = a;
                a = b;
                b = x;
            }
            if (k != 0) {
                b = dfg.arg(defInst(resolved(b)), 0);
                scale = 1 << k;
            }
        }
        inst(LEA, opSize(t), 0);
        int ba = iu(a);
        int bb = b >= 0 ? iu(b) : -1;
        if (!marking) {
            insts.memBase[cur] = ba;
            insts.memDisp[cur] = (int) disp;
            if (bb >= 0) {
                insts.memIndex[cur] = bb;
                insts.memScale[cur] = (byte) scale;
            }
        }
        idef(def(r));
    }

    /** The instruction of type {@code t} defining {@code v}, if {@link #lea} may look into it (its own vreg), else -1. */
    private int pureDef(int v, int t) {
        v = resolved(v);
        int d = defInst(v);
        return d >= 0 && dfg.ctrlType(d) == t && valueSource[v] == v ? d : -1;
    }

    /** k in 1..3 if {@code v} is a left shift by the constant k ({@code ishl_imm} or {@code ishl} of a constant), else 0. */
    private int leaShift(int v, int t) {
        int d = pureDef(v, t);
        if (d < 0) return 0;
        long k;
        Opcode op = dfg.opcode(d);
        if (op == Opcode.ISHL_IMM) k = dfg.imm(d);
        else if (op == Opcode.ISHL && isConst(dfg.arg(d, 1))) k = constValue(dfg.arg(d, 1));
        else return 0;
        k &= Type.bits(t) - 1;
        return k >= 1 && k <= 3 ? (int) k : 0;
    }

    private void lowerShiftImm(int i, Opcode op, int t, long amount) {
        int bits = Type.bits(t);
        int k = (int) (amount & (bits - 1));
        if (k == 0) {
            move(dfg.arg(i, 0), dfg.firstResult(i), RegClass.INT);
            return;
        }
        inst(SHIFT_RI, Type.bytes(t), 0);
        setAux(shiftOf(op));
        setImm(k);
        iu(dfg.arg(i, 0));
        reuse(def(dfg.firstResult(i)), RegClass.INT, 0);
    }

    private void lowerShiftReg(int i, Opcode op, int t, int amt) {
        int bits = Type.bits(t);
        int n = use(amt);
        if (bits < 32 && op != Opcode.ROTL && op != Opcode.ROTR) {
            // x86 masks shift counts to 5 bits; i8/i16 shifts take the amount modulo their width
            int m = tmp(RegClass.INT);
            inst(ALU_RI, 4, 0);
            setAux(X64Assembler.AND);
            setImm(bits - 1);
            regUse(n, RegClass.INT);
            reuse(m, RegClass.INT, 0);
            n = m;
        }
        inst(SHIFT_CL, Type.bytes(t), 0);
        setAux(shiftOf(op));
        iu(dfg.arg(i, 0));
        opnd(Operand.fixedUse(n, RegClass.INT, X64Reg.RCX));
        reuse(def(dfg.firstResult(i)), RegClass.INT, 0);
    }

    private static int shiftOf(Opcode op) {
        return switch (op) {
            case ISHL -> X64Assembler.SHL;
            case USHR -> X64Assembler.SHR;
            case SSHR -> X64Assembler.SAR;
            case ROTL -> X64Assembler.ROL;
            default -> X64Assembler.ROR;
        };
    }

    /** The vreg of {@code v} extended to 32 bits if {@code t} is i8/i16, else v's own vreg. */
    private int extendIfNarrow(int v, int t, boolean signed) {
        int n = use(v);
        int bytes = Type.bytes(t);
        if (bytes >= 4) return n;
        int e = tmp(RegClass.INT);
        inst(EXT, 4, 0);
        setAux(bytes | (signed ? EXT_SIGNED : 0));
        regUse(n, RegClass.INT);
        idef(e);
        return e;
    }

    private int extend(int n, int fromBytes, int toBytes, boolean signed) {
        int e = tmp(RegClass.INT);
        inst(EXT, toBytes, 0);
        setAux(fromBytes | (signed ? EXT_SIGNED : 0));
        regUse(n, RegClass.INT);
        idef(e);
        return e;
    }

    private void lowerMulHi(int i, boolean signed, int t) {
        int r = dfg.firstResult(i);
        if (t == Type.I64) {
            inst(MULHI, 8, 0);
            setAux(signed ? X64Assembler.IMUL : X64Assembler.MUL);
            opnd(Operand.fixedUse(use(dfg.arg(i, 0)), RegClass.INT, X64Reg.RAX));
            iu(dfg.arg(i, 1));
            opnd(Operand.fixedDef(def(r), RegClass.INT, X64Reg.RDX));
            opnd(Operand.fixedDef(tmp(RegClass.INT), RegClass.INT, X64Reg.RAX));
            return;
        }
        int bytes = Type.bytes(t);
        int wide = bytes == 4 ? 8 : 4;
        int a = extend(use(dfg.arg(i, 0)), bytes, wide, signed);
        int b = extend(use(dfg.arg(i, 1)), bytes, wide, signed);
        int p = tmp(RegClass.INT);
        inst(IMUL_RR, wide, 0);
        regUse(a, RegClass.INT);
        regUse(b, RegClass.INT);
        reuse(p, RegClass.INT, 0);
        inst(SHIFT_RI, wide, 0);
        setAux(signed ? X64Assembler.SAR : X64Assembler.SHR);
        setImm(bytes * 8);
        regUse(p, RegClass.INT);
        reuse(def(r), RegClass.INT, 0);
    }

    private void lowerDiv(int i, Opcode op, int t, int divisor, boolean immForm, long imm) {
        boolean signed = op == Opcode.SDIV || op == Opcode.SREM;
        boolean rem = op == Opcode.UREM || op == Opcode.SREM;
        int bytes = Type.bytes(t);
        int size = Math.max(4, bytes);
        int flags = (signed ? DIV_SIGNED : 0) | (rem ? DIV_REM : 0);
        int bv;
        boolean known = immForm || isConst(divisor);
        if (known) {
            long c = immForm ? imm : constValue(divisor);
            long m = c & Type.mask(t);
            if (m != 0) flags |= DIV_NO_ZERO_CHECK;
            if (sext(c, t) != -1) flags |= DIV_NO_NEG1_CHECK;
            bv = materialize(signed ? sext(c, t) : m);
        } else {
            bv = bytes < 4 ? extend(use(divisor), bytes, 4, signed) : use(divisor);
        }
        if (!signed) flags |= DIV_NO_NEG1_CHECK;
        int av = bytes < 4 ? extend(use(dfg.arg(i, 0)), bytes, 4, signed) : use(dfg.arg(i, 0));
        inst(DIV, size, 0);
        setAux(flags);
        setImm(bytes);
        opnd(Operand.fixedUse(av, RegClass.INT, X64Reg.RAX));
        regUse(bv, RegClass.INT);
        int r = def(dfg.firstResult(i));
        opnd(Operand.fixedDef(rem ? tmp(RegClass.INT) : r, RegClass.INT, X64Reg.RAX));
        opnd(Operand.of(rem ? r : tmp(RegClass.INT), Operand.DEF, Operand.EARLY, Operand.FIXED_REG, RegClass.INT, X64Reg.RDX));
    }

    private void lowerBitCount(int i, Opcode op, int t) {
        int bytes = Type.bytes(t);
        int r = dfg.firstResult(i);
        int a = use(dfg.arg(i, 0));
        int size = Math.max(4, bytes);
        if (bytes < 4) {
            if (op == Opcode.CTZ) {
                // a set bit just above the width makes ctz of zero come out as the width
                int o = tmp(RegClass.INT);
                inst(ALU_RI, 4, 0);
                setAux(X64Assembler.OR);
                setImm(1L << (bytes * 8));
                regUse(a, RegClass.INT);
                reuse(o, RegClass.INT, 0);
                a = o;
            } else {
                a = extend(a, bytes, 4, false);
            }
        }
        int d = op == Opcode.CLZ && bytes < 4 ? tmp(RegClass.INT) : def(r);
        boolean hw = op == Opcode.CLZ ? features.lzcnt() : op == Opcode.CTZ ? features.tzcnt() : features.popcnt();
        if (hw) {
            inst(BITCNT, size, 0);
            setAux(op == Opcode.CLZ ? CNT_LZ : op == Opcode.CTZ ? CNT_TZ : CNT_POP);
            regUse(a, RegClass.INT);
            idef(d);
        } else {
            inst(op == Opcode.CLZ ? CLZ_BSR : op == Opcode.CTZ ? CTZ_BSF : POPCNT_SWAR, size, 0);
            regUse(a, RegClass.INT);
            opnd(Operand.earlyDef(d, RegClass.INT));
            if (op == Opcode.POPCNT) opnd(Operand.earlyDef(tmp(RegClass.INT), RegClass.INT));
        }
        if (op == Opcode.CLZ && bytes < 4) {
            inst(ALU_RI, 4, 0);
            setAux(X64Assembler.SUB);
            setImm(32 - bytes * 8);
            regUse(d, RegClass.INT);
            reuse(def(r), RegClass.INT, 0);
        }
    }

    private void lowerSelect(int i) {
        int c = dfg.arg(i, 0), x = dfg.arg(i, 1), y = dfg.arg(i, 2);
        int rt = dfg.valueType(dfg.firstResult(i));
        boolean isFloat = Type.isFloat(rt);
        inst(isFloat ? FSEL : CMOV, isFloat ? Type.bytes(rt) : opSize(rt), 0);
        int cc = condOf(c, false);
        if (!isFloat && cc == FEQ) {
            // cmov has no "equal and ordered"; select the other way round on "unequal or unordered"
            int s = x;
            x = y;
            y = s;
            cc = FNE;
        }
        setCond(cc);
        int cl = cls(rt);
        regUse(use(x), cl);
        int yi = regUse(use(y), cl);
        reuse(def(dfg.firstResult(i)), cl, yi);
    }

    private void lowerIntToFloat(int i, boolean signed) {
        int a = dfg.arg(i, 0);
        int from = Type.bytes(dfg.valueType(resolved(a)));
        int to = Type.bytes(dfg.valueType(dfg.firstResult(i)));
        int r = dfg.firstResult(i);
        if (!signed && from == 8) {
            inst(CVT_U64_F, to, 0);
            iu(a);
            opnd(Operand.earlyDef(def(r), RegClass.FLOAT));
            return;
        }
        int n = use(a);
        int srcSize = from;
        if (signed && from < 4) {
            n = extend(n, from, 4, true);
            srcSize = 4;
        } else if (!signed) {
            // zero-extend to 64 bits and convert as signed: exact for every u32
            n = extend(n, from, 4, false);
            srcSize = 8;
        }
        inst(CVT_I2F, to, 0);
        setAux(srcSize);
        regUse(n, RegClass.INT);
        fdef(def(r));
    }

    private void lowerFloatBinary(int i, Opcode op, int t) {
        boolean f32 = t == Type.F32;
        int sse = switch (op) {
            case FADD -> f32 ? X64Assembler.ADDSS : X64Assembler.ADDSD;
            case FSUB -> f32 ? X64Assembler.SUBSS : X64Assembler.SUBSD;
            case FMUL -> f32 ? X64Assembler.MULSS : X64Assembler.MULSD;
            default -> f32 ? X64Assembler.DIVSS : X64Assembler.DIVSD;
        };
        int k = foldedLoadArg(i);
        if (k >= 0) {
            int ld = defInst(dfg.arg(i, k));
            if (marking) loadFolded[ld] = true;
            inst(SSE_RM, Type.bytes(t), 0);
            setAux(sse);
            fu(dfg.arg(i, 1 - k));
            addrMode(dfg.arg(ld, 0), dfg.imm(ld));
            reuse(def(dfg.firstResult(i)), RegClass.FLOAT, 0);
            return;
        }
        inst(SSE_RR, Type.bytes(t), 0);
        setAux(sse);
        fu(dfg.arg(i, 0));
        fu(dfg.arg(i, 1));
        reuse(def(dfg.firstResult(i)), RegClass.FLOAT, 0);
    }

    private void lowerLoad(int i, Opcode op, int t) {
        int bytes = op.accessBytes(t);
        long off = dfg.imm(i);
        if (off != (int) off) throw unsupported(i, "offset does not fit 32 bits");
        inst(LOAD, bytes, 0);
        if (Type.isFloat(t)) {
            setAux(LD_FLOAT);
        } else if (op.isSignedLoad()) {
            setAux(LD_SIGN);
            setImm(Type.bytes(t) == 8 ? 8 : 4);
        } else {
            setAux(LD_ZERO);
        }
        addrMode(dfg.arg(i, 0), off);
        opnd(Operand.regDef(def(dfg.firstResult(i)), cls(t)));
    }

    private void lowerStore(int i, Opcode op) {
        int v = dfg.arg(i, 0);
        int vt = dfg.valueType(resolved(v));
        int bytes = op.accessBytes(vt);
        long off = dfg.imm(i);
        if (off != (int) off) throw unsupported(i, "offset does not fit 32 bits");
        if (!Type.isFloat(vt) && isConst(v) && (bytes < 8 || constValue(v) == (int) constValue(v))) {
            inst(STORE_IMM, bytes, 0);
            setImm(constValue(v));
            addrMode(dfg.arg(i, 1), off);
            return;
        }
        inst(STORE, bytes, 0);
        setAux(Type.isFloat(vt) ? 1 : 0);
        regUse(use(v), cls(vt));
        addrMode(dfg.arg(i, 1), off);
    }

    private X64Abi.Locations locationsOf(int sigRef) {
        X64Abi.Locations l = sigLocs[sigRef];
        if (l == null) l = sigLocs[sigRef] = X64Abi.locations(func.signatures.get(sigRef));
        return l;
    }

    /** Stores the stack arguments of call or tail call {@code i} (value args from {@code first}) into the outgoing area at [rsp]. */
    private void storeStackArgs(int i, int first, Signature sig, X64Abi.Locations loc) {
        for (int k = 0; k < sig.params.length; k++) {
            if (loc.argStack[k] < 0) continue;
            int v = dfg.arg(i, first + k);
            int vt = sig.params[k];
            inst(STORE, 8, 0);
            setAux(Type.isFloat(vt) ? 1 : 0);
            regUse(use(v), cls(vt));
            if (!marking) {
                insts.memBase[cur] = MB_OUTARG;
                insts.memDisp[cur] = loc.argStack[k];
            }
        }
        outArgBytes = Math.max(outArgBytes, loc.stackArgBytes);
    }

    /** The signature of call or tail call {@code i} (its callee's, or the indirect call's own), checked against its arguments. */
    private int callSignature(int i, boolean indirect) {
        int sigRef;
        if (indirect) {
            sigRef = dfg.aux(i);
        } else {
            int f = dfg.aux(i);
            if (f < 0 || f >= func.extFuncs.size()) throw unsupported(i, "no function fn" + f);
            sigRef = func.extFuncs.get(f).signature;
        }
        if (sigRef < 0 || sigRef >= func.signatures.size()) throw unsupported(i, "no signature sig" + sigRef);
        if (dfg.numArgs(i) - (indirect ? 1 : 0) != func.signatures.get(sigRef).params.length) {
            throw unsupported(i, "argument count does not match the signature");
        }
        return sigRef;
    }

    private void lowerCall(int i, boolean indirect) {
        int sigRef = callSignature(i, indirect);
        ExtFuncData fn = indirect ? null : func.extFuncs.get(dfg.aux(i));
        Signature sig = func.signatures.get(sigRef);
        X64Abi.Locations loc = locationsOf(sigRef);
        int first = indirect ? 1 : 0;
        int nargs = dfg.numArgs(i) - first;
        // stack arguments first: stores into the outgoing area at [rsp]
        storeStackArgs(i, first, sig, loc);
        int area = -1;
        if (loc.hasRetArea) {
            retAreaBytes = Math.max(retAreaBytes, loc.retAreaBytes);
            area = tmp(RegClass.INT);
            inst(LEA, 8, 0);
            if (!marking) insts.memBase[cur] = MB_RETAREA;
            idef(area);
        }
        inst(indirect ? CALL_IND : CALL, 8, VCode.CALL);
        if (!marking) insts.memDisp[cur] = X64Abi.calleePops(sig) ? loc.stackArgBytes : 0;
        if (indirect) {
            iu(dfg.arg(i, 0));
            setImm(dev.twill.isa.x64.abi.X64Abi.signatureId(sig));
        } else {
            setAux(symbol(fn.name));
            setCond(fn.colocated ? 1 : 0);
        }
        if (area >= 0) opnd(Operand.fixedUse(area, RegClass.INT, X64Reg.RDI));
        for (int k = 0; k < nargs; k++) {
            if (loc.argReg[k] < 0) continue;
            int v = dfg.arg(i, first + k);
            opnd(Operand.fixedUse(use(v), cls(sig.params[k]), loc.argReg[k]));
        }
        int nr = dfg.numResults(i);
        if (nr != sig.returns.length) throw unsupported(i, "result count does not match the signature");
        long defMask = 0;
        for (int k = 0; k < nr; k++) {
            if (loc.retReg[k] < 0) continue;
            opnd(Operand.fixedDef(def(dfg.result(i, k)), cls(sig.returns[k]), loc.retReg[k]));
            defMask |= 1L << loc.retReg[k];
        }
        if (!marking) vcode.setClobbers(cur, X64Abi.CALLER_SAVED_MASK & ~defMask);
        int callInst = cur;
        for (int k = 0; k < nr; k++) {
            if (loc.retArea[k] < 0) continue;
            int rt = sig.returns[k];
            inst(LOAD, Type.isFloat(rt) ? Type.bytes(rt) : 8, 0);
            setAux(Type.isFloat(rt) ? LD_FLOAT : LD_ZERO);
            if (!marking) {
                insts.memBase[cur] = MB_RETAREA;
                insts.memDisp[cur] = loc.retArea[k];
            }
            opnd(Operand.regDef(def(dfg.result(i, k)), cls(rt)));
        }
        assert marking || callInst >= 0;
    }

    /**
     * {@code return_call} / {@code return_call_indirect}: the stack arguments are stored into the
     * outgoing area at [rsp] as for a call, the register arguments are fixed uses of the
     * terminator, and the emitter moves the stack arguments over the incoming area, tears the frame
     * down and jumps (see {@link X64Abi} on tail calls). Under the tail convention the callee pops
     * its stack arguments, so its area may be larger than the caller's; under the default
     * convention it must fit the area the caller's caller allocated.
     */
    private void lowerTailCall(int i, boolean indirect) {
        int sigRef = callSignature(i, indirect);
        ExtFuncData fn = indirect ? null : func.extFuncs.get(dfg.aux(i));
        Signature sig = func.signatures.get(sigRef);
        X64Abi.Locations loc = locationsOf(sigRef);
        int first = indirect ? 1 : 0;
        int nargs = dfg.numArgs(i) - first;
        if (!java.util.Arrays.equals(sig.returns, func.signature.returns)) {
            throw unsupported(i, "a tail call's callee must return what the function returns");
        }
        boolean pops = X64Abi.calleePops(func.signature);
        if (pops != X64Abi.calleePops(sig)) {
            throw unsupported(i, "a tail call needs caller and callee both in the tail convention, or both not");
        }
        if (!pops && loc.stackArgBytes > ownLocs.stackArgBytes) {
            throw unsupported(i, "the callee takes " + loc.stackArgBytes + " bytes of stack arguments but this function's "
                    + "incoming area has " + ownLocs.stackArgBytes + "; declare both functions with the tail calling convention");
        }
        storeStackArgs(i, first, sig, loc);
        inst(indirect ? TAIL_CALL_IND : TAIL_CALL, 8, VCode.TERMINATOR | VCode.CALL);
        if (indirect) {
            opnd(Operand.fixedUse(use(dfg.arg(i, 0)), RegClass.INT, X64Abi.TAIL_CALLEE));
            setImm(X64Abi.signatureId(sig));
        } else {
            setAux(symbol(fn.name));
            setCond(fn.colocated ? 1 : 0);
        }
        if (!marking) {
            insts.memDisp[cur] = loc.stackArgBytes;
            insts.memSlot[cur] = pops ? ownLocs.stackArgBytes - loc.stackArgBytes : 0;
        }
        // the callee returns into our caller's return area: pass ours on
        if (loc.hasRetArea) opnd(Operand.fixedUse(marking ? 0 : retPtrVreg, RegClass.INT, X64Reg.RDI));
        for (int k = 0; k < nargs; k++) {
            if (loc.argReg[k] < 0) continue;
            opnd(Operand.fixedUse(use(dfg.arg(i, first + k)), cls(sig.params[k]), loc.argReg[k]));
        }
    }

    private void lowerReturn(int i) {
        int n = dfg.numArgs(i);
        Signature sig = func.signature;
        if (n != sig.returns.length) throw unsupported(i, "return count does not match the signature");
        for (int k = 0; k < n; k++) {
            if (ownLocs.retArea[k] < 0) continue;
            int v = dfg.arg(i, k);
            int vt = sig.returns[k];
            inst(STORE, 8, 0);
            setAux(Type.isFloat(vt) ? 1 : 0);
            if (Type.isFloat(vt)) {
                // movss/movsd stores the value's own width; the slot is 8 bytes
                if (!marking) insts.size[cur] = (byte) Type.bytes(vt);
            }
            regUse(use(v), cls(vt));
            int b = regUse(marking ? 0 : retPtrVreg, RegClass.INT);
            if (!marking) {
                insts.memBase[cur] = b;
                insts.memDisp[cur] = ownLocs.retArea[k];
            }
        }
        inst(RET, 0, VCode.TERMINATOR | VCode.RET);
        for (int k = 0; k < n; k++) {
            if (ownLocs.retReg[k] < 0) continue;
            opnd(Operand.fixedUse(use(dfg.arg(i, k)), cls(sig.returns[k]), ownLocs.retReg[k]));
        }
        if (ownLocs.hasRetArea) {
            // keep the return-area pointer alive to the return; it is read by the stores above
            assert true;
        }
    }

    private void lowerBrTable(int i) {
        if (order.numSuccs(order.segmentEndingAt(i)) == 1) {
            // every entry goes where the default goes, with the same arguments: a plain jump (a
            // terminator with one successor must not read registers its edge moves may overwrite)
            inst(JMP, 0, VCode.TERMINATOR);
            if (!marking) addSuccs(curLb);
            return;
        }
        int idx = dfg.arg(i, 0);
        int it = dfg.valueType(resolved(idx));
        int n = use(idx);
        // a fresh zero-extended copy: the jump sequence overwrites its register. An index whose
        // register is zero-extended already (i64, or an i32 from a 32-bit op) needs only a copy,
        // which the allocator can coalesce away when the index dies here
        int z = tmp(RegClass.INT);
        if (it == Type.I64 || zeroExtended32(idx)) {
            inst(MOV, 8, VCode.MOVE);
        } else {
            inst(EXT, 4, 0);
            setAux(Type.bytes(it));
        }
        regUse(n, RegClass.INT);
        idef(z);
        inst(BR_TABLE, 0, VCode.TERMINATOR);
        regUse(z, RegClass.INT);
        if (marking) return;
        int table = insts.newTable();
        int list = dfg.jumpTable(dfg.aux(i));
        int entries = dfg.pool.size(list);
        for (int k = 0; k < entries; k++) insts.addTableEntry(order.jumpTableSucc(curLb, k));
        insts.aux[cur] = table;
        addSuccs(curLb);
    }
}
