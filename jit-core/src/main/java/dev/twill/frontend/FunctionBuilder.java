package dev.twill.frontend;

import dev.twill.CompileError;
import dev.twill.entity.ListPool;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;

/**
 * Builds a function's IR from a front end's mutable variables, constructing SSA form on the fly:
 * the front end declares variables, defines and uses them in any order while it emits
 * instructions, and the builder works out which block parameters are needed and what every
 * branch passes.
 *
 * <p><b>Algorithm</b>: Braun, Buchwald, Hack, Leißa, Mallon, Zwinkau, "Simple and Efficient
 * Construction of Static Single Assignment Form" (CC 2013), with block parameters in place of
 * phis. A use looks for the variable's definition in the current block; failing that
 * (section 2.2): in a sealed block with one predecessor it looks in the predecessor; otherwise it
 * adds a block parameter as a placeholder, records it as the definition (which breaks cycles
 * through loops) and, once all predecessors are known, reads the variable at the end of each
 * predecessor and appends that value to the predecessor's branch. A block is <i>sealed</i>
 * (section 2.3) when the front end says no more predecessors will come; parameters added
 * before that are <i>incomplete</i> and get their arguments when it is sealed. A parameter whose
 * arguments are all one value (or itself) is <i>trivial</i> (section 3.1): it becomes an alias of
 * that value, leaves its block, loses its argument in every predecessor, and every parameter
 * that used it is examined again, since it may have become trivial in turn. Parameters are
 * therefore only the necessary ones for reducible control flow (section 3.2 covers the rest).
 *
 * <p><b>No deep recursion</b>: both the walk up single-predecessor chains and the recursion of
 * "read the variable in every predecessor" run on explicit int stacks in the context (an
 * operation stack of "read in SSA block s" and "finish parameter p" entries, plus a result
 * stack), so a chain of 100,000 blocks costs array space, not Java frames.
 *
 * <p><b>Extended basic blocks</b>: a block may hold {@code brz brnz br_icmp} before its
 * terminator. What flows along such an edge is the variable's value at the branch, so each IR
 * block is split internally into SSA blocks at every mid-block branch (as the first
 * cranelift-frontend did): the SSA block after a branch has that block's SSA block as its single,
 * sealed predecessor, and the branch is a predecessor of its destination from the SSA block that
 * holds it.
 *
 * <p><b>Seeing branches</b>: the front end may create instructions through {@link #ins()} with
 * the plain {@link InstBuilder}. Every entry point of this class first scans the instructions
 * appended to the current block since the last scan ({@link #sync}), so a branch made through
 * {@code ins()} is recorded before anything can depend on it; the branch methods here
 * ({@link #jump}, {@link #brif}, ...) are conveniences that scan at once. Instructions must be
 * appended at the end of the current block; the builder does not see insertions elsewhere.
 *
 * <p><b>Undefined variables</b> read a zero of their type, made once per function and type at the
 * top of the entry block, which dominates every block.
 *
 * <p><b>Unreachable code</b>: Braun's argument that a parameter with a single other argument can
 * be replaced by it rests on the predecessor dominating the block, which fails in a cycle that no
 * path from the entry reaches; there a variable may end up defined in terms of itself (the same
 * limitation as cranelift-frontend, wasmtime issue 5022). Front ends should not emit unreachable
 * loops ({@link #isUnreachable()} tells them when they are in dead code). A cycle of
 * single-predecessor blocks with no definition at all is detected and reads zero, so lookups
 * always terminate.
 *
 * <p>Invariants: after every public method, every branch in the current block is recorded as a
 * predecessor; for a sealed block, every predecessor branch passes exactly one argument per
 * block parameter that is not incomplete; a parameter with a record is an SSA parameter, and is
 * complete iff its arguments exist.
 */
public final class FunctionBuilder {
    private static final int[] NO_ARGS = new int[0];
    /** Marks a block on the single-predecessor chain being walked (a repeat means a cycle). */
    private static final int VISITING = -2;
    /**
     * {@code PENDING - b} marks block {@code b}, a sealed block with several predecessors whose
     * predecessors are being read, and the chain blocks whose value is b's: the value is not
     * known yet (see {@link #read}).
     */
    private static final int PENDING = -3;
    /** The operation "finish reading at a pending block" ({@link #finish} without a placeholder). */
    private static final int FINISH_PENDING = -2;
    /** {@link #trivialValue}: the parameter has two distinct arguments. */
    private static final int NOT_TRIVIAL = -2;

    private final Function func;
    private final DataFlowGraph dfg;
    private final Layout layout;
    private final FunctionBuilderContext ctx;
    /** The cursor handed out by {@link #ins()}, always at the end of the current block. */
    private final InstBuilder cursor;
    /** A second cursor for zero constants at the top of the entry block. */
    private final InstBuilder entryCursor;

    private int curBlock = -1;
    /** The SSA block new definitions go to: the header of {@link #curBlock} or the part after its last mid-block branch. */
    private int curSsa = -1;
    /** The last instruction of the current block that {@link #sync} has looked at, or -1. */
    private int lastScanned = -1;
    private boolean finalized;

    public FunctionBuilder(Function func, FunctionBuilderContext ctx) {
        this.func = func;
        this.dfg = func.dfg;
        this.layout = func.layout;
        this.ctx = ctx;
        this.cursor = new InstBuilder(func);
        this.entryCursor = new InstBuilder(func);
        ctx.clear();
    }

    public Function function() {
        return func;
    }

    // =====================================================================================
    // Variables

    /** Declares a new variable of {@code type}; returns its number. */
    public int declareVar(int type) {
        if (!Type.isScalar(type)) throw error(null, "variable type " + Type.name(type) + " is not supported");
        return ctx.newVar(type);
    }

    public int varType(int var) {
        checkVar(var);
        return ctx.varType[var];
    }

    /** Makes {@code value} the current value of {@code var} at the end of the current block. */
    public void defVar(int var, int value) {
        sync();
        checkVar(var);
        requireOpenBlock("defVar");
        if (!dfg.isValidValue(value)) throw error(block(curBlock), "defVar of var" + var + " with invalid value v" + value);
        if (dfg.valueType(value) != ctx.varType[var]) {
            throw error(block(curBlock), "defVar of var" + var + " (" + Type.name(ctx.varType[var]) + ") with v" + value
                    + " of type " + Type.name(dfg.valueType(value)));
        }
        ctx.defs.put(var, curSsa, value);
        ctx.varLastSsa[var] = curSsa;
        ctx.varLastValue[var] = value;
    }

    /**
     * The value of {@code var} at the current position, adding block parameters as needed.
     *
     * <p>Most reads find the variable defined or read before in the same IR block (a wasm
     * {@code local.get} after a {@code local.set} or {@code br_if}). The SSA blocks of the
     * current IR block form one chain, from its header to {@link #curSsa}, and every definition
     * made in them went through {@link #defVar}; so if the variable's latest definition or read
     * ({@code varLastSsa}) is in the current IR block, no block after it on the chain defines the
     * variable and its value there is the current one: the read costs two array loads instead of
     * a map lookup and a walk up the chain. The walk would have cached the value in every chain
     * block it passed; leaving them uncached changes no result, since a later walk through them
     * goes on to the same block and finds the same value.
     */
    public int useVar(int var) {
        sync();
        checkVar(var);
        if (curBlock < 0) throw error(null, "useVar before switchToBlock");
        int last = ctx.varLastSsa[var];
        if (last >= 0 && ctx.ssaIrBlock[last] == curBlock) return dfg.resolveAliases(ctx.varLastValue[var]);
        // also answers an entry the walk of an earlier read left here (a value, or the pending
        // mark of a block finished since, which leads to its value)
        int v = readNonLocal(var, curSsa);
        ctx.varLastSsa[var] = curSsa;
        ctx.varLastValue[var] = v;
        return dfg.resolveAliases(v);
    }

    private void checkVar(int var) {
        if (var < 0 || var >= ctx.numVars) throw error(curBlock >= 0 ? block(curBlock) : null, "var" + var + " was not declared");
    }

    // =====================================================================================
    // Blocks

    /** Makes a new block; it joins the layout when first switched to. */
    public int createBlock() {
        int b = func.makeBlock();
        ctx.newHeader(b);
        return b;
    }

    /**
     * Makes {@code b} the block new instructions go to, appending it to the layout if it is not
     * there yet. The current block must be filled first unless it is still empty.
     */
    public void switchToBlock(int b) {
        sync();
        int h = headerOrError(b);
        if (b == curBlock) return;
        if (curBlock >= 0 && !isFilledHeader(ctx.headerOf[curBlock]) && layout.firstInst(curBlock) >= 0) {
            throw error(block(curBlock), "block" + curBlock + " must end with a terminator before switching to block" + b);
        }
        if (isFilledHeader(h)) throw error(block(b), "block" + b + " is already filled");
        if (!layout.isBlockInserted(b)) layout.appendBlock(b);
        curBlock = b;
        curSsa = h;
        lastScanned = -1;
        cursor.atEnd(b);
        // the block may already hold a zero constant emitted while it was not current
        sync();
    }

    public int currentBlock() {
        return curBlock;
    }

    /** Declares that every predecessor of {@code b} is known, completing its pending parameters. */
    public void sealBlock(int b) {
        sync();
        seal(headerOrError(b));
    }

    /** Seals every block made by this builder that is not sealed yet. */
    public void sealAllBlocks() {
        sync();
        int n = dfg.numBlocks();
        for (int b = 0; b < n; b++) {
            int h = ctx.header(b);
            if (h >= 0) seal(h);
        }
    }

    public boolean isSealed(int b) {
        return (ctx.ssaFlags[headerOrError(b)] & FunctionBuilderContext.SEALED) != 0;
    }

    /** Appends a parameter of {@code type} to {@code b}; before any the SSA construction adds. */
    public int appendBlockParam(int b, int type) {
        sync();
        headerOrError(b);
        int n = dfg.numBlockParams(b);
        for (int k = 0; k < n; k++) {
            if (ctx.recordOf(dfg.blockParam(b, k)) >= 0) {
                throw error(block(b), "appendBlockParam on block" + b + " after variables already needed parameters there");
            }
        }
        return dfg.appendBlockParam(b, type);
    }

    /** Appends one parameter per parameter of the function's signature (for the entry block). */
    public void appendBlockParamsForFunctionParams(int b) {
        for (int t : func.signature.params) appendBlockParam(b, t);
    }

    /** True if the current block ends with a terminator. */
    public boolean isFilled() {
        sync();
        return curBlock >= 0 && isFilledHeader(ctx.headerOf[curBlock]);
    }

    /** True if the current block is not the entry block, is sealed, and has no predecessors. */
    public boolean isUnreachable() {
        sync();
        if (curBlock < 0 || curBlock == layout.firstBlock()) return false;
        int h = ctx.headerOf[curBlock];
        return (ctx.ssaFlags[h] & FunctionBuilderContext.SEALED) != 0 && ctx.lists.size(ctx.ssaPreds[h]) == 0;
    }

    /** The number of distinct branch instructions recorded as predecessors of {@code b}. */
    public int numPredecessors(int b) {
        sync();
        return ctx.lists.size(ctx.ssaPreds[headerOrError(b)]) / 2;
    }

    // =====================================================================================
    // Instructions

    /**
     * A cursor at the end of the current block; every branch made with it is noticed. It is the
     * same object for the builder's whole life and {@link #switchToBlock} moves it along, so a
     * front end may keep it and skip this call (and its checks) per instruction: what it
     * appends is scanned by the next call into the builder.
     */
    public InstBuilder ins() {
        sync();
        requireOpenBlock("ins");
        return cursor.atEnd(curBlock);
    }

    public int jump(int dest, int[] args, int n) {
        int i = ins().jump(dest, args, n);
        sync();
        return i;
    }

    public int jump(int dest) {
        return jump(dest, NO_ARGS, 0);
    }

    public int brif(int cond, int thenBlock, int[] thenArgs, int elseBlock, int[] elseArgs) {
        int i = ins().brif(cond, thenBlock, thenArgs, elseBlock, elseArgs);
        sync();
        return i;
    }

    public int brif(int cond, int thenBlock, int elseBlock) {
        return brif(cond, thenBlock, NO_ARGS, elseBlock, NO_ARGS);
    }

    /** Mid-block branch to {@code dest} if {@code cond} is zero; falls through otherwise. */
    public int brz(int cond, int dest, int[] args, int n) {
        int i = ins().branch(Opcode.BRZ, cond, dest, args, n);
        sync();
        return i;
    }

    public int brz(int cond, int dest) {
        return brz(cond, dest, NO_ARGS, 0);
    }

    /** Mid-block branch to {@code dest} if {@code cond} is not zero; falls through otherwise. */
    public int brnz(int cond, int dest, int[] args, int n) {
        int i = ins().branch(Opcode.BRNZ, cond, dest, args, n);
        sync();
        return i;
    }

    public int brnz(int cond, int dest) {
        return brnz(cond, dest, NO_ARGS, 0);
    }

    /** Mid-block compare-and-branch; falls through when the comparison is false. */
    public int brIcmp(IntCC cc, int a, int b, int dest, int[] args, int n) {
        int i = ins().brIcmp(cc, a, b, dest, args, n);
        sync();
        return i;
    }

    public int brIcmp(IntCC cc, int a, int b, int dest) {
        return brIcmp(cc, a, b, dest, NO_ARGS, 0);
    }

    /** {@code br_table index, defaultBlock, [targets[0..n)]} with no block arguments. */
    public int brTable(int index, int defaultBlock, int[] targets, int n) {
        InstBuilder b = ins();
        int[] calls = b.scratch(n + 1);
        calls[0] = dfg.makeBlockCall(defaultBlock, NO_ARGS, 0);
        for (int k = 0; k < n; k++) calls[k + 1] = dfg.makeBlockCall(targets[k], NO_ARGS, 0);
        int i = b.brTable(index, calls, n + 1);
        sync();
        return i;
    }

    public int ret(int[] values, int n) {
        int i = ins().ret(values, n);
        sync();
        return i;
    }

    public int ret(int... values) {
        return ret(values, values.length);
    }

    public int trap(int code) {
        int i = ins().trap(code);
        sync();
        return i;
    }

    /**
     * Ends construction (Cranelift's {@code finalize}; the name avoids {@link Object}'s
     * finalizer). Checks that every block is sealed, every block in the layout ends with a terminator and
     * every branch target is in the layout; then rewrites operands that are aliases left by
     * removed parameters to the values they stand for (aliases the front end made itself are
     * its own business), and clears the context.
     */
    public void finalizeFunction() {
        sync();
        int n = dfg.numBlocks();
        for (int b = 0; b < n; b++) {
            int h = ctx.header(b);
            if (h < 0) continue;
            if ((ctx.ssaFlags[h] & FunctionBuilderContext.SEALED) == 0) {
                throw error(block(b), "block" + b + " is not sealed (call sealBlock or sealAllBlocks)");
            }
            boolean inLayout = layout.isBlockInserted(b);
            if (inLayout && !isFilledHeader(h)) throw error(block(b), "block" + b + " does not end with a terminator");
            if (!inLayout && ctx.lists.size(ctx.ssaPreds[h]) > 0) {
                throw error(block(b), "block" + b + " is a branch target but was never switched to");
            }
        }
        resolveRemovedParams();
        ctx.clear();
        curBlock = curSsa = lastScanned = -1;
        finalized = true;
    }

    /**
     * Rewrites the operands that name parameters removed as trivial (now aliases) to the values
     * they stand for. Only instructions made after the first of those parameters can name it,
     * as an operand or an argument the front end passed; older ones only in a branch argument
     * that {@link #finish} appended, and every branch is on its destination's predecessor list.
     * Most functions remove none (the marker variant makes few placeholders) and skip it all.
     */
    private void resolveRemovedParams() {
        int from = ctx.firstAliasInst;
        if (from == Integer.MAX_VALUE) return;
        int n = dfg.numInsts();
        for (int i = from; i < n; i++) {
            if (layout.isInstInserted(i)) dfg.resolveAliasesIn(i);
        }
        for (int s = 0; s < ctx.numSsa; s++) {
            if (ctx.ssaPrev[s] >= 0) continue; // not a header: no predecessor list
            int preds = ctx.ssaPreds[s];
            int np = ctx.lists.size(preds);
            for (int k = 0; k < np; k += 2) {
                int inst = ctx.lists.get(preds, k);
                if (inst < from) dfg.resolveAliasesIn(inst);
            }
        }
    }

    // =====================================================================================
    // Scanning new instructions

    /**
     * Looks at the instructions appended to the current block since the last call: records each
     * branch as a predecessor of its destinations, starts a new SSA block after each mid-block
     * branch, and marks the block filled at its terminator.
     */
    private void sync() {
        if (finalized) throw error(null, "the builder was already finalized");
        if (curBlock < 0) return;
        int i = lastScanned < 0 ? layout.firstInst(curBlock) : layout.nextInst(lastScanned);
        // most calls find nothing new (every entry point syncs, several per wasm instruction):
        // that test stays small enough to inline everywhere, the scan is out of line
        if (i >= 0) scanFrom(i);
    }

    private void scanFrom(int i) {
        int header = ctx.headerOf[curBlock];
        for (; i >= 0; i = layout.nextInst(i)) {
            if (isFilledHeader(header)) throw error(inst(i), "instruction after the terminator of block" + curBlock);
            lastScanned = i;
            Opcode op = dfg.opcode(i);
            if (!op.isBranch()) {
                if (op.isTerminator()) ctx.ssaFlags[header] |= FunctionBuilderContext.FILLED;
                continue;
            }
            recordSuccessors(i);
            if (op.isTerminator()) ctx.ssaFlags[header] |= FunctionBuilderContext.FILLED;
            else curSsa = ctx.newSsaBlock(curBlock, curSsa, FunctionBuilderContext.SEALED);
        }
    }

    private void recordSuccessors(int i) {
        int nc = dfg.numBlockCalls(i);
        for (int c = 0; c < nc; c++) {
            int dest = dfg.blockCallBlock(dfg.blockCall(i, c));
            int h = ctx.header(dest);
            if (h < 0) throw error(inst(i), "branch to block" + dest + ", which was not made by this builder's createBlock");
            if (ctx.ssaLastPredInst[h] == i) continue; // br_table or brif naming the same block twice
            if ((ctx.ssaFlags[h] & FunctionBuilderContext.SEALED) != 0) {
                throw error(inst(i), "branch to block" + dest + ", which is already sealed");
            }
            ctx.ssaLastPredInst[h] = i;
            int preds = ctx.lists.push(ctx.ssaPreds[h], i);
            ctx.ssaPreds[h] = ctx.lists.push(preds, curSsa);
        }
    }

    // =====================================================================================
    // SSA construction

    /**
     * Reads {@code var} in SSA block {@code start}, which has no local definition: runs the
     * operation stack until the single result is known.
     */
    private int readNonLocal(int var, int start) {
        ctx.numOps = 0;
        ctx.numResults = 0;
        ctx.pushOp(start, -1);
        return run(var);
    }

    private int run(int var) {
        while (ctx.numOps > 0) {
            int n = --ctx.numOps;
            int s = ctx.opBlock[n], p = ctx.opParam[n];
            if (p == -1) read(var, s);
            else finish(var, s, p);
        }
        return ctx.results[--ctx.numResults];
    }

    /**
     * One "read {@code var} at the end of SSA block {@code s}": walks up single-predecessor
     * chains iteratively; then either pushes the value found, or adds a parameter to the
     * multi-predecessor block where the walk stopped and schedules reading every predecessor and
     * finishing the parameter.
     */
    private void read(int var, int s) {
        DefMap defs = ctx.defs;
        ctx.numChain = 0;
        int b = s;
        int val;
        while (true) {
            // every block the walk visits gets an entry (a mark, then the value), so the entry
            // is made now and written through its ref without hashing again
            int r = defs.ref(var, b);
            int d = defs.pool[r];
            if (d == VISITING) { // a cycle of single-predecessor blocks: no path from the entry
                val = zero(ctx.varType[var]);
                break;
            }
            if (d >= 0) {
                val = d;
                break;
            }
            if (d <= PENDING) {
                // b is pending, or on a chain whose value is a pending block's: reaching it
                // again closes a cycle, which a parameter there breaks (made now if not yet)
                int x = PENDING - d;
                val = defs.get(var, x);
                if (val < 0) {
                    val = newParam(var, x);
                    defs.put(var, x, val);
                }
                break;
            }
            int prev = ctx.ssaPrev[b];
            if (prev >= 0) {
                // part of an EBB after a mid-block branch: one sealed predecessor. No VISITING
                // mark: these links lead to the block's header and never form a cycle, and a
                // cycle through the header is caught at a header below
                ctx.pushChain(r);
                b = prev;
                continue;
            }
            if ((ctx.ssaFlags[b] & FunctionBuilderContext.SEALED) == 0) {
                val = newParam(var, b);
                ctx.ssaIncomplete[b] = ctx.lists.push(ctx.lists.push(ctx.ssaIncomplete[b], var), val);
                defs.pool[r] = val;
                break;
            }
            int preds = ctx.ssaPreds[b];
            int np = ctx.lists.size(preds) / 2;
            if (np == 0) { // the entry block, or unreachable
                val = zero(ctx.varType[var]);
                defs.pool[r] = val;
                break;
            }
            if (np == 1) {
                defs.pool[r] = VISITING;
                ctx.pushChain(r);
                b = ctx.lists.get(preds, 1);
                continue;
            }
            // several predecessors: read them all first (Braun et al. section 3.3's marker
            // variant); a parameter is made only if they differ or a read comes back here
            // through a cycle, instead of a placeholder that is mostly trivial and removed again
            int pending = PENDING - b;
            int[] pool = defs.pool;
            pool[r] = pending;
            for (int k = 0; k < ctx.numChain; k++) pool[ctx.chain[k]] = pending;
            ctx.numChain = 0;
            ctx.pushOp(b, FINISH_PENDING);
            pushPredReads(b);
            return;
        }
        writeChain(var, val);
        ctx.pushResult(val);
    }

    /** Records {@code val} as the definition in every block of the chain just walked (Braun's caching). */
    private void writeChain(int var, int val) {
        int[] pool = ctx.defs.pool;
        for (int k = 0; k < ctx.numChain; k++) pool[ctx.chain[k]] = val;
        ctx.numChain = 0;
    }

    /** Pushes a read of each predecessor, the first on top, so results come out in predecessor order. */
    private void pushPredReads(int h) {
        int preds = ctx.ssaPreds[h];
        for (int k = ctx.lists.size(preds) / 2 - 1; k >= 0; k--) ctx.pushOp(ctx.lists.get(preds, 2 * k + 1), -1);
    }

    private int newParam(int var, int h) {
        int p = dfg.appendBlockParam(ctx.ssaIrBlock[h], ctx.varType[var]);
        ctx.newRecord(p, dfg.numInsts());
        return p;
    }

    /**
     * Finishes parameter {@code p} of header {@code h}: the values of the variable at the end of
     * every predecessor are on the result stack. A trivial parameter is replaced without ever
     * getting arguments; otherwise each predecessor branch gets its argument. With {@code p ==
     * FINISH_PENDING}, h was pending: unless a cycle made its parameter meanwhile, one is made
     * only if the values differ.
     */
    private void finish(int var, int h, int p) {
        boolean pending = p == FINISH_PENDING;
        if (pending) {
            int d = ctx.defs.get(var, h);
            if (d >= 0) {
                p = d;
                pending = false;
            }
        }
        int preds = ctx.ssaPreds[h];
        int np = ctx.lists.size(preds) / 2;
        int base = ctx.numResults - np;
        int same = -1;
        boolean trivial = true;
        for (int k = 0; k < np; k++) {
            int a = dfg.resolveAliases(ctx.results[base + k]);
            ctx.results[base + k] = a;
            if (a == p || a == same) continue;
            if (same >= 0) {
                trivial = false;
                break;
            }
            same = a;
        }
        ctx.numResults = base;
        int result;
        if (trivial) {
            if (same < 0) same = zero(ctx.varType[var]);
            if (pending) {
                ctx.defs.put(var, h, same);
            } else {
                removeParam(p, same, false);
                revisitUsers();
            }
            result = dfg.resolveAliases(same);
        } else {
            if (pending) {
                p = newParam(var, h);
                ctx.defs.put(var, h, p);
            }
            int irb = ctx.ssaIrBlock[h];
            int pr = ctx.recordOf(p);
            for (int k = 0; k < np; k++) {
                int a = ctx.results[base + k];
                int inst = ctx.lists.get(preds, 2 * k);
                int nc = dfg.numBlockCalls(inst);
                for (int c = 0; c < nc; c++) {
                    int call = dfg.blockCall(inst, c);
                    if (dfg.blockCallBlock(call) == irb) dfg.setBlockCall(inst, c, dfg.blockCallPushArg(call, a));
                }
                int ar = a == p ? -1 : ctx.recordOf(a);
                if (ar >= 0 && (k == 0 || ctx.results[base + k - 1] != a)) {
                    ctx.recUsers[ar] = ctx.lists.push(ctx.recUsers[ar], p);
                }
            }
            ctx.recComplete[pr] = true;
            result = p;
        }
        ctx.pushResult(result);
    }

    /**
     * The value a complete parameter stands for if it is trivial (-1 if it has no argument other
     * than itself), or {@link #NOT_TRIVIAL}.
     */
    private int trivialValue(int p) {
        int irb = dfg.valueDef(p), k = dfg.valueNum(p);
        int preds = ctx.ssaPreds[ctx.headerOf[irb]];
        int np = ctx.lists.size(preds) / 2;
        int same = -1;
        for (int q = 0; q < np; q++) {
            int inst = ctx.lists.get(preds, 2 * q);
            int nc = dfg.numBlockCalls(inst);
            for (int c = 0; c < nc; c++) {
                int call = dfg.blockCall(inst, c);
                if (dfg.blockCallBlock(call) != irb) continue;
                int a = dfg.resolveAliases(dfg.blockCallArg(call, k));
                if (a == p || a == same) continue;
                if (same >= 0) return NOT_TRIVIAL;
                same = a;
            }
        }
        return same;
    }

    /**
     * Replaces trivial parameter {@code p} by {@code same}: alias, removal from its block and
     * (if they were added) from its predecessors' arguments; its users move to {@code same} and
     * are queued for another look.
     */
    private void removeParam(int p, int same, boolean argsPushed) {
        int irb = dfg.valueDef(p), k = dfg.valueNum(p);
        dfg.changeToAlias(p, same);
        dfg.removeBlockParam(irb, k);
        if (argsPushed) {
            int preds = ctx.ssaPreds[ctx.headerOf[irb]];
            int np = ctx.lists.size(preds) / 2;
            for (int q = 0; q < np; q++) {
                int inst = ctx.lists.get(preds, 2 * q);
                int nc = dfg.numBlockCalls(inst);
                for (int c = 0; c < nc; c++) {
                    int call = dfg.blockCall(inst, c);
                    if (dfg.blockCallBlock(call) == irb) dfg.setBlockCall(inst, c, dfg.blockCallRemoveArg(call, k));
                }
            }
        }
        int pr = ctx.recordOf(p);
        ctx.firstAliasInst = Math.min(ctx.firstAliasInst, ctx.recFirstInst[pr]);
        int users = ctx.recUsers[pr];
        ctx.recUsers[pr] = ListPool.EMPTY;
        int sr = ctx.recordOf(dfg.resolveAliases(same));
        int nu = ctx.lists.size(users);
        for (int u = 0; u < nu; u++) {
            int user = ctx.lists.get(users, u);
            if (sr >= 0) ctx.recUsers[sr] = ctx.lists.push(ctx.recUsers[sr], user);
            ctx.pushWork(user);
        }
        ctx.lists.free(users);
    }

    /** Braun's recursive trivial-phi removal, run as a worklist. */
    private void revisitUsers() {
        while (ctx.numWork > 0) {
            int u = ctx.work[--ctx.numWork];
            if (dfg.valueKind(u) != DataFlowGraph.DEF_PARAM) continue; // removed meanwhile
            int r = ctx.recordOf(u);
            if (r < 0 || !ctx.recComplete[r]) continue;
            int same = trivialValue(u);
            if (same == NOT_TRIVIAL) continue;
            if (same < 0) same = zero(dfg.valueType(u));
            removeParam(u, same, true);
        }
    }

    private void seal(int h) {
        if ((ctx.ssaFlags[h] & FunctionBuilderContext.SEALED) != 0) return;
        ctx.ssaFlags[h] |= FunctionBuilderContext.SEALED;
        int list = ctx.ssaIncomplete[h];
        int n = ctx.lists.size(list) / 2;
        // no parameter can join the list now that the block is sealed, so the handle is stable
        for (int k = 0; k < n; k++) {
            int var = ctx.lists.get(list, 2 * k), p = ctx.lists.get(list, 2 * k + 1);
            ctx.numOps = 0;
            ctx.numResults = 0;
            ctx.pushOp(h, p);
            pushPredReads(h);
            run(var);
        }
        ctx.lists.free(list);
        ctx.ssaIncomplete[h] = ListPool.EMPTY;
    }

    /** The zero of {@code type}, made once per function at the top of the entry block. */
    private int zero(int type) {
        int z = ctx.zeroOfType[type];
        if (z >= 0) return z;
        int entry = layout.firstBlock();
        int first = layout.firstInst(entry);
        if (first >= 0) entryCursor.before(first);
        else entryCursor.atEnd(entry);
        switch (type) {
            case Type.F32: z = entryCursor.f32constBits(0); break;
            case Type.F64: z = entryCursor.f64constBits(0); break;
            default: z = entryCursor.iconst(type, 0); break;
        }
        ctx.zeroOfType[type] = z;
        return z;
    }

    // =====================================================================================
    // Helpers

    private boolean isFilledHeader(int h) {
        return (ctx.ssaFlags[h] & FunctionBuilderContext.FILLED) != 0;
    }

    private int headerOrError(int b) {
        int h = ctx.header(b);
        if (h < 0) throw error(block(b), "block" + b + " was not made by this builder's createBlock");
        return h;
    }

    private void requireOpenBlock(String what) {
        if (curBlock < 0) throw error(null, what + " before switchToBlock");
        if (isFilledHeader(ctx.headerOf[curBlock])) {
            throw error(block(curBlock), what + " in block" + curBlock + ", which already ends with a terminator");
        }
    }

    private static String block(int b) {
        return "block" + b;
    }

    private String inst(int i) {
        return "inst" + i + " (" + dfg.opcode(i).text + ")";
    }

    private CompileError error(String where, String reason) {
        return CompileError.inFunction(func.name, where, reason);
    }
}
