package dev.twill.ir;

import dev.twill.entity.ListPool;
import java.util.Arrays;

/**
 * The data-flow graph: instructions, values, blocks and their parameters, jump tables. Where
 * instructions sit is the {@link Layout}'s business, not this class's.
 *
 * <p><b>Instructions</b> are records of {@link #STRIDE} ints in one {@code int[]} plus a {@code
 * long} immediate, so creating one allocates nothing once the arrays have grown. The fields a
 * record uses depend on its {@link InstructionFormat}: {@code A0..A2} fixed value arguments,
 * {@code X} an entity, condition code, flags or trap code, {@code L} a pooled value list (call
 * arguments, return values), {@code B0/B1} block calls. A block call is a pooled list whose
 * element 0 is the destination block and whose other elements are the arguments.
 *
 * <p><b>Results</b>: an instruction with one result stores its value in {@code RES}; one with
 * more stores a pooled list of values there. Results need not have consecutive numbers, so the
 * text format can keep whatever value numbers it read.
 *
 * <p><b>Values</b> are an instruction result, a block parameter or an alias of another value.
 * Aliases make "replace all uses of v with w" O(1): v becomes an alias, and readers resolve it
 * ({@link #resolveAliases}); {@link #resolveAllAliases} rewrites every operand at the end of a
 * pass. Values may also be {@link #DEF_NONE} placeholders, left by the parser for numbers that
 * a function does not use.
 *
 * <p>Invariant: every field that names an entity is a valid index of its table or -1.
 */
public final class DataFlowGraph {
    // ---- instruction record layout
    public static final int TYPE = 0, A0 = 1, A1 = 2, A2 = 3, X = 4, L = 5, B0 = 6, B1 = 7, RES = 8, NRES = 9;
    public static final int STRIDE = 10;

    // ---- value definition kinds
    public static final int DEF_RESULT = 0, DEF_PARAM = 1, DEF_ALIAS = 2, DEF_NONE = 3;

    /** Pool for value lists, block calls, block parameters, multiple results and jump tables. */
    public final ListPool pool = new ListPool();

    private int[] inst = new int[64 * STRIDE];
    private long[] imm = new long[64];
    /**
     * The opcode ordinal of each instruction (not repeated in its record). Walks that only
     * ask what an instruction is (block shape, CFG edges, the legalizer looking for sandbox
     * instructions) then stream one byte per instruction instead of the 40-byte records.
     */
    private byte[] opcodes = new byte[64];
    private int numInsts;

    /**
     * Value records of {@link #VSTRIDE} ints: type, kind, the defining instruction, block or
     * alias target, and the result or parameter index. One record per value (rather than one
     * array per field) keeps a value in one cache line, for the builder that writes all four
     * fields and the verifier that reads them together.
     */
    private static final int VSTRIDE = 4, VTYPE = 0, VKIND = 1, VDEF = 2, VNUM = 3;
    private int[] values = new int[128 * VSTRIDE];
    private int numValues;
    /** Whether some value was given type i128 since {@link #clear} (it may have been retyped since). */
    private boolean typedI128;
    /**
     * Whether some value was made an alias or a placeholder ({@link #DEF_NONE}) since {@link
     * #clear}. While false every value resolves to itself, so the verifier skips its alias pass
     * and its per-value resolution table (a pass over all value records, which at 100,000
     * instructions no longer fit the cache).
     */
    private boolean mayHaveAliases;

    private int[] blockParams = new int[32];
    private int numBlocks;

    /** Each jump table is a pooled list of block calls: the default destination, then the entries. */
    private int[] jumpTables = new int[4];
    private int numJumpTables;

    private static final Opcode[] OPCODES = Opcode.values();

    /**
     * By opcode byte: the number of fixed value arguments, or -1 when they live in the value
     * list; and the number of block calls, or -1 for a jump table. Argument access is the
     * innermost loop of every pass, so it reads one byte here instead of chasing the opcode's
     * format object.
     */
    private static final byte[] FIXED_ARGS = new byte[256], BLOCK_CALLS = new byte[256];

    static {
        // opcodes are stored as one unsigned byte each
        if (OPCODES.length > 256) throw new ExceptionInInitializerError("more than 256 opcodes");
        for (Opcode op : OPCODES) {
            InstructionFormat f = op.format;
            FIXED_ARGS[op.ordinal()] = (byte) (f.hasValueList() ? -1 : f.fixedArgs);
            BLOCK_CALLS[op.ordinal()] = (byte) switch (f) {
                case JUMP, BRANCH, BRANCH_ICMP -> 1;
                case BRIF -> 2;
                case BRANCH_TABLE -> -1;
                default -> 0;
            };
        }
    }

    /** Forgets everything but keeps capacity, for reuse across compilations. */
    public void clear() {
        pool.clear();
        numInsts = 0;
        numValues = 0;
        typedI128 = false;
        mayHaveAliases = false;
        numBlocks = 0;
        numJumpTables = 0;
    }

    // =====================================================================================
    // Instructions

    public int numInsts() {
        return numInsts;
    }

    /** Creates an instruction of {@code op} with controlling type {@code type}, no operands and no results. */
    public int makeInst(Opcode op, int type) {
        int i = numInsts++;
        if (numInsts > imm.length) {
            imm = Arrays.copyOf(imm, imm.length * 2);
            inst = Arrays.copyOf(inst, imm.length * STRIDE);
            opcodes = Arrays.copyOf(opcodes, imm.length);
        }
        opcodes[i] = (byte) op.ordinal();
        int b = i * STRIDE;
        inst[b + TYPE] = type;
        inst[b + A0] = -1;
        inst[b + A1] = -1;
        inst[b + A2] = -1;
        inst[b + X] = -1;
        inst[b + L] = ListPool.EMPTY;
        inst[b + B0] = ListPool.EMPTY;
        inst[b + B1] = ListPool.EMPTY;
        inst[b + RES] = -1;
        inst[b + NRES] = 0;
        imm[i] = 0;
        return i;
    }

    /**
     * Turns {@code i} into an instruction of {@code op} in place, keeping its results and its
     * place in the layout (the legalizer's "replace"). Operands are reset.
     */
    public void replaceInst(int i, Opcode op, int type) {
        int b = i * STRIDE;
        pool.free(inst[b + L]);
        pool.free(inst[b + B0]);
        pool.free(inst[b + B1]);
        opcodes[i] = (byte) op.ordinal();
        inst[b + TYPE] = type;
        inst[b + A0] = -1;
        inst[b + A1] = -1;
        inst[b + A2] = -1;
        inst[b + X] = -1;
        inst[b + L] = ListPool.EMPTY;
        inst[b + B0] = ListPool.EMPTY;
        inst[b + B1] = ListPool.EMPTY;
        imm[i] = 0;
    }

    public Opcode opcode(int i) {
        return OPCODES[opcodes[i] & 0xFF];
    }

    public int ctrlType(int i) {
        return inst[i * STRIDE + TYPE];
    }

    public void setCtrlType(int i, int type) {
        inst[i * STRIDE + TYPE] = type;
    }

    /** Reads a raw field of the record (one of {@link #A0} .. {@link #NRES}). */
    public int field(int i, int field) {
        return inst[i * STRIDE + field];
    }

    public void setField(int i, int field, int value) {
        inst[i * STRIDE + field] = value;
    }

    public long imm(int i) {
        return imm[i];
    }

    public void setImm(int i, long value) {
        imm[i] = value;
    }

    /** The X field: entity, condition code, flags or trap code, depending on the format. */
    public int aux(int i) {
        return inst[i * STRIDE + X];
    }

    public void setAux(int i, int value) {
        inst[i * STRIDE + X] = value;
    }

    /** The value list L (call arguments with the callee first for call_indirect, return values). */
    public int valueList(int i) {
        return inst[i * STRIDE + L];
    }

    public void setValueList(int i, int list) {
        inst[i * STRIDE + L] = list;
    }

    /** The number of value arguments, not counting block-call arguments. */
    public int numArgs(int i) {
        int n = FIXED_ARGS[opcodes[i] & 0xFF];
        return n >= 0 ? n : pool.size(inst[i * STRIDE + L]);
    }

    /** Value argument {@code n} (not resolved through aliases). */
    public int arg(int i, int n) {
        int b = i * STRIDE;
        if (FIXED_ARGS[opcodes[i] & 0xFF] < 0) return pool.get(inst[b + L], n);
        assert n < 3;
        return inst[b + A0 + n];
    }

    public void setArg(int i, int n, int v) {
        int b = i * STRIDE;
        if (FIXED_ARGS[opcodes[i] & 0xFF] < 0) pool.set(inst[b + L], n, v);
        else inst[b + A0 + n] = v;
    }

    // ---- block calls and branch destinations

    /** Makes a block call to {@code block} with {@code args[0..n)}. */
    public int makeBlockCall(int block, int[] args, int n) {
        int h = pool.alloc(n + 1);
        pool.set(h, 0, block);
        for (int k = 0; k < n; k++) pool.set(h, k + 1, args[k]);
        return h;
    }

    public int blockCallBlock(int call) {
        return pool.get(call, 0);
    }

    public void setBlockCallBlock(int call, int block) {
        pool.set(call, 0, block);
    }

    public int blockCallNumArgs(int call) {
        return pool.size(call) - 1;
    }

    public int blockCallArg(int call, int n) {
        return pool.get(call, n + 1);
    }

    public void setBlockCallArg(int call, int n, int v) {
        pool.set(call, n + 1, v);
    }

    /** Appends an argument; returns the new handle, which the owner must store. */
    public int blockCallPushArg(int call, int v) {
        return pool.push(call, v);
    }

    /** Removes argument {@code n}; returns the new handle, which the owner must store. */
    public int blockCallRemoveArg(int call, int n) {
        return pool.remove(call, n + 1);
    }

    /**
     * The number of block calls an instruction holds: 1 for {@code jump brz brnz br_icmp}, 2 for
     * {@code brif}, 1 + entries for {@code br_table}, 0 otherwise.
     */
    public int numBlockCalls(int i) {
        int n = BLOCK_CALLS[opcodes[i] & 0xFF];
        return n >= 0 ? n : pool.size(jumpTables[inst[i * STRIDE + X]]);
    }

    /** Block call {@code n} of a branch (see {@link #numBlockCalls}). */
    public int blockCall(int i, int n) {
        int b = i * STRIDE;
        if (BLOCK_CALLS[opcodes[i] & 0xFF] < 0) return pool.get(jumpTables[inst[b + X]], n);
        return inst[b + B0 + n];
    }

    /** Replaces block call {@code n} of a branch with the handle {@code call}. */
    public void setBlockCall(int i, int n, int call) {
        int b = i * STRIDE;
        if (BLOCK_CALLS[opcodes[i] & 0xFF] < 0) pool.set(jumpTables[inst[b + X]], n, call);
        else inst[b + B0 + n] = call;
    }

    // ---- jump tables

    /** Makes a jump table from block calls: {@code calls[0]} is the default destination. */
    public int makeJumpTable(int[] calls, int n) {
        if (numJumpTables == jumpTables.length) jumpTables = Arrays.copyOf(jumpTables, numJumpTables * 2);
        jumpTables[numJumpTables] = pool.of(calls, 0, n);
        return numJumpTables++;
    }

    public int numJumpTables() {
        return numJumpTables;
    }

    /** The pooled list of block calls of jump table {@code jt}: the default first, then entries. */
    public int jumpTable(int jt) {
        return jumpTables[jt];
    }

    // ---- results

    public int numResults(int i) {
        return inst[i * STRIDE + NRES];
    }

    public int firstResult(int i) {
        return result(i, 0);
    }

    public int result(int i, int n) {
        int b = i * STRIDE;
        assert n < inst[b + NRES] : "result " + n + " of inst" + i;
        return inst[b + NRES] == 1 ? inst[b + RES] : pool.get(inst[b + RES], n);
    }

    /** Appends a new result value of {@code type} to {@code i}; returns the value. */
    public int appendResult(int i, int type) {
        int b = i * STRIDE;
        int n = inst[b + NRES];
        int v = makeValue(type, DEF_RESULT, i, n);
        if (n == 0) {
            // the common first result: what attachResult would do, without rewriting the value
            inst[b + RES] = v;
            inst[b + NRES] = 1;
        } else {
            attachResult(i, v);
        }
        return v;
    }

    /** Appends the existing value {@code v} as the next result of {@code i} and redefines it. */
    public void attachResult(int i, int v) {
        int b = i * STRIDE;
        int n = inst[b + NRES];
        values[v * VSTRIDE + VKIND] = DEF_RESULT;
        values[v * VSTRIDE + VDEF] = i;
        values[v * VSTRIDE + VNUM] = n;
        if (n == 0) {
            inst[b + RES] = v;
        } else if (n == 1) {
            int h = pool.of(inst[b + RES]);
            inst[b + RES] = pool.push(h, v);
        } else {
            inst[b + RES] = pool.push(inst[b + RES], v);
        }
        inst[b + NRES] = n + 1;
    }

    /** Drops every result of {@code i} (the values stay, now without a definition). */
    public void detachResults(int i) {
        int b = i * STRIDE;
        if (inst[b + NRES] > 1) pool.free(inst[b + RES]);
        inst[b + RES] = -1;
        inst[b + NRES] = 0;
    }

    // =====================================================================================
    // Values

    public int numValues() {
        return numValues;
    }

    private int makeValue(int type, int kind, int def, int num) {
        int v = numValues++;
        if (v * VSTRIDE == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        int r = v * VSTRIDE;
        values[r + VTYPE] = type;
        if (type == Type.I128) typedI128 = true;
        values[r + VKIND] = kind;
        values[r + VDEF] = def;
        values[r + VNUM] = num;
        return v;
    }

    /** Makes placeholder values until {@code v} exists (the parser keeps the numbers it reads). */
    public void ensureValue(int v) {
        if (numValues <= v) mayHaveAliases = true;
        while (numValues <= v) makeValue(Type.INVALID, DEF_NONE, -1, 0);
    }

    /** True if {@code v} is a value number with a definition (result, parameter or alias). */
    public boolean isValidValue(int v) {
        return v >= 0 && v < numValues && values[v * VSTRIDE + VKIND] != DEF_NONE;
    }

    public int valueType(int v) {
        return values[v * VSTRIDE + VTYPE];
    }

    public void setValueType(int v, int type) {
        values[v * VSTRIDE + VTYPE] = type;
        if (type == Type.I128) typedI128 = true;
    }

    /**
     * False if no value has type i128 (a constant-time answer for passes that only matter then);
     * true if some value may have it.
     */
    public boolean mayHaveI128() {
        return typedI128;
    }

    /**
     * False if no value is an alias or a placeholder, so every value resolves to itself (a
     * constant-time answer); true if some value may be one.
     */
    public boolean mayHaveAliases() {
        return mayHaveAliases;
    }

    /** {@link #DEF_RESULT}, {@link #DEF_PARAM}, {@link #DEF_ALIAS} or {@link #DEF_NONE}. */
    public int valueKind(int v) {
        return values[v * VSTRIDE + VKIND];
    }

    /** The defining instruction of a result, the block of a parameter, the target of an alias. */
    public int valueDef(int v) {
        return values[v * VSTRIDE + VDEF];
    }

    /** The result index or parameter index. */
    public int valueNum(int v) {
        return values[v * VSTRIDE + VNUM];
    }

    /** Follows aliases to the value that is really defined. */
    public int resolveAliases(int v) {
        int n = 0;
        while (values[v * VSTRIDE + VKIND] == DEF_ALIAS) {
            v = values[v * VSTRIDE + VDEF];
            if (++n > numValues) throw new IllegalStateException("alias cycle at v" + v);
        }
        return v;
    }

    /** Makes {@code v} an alias of {@code target}, so that every use of v reads target. */
    public void changeToAlias(int v, int target) {
        int t = resolveAliases(target);
        if (t == v) throw new IllegalArgumentException("alias of v" + v + " to itself");
        mayHaveAliases = true;
        values[v * VSTRIDE + VKIND] = DEF_ALIAS;
        values[v * VSTRIDE + VDEF] = t;
        values[v * VSTRIDE + VTYPE] = values[t * VSTRIDE + VTYPE];
    }

    /**
     * Makes the placeholder {@code v} an alias of {@code target} (the parser's {@code v5 -> v3}),
     * keeping its own type for the verifier to check.
     */
    public void defineAlias(int v, int target) {
        ensureValue(Math.max(v, target));
        mayHaveAliases = true;
        values[v * VSTRIDE + VKIND] = DEF_ALIAS;
        values[v * VSTRIDE + VDEF] = target;
    }

    /** Rewrites every operand of instruction {@code i}, block-call arguments included, to resolved values. */
    public void resolveAliasesIn(int i) {
        int na = numArgs(i);
        for (int k = 0; k < na; k++) {
            int a = arg(i, k);
            if (a >= 0 && values[a * VSTRIDE + VKIND] == DEF_ALIAS) setArg(i, k, resolveAliases(a));
        }
        int nc = numBlockCalls(i);
        for (int c = 0; c < nc; c++) {
            int call = blockCall(i, c);
            int n = blockCallNumArgs(call);
            for (int k = 0; k < n; k++) {
                int a = blockCallArg(call, k);
                if (values[a * VSTRIDE + VKIND] == DEF_ALIAS) setBlockCallArg(call, k, resolveAliases(a));
            }
        }
    }

    // =====================================================================================
    // Blocks

    public int numBlocks() {
        return numBlocks;
    }

    public int makeBlock() {
        if (numBlocks == blockParams.length) blockParams = Arrays.copyOf(blockParams, numBlocks * 2);
        blockParams[numBlocks] = ListPool.EMPTY;
        return numBlocks++;
    }

    /** Makes blocks until {@code b} exists (the parser keeps the numbers it reads). */
    public void ensureBlock(int b) {
        while (numBlocks <= b) makeBlock();
    }

    public int numBlockParams(int b) {
        return pool.size(blockParams[b]);
    }

    public int blockParam(int b, int n) {
        return pool.get(blockParams[b], n);
    }

    public int appendBlockParam(int b, int type) {
        int v = makeValue(type, DEF_PARAM, b, numBlockParams(b));
        blockParams[b] = pool.push(blockParams[b], v);
        return v;
    }

    /** Appends the existing value {@code v} as the next parameter of {@code b} and redefines it. */
    public void attachBlockParam(int b, int v, int type) {
        values[v * VSTRIDE + VTYPE] = type;
        if (type == Type.I128) typedI128 = true;
        values[v * VSTRIDE + VKIND] = DEF_PARAM;
        values[v * VSTRIDE + VDEF] = b;
        values[v * VSTRIDE + VNUM] = numBlockParams(b);
        blockParams[b] = pool.push(blockParams[b], v);
    }

    /**
     * Removes parameter {@code n} of {@code b}; later parameters shift down. Branches to {@code b}
     * must drop the matching argument themselves.
     */
    public void removeBlockParam(int b, int n) {
        int v = blockParam(b, n);
        blockParams[b] = pool.remove(blockParams[b], n);
        int count = numBlockParams(b);
        for (int k = n; k < count; k++) values[blockParam(b, k) * VSTRIDE + VNUM] = k;
        // a parameter replaced by an alias first (SSA construction) stays an alias
        if (values[v * VSTRIDE + VKIND] == DEF_PARAM && values[v * VSTRIDE + VDEF] == b) {
            values[v * VSTRIDE + VKIND] = DEF_NONE;
            mayHaveAliases = true;
        }
    }
}
