package dev.twill.fuzz;

import dev.twill.entity.IntVec;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random, valid, terminating IR modules from a seed, for differential testing.
 *
 * <p>What it covers: every scalar type; integer, bitwise, shift, float and conversion opcodes
 * with edge-case constants; Cranelift's bit and overflow-flag operations; icmp/fcmp/select; stack slots, memory-level loads and stores
 * through {@code stack_addr}; sandbox-level heap accesses of every width on a dynamic heap with
 * an i32 index and a static heap with an i64 index; {@code global_value}; direct and indirect
 * calls with several results; mid-block {@code brz brnz br_icmp}, {@code brif}, {@code jump},
 * {@code br_table}, {@code trapz trapnz trap}; block parameters; counted self-loops; and many
 * live values at once (register pressure).
 *
 * <p>Why every program is valid and terminates:
 * <ul>
 *   <li>Dominance: a block uses only its own parameters, values defined earlier in itself, and
 *       the entry block's values defined before its first branch (which dominate every block).
 *   <li>Branches go to later blocks, except a loop block's back edge to itself, whose counter
 *       parameter only ever receives a small constant on entry and is decremented on the back
 *       edge; functions call only functions after them in the module.
 *   <li>Memory: stack slots are zeroed at entry so no load reads uninitialised memory (native
 *       code would read garbage where the interpreter reads zeros).
 * </ul>
 */
public final class RandomFunctionGenerator {
    private static final int[] TYPES = {Type.I8, Type.I16, Type.I32, Type.I64, Type.F32, Type.F64};
    private static final int[] INTS = {Type.I8, Type.I16, Type.I32, Type.I64};
    private static final int SLOT_SIZE = 32;

    private static final Opcode[] INT_BINARY = {
        Opcode.IADD, Opcode.ISUB, Opcode.IMUL, Opcode.UMULHI, Opcode.SMULHI, Opcode.UDIV, Opcode.SDIV,
        Opcode.UREM, Opcode.SREM, Opcode.SMIN, Opcode.SMAX, Opcode.UMIN, Opcode.UMAX, Opcode.BAND,
        Opcode.BOR, Opcode.BXOR, Opcode.BAND_NOT, Opcode.BOR_NOT, Opcode.BXOR_NOT,
    };
    private static final Opcode[] SHIFTS = {Opcode.ISHL, Opcode.USHR, Opcode.SSHR, Opcode.ROTL, Opcode.ROTR};
    private static final Opcode[] INT_IMM = {
        Opcode.IADD_IMM, Opcode.IMUL_IMM, Opcode.UDIV_IMM, Opcode.SDIV_IMM, Opcode.UREM_IMM, Opcode.SREM_IMM,
        Opcode.IRSUB_IMM, Opcode.BAND_IMM, Opcode.BOR_IMM, Opcode.BXOR_IMM, Opcode.ISHL_IMM, Opcode.USHR_IMM,
        Opcode.SSHR_IMM, Opcode.ROTL_IMM, Opcode.ROTR_IMM,
    };
    private static final Opcode[] INT_UNARY = {
        Opcode.INEG, Opcode.IABS, Opcode.BNOT, Opcode.CLZ, Opcode.CTZ, Opcode.POPCNT, Opcode.BSWAP,
    };
    private static final Opcode[] FLOAT_BINARY = {
        Opcode.FADD, Opcode.FSUB, Opcode.FMUL, Opcode.FDIV, Opcode.FMIN, Opcode.FMAX, Opcode.FCOPYSIGN,
    };
    private static final Opcode[] FLOAT_UNARY = {
        Opcode.SQRT, Opcode.FNEG, Opcode.FABS, Opcode.CEIL, Opcode.FLOOR, Opcode.TRUNC, Opcode.NEAREST,
    };
    private static final Opcode[] HEAP_LOADS = {
        Opcode.HEAP_LOAD, Opcode.HEAP_ULOAD8, Opcode.HEAP_SLOAD8, Opcode.HEAP_ULOAD16, Opcode.HEAP_SLOAD16,
        Opcode.HEAP_ULOAD32, Opcode.HEAP_SLOAD32,
    };
    private static final Opcode[] HEAP_STORES = {
        Opcode.HEAP_STORE, Opcode.HEAP_ISTORE8, Opcode.HEAP_ISTORE16, Opcode.HEAP_ISTORE32,
    };
    private static final Opcode[] LOADS = {
        Opcode.LOAD, Opcode.ULOAD8, Opcode.SLOAD8, Opcode.ULOAD16, Opcode.SLOAD16, Opcode.ULOAD32, Opcode.SLOAD32,
    };
    private static final Opcode[] STORES = {Opcode.STORE, Opcode.ISTORE8, Opcode.ISTORE16, Opcode.ISTORE32};

    /** Knobs; the defaults make small-to-medium functions. */
    public static final class Options {
        public int maxFunctions = 3;
        public int maxBlocks = 8;
        public int maxInstsPerBlock = 24;
        public int maxParams = 5;
        public int maxReturns = 3;
        /** Emit sandbox-level heap accesses and a vmctx parameter. */
        public boolean heaps = true;
        /** Emit calls between functions. */
        public boolean calls = true;
        /**
         * Fold every value available at a return into the first integer result (and into the
         * heap), so that no computation is dead code a back end may drop unobserved.
         */
        public boolean digest = true;
        /**
         * Emit i128 computations: operands joined from i64s ({@code iconcat}) or extended, every
         * integer operation at i128, results split back to i64 halves ({@code isplit}) or
         * compared; off by default, so the other options' programs stay as they were.
         */
        public boolean i128 = false;
    }

    private final SplittableRandom rnd;
    private final Options opt;
    private final long seed;

    // per-function state
    private Function f;
    private InstBuilder b;
    private int vmctx = -1;
    private int dynHeap = -1, staticHeap = -1, heapBaseGv = -1, heapBoundGv = -1;
    private int slot = -1;
    private int[] blocks;
    private boolean[] isLoop;
    private int fnIndex;
    private List<Signature> sigs;
    private List<String> names;
    /** Available values per type index (position in {@link #TYPES}), for the current point. */
    private final IntVec[] avail = new IntVec[TYPES.length];
    /** The entry block's values defined before its first branch. */
    private final IntVec[] entryAvail = new IntVec[TYPES.length];

    public RandomFunctionGenerator(long seed, Options options) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.opt = options;
        for (int k = 0; k < TYPES.length; k++) {
            avail[k] = new IntVec();
            entryAvail[k] = new IntVec();
        }
    }

    public RandomFunctionGenerator(long seed) {
        this(seed, new Options());
    }

    /** Generates a module; the same seed and options always give the same module. */
    public GeneratedModule generate() {
        boolean useVmctx = opt.heaps && rnd.nextInt(4) != 0;
        int n = 1 + (opt.calls ? rnd.nextInt(opt.maxFunctions) : 0);
        sigs = new ArrayList<>();
        names = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            sigs.add(randomSignature(useVmctx));
            names.add("%f" + k);
        }
        List<Function> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            fnIndex = k;
            out.add(function(names.get(k), sigs.get(k), useVmctx, n));
        }
        return new GeneratedModule(out, useVmctx, seed);
    }

    private Signature randomSignature(boolean useVmctx) {
        int np = rnd.nextInt(opt.maxParams + 1);
        int nr = rnd.nextInt(opt.maxReturns + 1);
        int extra = useVmctx ? 1 : 0;
        int[] params = new int[np + extra];
        int[] purposes = new int[np + extra];
        if (useVmctx) {
            params[0] = Type.I64;
            purposes[0] = Signature.PURPOSE_VMCTX;
        }
        for (int k = 0; k < np; k++) params[k + extra] = randomType();
        int[] rets = new int[nr];
        for (int k = 0; k < nr; k++) rets[k] = randomType();
        return new Signature(params, purposes, new int[params.length], rets, new int[nr], new int[nr], null);
    }

    private int randomType() {
        return TYPES[rnd.nextInt(TYPES.length)];
    }

    private int randomInt() {
        return INTS[rnd.nextInt(INTS.length)];
    }

    private static int typeIndex(int t) {
        for (int k = 0; k < TYPES.length; k++) if (TYPES[k] == t) return k;
        throw new IllegalArgumentException(Type.name(t));
    }

    // =====================================================================================

    private Function function(String name, Signature sig, boolean useVmctx, int numFunctions) {
        f = new Function(name, sig);
        b = new InstBuilder(f);
        vmctx = -1;
        dynHeap = staticHeap = -1;
        int nb = 1 + rnd.nextInt(opt.maxBlocks);
        blocks = new int[nb];
        isLoop = new boolean[nb];
        for (int k = 0; k < nb; k++) {
            blocks[k] = f.makeBlock();
            f.layout.appendBlock(blocks[k]);
        }
        int entry = blocks[0];
        for (int t : sig.params) f.dfg.appendBlockParam(entry, t);
        if (useVmctx) {
            vmctx = f.dfg.blockParam(entry, 0);
            int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
            heapBaseGv = f.addGlobalValue(GlobalValueData.load(gv0, 0, Type.I64, MemFlags.NOTRAP | MemFlags.ALIGNED));
            int boundGv = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, MemFlags.NOTRAP | MemFlags.ALIGNED));
            heapBoundGv = boundGv;
            dynHeap = f.addHeap(new HeapData(heapBaseGv, 0, HeapData.Style.DYNAMIC, 0, boundGv, 0, Type.I32));
            staticHeap = f.addHeap(new HeapData(heapBaseGv, GeneratedModule.HEAP_SIZE, HeapData.Style.STATIC,
                    GeneratedModule.HEAP_SIZE, -1, 0, Type.I64));
        }
        for (int k = 1; k < nb; k++) {
            isLoop[k] = rnd.nextInt(5) == 0;
            if (isLoop[k]) f.dfg.appendBlockParam(blocks[k], Type.I32); // the loop counter
            int np = rnd.nextInt(4);
            for (int p = 0; p < np; p++) f.dfg.appendBlockParam(blocks[k], randomType());
        }

        // entry: a branch-free prefix whose values dominate every block
        startBlock(0, true);
        slot = f.addStackSlot(new dev.twill.ir.StackSlotData(SLOT_SIZE, 8));
        int zero = b.iconst(Type.I64, 0);
        for (int off = 0; off < SLOT_SIZE; off += 8) b.stackStore(zero, slot, off);
        int prefix = 1 + rnd.nextInt(opt.maxInstsPerBlock);
        for (int k = 0; k < prefix; k++) randomInst(numFunctions);
        for (int t = 0; t < TYPES.length; t++) {
            entryAvail[t].clear();
            for (int k = 0; k < avail[t].size(); k++) entryAvail[t].add(avail[t].get(k));
        }
        blockBody(0, numFunctions, rnd.nextInt(opt.maxInstsPerBlock / 2 + 1));
        for (int k = 1; k < nb; k++) {
            startBlock(k, false);
            blockBody(k, numFunctions, 1 + rnd.nextInt(opt.maxInstsPerBlock));
        }
        return f;
    }

    private void startBlock(int k, boolean entry) {
        b.atEnd(blocks[k]);
        for (int t = 0; t < TYPES.length; t++) {
            avail[t].clear();
            if (!entry) for (int j = 0; j < entryAvail[t].size(); j++) avail[t].add(entryAvail[t].get(j));
        }
        int blk = blocks[k];
        int np = f.dfg.numBlockParams(blk);
        for (int p = 0; p < np; p++) {
            int v = f.dfg.blockParam(blk, p);
            if (v == vmctx) continue; // keep the vmctx pointer out of arithmetic
            avail[typeIndex(f.dfg.valueType(v))].add(v);
        }
    }

    private void blockBody(int k, int numFunctions, int count) {
        boolean hasLater = k + 1 < blocks.length;
        for (int i = 0; i < count; i++) {
            if (hasLater && rnd.nextInt(10) == 0) midBlockBranch(k);
            else randomInst(numFunctions);
        }
        terminator(k);
    }

    private void define(int v) {
        avail[typeIndex(f.dfg.valueType(v))].add(v);
    }

    /** An available value of type {@code t}, or a new constant. */
    private int pick(int t) {
        IntVec a = avail[typeIndex(t)];
        if (a.size() > 0 && rnd.nextInt(8) != 0) return a.get(rnd.nextInt(a.size()));
        int v = constant(t);
        define(v);
        return v;
    }

    private int constant(int t) {
        switch (t) {
            case Type.F32: return b.f32constBits(randomF32Bits());
            case Type.F64: return b.f64constBits(randomF64Bits());
            default: return b.iconst(t, randomIntBits(t));
        }
    }

    private long randomIntBits(int t) {
        int bits = Type.bits(t);
        switch (rnd.nextInt(8)) {
            case 0: return 0;
            case 1: return 1;
            case 2: return -1;
            case 3: return 1L << (bits - 1); // MIN
            case 4: return (1L << (bits - 1)) - 1; // MAX
            case 5: return rnd.nextInt(17) - 8;
            default: return rnd.nextLong();
        }
    }

    private int randomF32Bits() {
        switch (rnd.nextInt(10)) {
            case 0: return 0;
            case 1: return 0x8000_0000; // -0.0
            case 2: return 0x7fc0_0000; // NaN
            case 3: return 0x7f80_0000; // +Inf
            case 4: return 0xff80_0000; // -Inf
            case 5: return Float.floatToRawIntBits((float) (rnd.nextInt(2001) - 1000) / 4);
            case 6: return Float.floatToRawIntBits(2147483648.0f * (rnd.nextBoolean() ? 1 : -1));
            case 7: return 1; // smallest subnormal
            default: return Float.floatToRawIntBits((float) (rnd.nextDouble() * 1e6 - 5e5));
        }
    }

    private long randomF64Bits() {
        switch (rnd.nextInt(10)) {
            case 0: return 0;
            case 1: return 0x8000_0000_0000_0000L;
            case 2: return 0x7ff8_0000_0000_0000L;
            case 3: return Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
            case 4: return Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
            case 5: return Double.doubleToRawLongBits((rnd.nextInt(2001) - 1000) / 4.0);
            case 6: return Double.doubleToRawLongBits(9.223372036854775807E18 * (rnd.nextBoolean() ? 1 : -1));
            case 7: return Double.doubleToRawLongBits(2147483647.5);
            default: return Double.doubleToRawLongBits(rnd.nextDouble() * 1e12 - 5e11);
        }
    }

    /** A non-zero divisor most of the time, so that division is exercised beyond its trap. */
    private int divisor(int t) {
        int d = pick(t);
        if (rnd.nextInt(6) == 0) return d;
        int v = b.binaryImm(Opcode.BOR_IMM, d, 1);
        define(v);
        return v;
    }

    private void randomInst(int numFunctions) {
        if (opt.i128 && rnd.nextInt(6) == 0) {
            wideOp();
            return;
        }
        int choice = rnd.nextInt(100);
        if (choice < 19) intBinary();
        else if (choice < 22) bitOrOverflowOp();
        else if (choice < 30) intImm();
        else if (choice < 36) intUnary();
        else if (choice < 42) compare();
        else if (choice < 46) {
            int t = randomType();
            int c = condition();
            define(b.select(c, pick(t), pick(t)));
        } else if (choice < 56) conversion();
        else if (choice < 66) floatOp();
        else if (choice < 72) stackAccess();
        else if (choice < 82) {
            if (vmctx >= 0) heapAccess();
            else intBinary();
        } else if (choice < 88) {
            if (opt.calls && fnIndex + 1 < numFunctions) call(numFunctions);
            else floatOp();
        } else if (choice < 90) condTrap();
        else define(constant(randomType()));
    }

    private static final Opcode[] WIDE_BINARY = {
        Opcode.IADD, Opcode.ISUB, Opcode.IMUL, Opcode.UDIV, Opcode.SDIV, Opcode.UREM, Opcode.SREM, Opcode.SMIN,
        Opcode.SMAX, Opcode.UMIN, Opcode.UMAX, Opcode.BAND, Opcode.BOR, Opcode.BXOR, Opcode.BAND_NOT, Opcode.BOR_NOT,
        Opcode.BXOR_NOT, Opcode.ISHL, Opcode.USHR, Opcode.SSHR, Opcode.ROTL, Opcode.ROTR,
    };
    private static final Opcode[] WIDE_UNARY = {
        Opcode.INEG, Opcode.IABS, Opcode.BNOT, Opcode.CLZ, Opcode.CTZ, Opcode.POPCNT, Opcode.BSWAP, Opcode.BITREV, Opcode.CLS,
    };
    private static final Opcode[] WIDE_FLAGS = {Opcode.UADD_OVERFLOW, Opcode.SADD_OVERFLOW, Opcode.USUB_OVERFLOW, Opcode.SSUB_OVERFLOW};

    /** An i128 from available values: two i64 halves joined, or an integer extended. */
    private int wideValue() {
        switch (rnd.nextInt(4)) {
            case 0: return b.convert(Opcode.UEXTEND, Type.I128, pick(randomInt()));
            case 1: return b.convert(Opcode.SEXTEND, Type.I128, pick(randomInt()));
            default: {
                int lo = pick(Type.I64), hi = pick(Type.I64);
                int i = b.insert(Opcode.ICONCAT, Type.I64);
                f.dfg.setField(i, DataFlowGraph.A0, lo);
                f.dfg.setField(i, DataFlowGraph.A1, hi);
                return f.dfg.appendResult(i, Type.I128);
            }
        }
    }

    /** One i128 operation on fresh operands; its result goes back to the i64 (or i8) pool. */
    private void wideOp() {
        DataFlowGraph dfg = f.dfg;
        int x = wideValue();
        int r;
        switch (rnd.nextInt(7)) {
            case 0, 1, 2 -> {
                Opcode op = WIDE_BINARY[rnd.nextInt(WIDE_BINARY.length)];
                int y;
                switch (op) {
                    case UDIV, SDIV, UREM, SREM -> y = rnd.nextInt(6) == 0 ? wideValue() : b.binaryImm(Opcode.BOR_IMM, wideValue(), 1);
                    case ISHL, USHR, SSHR, ROTL, ROTR -> y = rnd.nextBoolean() ? wideValue() : pick(randomInt());
                    default -> y = wideValue();
                }
                r = b.binary(op, x, y);
            }
            case 3 -> r = b.unary(WIDE_UNARY[rnd.nextInt(WIDE_UNARY.length)], Type.I128, x);
            case 4 -> {
                if (rnd.nextBoolean()) {
                    define(b.icmp(IntCC.of(rnd.nextInt(IntCC.values().length)), x, wideValue()));
                } else {
                    define(b.icmpImm(IntCC.of(rnd.nextInt(IntCC.values().length)), x, randomIntBits(Type.I64)));
                }
                return;
            }
            case 5 -> {
                int c = rnd.nextBoolean() ? condition() : wideValue();
                r = b.select(c, x, wideValue());
            }
            default -> {
                Opcode op = WIDE_FLAGS[rnd.nextInt(WIDE_FLAGS.length)];
                int y = wideValue();
                int i = b.insert(op, Type.I128);
                dfg.setField(i, DataFlowGraph.A0, x);
                dfg.setField(i, DataFlowGraph.A1, y);
                r = dfg.appendResult(i, Type.I128);
                define(dfg.appendResult(i, Type.I8));
            }
        }
        if (rnd.nextInt(4) == 0) {
            define(b.convert(Opcode.IREDUCE, randomInt() == Type.I64 ? Type.I64 : Type.I32, r));
            return;
        }
        int i = b.insert(Opcode.ISPLIT, Type.I128);
        dfg.setField(i, DataFlowGraph.A0, r);
        define(dfg.appendResult(i, Type.I64));
        define(dfg.appendResult(i, Type.I64));
    }

    private void intBinary() {
        int t = randomInt();
        if (rnd.nextInt(4) == 0) {
            Opcode op = SHIFTS[rnd.nextInt(SHIFTS.length)];
            define(b.binary(op, pick(t), pick(randomInt())));
            return;
        }
        Opcode op = INT_BINARY[rnd.nextInt(INT_BINARY.length)];
        int x = pick(t);
        int y;
        switch (op) {
            case UDIV: case SDIV: case UREM: case SREM: y = divisor(t); break;
            default: y = pick(t);
        }
        define(b.binary(op, x, y));
    }

    /**
     * Cranelift's bit and flag operations: {@code bitrev cls bmask bitselect
     * select_spectre_guard} and the {@code *_overflow} family, whose i8 flag is a second result.
     */
    private void bitOrOverflowOp() {
        int t = randomInt();
        switch (rnd.nextInt(6)) {
            case 0 -> define(b.unary(rnd.nextBoolean() ? Opcode.BITREV : Opcode.CLS, t, pick(t)));
            case 1 -> define(b.unary(Opcode.BMASK, t, pick(randomInt())));
            case 2 -> {
                int u = rnd.nextInt(3) == 0 ? TYPES[4 + rnd.nextInt(2)] : t;
                define(b.ternary(Opcode.BITSELECT, u, pick(u), pick(u), pick(u)));
            }
            case 3 -> {
                int u = randomType();
                define(b.ternary(Opcode.SELECT_SPECTRE_GUARD, u, condition(), pick(u), pick(u)));
            }
            default -> {
                Opcode[] binary = {Opcode.UADD_OVERFLOW, Opcode.SADD_OVERFLOW, Opcode.USUB_OVERFLOW, Opcode.SSUB_OVERFLOW,
                    Opcode.UMUL_OVERFLOW, Opcode.SMUL_OVERFLOW};
                Opcode[] carry = {Opcode.UADD_OVERFLOW_CIN, Opcode.SADD_OVERFLOW_CIN, Opcode.USUB_OVERFLOW_BIN,
                    Opcode.SSUB_OVERFLOW_BIN};
                boolean withCarry = rnd.nextInt(3) == 0;
                Opcode op = withCarry ? carry[rnd.nextInt(carry.length)] : binary[rnd.nextInt(binary.length)];
                // operands first: picking one may insert a constant, which must come before its use
                int x = pick(t), y = pick(t), c = withCarry ? pick(Type.I8) : -1;
                DataFlowGraph dfg = f.dfg;
                int i = b.insert(op, t);
                dfg.setField(i, DataFlowGraph.A0, x);
                dfg.setField(i, DataFlowGraph.A1, y);
                if (withCarry) dfg.setField(i, DataFlowGraph.A2, c);
                define(dfg.appendResult(i, t));
                define(dfg.appendResult(i, Type.I8));
            }
        }
    }

    private void intImm() {
        int t = randomInt();
        Opcode op = INT_IMM[rnd.nextInt(INT_IMM.length)];
        long imm = randomIntBits(Type.I64);
        switch (op) {
            case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM:
                if (rnd.nextInt(8) != 0 && (imm & Type.mask(t)) == 0) imm = 3;
                break;
            case ISHL_IMM: case USHR_IMM: case SSHR_IMM: case ROTL_IMM: case ROTR_IMM:
                if (rnd.nextBoolean()) imm = rnd.nextInt(70);
                break;
            default:
        }
        define(b.binaryImm(op, pick(t), imm));
    }

    private void intUnary() {
        Opcode op = INT_UNARY[rnd.nextInt(INT_UNARY.length)];
        int t = op == Opcode.BSWAP ? INTS[1 + rnd.nextInt(3)] : randomInt();
        define(b.unary(op, t, pick(t)));
    }

    private void compare() {
        if (rnd.nextInt(3) == 0) {
            int t = rnd.nextBoolean() ? Type.F32 : Type.F64;
            FloatCC cc = FloatCC.of(rnd.nextInt(FloatCC.values().length));
            define(b.fcmp(cc, pick(t), pick(t)));
            return;
        }
        int t = randomInt();
        IntCC cc = IntCC.of(rnd.nextInt(IntCC.values().length));
        if (rnd.nextInt(3) == 0) define(b.icmpImm(cc, pick(t), randomIntBits(Type.I64)));
        else define(b.icmp(cc, pick(t), pick(t)));
    }

    /**
     * A branch or select condition: half the time a fresh compare used only here (so back ends
     * fuse it into cmp + jcc / cmov, and each condition code meets each consumer, NaN operands
     * included), otherwise any available integer value.
     */
    private int condition() {
        switch (rnd.nextInt(6)) {
            case 0: {
                int t = rnd.nextBoolean() ? Type.F32 : Type.F64;
                return b.fcmp(FloatCC.of(rnd.nextInt(FloatCC.values().length)), pick(t), pick(t));
            }
            case 1: {
                int t = randomInt();
                return b.icmpImm(IntCC.of(rnd.nextInt(IntCC.values().length)), pick(t), randomIntBits(Type.I64));
            }
            case 2: {
                int t = randomInt();
                return b.icmp(IntCC.of(rnd.nextInt(IntCC.values().length)), pick(t), pick(t));
            }
            default:
                return pick(randomInt());
        }
    }

    private void conversion() {
        switch (rnd.nextInt(9)) {
            case 0: case 1: {
                int from = INTS[rnd.nextInt(3)];
                int to = INTS[indexOfInt(from) + 1 + rnd.nextInt(3 - indexOfInt(from))];
                define(b.convert(rnd.nextBoolean() ? Opcode.UEXTEND : Opcode.SEXTEND, to, pick(from)));
                break;
            }
            case 2: {
                int from = INTS[1 + rnd.nextInt(3)];
                int to = INTS[rnd.nextInt(indexOfInt(from))];
                define(b.convert(Opcode.IREDUCE, to, pick(from)));
                break;
            }
            case 3: {
                int t = TYPES[2 + rnd.nextInt(4)];
                int to = Type.isFloat(t) ? Type.asInt(t) : (t == Type.I32 ? Type.F32 : Type.F64);
                define(b.convert(Opcode.BITCAST, to, pick(t)));
                break;
            }
            case 4:
                if (rnd.nextBoolean()) define(b.convert(Opcode.FPROMOTE, Type.F64, pick(Type.F32)));
                else define(b.convert(Opcode.FDEMOTE, Type.F32, pick(Type.F64)));
                break;
            case 5: case 6: {
                int from = rnd.nextBoolean() ? Type.I32 : Type.I64;
                int to = rnd.nextBoolean() ? Type.F32 : Type.F64;
                define(b.convert(rnd.nextBoolean() ? Opcode.FCVT_FROM_SINT : Opcode.FCVT_FROM_UINT, to, pick(from)));
                break;
            }
            default: {
                int from = rnd.nextBoolean() ? Type.F32 : Type.F64;
                int to = rnd.nextBoolean() ? Type.I32 : Type.I64;
                Opcode[] ops = {Opcode.FCVT_TO_SINT, Opcode.FCVT_TO_UINT, Opcode.FCVT_TO_SINT_SAT, Opcode.FCVT_TO_UINT_SAT,
                    Opcode.FCVT_TO_SINT_SAT, Opcode.FCVT_TO_UINT_SAT};
                define(b.convert(ops[rnd.nextInt(ops.length)], to, pick(from)));
            }
        }
    }

    private static int indexOfInt(int t) {
        for (int k = 0; k < INTS.length; k++) if (INTS[k] == t) return k;
        throw new IllegalArgumentException();
    }

    private void floatOp() {
        int t = rnd.nextBoolean() ? Type.F32 : Type.F64;
        if (rnd.nextInt(3) == 0) {
            Opcode op = FLOAT_UNARY[rnd.nextInt(FLOAT_UNARY.length)];
            define(b.unary(op, t, pick(t)));
        } else {
            Opcode op = FLOAT_BINARY[rnd.nextInt(FLOAT_BINARY.length)];
            define(b.binary(op, pick(t), pick(t)));
        }
    }

    /** A narrow or full access type and opcode that fit, with an offset inside the slot. */
    private void stackAccess() {
        int t = randomType();
        int size = Type.bytes(t);
        boolean viaAddr = rnd.nextBoolean();
        boolean isStore = rnd.nextBoolean();
        if (!viaAddr) {
            long off = rnd.nextInt(SLOT_SIZE / size) * (long) size;
            if (isStore) b.stackStore(pick(t), slot, off);
            else define(b.stackLoad(t, slot, off));
            return;
        }
        int addr = b.stackAddr(Type.I64, slot, 0);
        Opcode op;
        int access;
        if (isStore) {
            op = Type.isInt(t) ? STORES[rnd.nextInt(STORES.length)] : Opcode.STORE;
            if (op.accessBytes(t) >= Type.bytes(t) && op != Opcode.STORE) op = Opcode.STORE;
            access = op.accessBytes(t);
            long off = rnd.nextInt(SLOT_SIZE / access) * (long) access;
            b.store(op, MemFlags.NONE, pick(t), addr, off);
        } else {
            op = Type.isInt(t) ? LOADS[rnd.nextInt(LOADS.length)] : Opcode.LOAD;
            if (op.accessBytes(t) >= Type.bytes(t) && op != Opcode.LOAD) op = Opcode.LOAD;
            access = op.accessBytes(t);
            long off = rnd.nextInt(SLOT_SIZE / access) * (long) access;
            define(b.load(op, t, MemFlags.NONE, addr, off));
        }
    }

    private void heapAccess() {
        boolean dynamic = rnd.nextBoolean();
        int heap = dynamic ? dynHeap : staticHeap;
        int indexType = dynamic ? Type.I32 : Type.I64;
        int index = pick(indexType);
        if (rnd.nextInt(16) != 0) {
            // mostly in bounds: mask the index into the heap's lower half, so that with the small
            // offsets below even the edge-case values (-1, MAX) stay inside (an out-of-bounds
            // access ends the run, and little code after it would ever execute)
            index = b.binaryImm(Opcode.BAND_IMM, index, GeneratedModule.HEAP_SIZE / 2 - 1 - rnd.nextInt(16));
            define(index);
        }
        long offset = rnd.nextInt(32) == 0 ? rnd.nextInt(GeneratedModule.HEAP_SIZE + 64) : rnd.nextInt(16);
        int t = randomType();
        if (rnd.nextBoolean()) {
            Opcode op = Type.isInt(t) ? HEAP_STORES[rnd.nextInt(HEAP_STORES.length)] : Opcode.HEAP_STORE;
            if (op != Opcode.HEAP_STORE && op.accessBytes(t) >= Type.bytes(t)) op = Opcode.HEAP_STORE;
            b.heapStore(op, heap, pick(t), index, offset);
        } else {
            Opcode op = Type.isInt(t) ? HEAP_LOADS[rnd.nextInt(HEAP_LOADS.length)] : Opcode.HEAP_LOAD;
            if (op != Opcode.HEAP_LOAD && op.accessBytes(t) >= Type.bytes(t)) op = Opcode.HEAP_LOAD;
            define(b.heapLoad(op, t, heap, index, offset));
        }
        // the bound, not the base: the base is an address, which differs between the interpreter's
        // memory and native memory, so results derived from it would not compare across engines
        if (rnd.nextInt(8) == 0) define(b.globalValue(Type.I64, heapBoundGv));
    }

    private void call(int numFunctions) {
        int callee = fnIndex + 1 + rnd.nextInt(numFunctions - fnIndex - 1);
        Signature sig = sigs.get(callee);
        int sigRef = f.addSignature(sig);
        int fn = f.addExtFunc(new ExtFuncData(names.get(callee), sigRef, true));
        int[] args = new int[sig.params.length];
        for (int k = 0; k < args.length; k++) {
            args[k] = sig.paramPurposes[k] == Signature.PURPOSE_VMCTX ? vmctx : pick(sig.params[k]);
        }
        int inst;
        if (rnd.nextInt(3) == 0) {
            int ptr = b.funcAddr(Type.I64, fn);
            inst = b.callIndirect(sigRef, ptr, args, args.length);
        } else {
            inst = b.call(fn, args, args.length);
        }
        for (int r = 0; r < f.dfg.numResults(inst); r++) define(f.dfg.result(inst, r));
    }

    private void condTrap() {
        // mostly on a compare that rarely holds, so execution usually goes on
        int t = randomInt();
        int c = b.icmpImm(IntCC.EQ, pick(t), 0x5A);
        define(c);
        if (rnd.nextBoolean()) b.condTrap(Opcode.TRAPNZ, c, TrapCode.user(rnd.nextInt(4)));
        else b.condTrap(Opcode.TRAPZ, b.binaryImm(Opcode.BXOR_IMM, c, 1), TrapCode.user(rnd.nextInt(4)));
    }

    /** Makes argument values for a call to block {@code k} (made before the branch itself). */
    private int[] blockArgs(int k) {
        int blk = blocks[k];
        int n = f.dfg.numBlockParams(blk);
        int[] args = new int[n];
        for (int p = 0; p < n; p++) {
            int t = f.dfg.valueType(f.dfg.blockParam(blk, p));
            if (p == 0 && isLoop[k]) args[p] = b.iconst(Type.I32, rnd.nextInt(4));
            else args[p] = pick(t);
        }
        return args;
    }

    private int laterBlock(int k) {
        return k + 1 + rnd.nextInt(blocks.length - k - 1);
    }

    private void midBlockBranch(int k) {
        int target = laterBlock(k);
        int[] args = blockArgs(target);
        switch (rnd.nextInt(3)) {
            case 0: b.branch(Opcode.BRZ, condition(), blocks[target], args, args.length); break;
            case 1: b.branch(Opcode.BRNZ, condition(), blocks[target], args, args.length); break;
            default: {
                int t = randomInt();
                b.brIcmp(IntCC.of(rnd.nextInt(IntCC.values().length)), pick(t), pick(t), blocks[target], args, args.length);
            }
        }
    }

    private void terminator(int k) {
        boolean hasLater = k + 1 < blocks.length;
        if (isLoop[k] && rnd.nextInt(4) != 0) {
            // counted self-loop: brif counter, self(counter - 1, ...), exit
            int counter = f.dfg.blockParam(blocks[k], 0);
            int next = b.iaddImm(counter, -1);
            int n = f.dfg.numBlockParams(blocks[k]);
            int[] selfArgs = new int[n];
            selfArgs[0] = next;
            for (int p = 1; p < n; p++) selfArgs[p] = pick(f.dfg.valueType(f.dfg.blockParam(blocks[k], p)));
            if (hasLater) {
                int target = laterBlock(k);
                int[] exitArgs = blockArgs(target);
                b.brif(counter, blocks[k], selfArgs, blocks[target], exitArgs);
            } else {
                // no later block: a mid-block back edge, then return when the counter runs out
                b.branch(Opcode.BRNZ, counter, blocks[k], selfArgs, n);
                ret();
            }
            return;
        }
        int choice = rnd.nextInt(20);
        if (!hasLater || choice == 0) {
            if (rnd.nextInt(40) == 0) b.trap(TrapCode.user(rnd.nextInt(4)));
            else ret();
            return;
        }
        if (choice < 9) {
            int target = laterBlock(k);
            int[] args = blockArgs(target);
            b.jump(blocks[target], args, args.length);
        } else if (choice < 17) {
            int t1 = laterBlock(k), t2 = laterBlock(k);
            int[] a1 = blockArgs(t1), a2 = blockArgs(t2);
            b.brif(condition(), blocks[t1], a1, blocks[t2], a2);
        } else {
            int n = 1 + rnd.nextInt(5);
            int[] calls = new int[n];
            for (int c = 0; c < n; c++) {
                int t = laterBlock(k);
                int[] args = blockArgs(t);
                calls[c] = f.dfg.makeBlockCall(blocks[t], args, args.length);
            }
            int index = pick(Type.I32);
            if (rnd.nextBoolean()) {
                index = b.binaryImm(Opcode.BAND_IMM, index, 7);
            }
            b.brTable(index, calls, n);
        }
    }

    private void ret() {
        int[] rets = f.signature.returns;
        int[] vals = new int[rets.length];
        for (int k = 0; k < rets.length; k++) vals[k] = pick(rets[k]);
        if (opt.digest) {
            // Every value available here flows into the outcome, so none is dead code: the first
            // integer result absorbs a digest of them all, and the heap keeps a copy.
            int d = digest();
            for (int k = 0; k < rets.length; k++) {
                if (!Type.isInt(rets[k])) continue;
                int part = rets[k] == Type.I64 ? d : b.convert(Opcode.IREDUCE, rets[k], d);
                vals[k] = b.binary(Opcode.BXOR, vals[k], part);
                break;
            }
            if (vmctx >= 0) {
                int at = b.iconst(Type.I64, GeneratedModule.HEAP_SIZE - 8 * (1 + fnIndex));
                b.heapStore(Opcode.HEAP_STORE, staticHeap, d, at, 0);
            }
        }
        b.ret(vals, vals.length);
    }

    /**
     * An i64 digest of every value available at this point: integers zero-extended, floats as
     * their bits, each rotated into the running value and xor-ed in.
     */
    private int digest() {
        int d = b.iconst(Type.I64, 0x243F_6A88_85A3_08D3L);
        for (int ti = 0; ti < TYPES.length; ti++) {
            int t = TYPES[ti];
            IntVec a = avail[ti];
            for (int k = 0; k < a.size(); k++) {
                int v = a.get(k);
                if (Type.isFloat(t)) v = b.convert(Opcode.BITCAST, t == Type.F32 ? Type.I32 : Type.I64, v);
                int vt = Type.isFloat(t) ? (t == Type.F32 ? Type.I32 : Type.I64) : t;
                if (vt != Type.I64) v = b.convert(Opcode.UEXTEND, Type.I64, v);
                d = b.binary(Opcode.BXOR, b.binaryImm(Opcode.ROTL_IMM, d, 7), v);
            }
        }
        return d;
    }
}
