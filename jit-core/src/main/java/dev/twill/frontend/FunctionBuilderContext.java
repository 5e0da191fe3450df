package dev.twill.frontend;

import dev.twill.entity.ListPool;
import java.util.Arrays;

/**
 * Every side table {@link FunctionBuilder} needs, kept between functions so that building many
 * functions allocates nothing per instruction once the arrays have grown. A front end keeps one
 * per thread and hands it to each new builder; {@link #clear} (called by the builder when it
 * starts and when it finalizes) forgets the contents and keeps the capacity.
 *
 * <p>What it holds, all in primitive arrays indexed by dense ints:
 * <ul>
 *   <li>variables: their types;
 *   <li>SSA blocks: an IR block (an extended basic block) is split at each mid-block branch into
 *       SSA blocks, because the value of a variable that flows along a {@code brz} edge is its
 *       value at the branch. The first SSA block of an IR block is its <i>header</i> and keeps
 *       the IR block's predecessors (branch instruction, source SSA block) and its incomplete
 *       parameters; the others have exactly one predecessor, the SSA block before them, and
 *       are sealed from birth;
 *   <li>the definitions map (variable, SSA block) -> value;
 *   <li>one record per block parameter the SSA construction added, with the parameters that use
 *       it as an argument (Braun's phi users), so that removing a trivial parameter can revisit
 *       them;
 *   <li>the explicit work stacks that replace recursion in variable lookup.
 * </ul>
 *
 * <p>Invariant: an IR block's header is {@code headerOf[b]} only if that SSA block exists and
 * names {@code b} back, so stale entries from an earlier function read as "no header" without
 * being cleared; the same self-validating trick maps values to parameter records.
 */
public final class FunctionBuilderContext {
    static final int SEALED = 1;
    /** On a header: the IR block ends with a terminator. */
    static final int FILLED = 2;

    /** Pooled lists: predecessors (pairs inst, source SSA block), incomplete params (pairs var, value), users. */
    final ListPool lists = new ListPool();

    int[] varType = new int[16];
    /**
     * Per variable, the SSA block of its latest definition or read, or -1; with {@link
     * #varLastValue}, a cache in front of {@link #defs} for reads in the same IR block (see
     * {@code FunctionBuilder.useVar}).
     */
    int[] varLastSsa = new int[16];
    /** The value of the variable at the end of {@link #varLastSsa} (maybe an alias by now). */
    int[] varLastValue = new int[16];
    int numVars;

    /** The IR block an SSA block belongs to. */
    int[] ssaIrBlock = new int[64];
    /** The SSA block before this one in the same IR block, or -1 for a header. */
    int[] ssaPrev = new int[64];
    /** {@link #SEALED}, {@link #FILLED}. */
    byte[] ssaFlags = new byte[64];
    /** Header only: pooled list of (branch instruction, source SSA block) pairs. */
    int[] ssaPreds = new int[64];
    /** Header only: the branch instruction recorded last, to record each (instruction, destination) once. */
    int[] ssaLastPredInst = new int[64];
    /** Header only: pooled list of (variable, parameter) pairs waiting for the block to be sealed. */
    int[] ssaIncomplete = new int[64];
    int numSsa;

    /** IR block -> its header SSA block (valid only if that header names the block back). */
    int[] headerOf = new int[64];

    final DefMap defs = new DefMap();

    /** Parameter records: the value, the pooled list of parameters that use it, whether its arguments exist. */
    int[] recValue = new int[32];
    int[] recUsers = new int[32];
    boolean[] recComplete = new boolean[32];
    /**
     * The instruction count when the parameter was made: no instruction made before can have it
     * as an operand, only as a branch argument that the builder appended later.
     */
    int[] recFirstInst = new int[32];
    int numRecs;
    /** The least {@link #recFirstInst} of the parameters removed as trivial, or MAX_VALUE if none was. */
    int firstAliasInst = Integer.MAX_VALUE;
    /** Value -> parameter record (valid only if the record names the value back). */
    int[] recOfValue = new int[64];

    /** Pending lookups: SSA block and, for "finish a parameter" entries, the parameter (else -1). */
    int[] opBlock = new int[64];
    int[] opParam = new int[64];
    int numOps;
    int[] results = new int[64];
    int numResults;
    /** The {@link DefMap#ref}s of the SSA blocks visited along one single-predecessor chain. */
    int[] chain = new int[64];
    int numChain;
    /** Parameters to re-examine after a trivial one was removed. */
    int[] work = new int[32];
    int numWork;

    /** The zero constant per type, made once per function on the first undefined read. */
    final int[] zeroOfType = new int[256];

    public FunctionBuilderContext() {
        Arrays.fill(zeroOfType, -1);
    }

    /** Forgets everything about the last function; keeps the capacity. */
    public void clear() {
        lists.clear();
        numVars = 0;
        numSsa = 0;
        defs.clear();
        numRecs = 0;
        firstAliasInst = Integer.MAX_VALUE;
        numOps = 0;
        numResults = 0;
        numChain = 0;
        numWork = 0;
        Arrays.fill(zeroOfType, -1);
    }

    // ---- small growable-array helpers, kept here so the builder's hot paths stay short

    int newVar(int type) {
        if (numVars == varType.length) {
            varType = Arrays.copyOf(varType, numVars * 2);
            varLastSsa = Arrays.copyOf(varLastSsa, numVars * 2);
            varLastValue = Arrays.copyOf(varLastValue, numVars * 2);
        }
        varType[numVars] = type;
        varLastSsa[numVars] = -1;
        return numVars++;
    }

    int newSsaBlock(int irBlock, int prev, int flags) {
        int s = numSsa++;
        if (s == ssaIrBlock.length) {
            int n = s * 2;
            ssaIrBlock = Arrays.copyOf(ssaIrBlock, n);
            ssaPrev = Arrays.copyOf(ssaPrev, n);
            ssaFlags = Arrays.copyOf(ssaFlags, n);
            ssaPreds = Arrays.copyOf(ssaPreds, n);
            ssaLastPredInst = Arrays.copyOf(ssaLastPredInst, n);
            ssaIncomplete = Arrays.copyOf(ssaIncomplete, n);
        }
        ssaIrBlock[s] = irBlock;
        ssaPrev[s] = prev;
        ssaFlags[s] = (byte) flags;
        ssaPreds[s] = ListPool.EMPTY;
        ssaLastPredInst[s] = -1;
        ssaIncomplete[s] = ListPool.EMPTY;
        return s;
    }

    /** Makes the header SSA block of IR block {@code b}. */
    int newHeader(int b) {
        int s = newSsaBlock(b, -1, 0);
        if (b >= headerOf.length) headerOf = Arrays.copyOf(headerOf, Math.max(b + 1, headerOf.length * 2));
        headerOf[b] = s;
        return s;
    }

    /** The header SSA block of IR block {@code b}, or -1 if the builder did not create {@code b}. */
    int header(int b) {
        if (b < 0 || b >= headerOf.length) return -1;
        int s = headerOf[b];
        return s >= 0 && s < numSsa && ssaIrBlock[s] == b && ssaPrev[s] < 0 ? s : -1;
    }

    int newRecord(int value, int firstInst) {
        int r = numRecs++;
        if (r == recValue.length) {
            int n = r * 2;
            recValue = Arrays.copyOf(recValue, n);
            recUsers = Arrays.copyOf(recUsers, n);
            recComplete = Arrays.copyOf(recComplete, n);
            recFirstInst = Arrays.copyOf(recFirstInst, n);
        }
        recValue[r] = value;
        recUsers[r] = ListPool.EMPTY;
        recComplete[r] = false;
        recFirstInst[r] = firstInst;
        if (value >= recOfValue.length) recOfValue = Arrays.copyOf(recOfValue, Math.max(value + 1, recOfValue.length * 2));
        recOfValue[value] = r;
        return r;
    }

    /** The record of a parameter the SSA construction added, or -1. */
    int recordOf(int value) {
        if (value < 0 || value >= recOfValue.length) return -1;
        int r = recOfValue[value];
        return r >= 0 && r < numRecs && recValue[r] == value ? r : -1;
    }

    void pushOp(int ssa, int param) {
        if (numOps == opBlock.length) {
            opBlock = Arrays.copyOf(opBlock, numOps * 2);
            opParam = Arrays.copyOf(opParam, numOps * 2);
        }
        opBlock[numOps] = ssa;
        opParam[numOps] = param;
        numOps++;
    }

    void pushResult(int v) {
        if (numResults == results.length) results = Arrays.copyOf(results, numResults * 2);
        results[numResults++] = v;
    }

    void pushChain(int ref) {
        if (numChain == chain.length) chain = Arrays.copyOf(chain, numChain * 2);
        chain[numChain++] = ref;
    }

    void pushWork(int v) {
        if (numWork == work.length) work = Arrays.copyOf(work, numWork * 2);
        work[numWork++] = v;
    }
}
