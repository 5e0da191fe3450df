package dev.twill.interp;

import static dev.twill.interp.DecodedFunction.*;

import dev.twill.ir.AtomicRmwOp;
import dev.twill.ir.FloatCC;
import dev.twill.ir.MemFlags;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * Runs IR functions of an {@link InterpModule} exactly by the semantics of {@link Opcode}, at
 * every abstraction level, over an {@link InterpMemory}: the oracle back ends are tested against.
 *
 * <p>Algorithm: a loop over {@link DecodedFunction} records with an explicit frame stack, so guest
 * recursion never grows the Java stack. Each frame owns a register file ({@code long[]} indexed
 * by value number) and the addresses of its stack slots (regions allocated on entry, freed on
 * return or unwinding). A call pushes a frame and continues in the callee; a return copies the
 * returned registers straight into the caller's result registers. Branch arguments are read into
 * a buffer before any target parameter is written, so a block that passes its parameters to
 * itself swapped sees the old values (the parallel-copy semantics of block parameters).
 *
 * <p>{@code i128} values keep their high halves in a second register file of the frame ({@link
 * DecodedFunction#wide} functions only); at the boundary ({@link #call}, results) an {@code
 * i128} takes two raw slots, low half first ({@link Type#slots}), the same layout native code
 * of the narrowed function uses.
 *
 * <p>Guest traps, the call-depth limit ({@code stk_ovf}) and the step limit ("fuel") end a call
 * with an {@link InterpResult}; host-side mistakes (unknown function or symbol, wrong argument
 * count, a function that cannot be decoded) are {@link IllegalArgumentException}s, after which
 * the interpreter is in its state from before the call and can be reused.
 *
 * <p>Performance: after a function's first call nothing is allocated per executed instruction:
 * frames and register files are pooled by depth, trapping helpers report through the {@link
 * #pendingTrap} field rather than by exceptions or result objects. Calls allocate only the stack
 * slot regions of the callee, host calls their argument array.
 *
 * <p>Tail calls ({@code return_call}, {@code return_call_indirect}) read their arguments into
 * a buffer, pop the caller's frame and push the callee's at the same depth, so a tail-recursive
 * chain of any length runs in one frame; when the callee returns, its results go to whoever
 * called the replaced frame. A tail call to a host function calls it and returns its results.
 *
 * <p>Re-entrancy: a host function may call {@link #call} again; the nested call runs on frames
 * above the current ones and shares the fuel and depth limit. Not thread-safe.
 */
public final class Interpreter {
    /** The default maximum number of active frames. */
    public static final int DEFAULT_MAX_DEPTH = 10_000;

    private static final Opcode[] OPCODES = Opcode.values();
    private static final IntCC[] INT_CCS = IntCC.values();
    private static final FloatCC[] FLOAT_CCS = FloatCC.values();

    private final InterpModule module;
    private final InterpMemory memory;
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private long fuel = Long.MAX_VALUE;

    /** Active frames are {@code frames[0..depth)}; objects above are kept for reuse. */
    private Frame[] frames = new Frame[16];
    private int depth;
    /** Block-argument buffer for parallel assignment. */
    private long[] moveBuffer = new long[16];
    /** Call arguments, read out before a tail call replaces the frame they come from. */
    private long[] callArgs = new long[16];
    /** Their high halves (i128 arguments). */
    private long[] callArgsHi = new long[16];
    /** The same for high halves. */
    private long[] moveBufferHi = new long[16];
    /** Set by a trapping helper to a trap code; -1 when nothing trapped. */
    private int pendingTrap = -1;

    /** An activation: function, registers, pc of the current (or calling) instruction. */
    private static final class Frame {
        DecodedFunction fn;
        long[] regs = new long[16];
        /** High halves of i128 registers; used by {@link DecodedFunction#wide} functions only. */
        long[] hi = new long[0];
        long[] slots = new long[4];
        int pc;
        long vmctx;
    }

    public Interpreter(InterpModule module, InterpMemory memory) {
        this.module = module;
        this.memory = memory;
    }

    /** An interpreter with a fresh, empty memory. */
    public Interpreter(InterpModule module) {
        this(module, new InterpMemory());
    }

    public InterpModule module() {
        return module;
    }

    public InterpMemory memory() {
        return memory;
    }

    /** Sets the maximum number of active frames; a call beyond it traps {@code stk_ovf}. */
    public Interpreter setMaxDepth(int maxDepth) {
        if (maxDepth < 1) throw new IllegalArgumentException("max depth must be positive");
        this.maxDepth = maxDepth;
        return this;
    }

    /**
     * Sets the number of instructions that may still execute, over all calls; when it runs out
     * the call ends {@link InterpResult#outOfFuel()}. {@code Long.MAX_VALUE} (the default) is
     * practically unlimited.
     */
    public Interpreter setFuel(long fuel) {
        if (fuel < 0) throw new IllegalArgumentException("negative fuel");
        this.fuel = fuel;
        return this;
    }

    /** The fuel left. */
    public long fuel() {
        return fuel;
    }

    /**
     * Calls the function {@code name} with {@code args} as raw bits (integers are cut to their
     * parameter's width, so -1 is a fine i32 argument; an i128 takes two slots, low half first).
     */
    public InterpResult call(String name, long... args) {
        InterpModule.Entry e = module.entry(name);
        Signature sig = e.signature;
        int slots = Type.slots(sig.params);
        if (args.length != slots) {
            throw new IllegalArgumentException(name + " takes " + sig.params.length + " arguments ("
                    + slots + " slots), given " + args.length);
        }
        long[] normalized = new long[args.length];
        for (int k = 0, slot = 0; k < sig.params.length; k++) {
            normalized[slot] = args[slot] & Type.mask(sig.params[k]);
            if (sig.params[k] == Type.I128) normalized[slot + 1] = args[slot + 1];
            slot += Type.slots(sig.params[k]);
        }
        if (e.host != null) {
            if (slots != sig.params.length) throw new IllegalArgumentException("host function " + name + " takes an i128");
            return callHost(e, normalized);
        }
        DecodedFunction fn = e.decoded();
        int base = depth;
        if (depth >= maxDepth) return InterpResult.trap(TrapCode.STK_OVF);
        Frame f = push(fn);
        for (int k = 0, slot = 0; k < sig.params.length; k++) {
            int v = fn.lists[fn.entryParams + 1 + k];
            f.regs[v] = normalized[slot++];
            if (sig.params[k] == Type.I128) f.hi[v] = normalized[slot++];
        }
        if (fn.vmctxParam >= 0) f.vmctx = f.regs[fn.lists[fn.entryParams + 1 + fn.vmctxParam]];
        f.pc = fn.entryPc;
        try {
            return run(base);
        } catch (RuntimeException | Error ex) {
            unwind(base);
            pendingTrap = -1;
            throw ex;
        }
    }

    private InterpResult callHost(InterpModule.Entry e, long[] args) {
        InterpResult r = e.host.call(this, args);
        if (r == null) throw new IllegalArgumentException("host function " + e.name + " returned null");
        if (r.returned() && r.count() != e.signature.returns.length) {
            throw new IllegalArgumentException("host function " + e.name + " returned " + r.count() + " values, signature "
                    + e.signature.returns.length);
        }
        if (!r.returned()) return r;
        // a host may hand back wider bits than the type; cut them as for any other value
        long[] vs = r.values();
        for (int k = 0; k < vs.length; k++) vs[k] &= Type.mask(e.signature.returns[k]);
        return InterpResult.returning(vs);
    }

    // =====================================================================================
    // Frames

    private Frame push(DecodedFunction fn) {
        if (depth == frames.length) frames = Arrays.copyOf(frames, depth * 2);
        Frame f = frames[depth];
        if (f == null) frames[depth] = f = new Frame();
        depth++;
        f.fn = fn;
        if (f.regs.length < fn.numRegs) f.regs = new long[Math.max(fn.numRegs, f.regs.length * 2)];
        else Arrays.fill(f.regs, 0, fn.numRegs, 0);
        if (fn.wide) {
            if (f.hi.length < fn.numRegs) f.hi = new long[Math.max(fn.numRegs, f.regs.length)];
            else Arrays.fill(f.hi, 0, fn.numRegs, 0);
        }
        int ns = fn.slotSize.length;
        if (f.slots.length < ns) f.slots = new long[Math.max(ns, f.slots.length * 2)];
        for (int s = 0; s < ns; s++) f.slots[s] = memory.allocate(fn.slotSize[s], fn.slotAlign[s]);
        f.vmctx = 0;
        if (moveBuffer.length < fn.maxBlockParams) {
            moveBuffer = new long[Math.max(fn.maxBlockParams, moveBuffer.length * 2)];
            moveBufferHi = new long[moveBuffer.length];
        }
        return f;
    }

    private void pop() {
        Frame f = frames[--depth];
        // free in reverse allocation order: each free is then a pop of the region table
        for (int s = f.fn.slotSize.length - 1; s >= 0; s--) memory.free(f.slots[s]);
    }

    private void unwind(int base) {
        while (depth > base) pop();
    }

    private InterpResult stop(int base, InterpResult r) {
        unwind(base);
        return r;
    }

    private InterpResult trap(int base, int code) {
        pendingTrap = -1;
        unwind(base);
        return InterpResult.trap(code);
    }

    // =====================================================================================
    // The loop

    private InterpResult run(int base) {
        Frame f = frames[depth - 1];
        DecodedFunction fn = f.fn;
        int[] code = fn.code;
        long[] imms = fn.imm;
        int[] lists = fn.lists;
        long[] regs = f.regs;
        long[] hi = fn.wide ? f.hi : null;
        int pc = f.pc;
        for (;;) {
            if (--fuel < 0) {
                fuel = 0;
                return stop(base, InterpResult.outOfFuel());
            }
            int o = pc * STRIDE;
            switch (code[o + KIND]) {
                case K_NOP:
                    pc++;
                    break;
                case K_CONST:
                    regs[code[o + RES]] = imms[pc];
                    pc++;
                    break;
                case K_INT_BIN:
                    regs[code[o + RES]] = IntOps.binary(OPCODES[code[o + OP]], code[o + TYPE], regs[code[o + A0]], regs[code[o + A1]]);
                    pc++;
                    break;
                case K_INT_BIN_IMM:
                    regs[code[o + RES]] = IntOps.binary(OPCODES[code[o + OP]], code[o + TYPE], regs[code[o + A0]], imms[pc]);
                    pc++;
                    break;
                case K_INT_DIV:
                case K_INT_DIV_IMM: {
                    Opcode op = OPCODES[code[o + OP]];
                    int type = code[o + TYPE];
                    long a = regs[code[o + A0]];
                    long b = code[o + KIND] == K_INT_DIV ? regs[code[o + A1]] : imms[pc];
                    int t = IntOps.divTrap(op, type, a, b);
                    if (t >= 0) return trap(base, t);
                    regs[code[o + RES]] = IntOps.binary(op, type, a, b);
                    pc++;
                    break;
                }
                case K_INT_UNARY:
                    regs[code[o + RES]] = IntOps.unary(OPCODES[code[o + OP]], code[o + TYPE], regs[code[o + A0]]);
                    pc++;
                    break;
                case K_INT_CONVERT:
                    regs[code[o + RES]] = IntOps.convert(OPCODES[code[o + OP]], code[o + TYPE], code[o + A1], regs[code[o + A0]]);
                    pc++;
                    break;
                case K_FLOAT_CONVERT:
                    regs[code[o + RES]] = FloatOps.convert(OPCODES[code[o + OP]], code[o + TYPE], code[o + A1], regs[code[o + A0]]);
                    pc++;
                    break;
                case K_FCVT_TO_INT: {
                    Opcode op = OPCODES[code[o + OP]];
                    long a = regs[code[o + A0]];
                    int t = FloatOps.toIntTrap(op, code[o + TYPE], code[o + A1], a);
                    if (t >= 0) return trap(base, t);
                    regs[code[o + RES]] = FloatOps.convert(op, code[o + TYPE], code[o + A1], a);
                    pc++;
                    break;
                }
                case K_FLOAT_BIN:
                    regs[code[o + RES]] = FloatOps.binary(OPCODES[code[o + OP]], code[o + TYPE], regs[code[o + A0]], regs[code[o + A1]]);
                    pc++;
                    break;
                case K_FLOAT_UNARY:
                    regs[code[o + RES]] = FloatOps.unary(OPCODES[code[o + OP]], code[o + TYPE], regs[code[o + A0]]);
                    pc++;
                    break;
                case K_ICMP:
                    regs[code[o + RES]] = INT_CCS[code[o + X]].eval(regs[code[o + A0]], regs[code[o + A1]], Type.laneBits(code[o + TYPE])) ? 1 : 0;
                    pc++;
                    break;
                case K_ICMP_IMM:
                    regs[code[o + RES]] = INT_CCS[code[o + X]].eval(regs[code[o + A0]], imms[pc], Type.laneBits(code[o + TYPE])) ? 1 : 0;
                    pc++;
                    break;
                case K_FCMP:
                    regs[code[o + RES]] = FloatOps.compare(FLOAT_CCS[code[o + X]], code[o + TYPE], regs[code[o + A0]], regs[code[o + A1]]);
                    pc++;
                    break;
                case K_SELECT:
                    regs[code[o + RES]] = regs[code[o + A0]] != 0 ? regs[code[o + A1]] : regs[code[o + A2]];
                    pc++;
                    break;
                case K_BITSELECT: {
                    long c = regs[code[o + A0]];
                    regs[code[o + RES]] = (regs[code[o + A1]] & c) | (regs[code[o + A2]] & ~c);
                    pc++;
                    break;
                }
                case K_FMA:
                    regs[code[o + RES]] = FloatOps.fma(code[o + TYPE], regs[code[o + A0]], regs[code[o + A1]], regs[code[o + A2]]);
                    pc++;
                    break;
                case K_FLAG_OP: {
                    Opcode op = OPCODES[code[o + OP]];
                    int type = code[o + TYPE];
                    long a = regs[code[o + A0]], b = regs[code[o + A1]];
                    long c = code[o + A2] >= 0 && regs[code[o + A2]] != 0 ? 1 : 0;
                    long value = IntOps.flagValue(op, type, a, b, c);
                    regs[code[o + B1]] = IntOps.flag(op, type, a, b, c);
                    regs[code[o + RES]] = value;
                    pc++;
                    break;
                }
                case K_ADD_TRAP: {
                    int type = code[o + TYPE];
                    long a = regs[code[o + A0]], b = regs[code[o + A1]];
                    if (IntOps.flag(Opcode.UADD_OVERFLOW, type, a, b, 0) != 0) return trap(base, code[o + X]);
                    regs[code[o + RES]] = (a + b) & Type.mask(type);
                    pc++;
                    break;
                }
                case K_LOAD_BIG: {
                    int bytes = code[o + A1];
                    long v = load(regs[code[o + A0]] + imms[pc], bytes, false, code[o + TYPE]);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    v = IntOps.swapBytes(v, bytes);
                    regs[code[o + RES]] = code[o + A2] != 0 ? IntOps.sext(v, bytes * 8) & Type.mask(code[o + TYPE]) : v;
                    pc++;
                    break;
                }
                case K_STORE_BIG: {
                    long addr = regs[code[o + A1]] + imms[pc];
                    int bytes = code[o + B0];
                    int r = memory.region(addr, bytes);
                    if (r < 0) return trap(base, TrapCode.HEAP_OOB);
                    memory.writeIn(r, addr, bytes, IntOps.swapBytes(regs[code[o + A0]] & (bytes == 8 ? -1L : (1L << (8 * bytes)) - 1), bytes));
                    pc++;
                    break;
                }
                case K_ATOMIC_RMW:
                case K_ATOMIC_CAS: {
                    long addr = regs[code[o + A0]];
                    int bytes = code[o + B0];
                    boolean big = (code[o + X] & MemFlags.BIG) != 0;
                    int r = memory.region(addr, bytes);
                    if (r < 0) return trap(base, TrapCode.HEAP_OOB);
                    long old = memory.readIn(r, addr, bytes);
                    if (big) old = IntOps.swapBytes(old, bytes);
                    long mask = Type.mask(code[o + TYPE]);
                    long next;
                    if (code[o + KIND] == K_ATOMIC_RMW) {
                        next = AtomicRmwOp.of((int) imms[pc]).apply(old, regs[code[o + A1]], bytes * 8);
                    } else {
                        next = old == (regs[code[o + A1]] & mask) ? regs[code[o + A2]] & mask : old;
                    }
                    memory.writeIn(r, addr, bytes, big ? IntOps.swapBytes(next, bytes) : next);
                    regs[code[o + RES]] = old;
                    pc++;
                    break;
                }
                case K_LOAD:
                case K_STACK_LOAD: {
                    long addr = (code[o + KIND] == K_LOAD ? regs[code[o + A0]] : f.slots[code[o + X]]) + imms[pc];
                    long v = load(addr, code[o + A1], code[o + A2] != 0, code[o + TYPE]);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    regs[code[o + RES]] = v;
                    pc++;
                    break;
                }
                case K_STORE:
                case K_STACK_STORE: {
                    long addr = (code[o + KIND] == K_STORE ? regs[code[o + A1]] : f.slots[code[o + X]]) + imms[pc];
                    int r = memory.region(addr, code[o + B0]);
                    if (r < 0) return trap(base, TrapCode.HEAP_OOB);
                    memory.writeIn(r, addr, code[o + B0], regs[code[o + A0]]);
                    pc++;
                    break;
                }
                case K_STACK_ADDR:
                    regs[code[o + RES]] = (f.slots[code[o + X]] + imms[pc]) & Type.mask(code[o + TYPE]);
                    pc++;
                    break;
                case K_HEAP_LOAD: {
                    int bytes = code[o + A1];
                    long addr = heapAccess(f, code[o + X], regs[code[o + A0]], imms[pc], bytes);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    long v = load(addr, bytes, code[o + A2] != 0, code[o + TYPE]);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    regs[code[o + RES]] = v;
                    pc++;
                    break;
                }
                case K_HEAP_STORE: {
                    int bytes = code[o + B0];
                    long addr = heapAccess(f, code[o + X], regs[code[o + A1]], imms[pc], bytes);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    int r = memory.region(addr, bytes);
                    if (r < 0) return trap(base, TrapCode.HEAP_OOB);
                    memory.writeIn(r, addr, bytes, regs[code[o + A0]]);
                    pc++;
                    break;
                }
                case K_HEAP_ADDR: {
                    long addr = heapAccess(f, code[o + X], regs[code[o + A0]], 0, imms[pc]);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    regs[code[o + RES]] = addr & Type.mask(code[o + TYPE]);
                    pc++;
                    break;
                }
                case K_TABLE_ADDR: {
                    long addr = tableAddr(f, code[o + X], regs[code[o + A0]], imms[pc]);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    regs[code[o + RES]] = addr & Type.mask(code[o + TYPE]);
                    pc++;
                    break;
                }
                case K_GLOBAL_VALUE: {
                    long v = globalValue(f, code[o + X]);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    regs[code[o + RES]] = v & Type.mask(code[o + TYPE]);
                    pc++;
                    break;
                }
                case K_FUNC_ADDR:
                    regs[code[o + RES]] = callee(fn, code[o + X]).address & Type.mask(code[o + TYPE]);
                    pc++;
                    break;
                case K_FRAME_ADDR:
                    regs[code[o + RES]] = frameAddress(code[o + X]);
                    pc++;
                    break;
                case K_STACK_LIMIT: {
                    long limit = globalValue(f, code[o + X]);
                    if (pendingTrap >= 0) return trap(base, pendingTrap);
                    if (Long.compareUnsigned(frameAddress(FRAME_SP), limit) < 0) return trap(base, TrapCode.STK_OVF);
                    pc++;
                    break;
                }
                case K_CALL:
                case K_CALL_INDIRECT:
                case K_RETURN_CALL:
                case K_RETURN_CALL_INDIRECT: {
                    int kind = code[o + KIND];
                    int args = code[o + A0];
                    int nargs = lists[args];
                    InterpModule.Entry e;
                    if (kind == K_CALL || kind == K_RETURN_CALL) {
                        e = callee(fn, code[o + X]);
                    } else {
                        long target = regs[lists[args + 1]];
                        if (target == 0) return trap(base, TrapCode.NULL_REFERENCE);
                        e = module.entryAt(target);
                        if (e == null || !e.signature.equals(fn.signatures[code[o + X]])) return trap(base, TrapCode.BAD_SIG);
                        args++;
                        nargs--;
                    }
                    f.pc = pc;
                    boolean tail = kind == K_RETURN_CALL || kind == K_RETURN_CALL_INDIRECT;
                    if (e.host != null) {
                        InterpResult r = hostCall(e, regs, lists, args, nargs);
                        if (!r.returned()) return stop(base, r);
                        if (tail) {
                            // a tail-called host function's results return to the replaced frame's caller
                            pop();
                            if (depth == base) return r;
                            f = frames[depth - 1];
                            fn = f.fn;
                            code = fn.code;
                            imms = fn.imm;
                            lists = fn.lists;
                            regs = f.regs;
                            hi = fn.wide ? f.hi : null;
                            pc = f.pc;
                        }
                        int res = code[pc * STRIDE + RES];
                        for (int k = 0; k < lists[res]; k++) regs[lists[res + 1 + k]] = r.value(k);
                        pc++;
                        break;
                    }
                    // the arguments are copied out first: a tail call replaces the frame they live in
                    if (callArgs.length < nargs) callArgs = new long[Math.max(nargs, callArgs.length * 2)];
                    long[] cargs = callArgs;
                    for (int k = 0; k < nargs; k++) cargs[k] = regs[lists[args + 1 + k]];
                    long[] cargsHi = null;
                    if (hi != null) {
                        if (callArgsHi.length < nargs) callArgsHi = new long[Math.max(nargs, callArgsHi.length * 2)];
                        cargsHi = callArgsHi;
                        for (int k = 0; k < nargs; k++) cargsHi[k] = hi[lists[args + 1 + k]];
                    }
                    if (tail) pop();
                    else if (depth >= maxDepth) return trap(base, TrapCode.STK_OVF);
                    DecodedFunction callee = e.decoded();
                    Frame nf = push(callee);
                    long[] nregs = nf.regs;
                    int params = callee.entryParams;
                    for (int k = 0; k < nargs; k++) nregs[callee.lists[params + 1 + k]] = cargs[k];
                    if (callee.wide && cargsHi != null) {
                        for (int k = 0; k < nargs; k++) nf.hi[callee.lists[params + 1 + k]] = cargsHi[k];
                    }
                    if (callee.vmctxParam >= 0) nf.vmctx = nregs[callee.lists[params + 1 + callee.vmctxParam]];
                    f = nf;
                    fn = callee;
                    code = fn.code;
                    imms = fn.imm;
                    lists = fn.lists;
                    regs = nregs;
                    hi = fn.wide ? nf.hi : null;
                    pc = fn.entryPc;
                    break;
                }
                case K_RETURN: {
                    int rets = code[o + A0];
                    int n = lists[rets];
                    long[] doneRegs = regs;
                    long[] doneHi = hi;
                    int[] doneLists = lists;
                    Signature doneSig = fn.signature;
                    pop();
                    if (depth == base) {
                        if (doneHi == null) {
                            long[] out = new long[n];
                            for (int k = 0; k < n; k++) out[k] = doneRegs[doneLists[rets + 1 + k]];
                            return InterpResult.returning(out);
                        }
                        long[] out = new long[Type.slots(doneSig.returns)];
                        for (int k = 0, slot = 0; k < n; k++) {
                            int v = doneLists[rets + 1 + k];
                            out[slot++] = doneRegs[v];
                            if (doneSig.returns[k] == Type.I128) out[slot++] = doneHi[v];
                        }
                        return InterpResult.returning(out);
                    }
                    f = frames[depth - 1];
                    fn = f.fn;
                    code = fn.code;
                    imms = fn.imm;
                    lists = fn.lists;
                    regs = f.regs;
                    hi = fn.wide ? f.hi : null;
                    pc = f.pc;
                    int res = code[pc * STRIDE + RES];
                    for (int k = 0; k < n; k++) regs[lists[res + 1 + k]] = doneRegs[doneLists[rets + 1 + k]];
                    if (hi != null && doneHi != null) {
                        for (int k = 0; k < n; k++) hi[lists[res + 1 + k]] = doneHi[doneLists[rets + 1 + k]];
                    }
                    pc++;
                    break;
                }
                case K_JUMP:
                    pc = jump(lists, code[o + B0], regs, hi);
                    break;
                case K_BRIF:
                    pc = jump(lists, code[o + (regs[code[o + A0]] != 0 ? B0 : B1)], regs, hi);
                    break;
                case K_BRZ:
                    pc = regs[code[o + A0]] == 0 ? jump(lists, code[o + B0], regs, hi) : pc + 1;
                    break;
                case K_BRNZ:
                    pc = regs[code[o + A0]] != 0 ? jump(lists, code[o + B0], regs, hi) : pc + 1;
                    break;
                case K_BR_ICMP:
                    pc = INT_CCS[code[o + X]].eval(regs[code[o + A0]], regs[code[o + A1]], Type.laneBits(code[o + TYPE]))
                            ? jump(lists, code[o + B0], regs, hi) : pc + 1;
                    break;
                case K_BR_TABLE: {
                    int table = code[o + X];
                    long index = regs[code[o + A0]];
                    int entries = lists[table] - 1;
                    // the index is unsigned: anything at or past the entries takes the default
                    int call = Long.compareUnsigned(index, entries) < 0 ? lists[table + 2 + (int) index] : lists[table + 1];
                    pc = jump(lists, call, regs, hi);
                    break;
                }
                case K_TRAP:
                    return trap(base, code[o + X]);
                case K_TRAPZ:
                    if (regs[code[o + A0]] == 0) return trap(base, code[o + X]);
                    pc++;
                    break;
                case K_TRAPNZ:
                    if (regs[code[o + A0]] != 0) return trap(base, code[o + X]);
                    pc++;
                    break;
                case K_WIDE: {
                    int next = wide(f, pc);
                    if (next < 0) return trap(base, -1 - next);
                    pc = next;
                    break;
                }
                default:
                    throw new IllegalStateException("bad instruction kind " + code[o + KIND] + " in " + fn.name);
            }
        }
    }

    // =====================================================================================
    // i128: one method off the hot loop, exact arithmetic by WideOps

    /**
     * The interpreter's model of the current frame's stack pointer, frame pointer or return
     * address ({@link Opcode#GET_STACK_POINTER} ...): distinct per call depth, equal for a frame
     * a tail call replaced, and outside every memory region.
     */
    private long frameAddress(int which) {
        long frame = depth - 1;
        return switch (which) {
            case DecodedFunction.FRAME_SP -> 0x00E0_0000_0000_0000L - (frame << 20);
            case DecodedFunction.FRAME_FP -> 0x00E0_0000_0000_0000L - (frame << 20) + 16;
            default -> 0x00D0_0000_0000_0000L + frame;
        };
    }

    /** The unsigned value of register {@code v} at its own width. */
    private static BigInteger wideValue(Frame f, int v) {
        int t = f.fn.valueTypes[v];
        if (t == Type.I128) return WideOps.of(f.regs[v], f.hi[v]);
        return WideOps.unsigned(f.regs[v] & Type.mask(t));
    }

    private static void setWide(Frame f, int v, BigInteger x) {
        int t = f.fn.valueTypes[v];
        f.regs[v] = WideOps.lo(x) & Type.mask(t);
        if (t == Type.I128) f.hi[v] = WideOps.hi(x);
    }

    /** The unsigned 128-bit value of an immediate, sign-extended from 64 bits. */
    private static BigInteger wideImm(long imm) {
        return WideOps.wrap(BigInteger.valueOf(imm));
    }

    /**
     * Executes the {@link DecodedFunction#K_WIDE} instruction at {@code pc} of frame {@code f}:
     * returns the next pc, or {@code -1 - code} when it traps with {@code code}.
     */
    private int wide(Frame f, int pc) {
        DecodedFunction fn = f.fn;
        int[] code = fn.code;
        int o = pc * STRIDE;
        Opcode op = OPCODES[code[o + OP]];
        int type = code[o + TYPE];
        int res = code[o + RES];
        int bits = Type.laneBits(type);
        long imm = fn.imm[pc];
        switch (op) {
            case ICONCAT:
                setWide(f, res, WideOps.of(f.regs[code[o + A0]], f.regs[code[o + A1]]));
                return pc + 1;
            case ISPLIT: {
                BigInteger x = wideValue(f, code[o + A0]);
                f.regs[res] = WideOps.lo(x);
                f.regs[code[o + B1]] = WideOps.hi(x);
                return pc + 1;
            }
            case UEXTEND: case SEXTEND: case IREDUCE: case BITCAST: {
                int from = code[o + A1];
                BigInteger x = wideValue(f, code[o + A0]);
                if (op == Opcode.SEXTEND) x = WideOps.signed(x, Type.laneBits(from));
                setWide(f, res, WideOps.wrap(x, bits));
                return pc + 1;
            }
            case ICMP: case ICMP_IMM: {
                BigInteger a = wideValue(f, code[o + A0]);
                BigInteger b = op == Opcode.ICMP ? wideValue(f, code[o + A1]) : WideOps.wrap(BigInteger.valueOf(imm), bits);
                f.regs[res] = WideOps.compare(INT_CCS[code[o + X]], a, b, bits) ? 1 : 0;
                return pc + 1;
            }
            case SELECT: case SELECT_SPECTRE_GUARD:
                setWide(f, res, wideValue(f, code[o + (wideValue(f, code[o + A0]).signum() != 0 ? A1 : A2)]));
                return pc + 1;
            case BITSELECT: {
                BigInteger c = wideValue(f, code[o + A0]);
                setWide(f, res, wideValue(f, code[o + A1]).and(c).or(wideValue(f, code[o + A2]).andNot(c)));
                return pc + 1;
            }
            case BMASK:
                setWide(f, res, wideValue(f, code[o + A0]).signum() != 0 ? WideOps.wrap(BigInteger.ONE.negate(), bits) : BigInteger.ZERO);
                return pc + 1;
            case BRIF:
                return jump(fn.lists, code[o + (wideValue(f, code[o + A0]).signum() != 0 ? B0 : B1)], f.regs, f.hi);
            case BRZ: case BRNZ:
                return (wideValue(f, code[o + A0]).signum() == 0) == (op == Opcode.BRZ) ? jump(fn.lists, code[o + B0], f.regs, f.hi) : pc + 1;
            case BR_ICMP:
                return WideOps.compare(INT_CCS[code[o + X]], wideValue(f, code[o + A0]), wideValue(f, code[o + A1]), bits)
                        ? jump(fn.lists, code[o + B0], f.regs, f.hi) : pc + 1;
            case TRAPZ: case TRAPNZ:
                return (wideValue(f, code[o + A0]).signum() == 0) == (op == Opcode.TRAPZ) ? -1 - code[o + X] : pc + 1;
            case LOAD: case STACK_LOAD: case ULOAD8: case SLOAD8: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32: {
                long addr = (op == Opcode.STACK_LOAD ? f.slots[code[o + X]] : f.regs[code[o + A0]]) + imm;
                int bytes = code[o + A1];
                int r = memory.region(addr, bytes);
                if (r < 0) return -1 - TrapCode.HEAP_OOB;
                boolean big = op != Opcode.STACK_LOAD && (code[o + X] & MemFlags.BIG) != 0;
                BigInteger x = BigInteger.ZERO;
                for (int k = 0; k < bytes; k++) {
                    long b = memory.readIn(r, addr + k, 1) & 0xFF;
                    x = x.or(BigInteger.valueOf(b).shiftLeft(8 * (big ? bytes - 1 - k : k)));
                }
                if (op.isSignedLoad()) x = WideOps.signed(x, 8 * bytes);
                setWide(f, res, WideOps.wrap(x, bits));
                return pc + 1;
            }
            case STORE: case STACK_STORE: case ISTORE8: case ISTORE16: case ISTORE32: {
                long addr = (op == Opcode.STACK_STORE ? f.slots[code[o + X]] : f.regs[code[o + A1]]) + imm;
                int bytes = code[o + B0];
                int r = memory.region(addr, bytes);
                if (r < 0) return -1 - TrapCode.HEAP_OOB;
                boolean big = op != Opcode.STACK_STORE && (code[o + X] & MemFlags.BIG) != 0;
                BigInteger x = wideValue(f, code[o + A0]);
                for (int k = 0; k < bytes; k++) {
                    long b = x.shiftRight(8 * (big ? bytes - 1 - k : k)).longValue() & 0xFF;
                    memory.writeIn(r, addr + k, 1, b);
                }
                return pc + 1;
            }
            case UADD_OVERFLOW: case SADD_OVERFLOW: case USUB_OVERFLOW: case SSUB_OVERFLOW: case UMUL_OVERFLOW:
            case SMUL_OVERFLOW: case UADD_OVERFLOW_CIN: case SADD_OVERFLOW_CIN: case USUB_OVERFLOW_BIN: case SSUB_OVERFLOW_BIN: {
                boolean signed = WideOps.isSignedFlagOp(op);
                long c = code[o + A2] >= 0 && wideValue(f, code[o + A2]).signum() != 0 ? 1 : 0;
                BigInteger x = WideOps.exact(op, wideValue(f, code[o + A0]), wideValue(f, code[o + A1]), c, signed);
                f.regs[code[o + B1]] = WideOps.fits(x, signed) ? 0 : 1;
                setWide(f, res, WideOps.wrap(x));
                return pc + 1;
            }
            case FCVT_TO_SINT: case FCVT_TO_UINT: case FCVT_TO_SINT_SAT: case FCVT_TO_UINT_SAT: {
                long bitsIn = f.regs[code[o + A0]];
                double x = code[o + A1] == Type.F32 ? Float.intBitsToFloat((int) bitsIn) : Double.longBitsToDouble(bitsIn);
                int[] trapCode = {-1};
                BigInteger r = WideOps.fromFloat(op, x, trapCode);
                if (r == null) return -1 - trapCode[0];
                setWide(f, res, r);
                return pc + 1;
            }
            case UADD_OVERFLOW_TRAP: {
                BigInteger x = WideOps.exact(op, wideValue(f, code[o + A0]), wideValue(f, code[o + A1]), 0, false);
                if (!WideOps.fits(x, false)) return -1 - code[o + X];
                setWide(f, res, WideOps.wrap(x));
                return pc + 1;
            }
            default:
                break;
        }
        if (type != Type.I128) {
            // a narrower operation with an i128 shift amount: the amount's low half is all that counts
            if (op.format == dev.twill.ir.InstructionFormat.BINARY) {
                setWide(f, res, WideOps.unsigned(IntOps.binary(op, type, f.regs[code[o + A0]], f.regs[code[o + A1]])));
                return pc + 1;
            }
            throw new IllegalArgumentException("cannot interpret " + fn.name + ": " + op.text + " mixing " + Type.name(type) + " and i128");
        }
        switch (op.format) {
            case UNARY:
                setWide(f, res, WideOps.unary(op, wideValue(f, code[o + A0])));
                return pc + 1;
            case BINARY:
            case BINARY_IMM: {
                BigInteger a = wideValue(f, code[o + A0]);
                BigInteger b = op.format == dev.twill.ir.InstructionFormat.BINARY ? wideValue(f, code[o + A1]) : wideImm(imm);
                switch (op) {
                    case UDIV: case SDIV: case UREM: case SREM: case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM: {
                        int t = WideOps.divTrap(op, a, b);
                        if (t >= 0) return -1 - t;
                        break;
                    }
                    default:
                        break;
                }
                setWide(f, res, WideOps.binary(op, a, b));
                return pc + 1;
            }
            default:
                throw new IllegalArgumentException("cannot interpret " + fn.name + ": " + op.text + " of an i128");
        }
    }

    /** Assigns a block call's arguments to its target's parameters in parallel; returns the target pc. */
    private int jump(int[] lists, int call, long[] regs, long[] hi) {
        int n = lists[call + 1];
        if (n > 0) {
            long[] buf = moveBuffer;
            int args = call + 2, params = call + 2 + n;
            for (int k = 0; k < n; k++) buf[k] = regs[lists[args + k]];
            for (int k = 0; k < n; k++) regs[lists[params + k]] = buf[k];
            if (hi != null) {
                long[] bufHi = moveBufferHi;
                for (int k = 0; k < n; k++) bufHi[k] = hi[lists[args + k]];
                for (int k = 0; k < n; k++) hi[lists[params + k]] = bufHi[k];
            }
        }
        return lists[call];
    }

    private InterpResult hostCall(InterpModule.Entry e, long[] regs, int[] lists, int args, int nargs) {
        long[] hargs = new long[nargs];
        for (int k = 0; k < nargs; k++) hargs[k] = regs[lists[args + 1 + k]];
        return callHost(e, hargs);
    }

    /** The callee of function reference {@code ref}, resolved and checked on first use. */
    private InterpModule.Entry callee(DecodedFunction fn, int ref) {
        InterpModule.Entry e = fn.callees[ref];
        if (e != null) return e;
        String name = fn.extFuncs[ref].name;
        e = module.entry(name);
        Signature declared = fn.signatures[fn.extFuncs[ref].signature];
        if (!Arrays.equals(declared.params, e.signature.params) || !Arrays.equals(declared.returns, e.signature.returns)) {
            throw new IllegalArgumentException(fn.name + " declares " + name + " as " + declared + " but it is " + e.signature);
        }
        fn.callees[ref] = e;
        return e;
    }

    // =====================================================================================
    // Memory, heaps, tables, global values: each sets pendingTrap instead of returning a value

    private long load(long addr, int bytes, boolean signed, int type) {
        int r = memory.region(addr, bytes);
        if (r < 0) {
            pendingTrap = TrapCode.HEAP_OOB;
            return 0;
        }
        long v = memory.readIn(r, addr, bytes);
        return signed ? IntOps.sext(v, bytes * 8) & Type.mask(type) : v;
    }

    /**
     * The address of an access of {@code bytes} bytes at {@code index + offset} of heap {@code h}:
     * in bounds iff {@code index + offset + bytes <= bound}, computed without wrapping around.
     */
    private long heapAccess(Frame f, int h, long index, long offset, long bytes) {
        HeapData heap = f.fn.heaps[h];
        long bound;
        if (heap.style == HeapData.Style.STATIC) {
            bound = heap.bound;
        } else {
            bound = globalValue(f, heap.boundGv);
            if (pendingTrap >= 0) return 0;
        }
        long end = index + offset;
        long last = end + bytes;
        if (Long.compareUnsigned(end, index) < 0 || Long.compareUnsigned(last, end) < 0 || Long.compareUnsigned(last, bound) > 0) {
            pendingTrap = TrapCode.HEAP_OOB;
            return 0;
        }
        long base = globalValue(f, heap.base);
        return base + index + offset;
    }

    /** {@code table_addr}: element {@code index} plus {@code offset}; {@code index >= bound} traps. */
    private long tableAddr(Frame f, int t, long index, long offset) {
        TableData table = f.fn.tables[t];
        long bound = globalValue(f, table.boundGv);
        if (pendingTrap >= 0) return 0;
        if (Long.compareUnsigned(index, bound) >= 0) {
            pendingTrap = TrapCode.TABLE_OOB;
            return 0;
        }
        long base = globalValue(f, table.base);
        return base + index * table.elementSize + offset;
    }

    /** The value of global value {@code gv} in frame {@code f}, as the legalizer computes it. */
    private long globalValue(Frame f, int gv) {
        GlobalValueData d = f.fn.globalValues[gv];
        switch (d.kind) {
            case VMCTX:
                return f.vmctx;
            case LOAD: {
                long base = globalValue(f, d.base);
                if (pendingTrap >= 0) return 0;
                return load(base + d.offset, Type.bytes(d.type), false, d.type);
            }
            case IADD_IMM:
                return (globalValue(f, d.base) + d.offset) & Type.mask(d.type);
            default:
                return (module.symbolAddress(d.symbol) + d.offset) & Type.mask(d.type);
        }
    }
}
