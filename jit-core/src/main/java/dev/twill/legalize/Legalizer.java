package dev.twill.legalize;

import dev.twill.CompileError;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.ir.text.Printer;
import java.util.Arrays;

/**
 * Rewrites a function in place from the sandbox level to the memory level, so that back ends
 * see only memory-level and shared instructions. The same {@link DataFlowGraph} and {@link
 * Layout} are reused: new instructions are inserted before the one being legalized, and that
 * one is turned into the last instruction of its expansion with {@link
 * DataFlowGraph#replaceInst}, so its result value, its number and its place stay.
 *
 * <p><b>Rewrites</b> (pointers are {@code i64}; {@code idx} is the index zero-extended to i64):
 * <ul>
 *   <li>{@code heap_load.T heap idx+off} (and the narrow forms) becomes {@code a = heap_addr
 *       heap, idx, off + n} and {@code load.T notrap a+off}, with {@code n} the bytes accessed;
 *       {@code heap_store} likewise becomes {@code store notrap}. A negative offset is first
 *       checked ({@code idx + off >= 0}, else {@code heap_oob}) and folded into the index.
 *   <li>{@code heap_addr heap, idx, size} becomes a bounds check that traps {@code heap_oob}
 *       iff {@code idx + size > bound} in exact (unbounded) arithmetic, then {@code iadd base,
 *       idx}. The check is shaped so that nothing can overflow (see {@link #heapAddr}); a check
 *       that can never fail is left out and one that always fails becomes {@code trapnz} of a
 *       constant 1, which keeps the block well-formed (a {@code trap} would have to end it).
 *   <li>{@code global_value gv} becomes its chain: {@code vmctx} is the function's vmctx
 *       parameter (the result becomes an alias of it), {@code load} a {@code load} from the
 *       legalized base, {@code iadd_imm} an {@code iadd_imm}, {@code symbol} a {@code
 *       symbol_value}.
 *   <li>{@code table_addr table, idx, off} traps {@code table_oob} iff {@code idx >= bound}
 *       (elements, unsigned), then computes {@code base + idx * element_size + off}.
 * </ul>
 * Functions with {@code i128} values are first narrowed to pairs of {@code i64} ({@link
 * I128Narrowing}), which also narrows their signatures (Twill's i128 ABI: two i64, low first).
 * Scalar instructions that back ends need not implement ({@code bmask}, the overflow-flag
 * family, big-endian accesses, ...) are expanded into shared ones by {@link ScalarExpander}
 * in the same walk.
 *
 * <p><b>Fault traps</b> ({@link #setFaultTraps}, off by default): a heap access through a heap
 * that declares a reservation ({@link HeapData#reserved}) whose every instance, {@code
 * indexMax + offset + n}, ends inside it gets no bounds check: it becomes {@code base + idx}
 * and a load or store <i>without</i> {@code notrap}, which faults exactly when it is out of
 * bounds (the reservation past the bound is inaccessible), and the runtime turns the fault into
 * {@code heap_oob}. With 32-bit indices and 4 GiB plus a guard reserved, that is every
 * WebAssembly access with an offset inside the guard. {@code offset_guard} removes no check.
 *
 * <p>Semantic choices the interpreter must share: heap offsets are signed 64-bit, heap_addr sizes and static bounds
 * unsigned 64-bit; the order of a bounds-checked access is: bound global value, check, base
 * global value.
 *
 * <p><b>Redundant checks</b>: within one EBB, an earlier check of the same heap and the same
 * index value with a size at least as large dominates a later one and traps first, so the later
 * one is dropped. A later, larger check is never hoisted, which keeps the order of traps. A
 * dynamic heap's bound may change at a store or call unless every load of its bound chain is
 * {@code readonly}; such a heap's remembered checks are forgotten there.
 *
 * <p><b>Reused global values</b>: within one EBB, the value a global value chain was legalized
 * to (each {@code load} and {@code iadd_imm} step, a {@code symbol_value}, and a narrow bound
 * zero-extended to i64) is remembered and used again by later heap and table accesses and
 * {@code global_value} instructions of the same block, so a block of many accesses loads the
 * heap base and bound once. A value defined earlier in the EBB dominates the rest of it, so the
 * reuse is always well-formed. A {@code load} step without {@code readonly} reads memory that a
 * store or call may change, so such chains are forgotten at every instruction that may store or
 * call (the same points where unstable bounds checks are forgotten) and read again afterwards,
 * except at a {@code heap_store}: it writes its heap's memory only, which a heap's definition
 * requires to be disjoint from the memory global values are loaded from (a wasm linear memory
 * is not the VM context that holds its base and bound);
 * chains whose loads are all {@code readonly} stay for the whole block. A reused load gives the
 * value the original load would read (nothing wrote in between), and if that load could trap,
 * the first one already trapped at the same state, so traps and results are unchanged. The
 * zero-extension of a narrow index is reused the same way (pure, so nothing forgets it), and so
 * is a heap address {@code base + index} (a base read again after a store is a new value).
 *
 * <p><b>Cost</b>: one walk over the layout; inserted instructions are already legal, so none
 * is visited twice. A {@code Legalizer} is a reusable context: nothing is allocated per
 * instruction, and nothing per function when the same {@link Function} object is reused.
 *
 * <p>Bad input (an unknown entity, a vmctx global value in a function without a vmctx
 * parameter, a cyclic or ill-typed global value chain, a non-i64 address type) is a {@link
 * CompileError} naming the instruction; the function is then left partly legalized.
 */
public final class Legalizer {
    /** Bounds checks remembered per EBB; more are evicted round-robin (only a missed saving). */
    private static final int MAX_CHECKS = 16;

    /**
     * What the walk does with each opcode, by ordinal: one of the kinds below, plus {@link
     * #FORGETS} if it may store or call (so remembered checks and loads of unstable chains go).
     * Most instructions need nothing, and one table read tells the walk so.
     */
    private static final byte[] ACTIONS = new byte[Opcode.values().length];
    private static final int HEAP_LOAD = 1, HEAP_STORE = 2, HEAP_ADDR = 3, GLOBAL_VALUE = 4, TABLE_ADDR = 5, SCALAR = 6,
            FORGETS = 8;

    static {
        for (Opcode op : Opcode.values()) {
            int action = switch (op) {
                case HEAP_LOAD, HEAP_ULOAD8, HEAP_SLOAD8, HEAP_ULOAD16, HEAP_SLOAD16, HEAP_ULOAD32, HEAP_SLOAD32 -> HEAP_LOAD;
                case HEAP_STORE, HEAP_ISTORE8, HEAP_ISTORE16, HEAP_ISTORE32 -> HEAP_STORE;
                case HEAP_ADDR -> HEAP_ADDR;
                case GLOBAL_VALUE -> GLOBAL_VALUE;
                case TABLE_ADDR -> TABLE_ADDR;
                default -> ScalarExpander.handles(op) ? SCALAR : 0;
            };
            if ((op.canStore() && op.level != Opcode.Level.SANDBOX) || op.isCall()) action |= FORGETS;
            ACTIONS[op.ordinal()] = (byte) action;
        }
    }

    private Function func;
    private DataFlowGraph dfg;
    private Layout layout;
    private InstBuilder builder;
    /** Expands the scalar instructions back ends need not know ({@link ScalarExpander}). */
    private final ScalarExpander scalar = new ScalarExpander();
    /** Narrows i128 to pairs of i64 first, in functions that have any ({@link I128Narrowing}). */
    private final I128Narrowing i128 = new I128Narrowing();
    /** False to stop at {@code heap_addr} ({@link #legalizeSandbox}). */
    private boolean expandHeapAddr;
    /** True if the target turns faults in a heap's reservation into traps ({@link #setFaultTraps}). */
    private boolean faultTraps;
    /** Set by {@link #heapAccessAddress}: the access has no bounds check and must stay trapping. */
    private boolean accessFaults;
    /** The input instruction being legalized, named in errors. */
    private int origin;
    /** The vmctx parameter value of the entry block, or -1. */
    private int vmctxValue;

    private final int[] checkHeap = new int[MAX_CHECKS];
    private final int[] checkIndex = new int[MAX_CHECKS];
    private final long[] checkSize = new long[MAX_CHECKS];
    private int numChecks;
    /** Index values zero-extended in this EBB and their extensions ({@link #extendIndex}). */
    private static final int MAX_EXTENDED = 8;
    private final int[] extendedFrom = new int[MAX_EXTENDED], extendedTo = new int[MAX_EXTENDED];
    private int numExtended, nextExtendedEvict;
    /** Heap addresses computed in this EBB: {@code base + index} by base and index value. */
    private static final int MAX_ADDRESSES = 8;
    private final int[] addressBase = new int[MAX_ADDRESSES], addressIndex = new int[MAX_ADDRESSES],
            addressValue = new int[MAX_ADDRESSES];
    private int numAddresses, nextAddressEvict;
    private int nextEvict;
    /** Per heap: true if its bound cannot change while the function runs (static, or readonly chain). */
    private boolean[] boundStable = new boolean[8];

    /** Per global value: the value its chain was legalized to earlier in this EBB, or -1. */
    private int[] gvCached = new int[0];
    /** Per global value: that value zero-extended to i64 (for narrow bounds), or -1. */
    private int[] gvExtended = new int[0];
    /** Per global value: true if every load of its chain is readonly, so stores and calls keep it. */
    private boolean[] gvStable = new boolean[0];
    /**
     * Per global value: true if its chain can be computed once at function entry (every load
     * {@code readonly} and {@code notrap}, see {@link #gvValue}).
     */
    private boolean[] gvHoistable = new boolean[0];
    /** Per global value: its value computed in the entry block, or -1. */
    private int[] gvEntry = new int[0];
    /** The global values with an entry value, to reset them for the next function. */
    private int[] entryGvs = new int[0];
    private int numEntry;
    /** The last instruction hoisted into the entry block, or -1: the next goes after it. */
    private int lastHoisted;
    /** The instruction the builder inserts before while legalizing one instruction. */
    private int cursor;
    /** The global values with a remembered value, to forget them at a block start or a store. */
    private int[] cachedGvs = new int[0];
    private int numCached;
    /** How many of {@link #cachedGvs} are not {@link #gvStable}: none means a store forgets nothing. */
    private int numUnstableCached;

    /**
     * Whether the code will run where a fault in a heap's reservation ({@link HeapData#reserved})
     * becomes a {@code heap_oob} trap ({@link dev.twill.runtime.FaultTraps}): then a heap access
     * that cannot reach past the reservation gets no bounds check and stays a trapping access.
     * Off by default; the code it makes must only run on heaps mapped as their declarations promise.
     */
    public void setFaultTraps(boolean on) {
        faultTraps = on;
    }

    /**
     * Legalizes {@code f} in place down to what back ends take: no sandbox-level instruction and
     * no {@code heap_addr} is left.
     */
    public void legalize(Function f) {
        run(f, true);
    }

    /**
     * Legalizes only the sandbox-level instructions of {@code f}, in place: heap accesses become
     * {@code heap_addr} plus a plain load or store, and {@code heap_addr} stays (the first of the
     * two levels; {@link #legalize} goes on to expand it).
     */
    public void legalizeSandbox(Function f) {
        run(f, false);
    }

    private void run(Function f, boolean expandHeapAddr) {
        this.expandHeapAddr = expandHeapAddr;
        if (I128Narrowing.needed(f)) i128.run(f);
        begin(f);
        if (f.stackLimit >= 0) stackLimitCheck(f);
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            numChecks = 0;
            nextEvict = 0;
            numExtended = 0;
            numAddresses = 0;
            forgetGlobalValues(true);
            for (int i = layout.firstInst(b); i >= 0; ) {
                int next = layout.nextInst(i);
                Opcode op = dfg.opcode(i);
                int action = ACTIONS[op.ordinal()];
                if (action != 0) {
                    origin = i;
                    switch (action & ~FORGETS) {
                        case HEAP_LOAD: heapLoad(i, op); break;
                        case HEAP_STORE: heapStore(i, op); break;
                        case HEAP_ADDR: if (expandHeapAddr) heapAddr(i); break;
                        case GLOBAL_VALUE: globalValue(i); break;
                        case TABLE_ADDR: tableAddr(i); break;
                        case SCALAR: scalar.expand(i, op); break;
                        default: break;
                    }
                    if ((action & FORGETS) != 0) {
                        forgetUnstableChecks();
                        if (numUnstableCached > 0) forgetGlobalValues(false);
                    }
                }
                i = next;
            }
        }
        forgetGlobalValues(true);
        forgetEntryValues();
        func = null;
        dfg = null;
        layout = null;
    }

    /**
     * {@code stack_limit = gv}: on entry, trap {@code stk_ovf} if the stack pointer lies below
     * the limit (unsigned). The check reads the stack pointer after the prologue, so it covers
     * the whole frame; only the prologue's own pushes (return address, frame pointer, saved
     * registers) may reach below the limit before it. The global value it loads is legalized with
     * the rest of the entry block.
     */
    private void stackLimitCheck(Function f) {
        int first = layout.firstInst(layout.firstBlock());
        if (first < 0) return;
        builder.before(first);
        int limit = builder.globalValue(Type.I64, f.stackLimit);
        int read = builder.insert(Opcode.GET_STACK_POINTER, Type.I64);
        int sp = dfg.appendResult(read, Type.I64);
        int below = builder.icmp(IntCC.ULT, sp, limit);
        builder.condTrap(Opcode.TRAPNZ, below, TrapCode.STK_OVF);
        f.stackLimit = -1;
    }

    private void begin(Function f) {
        func = f;
        dfg = f.dfg;
        layout = f.layout;
        if (builder == null || builder.function() != f) builder = new InstBuilder(f);
        scalar.begin(f, builder);
        vmctxValue = -1;
        int p = f.signature.vmctxParam();
        int entry = layout.firstBlock();
        if (p >= 0 && entry >= 0 && p < dfg.numBlockParams(entry)) vmctxValue = dfg.blockParam(entry, p);
        int nh = f.heaps.size();
        if (boundStable.length < nh) boundStable = new boolean[Math.max(nh, boundStable.length * 2)];
        for (int h = 0; h < nh; h++) {
            HeapData d = f.heaps.get(h);
            boundStable[h] = d.style == HeapData.Style.STATIC || readonlyChain(d.boundGv);
        }
        // a CompileError may have left the previous function's entries set
        forgetGlobalValues(true);
        int ng = f.globalValues.size();
        forgetEntryValues();
        if (gvCached.length < ng) {
            int cap = Math.max(ng, gvCached.length * 2); // new entries: -1, none remembered
            gvCached = new int[cap];
            gvExtended = new int[cap];
            gvStable = new boolean[cap];
            cachedGvs = new int[cap];
            gvHoistable = new boolean[cap];
            gvEntry = new int[cap];
            entryGvs = new int[cap];
            Arrays.fill(gvCached, -1);
            Arrays.fill(gvExtended, -1);
            Arrays.fill(gvEntry, -1);
        }
        for (int g = 0; g < ng; g++) {
            gvStable[g] = readonlyChain(g);
            gvHoistable[g] = vmctxValue >= 0 && hoistableChain(g);
        }
        lastHoisted = -1;
    }

    /** True if every load in the chain of {@code gv} is readonly (false for a broken chain). */
    private boolean readonlyChain(int gv) {
        return chainHas(gv, MemFlags.READONLY, true);
    }

    /**
     * True if {@code gv}'s chain may be computed at function entry: it is rooted in the vmctx,
     * and every load in it is readonly (the memory does not change while the function runs, so
     * the value is the same everywhere) and notrap (reading it early cannot add a trap).
     */
    private boolean hoistableChain(int gv) {
        return chainHas(gv, MemFlags.READONLY | MemFlags.NOTRAP, false);
    }

    /**
     * Walks {@code gv}'s chain to its root: true if every load has all of {@code loadFlags} and
     * the root is the vmctx (or a symbol, when {@code symbolRoot}); false for a broken or cyclic
     * chain.
     */
    private boolean chainHas(int gv, int loadFlags, boolean symbolRoot) {
        int n = func.globalValues.size();
        for (int steps = 0; steps <= n; steps++) {
            if (gv < 0 || gv >= n) return false;
            GlobalValueData d = func.globalValues.get(gv);
            switch (d.kind) {
                case VMCTX:
                    return true;
                case SYMBOL:
                    return symbolRoot;
                case LOAD:
                    if ((d.flags & loadFlags) != loadFlags) return false;
                    gv = d.base;
                    break;
                case IADD_IMM:
                    gv = d.base;
                    break;
            }
        }
        return false;
    }

    /** Moves the builder to insert before {@code inst}, and remembers that position. */
    private void at(int inst) {
        cursor = inst;
        builder.before(inst);
    }

    // =====================================================================================
    // Heap access

    private void heapLoad(int i, Opcode op) {
        int type = dfg.ctrlType(i);
        int addr = heapAccessAddress(i, dfg.aux(i), dfg.resolveAliases(dfg.arg(i, 0)), dfg.imm(i), op.accessBytes(type));
        long memOffset = Math.max(dfg.imm(i), 0);
        if (memOffset != (int) memOffset) {
            addr = offsetAddress(i, addr, memOffset);
            memOffset = 0;
        }
        dfg.replaceInst(i, op.memoryForm(), type);
        dfg.setAux(i, accessFaults ? MemFlags.NONE : MemFlags.NOTRAP);
        dfg.setField(i, DataFlowGraph.A0, addr);
        dfg.setImm(i, memOffset);
    }

    private void heapStore(int i, Opcode op) {
        int type = dfg.ctrlType(i);
        int value = dfg.arg(i, 0);
        int addr = heapAccessAddress(i, dfg.aux(i), dfg.resolveAliases(dfg.arg(i, 1)), dfg.imm(i), op.accessBytes(type));
        long memOffset = Math.max(dfg.imm(i), 0);
        if (memOffset != (int) memOffset) {
            addr = offsetAddress(i, addr, memOffset);
            memOffset = 0;
        }
        dfg.replaceInst(i, op.memoryForm(), type);
        dfg.setAux(i, accessFaults ? MemFlags.NONE : MemFlags.NOTRAP);
        dfg.setField(i, DataFlowGraph.A0, value);
        dfg.setField(i, DataFlowGraph.A1, addr);
        dfg.setImm(i, memOffset);
    }

    /**
     * A heap offset of 2^31 or more (wasm allows up to 2^32 - 1) does not fit a memory-level
     * access's signed 32-bit offset: it is added to the checked address before {@code at}
     * instead, which cannot wrap because the bounds check covered {@code offset + size}.
     */
    private int offsetAddress(int at, int addr, long offset) {
        at(at);
        return builder.iaddImm(addr, offset);
    }

    /**
     * Emits, before {@code at}, the checked address for {@code bytes} bytes at {@code index +
     * offset}; the access then uses {@code max(offset, 0)} as its own offset. For {@code offset
     * >= 0} the heap_addr size {@code offset + bytes} is at most 2^63 + 7, exact as an unsigned
     * long. A negative offset is checked and folded into the index instead: {@code index >=
     * -offset} (unsigned, which also holds for {@code Long.MIN_VALUE}), so {@code index + offset}
     * does not wrap.
     */
    private int heapAccessAddress(int at, int heap, int index, long offset, int bytes) {
        HeapData h = heapData(heap);
        at(at);
        accessFaults = expandHeapAddr && faultTraps && offset >= 0 && withinReservation(h, indexType(index), offset, bytes);
        if (accessFaults) return baseAddress(h, extendIndex(index));
        int addrIndex = index;
        long size = offset + bytes;
        if (offset < 0) {
            int idx64 = extendIndex(index);
            int below = builder.icmpImm(IntCC.ULT, idx64, -offset);
            builder.condTrap(Opcode.TRAPNZ, below, TrapCode.HEAP_OOB);
            addrIndex = builder.iaddImm(idx64, offset);
            size = bytes;
        }
        int addr = builder.heapAddr(Type.I64, heap, addrIndex, size);
        if (!expandHeapAddr) return addr;
        heapAddr(builder.lastInst());
        return dfg.resolveAliases(addr); // an address computed before: the access names it directly
    }

    /**
     * Legalizes {@code heap_addr heap, index, size}: trap {@code heap_oob} iff {@code idx + size >
     * bound} (exact), then {@code iadd base, idx}. {@code size} and a static bound are unsigned.
     *
     * <p>Shapes of the check, none of which can overflow:
     * <ul>
     *   <li>static: {@code size > bound} always traps; else {@code idx > bound - size}, left out
     *       when {@code bound - size} is at least the largest index of the index type;
     *   <li>dynamic, when {@code idx + size} cannot wrap (index narrower than 64 bits): {@code
     *       idx + size > bound} ({@code idx >= bound} for one byte); a size above the largest value of the bound's type always traps;
     *   <li>dynamic, 64-bit index: {@code (bound < size) | (idx > bound - size)}.
     * </ul>
     */
    private void heapAddr(int i) {
        int heap = dfg.aux(i);
        HeapData h = heapData(heap);
        int index = dfg.resolveAliases(dfg.arg(i, 0));
        long size = dfg.imm(i);
        requirePointer(dfg.ctrlType(i), "heap_addr");
        int indexType = indexType(index);
        long indexMax = Type.mask(indexType);
        at(i);
        boolean covered = isCovered(heap, index, size);
        if (!covered) {
            boolean alwaysTraps;
            if (h.style == HeapData.Style.STATIC) {
                alwaysTraps = Long.compareUnsigned(size, h.bound) > 0;
            } else {
                int boundType = gvData(h.boundGv).type;
                alwaysTraps = Type.isInt(boundType) && Long.compareUnsigned(size, Type.mask(boundType)) > 0;
            }
            if (alwaysTraps) {
                // Everything after is unreachable but must stay valid IR: the address is a dummy.
                int one = builder.iconst(Type.I8, 1);
                builder.condTrap(Opcode.TRAPNZ, one, TrapCode.HEAP_OOB);
                dfg.replaceInst(i, Opcode.ICONST, Type.I64);
                dfg.setImm(i, 0);
                return;
            }
        }
        int idx64 = extendIndex(index);
        if (!covered) {
            int cond = -1;
            if (h.style == HeapData.Style.STATIC) {
                long limit = h.bound - size;
                if (Long.compareUnsigned(limit, indexMax) < 0) cond = builder.icmpImm(IntCC.UGT, idx64, limit);
            } else {
                int bound64 = boundValue(h.boundGv);
                if (Long.compareUnsigned(size, ~indexMax) <= 0) {
                    // idx + size <= indexMax + ~indexMax = 2^64 - 1: no wrap. One byte:
                    // idx + 1 > bound is idx >= bound, which saves the addition
                    if (size == 1) {
                        cond = builder.icmp(IntCC.UGE, idx64, bound64);
                    } else {
                        int end = size == 0 ? idx64 : builder.iaddImm(idx64, size);
                        cond = builder.icmp(IntCC.UGT, end, bound64);
                    }
                } else {
                    int limit = builder.iaddImm(bound64, -size);
                    int beyond = builder.icmp(IntCC.UGT, idx64, limit);
                    int tooSmall = builder.icmpImm(IntCC.ULT, bound64, size);
                    cond = builder.binary(Opcode.BOR, beyond, tooSmall);
                }
            }
            if (cond >= 0) builder.condTrap(Opcode.TRAPNZ, cond, TrapCode.HEAP_OOB);
            rememberCheck(heap, index, size);
        }
        int base = gvValue(h.base, 0);
        requirePointer(dfg.valueType(base), "heap base");
        int earlier = rememberedAddress(base, idx64);
        if (earlier >= 0) {
            int r = dfg.firstResult(i);
            dfg.detachResults(i);
            layout.removeInst(i);
            dfg.changeToAlias(r, earlier);
            return;
        }
        dfg.replaceInst(i, Opcode.IADD, Type.I64);
        dfg.setField(i, DataFlowGraph.A0, base);
        dfg.setField(i, DataFlowGraph.A1, idx64);
        rememberAddress(base, idx64, dfg.firstResult(i));
    }

    /**
     * True if every access of {@code bytes} bytes at {@code index + offset} ({@code offset >= 0})
     * ends within the heap's reservation: {@code indexMax + offset + bytes <= reserved}, all
     * unsigned and without overflow. Then an out-of-bounds access faults instead of reaching
     * other memory.
     */
    private static boolean withinReservation(HeapData h, int indexType, long offset, int bytes) {
        long reach = Type.mask(indexType) + bytes;  // at most 2^32 + 7 for i32; wraps for i64
        if (h.reserved == 0 || Long.compareUnsigned(reach, Type.mask(indexType)) < 0) return false;
        return Long.compareUnsigned(reach, h.reserved) <= 0 && Long.compareUnsigned(offset, h.reserved - reach) <= 0;
    }

    /** {@code base + idx64} before the cursor, reusing the same sum computed earlier in the EBB. */
    private int baseAddress(HeapData h, int idx64) {
        int base = gvValue(h.base, 0);
        requirePointer(dfg.valueType(base), "heap base");
        int earlier = rememberedAddress(base, idx64);
        if (earlier >= 0) return earlier;
        int sum = builder.iadd(base, idx64);
        rememberAddress(base, idx64, sum);
        return sum;
    }

    /** The sum {@code base + idx64} computed earlier in the EBB, or -1 (a reloaded base is another value, so no match). */
    private int rememberedAddress(int base, int idx64) {
        for (int k = 0; k < numAddresses; k++) if (addressBase[k] == base && addressIndex[k] == idx64) return addressValue[k];
        return -1;
    }

    private void rememberAddress(int base, int idx64, int sum) {
        int k = numAddresses < MAX_ADDRESSES ? numAddresses++ : nextAddressEvict++ % MAX_ADDRESSES;
        addressBase[k] = base;
        addressIndex[k] = idx64;
        addressValue[k] = sum;
    }

    private boolean isCovered(int heap, int index, long size) {
        for (int k = 0; k < numChecks; k++) {
            if (checkHeap[k] == heap && checkIndex[k] == index && Long.compareUnsigned(checkSize[k], size) >= 0) return true;
        }
        return false;
    }

    private void rememberCheck(int heap, int index, long size) {
        int k;
        if (numChecks < MAX_CHECKS) {
            k = numChecks++;
        } else {
            k = nextEvict;
            nextEvict = (nextEvict + 1) % MAX_CHECKS;
        }
        checkHeap[k] = heap;
        checkIndex[k] = index;
        checkSize[k] = size;
    }

    /** Drops remembered checks of heaps whose bound a store or call may have changed. */
    private void forgetUnstableChecks() {
        int kept = 0;
        for (int k = 0; k < numChecks; k++) {
            if (!boundStable[checkHeap[k]]) continue;
            checkHeap[kept] = checkHeap[k];
            checkIndex[kept] = checkIndex[k];
            checkSize[kept] = checkSize[k];
            kept++;
        }
        numChecks = kept;
        if (nextEvict >= kept) nextEvict = 0;
    }

    // =====================================================================================
    // Tables

    /** {@code table_addr table, index, off}: trap {@code table_oob} iff idx >= bound; base + idx * size + off. */
    private void tableAddr(int i) {
        int table = dfg.aux(i);
        if (table < 0 || table >= func.tables.size()) throw error("unknown table" + table);
        TableData t = func.tables.get(table);
        int index = dfg.resolveAliases(dfg.arg(i, 0));
        long offset = dfg.imm(i);
        requirePointer(dfg.ctrlType(i), "table_addr");
        indexType(index);
        at(i);
        int idx64 = extendIndex(index);
        int bound64 = boundValue(t.boundGv);
        int outside = builder.icmp(IntCC.UGE, idx64, bound64);
        builder.condTrap(Opcode.TRAPNZ, outside, TrapCode.TABLE_OOB);
        int base = gvValue(t.base, 0);
        requirePointer(dfg.valueType(base), "table base");
        long elementSize = t.elementSize & 0xFFFF_FFFFL;
        int scaled;
        if (elementSize == 1) scaled = idx64;
        else if (Long.bitCount(elementSize) == 1) scaled = builder.binaryImm(Opcode.ISHL_IMM, idx64, Long.numberOfTrailingZeros(elementSize));
        else scaled = builder.binaryImm(Opcode.IMUL_IMM, idx64, elementSize);
        if (offset == 0) {
            dfg.replaceInst(i, Opcode.IADD, Type.I64);
            dfg.setField(i, DataFlowGraph.A0, base);
            dfg.setField(i, DataFlowGraph.A1, scaled);
        } else {
            int sum = builder.iadd(base, scaled);
            dfg.replaceInst(i, Opcode.IADD_IMM, Type.I64);
            dfg.setField(i, DataFlowGraph.A0, sum);
            dfg.setImm(i, offset);
        }
    }

    // =====================================================================================
    // Global values

    /** Remembers that {@code gv} was legalized to {@code v} in this EBB. */
    private void rememberGlobalValue(int gv, int v) {
        gvCached[gv] = v;
        gvExtended[gv] = -1;
        cachedGvs[numCached++] = gv;
        if (!gvStable[gv]) numUnstableCached++;
    }

    /**
     * Forgets remembered global values: all of them at a block start ({@code all}), else those
     * whose chain loads memory that a store or call may have changed. Entries are reset to -1,
     * so the tables are clean for the next block and the next function.
     */
    private void forgetGlobalValues(boolean all) {
        int kept = 0;
        for (int k = 0; k < numCached; k++) {
            int gv = cachedGvs[k];
            if (!all && gvStable[gv]) {
                cachedGvs[kept++] = gv;
            } else {
                gvCached[gv] = -1;
                gvExtended[gv] = -1;
            }
        }
        numCached = kept;
        numUnstableCached = 0;
    }

    /** {@code global_value.T gv}: the last step of the chain replaces the instruction. */
    private void globalValue(int i) {
        int gv = dfg.aux(i);
        GlobalValueData d = gvData(gv);
        int type = dfg.ctrlType(i);
        if (type != d.type) {
            throw error("global_value." + Type.name(type) + " of gv" + gv + ", which is " + Type.name(d.type));
        }
        at(i);
        // a result that an earlier pass already made an alias (its uses redirected elsewhere)
        // is dead: it must neither be redirected again nor stand for gv's value
        int result = dfg.numResults(i) > 0 ? dfg.firstResult(i) : -1;
        boolean live = result >= 0 && dfg.valueKind(result) == DataFlowGraph.DEF_RESULT;
        if (d.kind == GlobalValueData.Kind.VMCTX || gvCached[gv] >= 0 || gvHoistable[gv]) {
            // already a value here (or one computed at entry): the instruction goes, its
            // result reads that value
            int v = d.kind == GlobalValueData.Kind.VMCTX ? vmctx(gv) : gvCached[gv] >= 0 ? gvCached[gv] : gvValue(gv, 0);
            dfg.detachResults(i);
            layout.removeInst(i);
            if (live) dfg.changeToAlias(result, v);
            return;
        }
        switch (d.kind) {
            case LOAD: {
                int base = gvValue(d.base, 1);
                dfg.replaceInst(i, Opcode.LOAD, type);
                dfg.setAux(i, d.flags);
                dfg.setField(i, DataFlowGraph.A0, base);
                dfg.setImm(i, d.offset);
                break;
            }
            case IADD_IMM: {
                int base = gvValue(d.base, 1);
                requireSameType(gv, d, base);
                dfg.replaceInst(i, Opcode.IADD_IMM, type);
                dfg.setField(i, DataFlowGraph.A0, base);
                dfg.setImm(i, d.offset);
                break;
            }
            default:
                dfg.replaceInst(i, Opcode.SYMBOL_VALUE, type);
                dfg.setAux(i, gv);
                break;
        }
        if (live) rememberGlobalValue(gv, result);
    }

    /**
     * Returns the value of {@code gv} at the builder's position: the one remembered in this EBB,
     * else its chain emitted there (and remembered, with every step of it).
     */
    private int gvValue(int gv, int depth) {
        GlobalValueData d = gvData(gv);
        if (depth > func.globalValues.size()) throw error("global value chain through gv" + gv + " is cyclic");
        if (d.kind == GlobalValueData.Kind.VMCTX) return vmctx(gv);
        if (gvHoistable[gv]) return entryValue(gv);
        int v = gvCached[gv];
        if (v >= 0) return v;
        switch (d.kind) {
            case LOAD:
                v = builder.load(Opcode.LOAD, d.type, d.flags, gvValue(d.base, depth + 1), d.offset);
                break;
            case IADD_IMM: {
                int base = gvValue(d.base, depth + 1);
                requireSameType(gv, d, base);
                v = builder.iaddImm(base, d.offset);
                break;
            }
            default:
                v = builder.symbolValue(d.type, gv);
                break;
        }
        rememberGlobalValue(gv, v);
        return v;
    }

    /**
     * The value of a hoistable chain ({@link #hoistableChain}), computed once per function in the
     * entry block, after the chains hoisted before it (which it may use) and before everything
     * else, so it dominates every use; the builder is then put back where it was.
     */
    private int entryValue(int gv) {
        int v = gvEntry[gv];
        if (v >= 0) return v;
        GlobalValueData d = gvData(gv);
        int base = d.kind == GlobalValueData.Kind.VMCTX ? -1 : gvValue(d.base, 1); // may hoist, and move the builder
        if (lastHoisted >= 0) builder.after(lastHoisted);
        else builder.before(layout.firstInst(layout.firstBlock()));
        if (d.kind == GlobalValueData.Kind.LOAD) {
            v = builder.load(Opcode.LOAD, d.type, d.flags, base, d.offset);
        } else {
            requireSameType(gv, d, base);
            v = builder.iaddImm(base, d.offset);
        }
        lastHoisted = builder.lastInst();
        gvEntry[gv] = v;
        entryGvs[numEntry++] = gv;
        builder.before(cursor);
        return v;
    }

    /** Resets the entry values of the function, so the tables are clean for the next one. */
    private void forgetEntryValues() {
        for (int k = 0; k < numEntry; k++) gvEntry[entryGvs[k]] = -1;
        numEntry = 0;
    }

    /** The bound global value {@code gv} as i64, zero-extended when narrower (the extension is remembered too). */
    private int boundValue(int gv) {
        int bound = gvValue(gv, 0);
        int t = dfg.valueType(bound);
        if (!Type.isInt(t) || Type.bits(t) > 64) throw error("a bound must be an integer of at most 64 bits, not " + Type.name(t));
        if (t == Type.I64) return bound;
        int ext = gvExtended[gv];
        if (ext < 0) {
            ext = builder.convert(Opcode.UEXTEND, Type.I64, bound);
            gvExtended[gv] = ext;
        }
        return ext;
    }

    private int vmctx(int gv) {
        if (vmctxValue < 0) throw error("gv" + gv + " needs the vmctx parameter, which the function does not have");
        if (dfg.valueType(vmctxValue) != Type.I64) throw error("the vmctx parameter must be i64");
        return vmctxValue;
    }

    private void requireSameType(int gv, GlobalValueData d, int base) {
        if (dfg.valueType(base) != d.type) {
            throw error("gv" + gv + " = iadd_imm." + Type.name(d.type) + " of a " + Type.name(dfg.valueType(base)) + " base");
        }
    }

    // =====================================================================================
    // Helpers

    private GlobalValueData gvData(int gv) {
        if (gv < 0 || gv >= func.globalValues.size()) throw error("unknown global value gv" + gv);
        return func.globalValues.get(gv);
    }

    private HeapData heapData(int heap) {
        if (heap < 0 || heap >= func.heaps.size()) throw error("unknown heap" + heap);
        return func.heaps.get(heap);
    }

    private int indexType(int index) {
        int t = dfg.valueType(index);
        if (!Type.isInt(t) || Type.bits(t) > 64) throw error("index must be an integer of at most 64 bits, not " + Type.name(t));
        return t;
    }

    /** The index as i64, zero-extended when narrower (once per index value and EBB). */
    private int extendIndex(int index) {
        int t = indexType(index);
        if (t == Type.I64) return index;
        for (int k = 0; k < numExtended; k++) if (extendedFrom[k] == index) return extendedTo[k];
        int x = builder.convert(Opcode.UEXTEND, Type.I64, index);
        int k = numExtended < MAX_EXTENDED ? numExtended++ : nextExtendedEvict++ % MAX_EXTENDED;
        extendedFrom[k] = index;
        extendedTo[k] = x;
        return x;
    }

    private void requirePointer(int type, String what) {
        if (type != Type.I64) throw error(what + " must be i64 (the pointer type), not " + Type.name(type));
    }

    private CompileError error(String reason) {
        return CompileError.inFunction(func.name, Printer.instToString(func, origin), reason);
    }
}
