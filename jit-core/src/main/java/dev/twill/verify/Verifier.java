package dev.twill.verify;

import dev.twill.CompileError;
import dev.twill.analysis.ControlFlowGraph;
import dev.twill.analysis.DominatorTree;
import dev.twill.entity.IntVec;
import dev.twill.entity.ListPool;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.ir.text.Printer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks that a function is well formed, and reports every problem it finds with the
 * instruction, block or declaration it is about.
 *
 * <p>The rules, in the order they are checked:
 * <ol>
 *   <li><b>Declarations</b>: signatures hold supported types; stack slots have a non-negative
 *       size and a power-of-two alignment; global values name valid bases of pointer type with
 *       no cycle, and {@code vmctx} needs a vmctx parameter; heaps and tables name valid global
 *       values and have an {@code i32}/{@code i64} index type; function references name valid
 *       signatures.
 *   <li><b>Aliases</b> resolve, without cycles, to a defined value of the same type.
 *   <li><b>Block shape</b>: every block in the layout is non-empty and ends with a terminator,
 *       with no terminator before its end (mid-block {@code brz brnz br_icmp} are fine); an
 *       instruction or block appears in the layout once; block parameters are defined by their
 *       block; the entry block's parameters match the signature.
 *   <li><b>Instructions</b>: every entity named (value, block, stack slot, global value, heap,
 *       table, signature, function reference, jump table), condition code, trap code and memory
 *       flag set is valid; results are defined by their instruction (or are aliases, when a pass
 *       redirected their uses and left the instruction behind); operand and result types
 *       obey the opcode's typing rule (see {@link Opcode}); call and return values match their
 *       signatures and block-call arguments their destination's parameters.
 *   <li><b>SSA dominance</b>: every use, block-call arguments included, is dominated by its
 *       definition, at instruction granularity over extended basic blocks ({@link
 *       DominatorTree}). As in Cranelift, uses in unreachable blocks are not checked for
 *       dominance (everything else about them is).
 * </ol>
 *
 * <p>Speed, because tests run this after every pass: the declarations and values are checked
 * once each (the alias pass only if the function has aliases), the layout is walked once for
 * its shape (which also hands the {@link ControlFlowGraph} its branches) and once for the
 * instructions, where each use costs O(1) (an alias lookup in a table built up front, if there
 * are aliases, and {@link DominatorTree#dominates} which is O(1) unless a definition sits after
 * a mid-block branch). Two shortcuts make the common case cheaper without changing any
 * outcome: a use of a value defined earlier in the same block (most uses) is settled by a
 * per-value stamp, and a function is first tried in a single walk that checks shape and
 * instructions together and checks uses across blocks against the dominator tree afterwards
 * (computed, with the control-flow graph from the branches the walk noted, only if there are
 * any); only when that walk finds a problem does the full algorithm above run, to report
 * everything in order. Everything lives
 * in primitive arrays of a reusable context; a function without errors allocates nothing once
 * the context has grown. Error text is built only for errors.
 *
 * <p>Robustness: the verifier never throws on bad IR. Every index is range-checked before it
 * is used to read a table, so an out-of-range entity is a reported error; when the layout
 * itself is corrupt (an instruction in two blocks, a cycle), dominance is not checked since it
 * would be meaningless.
 */
public final class Verifier {
    private static final ThreadLocal<Verifier> CONTEXT = ThreadLocal.withInitial(Verifier::new);
    private static final int NUM_INT_CC = IntCC.values().length;
    private static final int NUM_FLOAT_CC = FloatCC.values().length;
    private static final int ALL_MEM_FLAGS = MemFlags.NOTRAP | MemFlags.ALIGNED | MemFlags.READONLY | MemFlags.LITTLE | MemFlags.BIG;
    /** The pointer type of the 64-bit targets Twill supports. */
    private static final int POINTER = Type.I64;

    private final ControlFlowGraph cfg = new ControlFlowGraph();
    private final DominatorTree domtree = new DominatorTree();
    private Function func;
    private DataFlowGraph dfg;
    private Layout layout;
    private int numValues, numBlocks, numInsts;
    private ArrayList<VerifierError> errors;
    /** False when the layout is corrupt, so dominance cannot be computed. */
    private boolean layoutSound;

    /** Per value: the value an alias resolves to, the value itself otherwise; -1 when it does not resolve. */
    private int[] resolved = new int[128];
    /** Per value during alias resolution: 0 unvisited, 1 on the current chain, 2 done. */
    private byte[] aliasState = new byte[128];
    /**
     * True when the function has no alias and no placeholder ({@link
     * DataFlowGraph#mayHaveAliases}): every value resolves to itself and {@link #resolved} is
     * not filled, which saves a pass over all value records.
     */
    private boolean resolvesToItself;
    private final IntVec chain = new IntVec();
    /** Per instruction: the block the shape walk found it in, or -1. */
    private int[] instSeenIn = new int[64];
    /** Per block: whether the shape walk has seen it. */
    private boolean[] blockSeen = new boolean[32];
    /**
     * Per value: equal to {@link #availStamp} iff the value is a well-defined result of an
     * instruction checked earlier in the block being walked, or a well-defined parameter of
     * that block. Such a value passes every check of {@link #use} (it is defined, in the layout,
     * and its definition comes before the use in the same block), so a use of it costs two
     * array reads. The stamp grows by one per block and per run, so the table is never cleared.
     */
    private int[] available = new int[128];
    private int availStamp;

    /** A reusable verifier context. */
    public Verifier() {
        this(true);
    }

    /** With {@code tryOneWalk} false, every run takes the full algorithm (for tests that compare). */
    Verifier(boolean tryOneWalk) {
        this.tryOneWalk = tryOneWalk;
    }

    // =====================================================================================
    // Entry points

    /** Verifies {@code f} with this thread's reusable context; returns every error found (empty if none). */
    public static List<VerifierError> verify(Function f) {
        return CONTEXT.get().run(f);
    }

    /**
     * Verifies {@code f}; throws a {@link CompileError} for the first error, located at the
     * function and instruction ({@code inst12 `v3 = iadd v1, v2`}), with the other errors
     * attached as suppressed exceptions.
     */
    public static void verifyOrThrow(Function f) {
        List<VerifierError> found = verify(f);
        if (found.isEmpty()) return;
        VerifierError first = found.get(0);
        CompileError e = CompileError.inFunction(f.name, first.location(), first.message());
        for (int k = 1; k < found.size(); k++) {
            VerifierError o = found.get(k);
            e.addSuppressed(CompileError.inFunction(f.name, o.location(), o.message()));
        }
        throw e;
    }

    /** Verifies {@code f} with this context; returns every error found (empty if none). */
    public List<VerifierError> run(Function f) {
        func = f;
        dfg = f.dfg;
        layout = f.layout;
        numValues = dfg.numValues();
        numBlocks = dfg.numBlocks();
        numInsts = dfg.numInsts();
        errors = null;
        layoutSound = true;
        try {
            checkDeclarations();
            checkAliases();
            if (errors == null && tryOneWalk) {
                if (validInOneWalk()) return List.of();
                // something is wrong: find and report it in the documented order
                errors = null;
                layoutSound = true;
            }
            // the shape walk also feeds the CFG its branches; used only if the layout is sound
            cfg.begin(f);
            checkLayoutShape();
            if (layoutSound) {
                cfg.finish();
                domtree.compute(f, cfg);
            }
            checkInstructions();
            return errors == null ? List.of() : errors;
        } finally {
            // the context lives in a thread-local: do not keep the function alive through it
            cfg.clear();
            domtree.clear();
            func = null;
            dfg = null;
            layout = null;
            errors = null;
        }
    }

    // =====================================================================================
    // Reporting

    private void report(String location, int inst, int block, String instText, String message) {
        if (errors == null) errors = new ArrayList<>();
        errors.add(new VerifierError(location, inst, block, instText, message));
    }

    private void errAt(String location, String message) {
        report(location, -1, -1, null, message);
    }

    /** An error about declaration {@code kind + k} ({@code gv3}), or {@code kind} alone when k < 0. */
    private void errDecl(String kind, int k, String message) {
        errAt(k < 0 ? kind : kind + k, message);
    }

    private void errBlock(int b, String message) {
        report("block" + b, -1, b, null, message);
    }

    private void err(int inst, String message) {
        String text = instText(inst);
        report("inst" + inst + " `" + text + "`", inst, layout.instBlock(inst), text, message);
    }

    private String instText(int inst) {
        try {
            return Printer.instToString(func, inst);
        } catch (RuntimeException | AssertionError e) {
            // the printer trusts the instruction record; this one is broken (that is why we are
            // reporting), so fall back to the opcode alone rather than fail
            return dfg.opcode(inst).text + " <malformed>";
        }
    }

    private static String tn(int t) {
        return Type.name(t);
    }

    // =====================================================================================
    // Types

    private static boolean isIntType(int t) {
        return t >= Type.I8 && t <= Type.I128;
    }

    private static boolean isFloatType(int t) {
        return t == Type.F32 || t == Type.F64;
    }

    private static boolean isValidType(int t) {
        return isIntType(t) || isFloatType(t);
    }

    // =====================================================================================
    // Declarations

    private void checkDeclarations() {
        Signature sig = func.signature;
        if (sig == null) errAt("signature", "function has no signature");
        else checkSignature(sig, "signature", -1);
        for (int k = 0; k < func.signatures.size(); k++) checkSignature(func.signatures.get(k), "sig", k);
        for (int k = 0; k < func.extFuncs.size(); k++) {
            ExtFuncData e = func.extFuncs.get(k);
            if (!validSig(e.signature)) errDecl("fn", k, "invalid signature sig" + e.signature);
        }
        for (int k = 0; k < func.stackSlots.size(); k++) {
            StackSlotData s = func.stackSlots.get(k);
            if (s.size < 0) errDecl("ss", k, "negative size " + s.size);
            if (s.align < 0 || (s.align & (s.align - 1)) != 0) errDecl("ss", k, "alignment " + s.align + " is not a power of two");
        }
        int ngv = func.globalValues.size();
        for (int k = 0; k < ngv; k++) checkGlobalValue(k);
        if (func.stackLimit >= 0) {
            if (!validGv(func.stackLimit)) errDecl("stack_limit", -1, "invalid global value gv" + func.stackLimit);
            else if (func.globalValues.get(func.stackLimit).type != POINTER) {
                errDecl("stack_limit", -1, "gv" + func.stackLimit + " has type " + tn(func.globalValues.get(func.stackLimit).type)
                        + ", expected " + tn(POINTER));
            }
        }
        for (int k = 0; k < func.heaps.size(); k++) checkHeap(k);
        for (int k = 0; k < func.tables.size(); k++) checkTable(k);
    }

    private void checkSignature(Signature s, String kind, int where) {
        for (int k = 0; k < s.params.length; k++) {
            if (!isValidType(s.params[k])) errDecl(kind, where, "parameter " + k + " has invalid type " + tn(s.params[k]));
        }
        for (int k = 0; k < s.returns.length; k++) {
            if (!isValidType(s.returns[k])) errDecl(kind, where, "return value " + k + " has invalid type " + tn(s.returns[k]));
        }
    }

    private boolean validSig(int s) {
        return s >= 0 && s < func.signatures.size();
    }

    private boolean validGv(int gv) {
        return gv >= 0 && gv < func.globalValues.size();
    }

    private void checkGlobalValue(int k) {
        GlobalValueData g = func.globalValues.get(k);
        switch (g.kind) {
            case VMCTX:
                if (g.type != POINTER) errDecl("gv", k, "vmctx has type " + tn(g.type) + ", expected " + tn(POINTER));
                if (func.signature != null && func.signature.vmctxParam() < 0) {
                    errDecl("gv", k, "vmctx needs a vmctx parameter in the signature");
                }
                break;
            case SYMBOL:
                if (g.type != POINTER) errDecl("gv", k, "symbol has type " + tn(g.type) + ", expected " + tn(POINTER));
                if (g.symbol == null || g.symbol.isEmpty()) errDecl("gv", k, "symbol has no name");
                break;
            case LOAD:
            case IADD_IMM:
                if (!validGv(g.base)) {
                    errDecl("gv", k, "invalid base gv" + g.base);
                    break;
                }
                if (baseChainCycles(k)) {
                    errDecl("gv", k, "global value base chain forms a cycle");
                    break;
                }
                int bt = func.globalValues.get(g.base).type;
                if (g.kind == GlobalValueData.Kind.LOAD) {
                    if (!isValidType(g.type)) errDecl("gv", k, "load of invalid type " + tn(g.type));
                    if (bt != POINTER) errDecl("gv", k, "base gv" + g.base + " has type " + tn(bt) + ", expected " + tn(POINTER));
                    if ((g.flags & ~ALL_MEM_FLAGS) != 0) errDecl("gv", k, "invalid memory flags 0x" + Integer.toHexString(g.flags));
                } else {
                    if (!isIntType(g.type)) errDecl("gv", k, "iadd_imm of non-integer type " + tn(g.type));
                    else if (bt != g.type) errDecl("gv", k, "base gv" + g.base + " has type " + tn(bt) + ", expected " + tn(g.type));
                }
                break;
        }
    }

    /** True if following bases from {@code k} comes back to a global value seen before. */
    private boolean baseChainCycles(int k) {
        int n = func.globalValues.size();
        int x = k;
        for (int steps = 0; steps <= n; steps++) {
            GlobalValueData g = func.globalValues.get(x);
            if (g.kind != GlobalValueData.Kind.LOAD && g.kind != GlobalValueData.Kind.IADD_IMM) return false;
            if (!validGv(g.base)) return false;
            x = g.base;
        }
        return true;
    }

    private void checkHeap(int k) {
        HeapData h = func.heaps.get(k);
        checkPointerGv("heap", k, h.base);
        if (h.style == HeapData.Style.DYNAMIC) {
            if (!validGv(h.boundGv)) errDecl("heap", k, "invalid bound gv" + h.boundGv);
            else if (!isIntType(func.globalValues.get(h.boundGv).type)) {
                errDecl("heap", k, "bound gv" + h.boundGv + " has non-integer type " + tn(func.globalValues.get(h.boundGv).type));
            }
        } else if (h.bound < 0) {
            errDecl("heap", k, "negative bound " + h.bound);
        } else if (h.reserved != 0 && Long.compareUnsigned(h.reserved, h.bound) < 0) {
            errDecl("heap", k, "reserved " + h.reserved + " is less than the bound " + h.bound);
        }
        if (h.indexType != Type.I32 && h.indexType != Type.I64) errDecl("heap", k, "index type " + tn(h.indexType) + " is not i32 or i64");
    }

    private void checkTable(int k) {
        TableData t = func.tables.get(k);
        checkPointerGv("table", k, t.base);
        if (!validGv(t.boundGv)) errDecl("table", k, "invalid bound gv" + t.boundGv);
        else if (!isIntType(func.globalValues.get(t.boundGv).type)) {
            errDecl("table", k, "bound gv" + t.boundGv + " has non-integer type " + tn(func.globalValues.get(t.boundGv).type));
        }
        if (t.elementSize <= 0) errDecl("table", k, "element size " + t.elementSize + " is not positive");
        if (t.indexType != Type.I32 && t.indexType != Type.I64) errDecl("table", k, "index type " + tn(t.indexType) + " is not i32 or i64");
    }

    private void checkPointerGv(String kind, int k, int gv) {
        if (!validGv(gv)) {
            errDecl(kind, k, "invalid base gv" + gv);
            return;
        }
        int t = func.globalValues.get(gv).type;
        if (t != POINTER) errDecl(kind, k, "base gv" + gv + " has type " + tn(t) + ", expected " + tn(POINTER));
    }

    // =====================================================================================
    // Aliases

    /** Fills {@link #resolved} for every value, reporting alias cycles, dangling and mistyped aliases once. */
    private void checkAliases() {
        resolvesToItself = !dfg.mayHaveAliases();
        if (resolvesToItself) return;
        int n = numValues;
        if (resolved.length < n) {
            resolved = new int[Math.max(n, resolved.length * 2)];
            aliasState = new byte[resolved.length];
        }
        for (int v = 0; v < n; v++) {
            int kind = dfg.valueKind(v);
            if (kind != DataFlowGraph.DEF_ALIAS) {
                resolved[v] = kind == DataFlowGraph.DEF_NONE ? -1 : v;
                aliasState[v] = 2;
            } else {
                aliasState[v] = 0;
            }
        }
        for (int v = 0; v < n; v++) {
            if (aliasState[v] == 2) continue;
            // walk the chain from v until a resolved value, a bad target or a repeat
            chain.clear();
            int x = v, result;
            while (true) {
                if (x < 0 || x >= n) {
                    errAt("v" + chain.last(), "alias of invalid value v" + x);
                    result = -1;
                    break;
                }
                if (aliasState[x] == 2) {
                    result = resolved[x];
                    if (result < 0 && dfg.valueKind(x) == DataFlowGraph.DEF_NONE) {
                        errAt("v" + chain.last(), "alias of v" + x + ", which has no definition");
                    }
                    break;
                }
                if (aliasState[x] == 1) {
                    errAt("v" + x, "alias cycle through v" + x);
                    result = -1;
                    break;
                }
                aliasState[x] = 1;
                chain.add(x);
                x = dfg.valueDef(x);
            }
            for (int k = 0; k < chain.size(); k++) {
                int a = chain.get(k);
                resolved[a] = result;
                aliasState[a] = 2;
                if (result >= 0 && dfg.valueType(a) != dfg.valueType(result)) {
                    errAt("v" + a, "alias of type " + tn(dfg.valueType(a)) + " resolves to v" + result + " of type "
                            + tn(dfg.valueType(result)));
                }
            }
        }
    }

    // =====================================================================================
    // Layout shape

    private void checkLayoutShape() {
        if (instSeenIn.length < numInsts) instSeenIn = new int[Math.max(numInsts, instSeenIn.length * 2)];
        Arrays.fill(instSeenIn, 0, numInsts, -1);
        if (blockSeen.length < numBlocks) blockSeen = new boolean[Math.max(numBlocks, blockSeen.length * 2)];
        Arrays.fill(blockSeen, 0, numBlocks, false);

        int entry = layout.firstBlock();
        if (entry < 0) {
            errAt("function", "function has no blocks");
            layoutSound = false;
            return;
        }
        for (int b = entry; b >= 0; b = layout.nextBlock(b)) {
            if (b >= numBlocks) {
                errAt("block" + b, "invalid block block" + b + " in the layout");
                layoutSound = false;
                return;
            }
            if (blockSeen[b]) {
                errBlock(b, "block appears twice in the layout");
                layoutSound = false;
                return;
            }
            blockSeen[b] = true;
            checkBlockParams(b);
            cfg.beginBlock(b);
            checkBlockInsts(b);
            cfg.endBlock(b);
        }
        checkEntryParams(entry);
    }

    private void checkBlockParams(int b) {
        int np = dfg.numBlockParams(b);
        for (int k = 0; k < np; k++) {
            int v = dfg.blockParam(b, k);
            if (v < 0 || v >= numValues) {
                errBlock(b, "parameter " + k + " is invalid value v" + v);
                continue;
            }
            if (dfg.valueKind(v) != DataFlowGraph.DEF_PARAM || dfg.valueDef(v) != b || dfg.valueNum(v) != k) {
                errBlock(b, "parameter v" + v + " is not defined by this block");
            }
            if (!isValidType(dfg.valueType(v))) errBlock(b, "parameter v" + v + " has invalid type " + tn(dfg.valueType(v)));
        }
    }

    private void checkBlockInsts(int b) {
        int first = layout.firstInst(b);
        if (first < 0) {
            errBlock(b, "block is empty");
            return;
        }
        int last = -1;
        Opcode lastOp = null;
        for (int i = first; i >= 0; i = layout.nextInst(i)) {
            if (i >= numInsts) {
                errBlock(b, "invalid instruction inst" + i + " in the layout");
                layoutSound = false;
                return;
            }
            if (instSeenIn[i] >= 0) {
                errBlock(b, "inst" + i + " appears twice in the layout (also in block" + instSeenIn[i] + ")");
                layoutSound = false;
                return;
            }
            instSeenIn[i] = b;
            if (layout.instBlock(i) != b) {
                err(i, "listed in block" + b + " but the layout places it in block" + layout.instBlock(i));
                layoutSound = false;
            }
            if (last >= 0 && lastOp.isTerminator()) err(last, "terminator in the middle of block" + b);
            Opcode op = dfg.opcode(i);
            if (op.isBranch()) cfg.addBranch(b, i, op);
            last = i;
            lastOp = op;
        }
        if (!lastOp.isTerminator()) errBlock(b, "block does not end with a terminator");
    }

    private void checkEntryParams(int entry) {
        Signature sig = func.signature;
        if (sig == null) return;
        int np = dfg.numBlockParams(entry);
        if (np != sig.params.length) {
            errBlock(entry, "entry block has " + np + " parameters, the signature has " + sig.params.length);
            return;
        }
        for (int k = 0; k < np; k++) {
            int v = dfg.blockParam(entry, k);
            if (v < 0 || v >= numValues) continue;
            int t = dfg.valueType(v);
            if (t != sig.params[k]) {
                errBlock(entry, "entry block parameter v" + v + " has type " + tn(t) + ", the signature's parameter "
                        + k + " is " + tn(sig.params[k]));
            }
        }
    }

    // =====================================================================================
    // Instructions

    // ---- the single walk for valid functions

    /** False to always run the full algorithm (tests compare the two). */
    private final boolean tryOneWalk;
    /** True during {@link #validInOneWalk}; {@link #oneWalkFailed} once any check fails there. */
    private boolean oneWalk, oneWalkFailed;
    /** Uses whose definition is in another block: the defining instruction (or ~block) and the user. */
    private int[] deferredDef = new int[16], deferredUse = new int[16];
    private int numDeferred;
    /**
     * The branches {@link #validInOneWalk} met, in layout order: block, instruction, block, ...
     * The control-flow graph is built from them only when a deferred use needs the dominator
     * tree; most functions the walk accepts (all uses in the defining block or through block
     * parameters) never need it, and building it on the way cost several streams per block.
     */
    private final IntVec branches = new IntVec();

    /**
     * Decides in one walk over the layout whether the function is valid: the block shape and
     * every instruction are checked together, block by block, and the uses whose definition is
     * in another block are checked against the dominator tree afterwards (which is computed only
     * if there are any). Returns true iff the full algorithm would report nothing; false at the
     * first problem, after which the full algorithm runs to find and report every problem in its
     * documented order. This accelerates the common case (a function with no errors, where the
     * order of checks cannot show) by walking the layout, the block parameters and the branch
     * destinations once instead of twice; it never accepts what the full algorithm rejects.
     * It may reject what the full algorithm accepts (a use out of order in an unreachable
     * block), which only means the full algorithm decides.
     */
    private boolean validInOneWalk() {
        int entry = layout.firstBlock();
        if (entry < 0) return false;
        branches.clear();
        nextAvailStamp();
        oneWalk = true;
        oneWalkFailed = false;
        numDeferred = 0;
        checkDominance = true;
        // Something listed twice in a linked list makes it a cycle, so counting is enough to
        // stop on a corrupt layout (an instruction listed in two blocks has one block of its own,
        // which the other contradicts); the full algorithm then says what is wrong.
        int blocksWalked = 0, instsWalked = 0;
        try {
            for (int b = entry; b >= 0; b = layout.nextBlock(b)) {
                if (b >= numBlocks || ++blocksWalked > numBlocks || !layout.isBlockInserted(b)) return false;
                checkBlockParams(b);
                int first = layout.firstInst(b);
                if (errors != null || first < 0) return false;
                curBlock = b;
                nextAvailStamp();
                makeParamsAvailable(b);
                Opcode lastOp = null;
                for (int i = first; i >= 0; i = layout.nextInst(i)) {
                    if (i >= numInsts || ++instsWalked > numInsts || layout.instBlock(i) != b) return false;
                    if (lastOp != null && lastOp.isTerminator()) return false;
                    Opcode op = dfg.opcode(i);
                    if (op.isBranch()) {
                        branches.add(b);
                        branches.add(i);
                    }
                    checkedResult = -1;
                    checkInst(i);
                    if (errors != null || oneWalkFailed) return false;
                    if (checkedResult >= 0) available[checkedResult] = availStamp;
                    else if (dfg.numResults(i) != 0) makeResultsAvailable(i);
                    lastOp = op;
                }
                if (!lastOp.isTerminator()) return false;
            }
            checkEntryParams(entry);
            return errors == null && deferredUsesDominated();
        } finally {
            oneWalk = false;
        }
    }

    /** The deferred uses of {@link #validInOneWalk}: each in a reachable block must be dominated. */
    private boolean deferredUsesDominated() {
        if (numDeferred == 0) return true;
        // the graph the layout walk would have built: blocks without branches have no successors
        cfg.begin(func);
        int[] br = branches.raw();
        for (int k = 0, n = branches.size(), open = -1; k < n; k += 2) {
            int b = br[k], i = br[k + 1];
            if (b != open) {
                if (open >= 0) cfg.endBlock(open);
                cfg.beginBlock(b);
                open = b;
            }
            cfg.addBranch(b, i, dfg.opcode(i));
            if (k + 2 == n) cfg.endBlock(b);
        }
        cfg.finish();
        domtree.compute(func, cfg);
        for (int k = 0; k < numDeferred; k++) {
            int def = deferredDef[k], i = deferredUse[k];
            int ub = layout.instBlock(i);
            if (!domtree.isReachable(ub)) continue;
            if (def >= 0 ? !domtree.dominates(def, i) : !domtree.blockDominates(~def, ub)) return false;
        }
        return true;
    }

    /** The block of the instruction being checked and whether dominance is checked in it. */
    private int curBlock;
    private boolean checkDominance;
    /**
     * The single result of the instruction being checked when {@link #result} found it defined
     * by that instruction (so it becomes available once the instruction is checked), else -1.
     */
    private int checkedResult;

    private void checkInstructions() {
        // stamps of earlier runs and blocks must not match: nothing is available until marked
        nextAvailStamp();
        if (!layoutSound) {
            // the layout lists cannot be trusted: check what the shape walk accepted, each
            // instruction once, without dominance
            checkDominance = false;
            for (int i = 0; i < numInsts; i++) {
                if (instSeenIn[i] < 0) continue;
                curBlock = instSeenIn[i];
                checkInst(i);
            }
            return;
        }
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            curBlock = b;
            checkDominance = domtree.isReachable(b);
            nextAvailStamp();
            makeParamsAvailable(b);
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                checkedResult = -1;
                checkInst(i);
                if (checkedResult >= 0) available[checkedResult] = availStamp;
                else if (dfg.numResults(i) != 0) makeResultsAvailable(i);
            }
        }
    }

    /** Starts a new generation of {@link #available}: nothing is available in it yet. */
    private void nextAvailStamp() {
        if (available.length < numValues) available = new int[Math.max(numValues, available.length * 2)];
        if (availStamp == Integer.MAX_VALUE) {
            Arrays.fill(available, 0);
            availStamp = 0;
        }
        availStamp++;
    }

    /** The parameters of {@code b} that {@link #checkBlockParams} accepts are available in all of b. */
    private void makeParamsAvailable(int b) {
        int np = dfg.numBlockParams(b);
        for (int k = 0; k < np; k++) {
            int v = dfg.blockParam(b, k);
            if (v >= 0 && v < numValues && dfg.valueKind(v) == DataFlowGraph.DEF_PARAM && dfg.valueDef(v) == b
                    && dfg.valueNum(v) == k) {
                available[v] = availStamp;
            }
        }
    }

    /**
     * The results defined by {@code i} are available to the instructions after it in its block
     * (the general case; {@link #result} reports the common single result in {@link
     * #checkedResult}).
     */
    private void makeResultsAvailable(int i) {
        int nr = dfg.numResults(i);
        for (int k = 0; k < nr; k++) {
            int v = dfg.result(i, k);
            if (v >= 0 && v < numValues && dfg.valueKind(v) == DataFlowGraph.DEF_RESULT && dfg.valueDef(v) == i
                    && dfg.valueNum(v) == k) {
                available[v] = availStamp;
            }
        }
    }

    private void checkInst(int i) {
        Opcode op = dfg.opcode(i);
        int ct = dfg.ctrlType(i);
        switch (op.format) {
            case NULLARY: results(i, 0); break;
            case NULLARY_VALUE: ctrlIs(i, ct, POINTER); result(i, ct); break;
            case UNARY_IMM: checkIconst(i, ct); break;
            case UNARY_IEEE32: checkFconst(i, ct, Type.F32); break;
            case UNARY_IEEE64: checkFconst(i, ct, Type.F64); break;
            case UNARY: checkUnary(i, op, ct); break;
            case UNARY_GLOBAL_VALUE: checkGlobalValueInst(i, op, ct); break;
            case FUNC_ADDR: checkFuncAddr(i, ct); break;
            case BINARY: checkBinary(i, op, ct); break;
            case BINARY_IMM: checkBinaryImm(i, ct); break;
            case TERNARY:
                if (op == Opcode.SELECT || op == Opcode.SELECT_SPECTRE_GUARD) checkSelect(i, ct);
                else checkTernary(i, op, ct);
                break;
            case INT_COMPARE: case INT_COMPARE_IMM: checkIcmp(i, op, ct); break;
            case FLOAT_COMPARE: checkFcmp(i, ct); break;
            case LOAD: checkLoad(i, op, ct); break;
            case STORE: checkStore(i, op, ct); break;
            case STACK_LOAD: checkStackLoad(i, op, ct); break;
            case STACK_STORE: checkStackStore(i, ct); break;
            case HEAP_LOAD: checkHeapLoad(i, op, ct); break;
            case HEAP_STORE: checkHeapStore(i, op, ct); break;
            case HEAP_ADDR: checkHeapAddr(i, ct); break;
            case TABLE_ADDR: checkTableAddr(i, ct); break;
            case CALL: checkCall(i); break;
            case CALL_INDIRECT: checkCallIndirect(i); break;
            case MULTI_ARY: checkReturn(i); break;
            case JUMP: results(i, 0); blockCall(i, dfg.field(i, DataFlowGraph.B0)); break;
            case BRIF:
                results(i, 0);
                condition(i, ct);
                blockCall(i, dfg.field(i, DataFlowGraph.B0));
                blockCall(i, dfg.field(i, DataFlowGraph.B1));
                break;
            case BRANCH: results(i, 0); condition(i, ct); blockCall(i, dfg.field(i, DataFlowGraph.B0)); break;
            case BRANCH_ICMP: checkBrIcmp(i, ct); break;
            case BRANCH_TABLE: checkBrTable(i, ct); break;
            case TRAP: results(i, 0); trapCode(i); break;
            case COND_TRAP: results(i, 0); condition(i, ct); trapCode(i); break;
            case INT_ADD_TRAP: checkBinary(i, op, ct); trapCode(i); break;
            case LOAD_NO_OFFSET: case STORE_NO_OFFSET: case ATOMIC_RMW: case ATOMIC_CAS: checkAtomic(i, op, ct); break;
        }
    }

    // ---- operands

    /**
     * Checks use of value {@code v} by instruction {@code i}: that it exists, what defines it is
     * consistent and in the layout, and that the definition dominates the use. Returns the type
     * of the value, or {@link Type#INVALID} after reporting a problem (so callers skip type
     * checks instead of piling up follow-on errors).
     *
     * <p>This is the verifier's innermost operation, so it is split: this method is the
     * conjunction of every check passing, small enough for the JIT to inline into each caller,
     * and anything that fails is re-checked by {@link #useReporting}, which finds and reports
     * the problem in the documented order. The commonest use, of a value defined earlier in the
     * same block, is settled by {@link #available} alone. Otherwise, a definition in the block
     * being walked dominates the use iff it comes first in the block (the layout was found
     * sound, so the use's block is {@link #curBlock}), which skips the dominator tree.
     */
    private int use(int i, int v) {
        if (v >= 0 && v < numValues) {
            // only defined values (never aliases) are available, so v resolves to itself
            if (available[v] == availStamp) return dfg.valueType(v);
            if (oneWalk) return useInOneWalk(i, v);
            int r = resolvesToItself ? v : resolved[v];
            if (r >= 0) {
                DataFlowGraph dfg = this.dfg;
                int def = dfg.valueDef(r);
                if (dfg.valueKind(r) == DataFlowGraph.DEF_RESULT) {
                    if (def >= 0 && def < numInsts && hasResult(def, dfg.valueNum(r), r)) {
                        int db = layout.instBlock(def);
                        if (db >= 0 && (!checkDominance || def != i && (db == curBlock ? layout.instPrecedes(def, i) : domtree.dominates(def, i)))) {
                            return dfg.valueType(r);
                        }
                    }
                } else if (def >= 0 && def < numBlocks && hasParam(def, dfg.valueNum(r), r) && layout.isBlockInserted(def)
                        && (!checkDominance || domtree.blockDominates(def, curBlock))) {
                    return dfg.valueType(r);
                }
            }
        }
        return useReporting(i, v);
    }

    /**
     * {@link #use} during {@link #validInOneWalk}, where the dominator tree is not known yet:
     * the checks that do not need it are made here, and a definition in another block is
     * remembered for {@link #deferredUsesDominated}. Any failure only marks the walk failed.
     */
    private int useInOneWalk(int i, int v) {
        int r = resolvesToItself ? v : resolved[v];
        if (r >= 0) {
            DataFlowGraph dfg = this.dfg;
            int def = dfg.valueDef(r);
            if (dfg.valueKind(r) == DataFlowGraph.DEF_RESULT) {
                if (def >= 0 && def < numInsts && def != i && hasResult(def, dfg.valueNum(r), r)) {
                    int db = layout.instBlock(def);
                    if (db == curBlock ? layout.instPrecedes(def, i) : db >= 0 && defer(def, i)) return dfg.valueType(r);
                }
            } else if (def >= 0 && def < numBlocks && hasParam(def, dfg.valueNum(r), r) && layout.isBlockInserted(def)
                    && (def == curBlock || defer(~def, i))) {
                return dfg.valueType(r);
            }
        }
        oneWalkFailed = true;
        return Type.INVALID;
    }

    /** Remembers that instruction {@code def} (or block {@code ~def}) must dominate the use at {@code i}. */
    private boolean defer(int def, int i) {
        if (numDeferred == deferredDef.length) {
            deferredDef = Arrays.copyOf(deferredDef, numDeferred * 2);
            deferredUse = Arrays.copyOf(deferredUse, numDeferred * 2);
        }
        deferredDef[numDeferred] = def;
        deferredUse[numDeferred] = i;
        numDeferred++;
        return true;
    }

    /** {@link #use} for a use that fails a check: reports the first problem found. */
    private int useReporting(int i, int v) {
        if (v < 0 || v >= numValues) {
            err(i, v == -1 ? "missing argument" : "invalid value v" + v);
            return Type.INVALID;
        }
        int r = resolvesToItself ? v : resolved[v];
        if (r < 0) {
            // a dangling alias was reported with the alias; a placeholder is reported here
            if (dfg.valueKind(v) == DataFlowGraph.DEF_NONE) err(i, "v" + v + " has no definition");
            return Type.INVALID;
        }
        int def = dfg.valueDef(r);
        if (dfg.valueKind(r) == DataFlowGraph.DEF_RESULT) {
            if (def < 0 || def >= numInsts || !hasResult(def, dfg.valueNum(r), r)) {
                err(i, "v" + r + " is not a result of inst" + def + ", which is said to define it");
                return Type.INVALID;
            }
            if (!layout.isInstInserted(def)) {
                err(i, "v" + r + " is defined by inst" + def + ", which is not in the layout");
                return Type.INVALID;
            }
            if (checkDominance) {
                if (def == i) err(i, "uses its own result v" + r);
                else if (!domtree.dominates(def, i)) err(i, "use of v" + r + " is not dominated by its definition at inst" + def);
            }
        } else {
            if (def < 0 || def >= numBlocks || !hasParam(def, dfg.valueNum(r), r)) {
                err(i, "v" + r + " is not a parameter of block" + def + ", which is said to define it");
                return Type.INVALID;
            }
            if (!layout.isBlockInserted(def)) {
                err(i, "v" + r + " is a parameter of block" + def + ", which is not in the layout");
                return Type.INVALID;
            }
            if (checkDominance && !domtree.blockDominates(def, curBlock)) {
                err(i, "use of v" + r + " is not dominated by its definition in block" + def);
            }
        }
        return dfg.valueType(r);
    }

    private boolean hasResult(int inst, int n, int v) {
        return n >= 0 && n < dfg.numResults(inst) && dfg.result(inst, n) == v;
    }

    private boolean hasParam(int block, int n, int v) {
        return n >= 0 && n < dfg.numBlockParams(block) && dfg.blockParam(block, n) == v;
    }

    /** Uses fixed argument {@code n} (A0 + n) and returns its type, or INVALID. */
    private int arg(int i, int n) {
        return use(i, dfg.field(i, DataFlowGraph.A0 + n));
    }

    private int argValue(int i, int n) {
        return dfg.field(i, DataFlowGraph.A0 + n);
    }

    /** Reports unless {@code actual} (if known) is {@code expected}. */
    private void expectType(int i, int v, int actual, int expected) {
        if (actual != Type.INVALID && actual != expected) {
            err(i, "v" + v + " has type " + tn(actual) + ", expected " + tn(expected));
        }
    }

    private void expectIntArg(int i, int v, int actual) {
        if (actual != Type.INVALID && !isIntType(actual)) err(i, "v" + v + " has type " + tn(actual) + ", expected an integer type");
    }

    private void expectFloatArg(int i, int v, int actual) {
        if (actual != Type.INVALID && !isFloatType(actual)) err(i, "v" + v + " has type " + tn(actual) + ", expected a float type");
    }

    /** The controlling type must be the type of argument {@code n} (it is read off that operand). */
    private void ctrlFromArg(int i, int ct, int n, int actual) {
        if (actual != Type.INVALID && actual != ct) {
            err(i, "controlling type " + tn(ct) + " differs from the type of v" + argValue(i, n) + ", " + tn(actual));
        }
    }

    private boolean ctrlInt(int i, int ct) {
        if (isIntType(ct)) return true;
        err(i, "controlling type " + tn(ct) + " is not an integer type");
        return false;
    }

    private boolean ctrlFloat(int i, int ct) {
        if (isFloatType(ct)) return true;
        err(i, "controlling type " + tn(ct) + " is not a float type");
        return false;
    }

    private boolean ctrlValid(int i, int ct) {
        if (isValidType(ct)) return true;
        err(i, "controlling type " + tn(ct) + " is not a valid type");
        return false;
    }

    private boolean ctrlIs(int i, int ct, int expected) {
        if (ct == expected) return true;
        err(i, "controlling type " + tn(ct) + " should be " + tn(expected));
        return false;
    }

    /** Checks that {@code i} has {@code n} results, each defined by it; false if not. */
    private boolean results(int i, int n) {
        int nr = dfg.numResults(i);
        if (nr == 0 && n == 0) return true;
        return resultsOf(i, n, nr);
    }

    private boolean resultsOf(int i, int n, int nr) {
        if (nr != n) {
            err(i, "expected " + n + (n == 1 ? " result" : " results") + ", found " + nr);
            return false;
        }
        boolean ok = true;
        for (int k = 0; k < nr; k++) {
            int v = dfg.result(i, k);
            if (v < 0 || v >= numValues) {
                err(i, "result " + k + " is invalid value v" + v);
                ok = false;
            } else if (dfg.valueKind(v) == DataFlowGraph.DEF_ALIAS) {
                // a pass replaced the result's uses with another value (O(1) replace-all-uses)
                // and left the instruction; its output is simply dead, which is well formed
                continue;
            } else if (dfg.valueKind(v) != DataFlowGraph.DEF_RESULT || dfg.valueDef(v) != i || dfg.valueNum(v) != k) {
                err(i, "result v" + v + " is not defined by this instruction");
                ok = false;
            }
        }
        return ok;
    }

    /** One result of type {@code type} (if that is a valid type). */
    private void result(int i, int type) {
        // the common case inline: one result, defined here, not an alias; otherwise the full check
        DataFlowGraph dfg = this.dfg;
        if (dfg.numResults(i) == 1) {
            int v = dfg.result(i, 0);
            if (v >= 0 && v < numValues && dfg.valueKind(v) == DataFlowGraph.DEF_RESULT && dfg.valueDef(v) == i
                    && dfg.valueNum(v) == 0) {
                checkedResult = v;
                if (isValidType(type) && dfg.valueType(v) != type) resultTypeError(i, v, type);
                return;
            }
        }
        resultChecked(i, type);
    }

    private void resultTypeError(int i, int v, int type) {
        err(i, "result v" + v + " has type " + tn(dfg.valueType(v)) + ", expected " + tn(type));
    }

    private void resultChecked(int i, int type) {
        if (!results(i, 1) || !isValidType(type)) return;
        int v = dfg.result(i, 0);
        int t = dfg.valueType(v);
        if (t != type) err(i, "result v" + v + " has type " + tn(t) + ", expected " + tn(type));
    }

    // ---- families

    private void checkIconst(int i, int ct) {
        if (ct == Type.I128) {
            // as in Cranelift: an i128 is built from halves (iconcat) or an extension
            err(i, "iconst cannot make an i128 (use iconcat or uextend)");
        } else if (ctrlInt(i, ct)) {
            long imm = dfg.imm(i);
            int bits = Type.bits(ct);
            // accept the value zero- or sign-extended from the type's width
            if (bits < 64 && (imm >>> bits) != 0 && (imm >> (bits - 1)) != -1) {
                err(i, "immediate " + Printer.formatImm(imm) + " does not fit in " + tn(ct));
            }
        }
        result(i, ct);
    }

    private void checkFconst(int i, int ct, int type) {
        if (ct != Type.INVALID) ctrlIs(i, ct, type);
        result(i, type);
    }

    private void checkUnary(int i, Opcode op, int ct) {
        int a = argValue(i, 0);
        int ta = arg(i, 0);
        switch (op) {
            case BNOT:
                // on floats too: their bits
                ctrlFromArg(i, ct, 0, ta);
                ctrlValid(i, ct);
                break;
            case ISPLIT: {
                ctrlFromArg(i, ct, 0, ta);
                if (ct != Type.I128) err(i, "isplit needs an i128, got " + tn(ct));
                if (results(i, 2)) {
                    for (int k = 0; k < 2; k++) {
                        int v = dfg.result(i, k);
                        if (dfg.valueType(v) != Type.I64) resultTypeError(i, v, Type.I64);
                    }
                }
                return;
            }
            case BMASK:
                ctrlInt(i, ct);
                expectIntArg(i, a, ta);
                break;
            case INEG: case IABS: case CLZ: case CTZ: case POPCNT: case BSWAP: case BITREV: case CLS:
                ctrlFromArg(i, ct, 0, ta);
                if (ctrlInt(i, ct) && op == Opcode.BSWAP && ct == Type.I8) err(i, "bswap needs at least i16, got " + tn(ct));
                break;
            case SQRT: case FNEG: case FABS: case CEIL: case FLOOR: case TRUNC: case NEAREST:
                ctrlFromArg(i, ct, 0, ta);
                ctrlFloat(i, ct);
                break;
            case UEXTEND: case SEXTEND:
                if (ctrlInt(i, ct)) {
                    expectIntArg(i, a, ta);
                    if (isIntType(ta) && Type.bits(ta) >= Type.bits(ct)) {
                        err(i, op.text + " to " + tn(ct) + " needs a narrower argument, v" + a + " is " + tn(ta));
                    }
                }
                break;
            case IREDUCE:
                if (ctrlInt(i, ct)) {
                    expectIntArg(i, a, ta);
                    if (isIntType(ta) && Type.bits(ta) <= Type.bits(ct)) {
                        err(i, "ireduce to " + tn(ct) + " needs a wider argument, v" + a + " is " + tn(ta));
                    }
                }
                break;
            case BITCAST:
                if (ctrlValid(i, ct) && ta != Type.INVALID) {
                    if (!isValidType(ta)) err(i, "v" + a + " has invalid type " + tn(ta));
                    else if (Type.bits(ta) != Type.bits(ct)) {
                        err(i, "bitcast from " + tn(ta) + " to " + tn(ct) + " changes the width");
                    }
                }
                break;
            case FPROMOTE:
                ctrlIs(i, ct, Type.F64);
                expectType(i, a, ta, Type.F32);
                break;
            case FDEMOTE:
                ctrlIs(i, ct, Type.F32);
                expectType(i, a, ta, Type.F64);
                break;
            case FCVT_FROM_SINT: case FCVT_FROM_UINT:
                ctrlFloat(i, ct);
                expectIntArg(i, a, ta);
                break;
            case FCVT_TO_SINT: case FCVT_TO_UINT: case FCVT_TO_SINT_SAT: case FCVT_TO_UINT_SAT:
                ctrlInt(i, ct);
                expectFloatArg(i, a, ta);
                break;
            default:
                err(i, "unexpected opcode " + op.text + " in the unary format");
                return;
        }
        result(i, ct);
    }

    private void checkBinary(int i, Opcode op, int ct) {
        int t0 = arg(i, 0);
        int t1 = arg(i, 1);
        ctrlFromArg(i, ct, 0, t0);
        switch (op) {
            case ICONCAT:
                if (ct != Type.I64) err(i, "iconcat needs two i64 halves, got " + tn(ct));
                else expectType(i, argValue(i, 1), t1, ct);
                result(i, Type.I128);
                return;
            case ISHL: case USHR: case SSHR: case ROTL: case ROTR:
                // the amount is taken modulo the width, so any integer type will do
                ctrlInt(i, ct);
                expectIntArg(i, argValue(i, 1), t1);
                break;
            case FADD: case FSUB: case FMUL: case FDIV: case FMIN: case FMAX: case FCOPYSIGN:
                if (ctrlFloat(i, ct)) expectType(i, argValue(i, 1), t1, ct);
                break;
            case BAND: case BOR: case BXOR: case BAND_NOT: case BOR_NOT: case BXOR_NOT:
                // on floats too: their bits
                if (ctrlValid(i, ct)) expectType(i, argValue(i, 1), t1, ct);
                break;
            default:
                if (ctrlInt(i, ct)) expectType(i, argValue(i, 1), t1, ct);
                break;
        }
        if (op.hasFlagResult()) flagResults(i, ct);
        else result(i, ct);
    }

    /** Two results: the value at {@code ct} and an i8 flag. */
    private void flagResults(int i, int ct) {
        if (!results(i, 2)) return;
        int v0 = dfg.result(i, 0), v1 = dfg.result(i, 1);
        if (isValidType(ct) && dfg.valueType(v0) != ct) resultTypeError(i, v0, ct);
        if (dfg.valueType(v1) != Type.I8) resultTypeError(i, v1, Type.I8);
    }

    /** {@code bitselect}, {@code fma} and the carry/borrow forms: operands of the controlling type (a carry is i8). */
    private void checkTernary(int i, Opcode op, int ct) {
        int t0 = arg(i, 0), t1 = arg(i, 1), t2 = arg(i, 2);
        ctrlFromArg(i, ct, 1, t1);
        switch (op) {
            case BITSELECT:
                if (ctrlValid(i, ct)) {
                    expectType(i, argValue(i, 0), t0, ct);
                    expectType(i, argValue(i, 2), t2, ct);
                }
                result(i, ct);
                break;
            case FMA:
                if (ctrlFloat(i, ct)) {
                    expectType(i, argValue(i, 0), t0, ct);
                    expectType(i, argValue(i, 2), t2, ct);
                }
                result(i, ct);
                break;
            case UADD_OVERFLOW_CIN: case SADD_OVERFLOW_CIN: case USUB_OVERFLOW_BIN: case SSUB_OVERFLOW_BIN:
                if (ctrlInt(i, ct)) expectType(i, argValue(i, 0), t0, ct);
                expectType(i, argValue(i, 2), t2, Type.I8);
                flagResults(i, ct);
                break;
            default:
                err(i, "unexpected opcode " + op.text + " in the ternary format");
                break;
        }
    }

    /**
     * Atomics: an i64 address, an integer access type of 8 to 64 bits, flags without an offset;
     * {@code atomic_store} stores its first operand, {@code atomic_cas} compares and stores
     * values of the access type.
     */
    private void checkAtomic(int i, Opcode op, int ct) {
        memFlags(i);
        switch (op) {
            case ATOMIC_LOAD:
                expectType(i, argValue(i, 0), arg(i, 0), POINTER);
                ctrlInt(i, ct);
                result(i, ct);
                break;
            case ATOMIC_STORE:
                ctrlFromArg(i, ct, 0, arg(i, 0));
                ctrlInt(i, ct);
                expectType(i, argValue(i, 1), arg(i, 1), POINTER);
                results(i, 0);
                break;
            case ATOMIC_RMW: {
                long rmw = dfg.imm(i);
                if (rmw < 0 || rmw >= dev.twill.ir.AtomicRmwOp.values().length) err(i, "invalid atomic_rmw operation " + rmw);
                expectType(i, argValue(i, 0), arg(i, 0), POINTER);
                if (ctrlInt(i, ct)) expectType(i, argValue(i, 1), arg(i, 1), ct);
                result(i, ct);
                break;
            }
            default: // ATOMIC_CAS
                expectType(i, argValue(i, 0), arg(i, 0), POINTER);
                ctrlFromArg(i, ct, 1, arg(i, 1));
                if (ctrlInt(i, ct)) expectType(i, argValue(i, 2), arg(i, 2), ct);
                result(i, ct);
                break;
        }
    }

    private void checkBinaryImm(int i, int ct) {
        ctrlFromArg(i, ct, 0, arg(i, 0));
        ctrlInt(i, ct);
        result(i, ct);
    }

    private void checkSelect(int i, int ct) {
        expectIntArg(i, argValue(i, 0), arg(i, 0));
        int t1 = arg(i, 1);
        int t2 = arg(i, 2);
        ctrlFromArg(i, ct, 1, t1);
        if (ctrlValid(i, ct)) expectType(i, argValue(i, 2), t2, ct);
        result(i, ct);
    }

    private void checkIcmp(int i, Opcode op, int ct) {
        int cc = dfg.aux(i);
        if (cc < 0 || cc >= NUM_INT_CC) err(i, "invalid integer condition code " + cc);
        int t0 = arg(i, 0);
        int t1 = op == Opcode.ICMP ? arg(i, 1) : Type.INVALID;
        ctrlFromArg(i, ct, 0, t0);
        if (ctrlInt(i, ct) && op == Opcode.ICMP) expectType(i, argValue(i, 1), t1, ct);
        result(i, Type.I8);
    }

    private void checkFcmp(int i, int ct) {
        int cc = dfg.aux(i);
        if (cc < 0 || cc >= NUM_FLOAT_CC) err(i, "invalid float condition code " + cc);
        int t0 = arg(i, 0);
        int t1 = arg(i, 1);
        ctrlFromArg(i, ct, 0, t0);
        if (ctrlFloat(i, ct)) expectType(i, argValue(i, 1), t1, ct);
        result(i, Type.I8);
    }

    // ---- memory

    private void memFlags(int i) {
        int x = dfg.aux(i);
        if ((x & ~ALL_MEM_FLAGS) != 0) err(i, "invalid memory flags 0x" + Integer.toHexString(x));
    }

    private void offset32(int i) {
        long off = dfg.imm(i);
        if (off != (int) off) err(i, "offset " + off + " does not fit in 32 bits");
    }

    /**
     * The access type {@code ct} of a load or store of {@code op}: any valid type for the plain
     * forms, an integer strictly wider than the access for the narrow ones ({@code uload8} to
     * i16/i32/i64, {@code istore32} from i64 only).
     */
    private boolean accessType(int i, Opcode op, int ct) {
        int bytes = op.accessBytes(ct);
        Opcode plain = op.memoryForm();
        if (plain == Opcode.LOAD || plain == Opcode.STORE) return ctrlValid(i, ct);
        if (!ctrlInt(i, ct)) return false;
        if (Type.bytes(ct) <= bytes) {
            err(i, op.text + " needs an integer type wider than " + (bytes * 8) + " bits, got " + tn(ct));
            return false;
        }
        return true;
    }

    private void checkLoad(int i, Opcode op, int ct) {
        memFlags(i);
        offset32(i);
        expectType(i, argValue(i, 0), arg(i, 0), POINTER);
        accessType(i, op, ct);
        result(i, ct);
    }

    private void checkStore(int i, Opcode op, int ct) {
        memFlags(i);
        offset32(i);
        int tv = arg(i, 0);
        ctrlFromArg(i, ct, 0, tv);
        expectType(i, argValue(i, 1), arg(i, 1), POINTER);
        accessType(i, op, ct);
        results(i, 0);
    }

    /** The stack slot of {@code i}, or null after reporting an invalid one. */
    private StackSlotData stackSlot(int i) {
        int ss = dfg.aux(i);
        if (ss < 0 || ss >= func.stackSlots.size()) {
            err(i, "invalid stack slot ss" + ss);
            return null;
        }
        return func.stackSlots.get(ss);
    }

    private void stackAccess(int i, StackSlotData slot, long bytes) {
        long off = dfg.imm(i);
        if (off < 0 || off > slot.size || bytes > slot.size - off) {
            err(i, "access of " + bytes + " bytes at offset " + off + " is outside ss" + dfg.aux(i) + ", which has "
                    + slot.size + " bytes");
        }
    }

    private void checkStackLoad(int i, Opcode op, int ct) {
        StackSlotData slot = stackSlot(i);
        if (op == Opcode.STACK_ADDR) {
            ctrlIs(i, ct, POINTER);
            if (slot != null) stackAccess(i, slot, 0);
        } else if (ctrlValid(i, ct) && slot != null) {
            stackAccess(i, slot, Type.bytes(ct));
        }
        result(i, ct);
    }

    private void checkStackStore(int i, int ct) {
        StackSlotData slot = stackSlot(i);
        ctrlFromArg(i, ct, 0, arg(i, 0));
        if (ctrlValid(i, ct) && slot != null) stackAccess(i, slot, Type.bytes(ct));
        results(i, 0);
    }

    /** The heap of {@code i}, or null after reporting an invalid one. */
    private HeapData heap(int i) {
        int h = dfg.aux(i);
        if (h < 0 || h >= func.heaps.size()) {
            err(i, "invalid heap heap" + h);
            return null;
        }
        return func.heaps.get(h);
    }

    private void heapIndex(int i, HeapData h, int n) {
        int t = arg(i, n);
        if (h != null) expectType(i, argValue(i, n), t, h.indexType);
    }

    private void heapOffset(int i, String what) {
        long off = dfg.imm(i);
        if (off < 0 || off > 0xFFFF_FFFFL) err(i, what + " " + off + " is not in 0..0xffff_ffff");
    }

    private void checkHeapLoad(int i, Opcode op, int ct) {
        HeapData h = heap(i);
        heapIndex(i, h, 0);
        heapOffset(i, "heap offset");
        accessType(i, op, ct);
        result(i, ct);
    }

    private void checkHeapStore(int i, Opcode op, int ct) {
        HeapData h = heap(i);
        ctrlFromArg(i, ct, 0, arg(i, 0));
        heapIndex(i, h, 1);
        heapOffset(i, "heap offset");
        accessType(i, op, ct);
        results(i, 0);
    }

    private void checkHeapAddr(int i, int ct) {
        HeapData h = heap(i);
        heapIndex(i, h, 0);
        heapOffset(i, "access size");
        ctrlIs(i, ct, POINTER);
        result(i, ct);
    }

    private void checkTableAddr(int i, int ct) {
        int tb = dfg.aux(i);
        TableData t = null;
        if (tb < 0 || tb >= func.tables.size()) err(i, "invalid table table" + tb);
        else t = func.tables.get(tb);
        int ti = arg(i, 0);
        if (t != null) {
            expectType(i, argValue(i, 0), ti, t.indexType);
            long off = dfg.imm(i);
            if (t.elementSize > 0 && (off < 0 || off >= t.elementSize)) {
                err(i, "offset " + off + " is outside the " + t.elementSize + "-byte element of table" + tb);
            }
        }
        ctrlIs(i, ct, POINTER);
        result(i, ct);
    }

    private void checkGlobalValueInst(int i, Opcode op, int ct) {
        int gv = dfg.aux(i);
        if (!validGv(gv)) {
            err(i, "invalid global value gv" + gv);
        } else {
            GlobalValueData g = func.globalValues.get(gv);
            if (op == Opcode.SYMBOL_VALUE && g.kind != GlobalValueData.Kind.SYMBOL) {
                err(i, "symbol_value of gv" + gv + ", which is not a symbol");
            }
            if (ct != g.type) err(i, "controlling type " + tn(ct) + " differs from gv" + gv + "'s type " + tn(g.type));
        }
        result(i, ct);
    }

    private void checkFuncAddr(int i, int ct) {
        int fn = dfg.aux(i);
        if (fn < 0 || fn >= func.extFuncs.size()) err(i, "invalid function reference fn" + fn);
        ctrlIs(i, ct, POINTER);
        result(i, ct);
    }

    // ---- calls and returns

    private void checkCall(int i) {
        int fn = dfg.aux(i);
        int list = dfg.valueList(i);
        Signature sig = null;
        if (fn < 0 || fn >= func.extFuncs.size()) {
            err(i, "invalid function reference fn" + fn);
        } else {
            int s = func.extFuncs.get(fn).signature;
            if (validSig(s)) sig = func.signatures.get(s);
        }
        callArgs(i, list, 0, sig, "fn", fn);
        if (dfg.opcode(i).isTailCall()) tailCallResults(i, sig, "fn", fn);
        else callResults(i, sig, "fn", fn);
    }

    private void checkCallIndirect(int i) {
        int s = dfg.aux(i);
        Signature sig = null;
        if (!validSig(s)) err(i, "invalid signature sig" + s);
        else sig = func.signatures.get(s);
        int list = dfg.valueList(i);
        boolean tail = dfg.opcode(i).isTailCall();
        if (dfg.pool.size(list) == 0) {
            err(i, dfg.opcode(i).text + " has no callee");
            if (tail) tailCallResults(i, sig, "sig", s);
            else callResults(i, sig, "sig", s);
            return;
        }
        int callee = dfg.pool.get(list, 0);
        int tc = use(i, callee);
        if (tc != Type.INVALID && tc != POINTER) err(i, "callee v" + callee + " has type " + tn(tc) + ", expected " + tn(POINTER));
        callArgs(i, list, 1, sig, "sig", s);
        if (tail) tailCallResults(i, sig, "sig", s);
        else callResults(i, sig, "sig", s);
    }

    /**
     * A tail call defines nothing: the callee's results become the function's, so they must be
     * the same types in the same order. The frame it replaces was laid out by the caller's
     * convention, so caller and callee must agree on whether the callee pops its stack arguments
     * (both {@code tail}, or both not).
     */
    private void tailCallResults(int i, Signature sig, String calleeKind, int callee) {
        results(i, 0);
        if (sig == null || func.signature == null) return;
        if (!Arrays.equals(sig.returns, func.signature.returns)) {
            err(i, calleeKind + callee + " returns " + typeList(sig.returns) + ", but a tail call must return what the function returns: "
                    + typeList(func.signature.returns));
        }
        boolean callerTail = "tail".equals(func.signature.callConv), calleeTail = "tail".equals(sig.callConv);
        if (callerTail != calleeTail) {
            err(i, "a tail call needs caller and callee in the same stack-argument convention: the function is "
                    + (callerTail ? "tail" : "not tail") + ", " + calleeKind + callee + " is " + (calleeTail ? "tail" : "not tail"));
        }
    }

    private static String typeList(int[] types) {
        StringBuilder sb = new StringBuilder("(");
        for (int k = 0; k < types.length; k++) {
            if (k > 0) sb.append(", ");
            sb.append(Type.name(types[k]));
        }
        return sb.append(')').toString();
    }

    /** Uses list elements {@code from..} and checks them against {@code sig}'s parameters (if known). */
    private void callArgs(int i, int list, int from, Signature sig, String calleeKind, int callee) {
        int n = dfg.pool.size(list) - from;
        if (sig != null && n != sig.params.length) {
            err(i, calleeKind + callee + " takes " + sig.params.length + " arguments, got " + n);
        }
        for (int k = 0; k < n; k++) {
            int v = dfg.pool.get(list, from + k);
            int t = use(i, v);
            if (sig != null && k < sig.params.length && t != Type.INVALID && t != sig.params[k]) {
                err(i, "argument " + k + " is v" + v + ": " + tn(t) + ", but " + calleeKind + callee + " takes " + tn(sig.params[k]));
            }
        }
    }

    private void callResults(int i, Signature sig, String calleeKind, int callee) {
        if (sig == null) {
            results(i, dfg.numResults(i)); // at least check they are defined here
            return;
        }
        if (!results(i, sig.returns.length)) return;
        for (int k = 0; k < sig.returns.length; k++) {
            int v = dfg.result(i, k);
            int t = dfg.valueType(v);
            if (t != sig.returns[k]) {
                err(i, "result v" + v + " has type " + tn(t) + ", but " + calleeKind + callee + " returns " + tn(sig.returns[k]));
            }
        }
    }

    private void checkReturn(int i) {
        results(i, 0);
        int list = dfg.valueList(i);
        int n = dfg.pool.size(list);
        int[] rets = func.signature == null ? null : func.signature.returns;
        if (rets != null && n != rets.length) err(i, "the function returns " + rets.length + " values, got " + n);
        for (int k = 0; k < n; k++) {
            int v = dfg.pool.get(list, k);
            int t = use(i, v);
            if (rets != null && k < rets.length && t != Type.INVALID && t != rets[k]) {
                err(i, "return value " + k + " is v" + v + ": " + tn(t) + ", but the function returns " + tn(rets[k]));
            }
        }
    }

    // ---- control flow

    private void condition(int i, int ct) {
        int v = argValue(i, 0);
        int t = arg(i, 0);
        expectIntArg(i, v, t);
        ctrlFromArg(i, ct, 0, t);
    }

    private void trapCode(int i) {
        int code = dfg.aux(i);
        if (!TrapCode.isValid(code)) err(i, "invalid trap code " + code);
    }

    /** Checks a block call: a valid destination in the layout, and arguments matching its parameters. */
    private void blockCall(int i, int call) {
        if (call <= ListPool.EMPTY) {
            err(i, "missing branch destination");
            return;
        }
        int dest = dfg.blockCallBlock(call);
        int n = dfg.blockCallNumArgs(call);
        if (dest < 0 || dest >= numBlocks) {
            err(i, "invalid block block" + dest);
            for (int k = 0; k < n; k++) use(i, dfg.blockCallArg(call, k));
            return;
        }
        if (!layout.isBlockInserted(dest)) err(i, "branch to block" + dest + ", which is not in the layout");
        int np = dfg.numBlockParams(dest);
        if (n != np) err(i, "block" + dest + " takes " + np + " arguments, got " + n);
        for (int k = 0; k < n; k++) {
            int v = dfg.blockCallArg(call, k);
            int t = use(i, v);
            if (k < np && t != Type.INVALID) {
                int p = dfg.blockParam(dest, k);
                int pt = p >= 0 && p < numValues ? dfg.valueType(p) : Type.INVALID;
                if (pt != t && isValidType(pt)) {
                    err(i, "argument " + k + " to block" + dest + " is v" + v + ": " + tn(t) + ", but parameter v" + p
                            + " is " + tn(pt));
                }
            }
        }
    }

    private void checkBrIcmp(int i, int ct) {
        results(i, 0);
        int cc = dfg.aux(i);
        if (cc < 0 || cc >= NUM_INT_CC) err(i, "invalid integer condition code " + cc);
        int t0 = arg(i, 0);
        int t1 = arg(i, 1);
        ctrlFromArg(i, ct, 0, t0);
        if (ctrlInt(i, ct)) expectType(i, argValue(i, 1), t1, ct);
        blockCall(i, dfg.field(i, DataFlowGraph.B0));
    }

    private void checkBrTable(int i, int ct) {
        results(i, 0);
        int v = argValue(i, 0);
        int t = arg(i, 0);
        expectIntArg(i, v, t);
        ctrlFromArg(i, ct, 0, t);
        int jt = dfg.aux(i);
        if (jt < 0 || jt >= dfg.numJumpTables()) {
            err(i, "invalid jump table jt" + jt);
            return;
        }
        int list = dfg.jumpTable(jt);
        int n = dfg.pool.size(list);
        if (n == 0) err(i, "jt" + jt + " has no default destination");
        for (int k = 0; k < n; k++) blockCall(i, dfg.pool.get(list, k));
    }
}
