package dev.twill.legalize;

import dev.twill.CompileError;
import dev.twill.analysis.ControlFlowGraph;
import dev.twill.analysis.DominatorTree;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.ir.text.Printer;
import java.util.Arrays;

/**
 * Narrows every {@code i128} value of a function to a (low, high) pair of {@code i64} values in
 * the same IR, so back ends never see an {@code i128}.
 *
 * <p><b>Twill's i128 ABI</b>: an {@code i128} parameter or result of any signature (the
 * function's own, those it calls, block parameters) becomes two consecutive {@code i64}s, low
 * half first. Under System V that is exactly the register pair (rdi:rsi, rax:rdx ...) when the
 * halves land in registers; it differs from System V only when an {@code i128} would straddle
 * the last register and the stack, and it is the same convention for definitions, calls and
 * the raw-slot callers ({@code NativeModule}, the interpreter's {@code call}), which all pass an
 * {@code i128} as two longs, low first.
 *
 * <p><b>Algorithm</b>: signatures and block parameters are narrowed first (a parameter {@code
 * v: i128} becomes two new {@code i64} parameters); then the blocks are visited in reverse
 * post-order (so a definition is narrowed before any use it dominates; unreachable blocks
 * follow in layout order), and each instruction that reads or writes an {@code i128} is
 * replaced by {@code i64} instructions inserted before it; its non-{@code i128} results become
 * aliases of the new values and it leaves the layout. Block-call and return operands are
 * rewritten in place. The expansions (Hacker's Delight ch. 2 for multiword arithmetic):
 * <ul>
 *   <li>{@code iadd isub}: halves with the carry {@code lo < a.lo} (borrow {@code a.lo < b.lo})
 *       into the high half; {@code imul}: {@code lo = a.lo*b.lo}, {@code hi = umulhi(a.lo, b.lo)
 *       + a.lo*b.hi + a.hi*b.lo}; the overflow-flag family through the {@code i64} carry forms
 *       ({@code uadd_overflow} then {@code uadd_overflow_cin}/{@code sadd_overflow_cin} ...).
 *   <li>Shifts by {@code s = amount mod 128}, branch-free: the "small" result for {@code s mod
 *       64} (the bits crossing halves as {@code (lo >> 1) >> (63 - s)}, which is 0 at s = 0)
 *       and a {@code select} on bit 6 of {@code s}; rotations are {@code (x << s) | (x >> -s)}.
 *   <li>Comparisons: equality on {@code (a.lo ^ b.lo) | (a.hi ^ b.hi)}; orders as the high
 *       halves' order unless they are equal, then the low halves' unsigned order.
 *   <li>{@code clz ctz popcnt} from the halves' counts; {@code bswap bitrev} swap the halves;
 *       {@code cls} is {@code clz(x ^ (x >>s 127)) - 1}.
 *   <li>{@code udiv urem sdiv srem}: a restoring shift-subtract loop of 128 steps expanded into
 *       blocks (the block is split after the division); signed forms divide magnitudes and fix
 *       the signs, after the {@code int_divz} and {@code int_ovf} (MIN / -1) checks.
 *   <li>Loads and stores: two {@code i64} accesses at offsets 0 and 8, swapped with {@code big}
 *       (each half then byte-swapped by {@link ScalarExpander}).
 *   <li>Calls, returns, block arguments and {@code select}: pairwise.
 * </ul>
 * The output is not optimal (constants and compares are not shared): it is simple and correct,
 * and later passes may clean up. Instructions on {@code i128} that are not narrowed (atomics,
 * float conversions) are a {@link CompileError} naming the instruction.
 *
 * <p>Invariant after {@link #run}: no instruction in the layout has an {@code i128} operand or
 * result, and no signature of the function mentions {@code i128}.
 */
public final class I128Narrowing {
    private static final IntCC[] CCS = IntCC.values();
    private Function func;
    private DataFlowGraph dfg;
    private Layout layout;
    private InstBuilder b;
    private final ControlFlowGraph cfg = new ControlFlowGraph();
    private final DominatorTree domTree = new DominatorTree();
    /** Per value: its low and high halves once narrowed, or -1. */
    private int[] lo = new int[0], hi = new int[0];
    private int[] scratch = new int[16];

    /** True if {@code f} mentions an i128 anywhere (signatures or values). */
    public static boolean needed(Function f) {
        if (mentions(f.signature)) return true;
        for (Signature s : f.signatures) if (mentions(s)) return true;
        if (!f.dfg.mayHaveI128()) return false;
        int n = f.dfg.numValues();
        for (int v = 0; v < n; v++) if (f.dfg.valueType(v) == Type.I128) return true;
        return false;
    }

    private static boolean mentions(Signature s) {
        return Type.slots(s.params) != s.params.length || Type.slots(s.returns) != s.returns.length;
    }

    /** Narrows {@code f} in place; bad or unsupported input is a {@link CompileError}. */
    public void run(Function f) {
        func = f;
        dfg = f.dfg;
        layout = f.layout;
        b = new InstBuilder(f);
        int nv = dfg.numValues();
        lo = new int[Math.max(nv, 16)];
        hi = new int[lo.length];
        Arrays.fill(lo, -1);
        Arrays.fill(hi, -1);
        f.signature = narrow(f.signature);
        for (int k = 0; k < f.signatures.size(); k++) f.signatures.set(k, narrow(f.signatures.get(k)));
        for (int blk = layout.firstBlock(); blk >= 0; blk = layout.nextBlock(blk)) narrowParams(blk);
        cfg.compute(f);
        domTree.compute(f, cfg);
        int[] rpo = domTree.rpo();
        int reachable = domTree.numReachable();
        int[] order = Arrays.copyOf(rpo, reachable);
        for (int blk : order) visitBlock(blk);
        for (int blk = layout.firstBlock(); blk >= 0; blk = layout.nextBlock(blk)) {
            if (!domTree.isReachable(blk)) visitBlock(blk);
        }
        func = null;
        dfg = null;
        layout = null;
        b = null;
    }

    private void visitBlock(int blk) {
        for (int i = layout.firstInst(blk); i >= 0; ) {
            int next = layout.nextInst(i);
            narrowInst(i);
            i = next;
        }
    }

    // ---- signatures and parameters

    private static Signature narrow(Signature s) {
        if (!mentions(s)) return s;
        int np = Type.slots(s.params), nr = Type.slots(s.returns);
        int[] p = new int[np], pp = new int[np], pe = new int[np], r = new int[nr], rp = new int[nr], re = new int[nr];
        for (int k = 0, j = 0; k < s.params.length; k++) {
            for (int h = 0; h < Type.slots(s.params[k]); h++, j++) {
                p[j] = s.params[k] == Type.I128 ? Type.I64 : s.params[k];
                pp[j] = s.paramPurposes[k];
                pe[j] = s.params[k] == Type.I128 ? Signature.EXT_NONE : s.paramExts[k];
            }
        }
        for (int k = 0, j = 0; k < s.returns.length; k++) {
            for (int h = 0; h < Type.slots(s.returns[k]); h++, j++) {
                r[j] = s.returns[k] == Type.I128 ? Type.I64 : s.returns[k];
                rp[j] = s.returnPurposes[k];
                re[j] = s.returns[k] == Type.I128 ? Signature.EXT_NONE : s.returnExts[k];
            }
        }
        return new Signature(p, pp, pe, r, rp, re, s.callConv);
    }

    private void narrowParams(int blk) {
        int n = dfg.numBlockParams(blk);
        boolean any = false;
        for (int k = 0; k < n; k++) any |= dfg.valueType(dfg.blockParam(blk, k)) == Type.I128;
        if (!any) return;
        int[] old = new int[n];
        for (int k = 0; k < n; k++) old[k] = dfg.blockParam(blk, k);
        for (int k = n - 1; k >= 0; k--) dfg.removeBlockParam(blk, k);
        for (int v : old) {
            if (dfg.valueType(v) == Type.I128) {
                int l = dfg.appendBlockParam(blk, Type.I64);
                int h = dfg.appendBlockParam(blk, Type.I64);
                setPair(v, l, h);
            } else {
                dfg.attachBlockParam(blk, v, dfg.valueType(v));
            }
        }
    }

    // ---- value pairs

    private void setPair(int v, int l, int h) {
        if (v >= lo.length) {
            int n = Math.max(v + 1, lo.length * 2);
            int old = lo.length;
            lo = Arrays.copyOf(lo, n);
            hi = Arrays.copyOf(hi, n);
            Arrays.fill(lo, old, n, -1);
            Arrays.fill(hi, old, n, -1);
        }
        lo[v] = l;
        hi[v] = h;
    }

    private int lo(int i, int v) {
        v = dfg.resolveAliases(v);
        if (v >= lo.length || lo[v] < 0) throw error(i, "i128 value v" + v + " is used before its definition was narrowed");
        return lo[v];
    }

    private int hi(int i, int v) {
        lo(i, v);
        return hi[dfg.resolveAliases(v)];
    }

    private boolean isWide(int v) {
        return dfg.valueType(dfg.resolveAliases(v)) == Type.I128;
    }

    private CompileError error(int i, String why) {
        return CompileError.inFunction(func.name, Printer.instToString(func, i), "cannot narrow i128: " + why);
    }

    private int arg(int i, int n) {
        return dfg.resolveAliases(dfg.arg(i, n));
    }

    /** Makes result {@code k} of {@code i} an alias of {@code v} (i64 results only). */
    private void aliasResult(int r, int v) {
        dfg.changeToAlias(r, v);
    }

    /** Takes {@code i} out of the layout, its results detached. */
    private void remove(int i) {
        dfg.detachResults(i);
        layout.removeInst(i);
    }

    /** Finishes an instruction with one i128 result narrowed to {@code l, h}. */
    private void done(int i, int l, int h) {
        setPair(dfg.firstResult(i), l, h);
        remove(i);
    }

    /** Finishes an instruction with one narrow result now computed as {@code v}. */
    private void doneNarrow(int i, int v) {
        int r = dfg.firstResult(i);
        dfg.detachResults(i);
        aliasResult(r, v);
        layout.removeInst(i);
    }

    // ---- the rewrite

    private boolean touchesWide(int i) {
        int na = dfg.numArgs(i);
        for (int k = 0; k < na; k++) if (isWide(dfg.arg(i, k))) return true;
        int nr = dfg.numResults(i);
        for (int k = 0; k < nr; k++) if (dfg.valueType(dfg.result(i, k)) == Type.I128) return true;
        return false;
    }

    private void narrowInst(int i) {
        Opcode op = dfg.opcode(i);
        narrowBlockCalls(i);
        if (op == Opcode.RETURN) {
            narrowValueList(i, 0);
            return;
        }
        if (op == Opcode.CALL || op == Opcode.CALL_INDIRECT) {
            if (touchesWide(i)) call(i, op);
            return;
        }
        if (op == Opcode.RETURN_CALL || op == Opcode.RETURN_CALL_INDIRECT) {
            // no results: the callee's are the function's, narrowed with the signatures
            narrowValueList(i, op == Opcode.RETURN_CALL_INDIRECT ? 1 : 0);
            return;
        }
        if (!touchesWide(i)) return;
        b.before(i);
        int t = dfg.ctrlType(i);
        switch (op) {
            case ICONCAT: done(i, arg(i, 0), arg(i, 1)); return;
            case ISPLIT: {
                int x = arg(i, 0);
                int r0 = dfg.result(i, 0), r1 = dfg.result(i, 1);
                dfg.detachResults(i);
                aliasResult(r0, lo(i, x));
                aliasResult(r1, hi(i, x));
                layout.removeInst(i);
                return;
            }
            case UEXTEND: case SEXTEND: {
                int x = arg(i, 0);
                int l = dfg.valueType(x) == Type.I64 ? x : b.convert(op, Type.I64, x);
                done(i, l, op == Opcode.UEXTEND ? zero() : b.binaryImm(Opcode.SSHR_IMM, l, 63));
                return;
            }
            case IREDUCE: {
                int l = lo(i, arg(i, 0));
                doneNarrow(i, t == Type.I64 ? l : b.convert(Opcode.IREDUCE, t, l));
                return;
            }
            case BITCAST: {
                int x = arg(i, 0);
                if (t != Type.I128 || !isWide(x)) throw error(i, "bitcast between i128 and another type");
                done(i, lo(i, x), hi(i, x));
                return;
            }
            case IADD: case ISUB: {
                int[] r = addSub(op == Opcode.IADD, lo(i, arg(i, 0)), hi(i, arg(i, 0)), lo(i, arg(i, 1)), hi(i, arg(i, 1)));
                done(i, r[0], r[1]);
                return;
            }
            case IMUL: {
                int al = lo(i, arg(i, 0)), ah = hi(i, arg(i, 0)), bl = lo(i, arg(i, 1)), bh = hi(i, arg(i, 1));
                int l = b.imul(al, bl);
                int h = b.iadd(b.binary(Opcode.UMULHI, al, bl), b.iadd(b.imul(al, bh), b.imul(ah, bl)));
                done(i, l, h);
                return;
            }
            case INEG: {
                int[] r = addSub(false, zero(), zero(), lo(i, arg(i, 0)), hi(i, arg(i, 0)));
                done(i, r[0], r[1]);
                return;
            }
            case IABS: {
                int xl = lo(i, arg(i, 0)), xh = hi(i, arg(i, 0));
                int s = b.binaryImm(Opcode.SSHR_IMM, xh, 63);
                int[] r = addSub(false, b.binary(Opcode.BXOR, xl, s), b.binary(Opcode.BXOR, xh, s), s, s);
                done(i, r[0], r[1]);
                return;
            }
            case BAND: case BOR: case BXOR: case BAND_NOT: case BOR_NOT: case BXOR_NOT: {
                int x = arg(i, 0), y = arg(i, 1);
                done(i, b.binary(op, lo(i, x), lo(i, y)), b.binary(op, hi(i, x), hi(i, y)));
                return;
            }
            case BAND_IMM: case BOR_IMM: case BXOR_IMM: {
                int x = arg(i, 0);
                long imm = dfg.imm(i);
                Opcode reg = op.regForm();
                done(i, b.binary(reg, lo(i, x), b.iconst(Type.I64, imm)), b.binary(reg, hi(i, x), b.iconst(Type.I64, imm >> 63)));
                return;
            }
            case IADD_IMM: case IMUL_IMM: case IRSUB_IMM: {
                int x = arg(i, 0);
                long imm = dfg.imm(i);
                int il = b.iconst(Type.I64, imm), ih = b.iconst(Type.I64, imm >> 63);
                int xl = lo(i, x), xh = hi(i, x);
                int[] r;
                if (op == Opcode.IADD_IMM) r = addSub(true, xl, xh, il, ih);
                else if (op == Opcode.IRSUB_IMM) r = addSub(false, il, ih, xl, xh);
                else r = new int[] {b.imul(xl, il), b.iadd(b.binary(Opcode.UMULHI, xl, il), b.iadd(b.imul(xl, ih), b.imul(xh, il)))};
                done(i, r[0], r[1]);
                return;
            }
            case BNOT: {
                int x = arg(i, 0);
                done(i, b.unary(Opcode.BNOT, Type.I64, lo(i, x)), b.unary(Opcode.BNOT, Type.I64, hi(i, x)));
                return;
            }
            case SELECT: case SELECT_SPECTRE_GUARD: {
                int c = cond(i, arg(i, 0));
                int x = arg(i, 1), y = arg(i, 2);
                if (t != Type.I128) {
                    dfg.setArg(i, 0, c);
                    return;
                }
                done(i, b.ternary(op, Type.I64, c, lo(i, x), lo(i, y)), b.ternary(op, Type.I64, c, hi(i, x), hi(i, y)));
                return;
            }
            case BITSELECT: {
                int c = arg(i, 0), x = arg(i, 1), y = arg(i, 2);
                done(i, b.ternary(op, Type.I64, lo(i, c), lo(i, x), lo(i, y)), b.ternary(op, Type.I64, hi(i, c), hi(i, x), hi(i, y)));
                return;
            }
            case BMASK: {
                int x = arg(i, 0);
                int c = isWide(x) ? b.binary(Opcode.BOR, lo(i, x), hi(i, x)) : x;
                if (t == Type.I128) {
                    int m = b.unary(Opcode.BMASK, Type.I64, c);
                    done(i, m, m);
                } else {
                    doneNarrow(i, b.unary(Opcode.BMASK, t, c));
                }
                return;
            }
            case ICMP: case ICMP_IMM: {
                int x = arg(i, 0);
                int yl, yh;
                if (op == Opcode.ICMP) {
                    yl = lo(i, arg(i, 1));
                    yh = hi(i, arg(i, 1));
                } else {
                    yl = b.iconst(Type.I64, dfg.imm(i));
                    yh = b.iconst(Type.I64, dfg.imm(i) >> 63);
                }
                doneNarrow(i, compare(CCS[dfg.aux(i)], lo(i, x), hi(i, x), yl, yh));
                return;
            }
            case SMIN: case SMAX: case UMIN: case UMAX: {
                int x = arg(i, 0), y = arg(i, 1);
                IntCC cc = op == Opcode.SMIN ? IntCC.SLT : op == Opcode.SMAX ? IntCC.SGT : op == Opcode.UMIN ? IntCC.ULT : IntCC.UGT;
                int c = compare(cc, lo(i, x), hi(i, x), lo(i, y), hi(i, y));
                done(i, b.select(c, lo(i, x), lo(i, y)), b.select(c, hi(i, x), hi(i, y)));
                return;
            }
            case ISHL: case USHR: case SSHR: case ROTL: case ROTR:
            case ISHL_IMM: case USHR_IMM: case SSHR_IMM: case ROTL_IMM: case ROTR_IMM: {
                boolean imm = op.format == dev.twill.ir.InstructionFormat.BINARY_IMM;
                int amt = imm ? b.iconst(Type.I64, dfg.imm(i)) : arg(i, 1);
                if (!imm && isWide(amt)) amt = lo(i, amt);
                if (t != Type.I128) {
                    // a narrower value shifted by an i128 amount: the low half carries the amount modulo the width
                    dfg.setArg(i, 1, amt);
                    return;
                }
                int s = Type.bits(dfg.valueType(amt)) < 64 ? b.convert(Opcode.UEXTEND, Type.I64, amt) : amt;
                int x = arg(i, 0);
                int xl = lo(i, x), xh = hi(i, x);
                Opcode reg = imm ? op.regForm() : op;
                int[] r;
                switch (reg) {
                    case ISHL: r = shl(xl, xh, s); break;
                    case USHR: r = shr(xl, xh, s, false); break;
                    case SSHR: r = shr(xl, xh, s, true); break;
                    default: {
                        int neg = b.unary(Opcode.INEG, Type.I64, s);
                        int[] p = shl(xl, xh, reg == Opcode.ROTL ? s : neg);
                        int[] q = shr(xl, xh, reg == Opcode.ROTL ? neg : s, false);
                        r = new int[] {b.binary(Opcode.BOR, p[0], q[0]), b.binary(Opcode.BOR, p[1], q[1])};
                    }
                }
                done(i, r[0], r[1]);
                return;
            }
            case CLZ: {
                int x = arg(i, 0);
                done(i, clz(lo(i, x), hi(i, x)), zero());
                return;
            }
            case CTZ: {
                int x = arg(i, 0);
                int xl = lo(i, x), xh = hi(i, x);
                int loZero = b.icmpImm(IntCC.EQ, xl, 0);
                int c = b.select(loZero, b.iaddImm(b.unary(Opcode.CTZ, Type.I64, xh), 64), b.unary(Opcode.CTZ, Type.I64, xl));
                done(i, c, zero());
                return;
            }
            case POPCNT: {
                int x = arg(i, 0);
                done(i, b.iadd(b.unary(Opcode.POPCNT, Type.I64, lo(i, x)), b.unary(Opcode.POPCNT, Type.I64, hi(i, x))), zero());
                return;
            }
            case CLS: {
                int x = arg(i, 0);
                int xl = lo(i, x), xh = hi(i, x);
                int s = b.binaryImm(Opcode.SSHR_IMM, xh, 63);
                int z = clz(b.binary(Opcode.BXOR, xl, s), b.binary(Opcode.BXOR, xh, s));
                done(i, b.iaddImm(z, -1), zero());
                return;
            }
            case BSWAP: case BITREV: {
                int x = arg(i, 0);
                done(i, b.unary(op, Type.I64, hi(i, x)), b.unary(op, Type.I64, lo(i, x)));
                return;
            }
            case UDIV: case SDIV: case UREM: case SREM:
            case UDIV_IMM: case SDIV_IMM: case UREM_IMM: case SREM_IMM:
                divide(i, op);
                return;
            case UADD_OVERFLOW: case SADD_OVERFLOW: case USUB_OVERFLOW: case SSUB_OVERFLOW:
            case UADD_OVERFLOW_CIN: case SADD_OVERFLOW_CIN: case USUB_OVERFLOW_BIN: case SSUB_OVERFLOW_BIN:
                flagOp(i, op);
                return;
            case FCVT_TO_SINT: case FCVT_TO_UINT: case FCVT_TO_SINT_SAT: case FCVT_TO_UINT_SAT:
                floatToInt(i, op);
                return;
            case UADD_OVERFLOW_TRAP: {
                int x = arg(i, 0), y = arg(i, 1);
                int l = b.insert(Opcode.UADD_OVERFLOW, Type.I64);
                dfg.setField(l, DataFlowGraph.A0, lo(i, x));
                dfg.setField(l, DataFlowGraph.A1, lo(i, y));
                int sl = dfg.appendResult(l, Type.I64), c = dfg.appendResult(l, Type.I8);
                int h = b.insert(Opcode.UADD_OVERFLOW_CIN, Type.I64);
                dfg.setField(h, DataFlowGraph.A0, hi(i, x));
                dfg.setField(h, DataFlowGraph.A1, hi(i, y));
                dfg.setField(h, DataFlowGraph.A2, c);
                int sh = dfg.appendResult(h, Type.I64), f = dfg.appendResult(h, Type.I8);
                b.condTrap(Opcode.TRAPNZ, f, dfg.aux(i));
                done(i, sl, sh);
                return;
            }
            case BRIF: case BRZ: case BRNZ: case TRAPZ: case TRAPNZ:
                dfg.setArg(i, 0, cond(i, arg(i, 0)));
                dfg.setCtrlType(i, Type.I64);
                return;
            case BR_ICMP: {
                int x = arg(i, 0), y = arg(i, 1);
                int c = compare(CCS[dfg.aux(i)], lo(i, x), hi(i, x), lo(i, y), hi(i, y));
                int call = dfg.blockCall(i, 0);
                int dest = dfg.blockCallBlock(call);
                int n = dfg.blockCallNumArgs(call);
                int[] args = new int[n];
                for (int k = 0; k < n; k++) args[k] = dfg.blockCallArg(call, k);
                b.branch(Opcode.BRNZ, c, dest, args, n);
                layout.removeInst(i);
                return;
            }
            case LOAD: case ULOAD8: case SLOAD8: case ULOAD16: case SLOAD16: case ULOAD32: case SLOAD32:
                load(i, op);
                return;
            case STORE: case ISTORE8: case ISTORE16: case ISTORE32:
                store(i, op);
                return;
            case STACK_LOAD: {
                int slot = dfg.aux(i);
                long off = dfg.imm(i);
                done(i, b.stackLoad(Type.I64, slot, off), b.stackLoad(Type.I64, slot, off + 8));
                return;
            }
            case STACK_STORE: {
                int x = arg(i, 0);
                int slot = dfg.aux(i);
                long off = dfg.imm(i);
                b.stackStore(lo(i, x), slot, off);
                b.stackStore(hi(i, x), slot, off + 8);
                layout.removeInst(i);
                return;
            }
            default:
                throw error(i, op.text + " on i128 is not supported");
        }
    }

    private int zero() {
        return b.iconst(Type.I64, 0);
    }

    /** An i64 that is non-zero iff condition {@code c} (any integer type) is. */
    private int cond(int i, int c) {
        return isWide(c) ? b.binary(Opcode.BOR, lo(i, c), hi(i, c)) : c;
    }

    /** {@code a ± b} on pairs: {low, high}. */
    private int[] addSub(boolean add, int al, int ah, int bl, int bh) {
        if (add) {
            int l = b.iadd(al, bl);
            int carry = b.convert(Opcode.UEXTEND, Type.I64, b.icmp(IntCC.ULT, l, al));
            return new int[] {l, b.iadd(b.iadd(ah, bh), carry)};
        }
        int l = b.isub(al, bl);
        int borrow = b.convert(Opcode.UEXTEND, Type.I64, b.icmp(IntCC.ULT, al, bl));
        return new int[] {l, b.isub(b.isub(ah, bh), borrow)};
    }

    /** {@code x << (s mod 128)} on a pair; {@code s} is an i64. */
    private int[] shl(int xl, int xh, int s) {
        int lowSmall = b.binary(Opcode.ISHL, xl, s);
        int back = b.binaryImm(Opcode.BXOR_IMM, b.binaryImm(Opcode.BAND_IMM, s, 63), 63); // 63 - (s mod 64)
        int cross = b.binary(Opcode.USHR, b.binaryImm(Opcode.USHR_IMM, xl, 1), back);
        int highSmall = b.binary(Opcode.BOR, b.binary(Opcode.ISHL, xh, s), cross);
        int big = b.icmpImm(IntCC.NE, b.binaryImm(Opcode.BAND_IMM, s, 64), 0);
        return new int[] {b.select(big, zero(), lowSmall), b.select(big, lowSmall, highSmall)};
    }

    /** {@code x >> (s mod 128)}, logical or arithmetic, on a pair. */
    private int[] shr(int xl, int xh, int s, boolean arithmetic) {
        int highSmall = b.binary(arithmetic ? Opcode.SSHR : Opcode.USHR, xh, s);
        int back = b.binaryImm(Opcode.BXOR_IMM, b.binaryImm(Opcode.BAND_IMM, s, 63), 63);
        int cross = b.binary(Opcode.ISHL, b.binaryImm(Opcode.ISHL_IMM, xh, 1), back);
        int lowSmall = b.binary(Opcode.BOR, b.binary(Opcode.USHR, xl, s), cross);
        int big = b.icmpImm(IntCC.NE, b.binaryImm(Opcode.BAND_IMM, s, 64), 0);
        int fill = arithmetic ? b.binaryImm(Opcode.SSHR_IMM, xh, 63) : zero();
        return new int[] {b.select(big, highSmall, lowSmall), b.select(big, fill, highSmall)};
    }

    /** The leading zeros of a pair, as an i64. */
    private int clz(int xl, int xh) {
        int hiZero = b.icmpImm(IntCC.EQ, xh, 0);
        return b.select(hiZero, b.iaddImm(b.unary(Opcode.CLZ, Type.I64, xl), 64), b.unary(Opcode.CLZ, Type.I64, xh));
    }

    /** {@code a cc b} on pairs, as an i8. */
    private int compare(IntCC cc, int al, int ah, int bl, int bh) {
        if (cc == IntCC.EQ || cc == IntCC.NE) {
            int d = b.binary(Opcode.BOR, b.binary(Opcode.BXOR, al, bl), b.binary(Opcode.BXOR, ah, bh));
            return b.icmpImm(cc, d, 0);
        }
        int highEqual = b.icmp(IntCC.EQ, ah, bh);
        int low = b.icmp(unsignedOf(cc), al, bl);
        int high = b.icmp(cc, ah, bh);
        return b.select(highEqual, low, high);
    }

    private static IntCC unsignedOf(IntCC cc) {
        switch (cc) {
            case SLT: return IntCC.ULT;
            case SLE: return IntCC.ULE;
            case SGT: return IntCC.UGT;
            case SGE: return IntCC.UGE;
            default: return cc;
        }
    }

    /** The overflow-flag family through the i64 carry forms (which {@link ScalarExpander} expands). */
    private void flagOp(int i, Opcode op) {
        boolean add = op == Opcode.UADD_OVERFLOW || op == Opcode.SADD_OVERFLOW || op == Opcode.UADD_OVERFLOW_CIN || op == Opcode.SADD_OVERFLOW_CIN;
        boolean signed = op == Opcode.SADD_OVERFLOW || op == Opcode.SSUB_OVERFLOW || op == Opcode.SADD_OVERFLOW_CIN || op == Opcode.SSUB_OVERFLOW_BIN;
        boolean withCarry = op.format == dev.twill.ir.InstructionFormat.TERNARY;
        int x = arg(i, 0), y = arg(i, 1);
        Opcode first = add ? (withCarry ? Opcode.UADD_OVERFLOW_CIN : Opcode.UADD_OVERFLOW)
                : (withCarry ? Opcode.USUB_OVERFLOW_BIN : Opcode.USUB_OVERFLOW);
        int l = b.insert(first, Type.I64);
        dfg.setField(l, DataFlowGraph.A0, lo(i, x));
        dfg.setField(l, DataFlowGraph.A1, lo(i, y));
        if (withCarry) dfg.setField(l, DataFlowGraph.A2, cond(i, arg(i, 2)) == arg(i, 2) ? arg(i, 2) : b.icmpImm(IntCC.NE, cond(i, arg(i, 2)), 0));
        int rl = dfg.appendResult(l, Type.I64), c = dfg.appendResult(l, Type.I8);
        Opcode second = add ? (signed ? Opcode.SADD_OVERFLOW_CIN : Opcode.UADD_OVERFLOW_CIN)
                : (signed ? Opcode.SSUB_OVERFLOW_BIN : Opcode.USUB_OVERFLOW_BIN);
        int h = b.insert(second, Type.I64);
        dfg.setField(h, DataFlowGraph.A0, hi(i, x));
        dfg.setField(h, DataFlowGraph.A1, hi(i, y));
        dfg.setField(h, DataFlowGraph.A2, c);
        int rh = dfg.appendResult(h, Type.I64), f = dfg.appendResult(h, Type.I8);
        int r0 = dfg.result(i, 0), r1 = dfg.result(i, 1);
        dfg.detachResults(i);
        setPair(r0, rl, rh);
        aliasResult(r1, f);
        layout.removeInst(i);
    }

    // ---- float to i128

    /**
     * {@code fcvt_to_sint fcvt_to_uint} and {@code _sat} to i128, from the f64 (an f32 is
     * promoted exactly): the plain forms trap on NaN and out-of-range values first; the
     * magnitude's 53-bit significand is shifted into place ({@code m << (e - 52)} for values of
     * at least 2^52, {@code m >> (52 - e)} below, 0 below 1) and negated for negative inputs;
     * the saturating forms select the bounds (and 0 for NaN) at the end.
     */
    private void floatToInt(int i, Opcode op) {
        boolean signedTo = op == Opcode.FCVT_TO_SINT || op == Opcode.FCVT_TO_SINT_SAT;
        boolean sat = op == Opcode.FCVT_TO_SINT_SAT || op == Opcode.FCVT_TO_UINT_SAT;
        int x = arg(i, 0);
        if (dfg.valueType(x) == Type.F32) x = b.convert(Opcode.FPROMOTE, Type.F64, x);
        // the range is [low, high): -2^127 .. 2^127 signed, and above -1 .. 2^128 unsigned
        int high = b.f64const(signedTo ? 0x1p127 : 0x1p128);
        int low = b.f64const(signedTo ? -0x1p127 : -1.0);
        int nan = b.fcmp(dev.twill.ir.FloatCC.UNO, x, x);
        int tooHigh = b.fcmp(dev.twill.ir.FloatCC.GE, x, high);
        int tooLow = b.fcmp(signedTo ? dev.twill.ir.FloatCC.LT : dev.twill.ir.FloatCC.LE, x, low);
        if (!sat) {
            b.condTrap(Opcode.TRAPNZ, nan, TrapCode.BAD_TOINT);
            b.condTrap(Opcode.TRAPNZ, b.binary(Opcode.BOR, tooHigh, tooLow), TrapCode.INT_OVF);
        }
        int bits = b.convert(Opcode.BITCAST, Type.I64, b.unary(Opcode.FABS, Type.F64, x));
        int exp = b.binaryImm(Opcode.IADD_IMM, b.binaryImm(Opcode.USHR_IMM, bits, 52), -1075);
        int mant = b.binaryImm(Opcode.BOR_IMM, b.binaryImm(Opcode.BAND_IMM, bits, (1L << 52) - 1), 1L << 52);
        int[] up = shl(mant, zero(), exp);
        int down = b.binary(Opcode.USHR, mant, b.unary(Opcode.INEG, Type.I64, exp));
        int isUp = b.icmpImm(IntCC.SGE, exp, 0);
        int belowOne = b.icmpImm(IntCC.SLT, exp, -52);
        int ml = b.select(belowOne, zero(), b.select(isUp, up[0], down));
        int mh = b.select(belowOne, zero(), b.select(isUp, up[1], zero()));
        int l = ml, h = mh;
        if (signedTo) {
            int negative = b.fcmp(dev.twill.ir.FloatCC.LT, x, b.f64const(0.0));
            int[] neg = addSub(false, zero(), zero(), ml, mh);
            l = b.select(negative, neg[0], ml);
            h = b.select(negative, neg[1], mh);
        }
        if (sat) {
            long hiMax = signedTo ? Long.MAX_VALUE : -1L, hiMin = signedTo ? Long.MIN_VALUE : 0L;
            l = b.select(tooHigh, b.iconst(Type.I64, -1), b.select(tooLow, zero(), l));
            h = b.select(tooHigh, b.iconst(Type.I64, hiMax), b.select(tooLow, b.iconst(Type.I64, hiMin), h));
            l = b.select(nan, zero(), l);
            h = b.select(nan, zero(), h);
        }
        done(i, l, h);
    }

    // ---- memory

    private void load(int i, Opcode op) {
        int addr = arg(i, 0);
        int flags = dfg.aux(i);
        long off = dfg.imm(i);
        if (op != Opcode.LOAD) {
            int l = b.load(op, Type.I64, flags, addr, off);
            done(i, l, op.isSignedLoad() ? b.binaryImm(Opcode.SSHR_IMM, l, 63) : zero());
            return;
        }
        boolean big = (flags & MemFlags.BIG) != 0;
        int first = b.load(Opcode.LOAD, Type.I64, flags, addr, off);
        int second = b.load(Opcode.LOAD, Type.I64, flags, addr, off + 8);
        done(i, big ? second : first, big ? first : second);
    }

    private void store(int i, Opcode op) {
        int x = arg(i, 0), addr = arg(i, 1);
        int flags = dfg.aux(i);
        long off = dfg.imm(i);
        if (!isWide(x)) throw error(i, "an i128 address");
        if (op != Opcode.STORE) {
            b.store(op, flags, lo(i, x), addr, off);
        } else {
            boolean big = (flags & MemFlags.BIG) != 0;
            b.store(Opcode.STORE, flags, big ? hi(i, x) : lo(i, x), addr, off);
            b.store(Opcode.STORE, flags, big ? lo(i, x) : hi(i, x), addr, off + 8);
        }
        layout.removeInst(i);
    }

    // ---- calls, returns, block calls

    /** Replaces i128 operands of the value list from {@code from} on by their halves. */
    private void narrowValueList(int i, int from) {
        int n = dfg.numArgs(i);
        boolean any = false;
        for (int k = from; k < n; k++) any |= isWide(dfg.arg(i, k));
        if (!any) return;
        int m = 0;
        int[] out = new int[2 * n];
        for (int k = 0; k < n; k++) {
            int v = dfg.resolveAliases(dfg.arg(i, k));
            if (k >= from && isWide(v)) {
                out[m++] = lo(i, v);
                out[m++] = hi(i, v);
            } else {
                out[m++] = v;
            }
        }
        dfg.pool.free(dfg.valueList(i));
        dfg.setValueList(i, dfg.pool.of(out, 0, m));
    }

    private void narrowBlockCalls(int i) {
        int nc = dfg.numBlockCalls(i);
        for (int c = 0; c < nc; c++) {
            int call = dfg.blockCall(i, c);
            int n = dfg.blockCallNumArgs(call);
            boolean any = false;
            for (int k = 0; k < n; k++) any |= isWide(dfg.blockCallArg(call, k));
            if (!any) continue;
            if (scratch.length < 2 * n) scratch = new int[2 * n];
            int m = 0;
            for (int k = 0; k < n; k++) {
                int v = dfg.resolveAliases(dfg.blockCallArg(call, k));
                if (isWide(v)) {
                    scratch[m++] = lo(i, v);
                    scratch[m++] = hi(i, v);
                } else {
                    scratch[m++] = v;
                }
            }
            dfg.setBlockCall(i, c, dfg.makeBlockCall(dfg.blockCallBlock(call), scratch, m));
        }
    }

    /** A call with i128 arguments or results: the signature is already narrowed; arguments and results follow. */
    private void call(int i, Opcode op) {
        narrowValueList(i, op == Opcode.CALL_INDIRECT ? 1 : 0);
        int nr = dfg.numResults(i);
        int[] old = new int[nr];
        for (int k = 0; k < nr; k++) old[k] = dfg.result(i, k);
        dfg.detachResults(i);
        Signature sig = op == Opcode.CALL ? func.signatures.get(func.extFuncs.get(dfg.aux(i)).signature) : func.signatures.get(dfg.aux(i));
        int[] fresh = new int[sig.returns.length];
        for (int k = 0; k < fresh.length; k++) fresh[k] = dfg.appendResult(i, sig.returns[k]);
        for (int k = 0, j = 0; k < nr; k++) {
            if (dfg.valueType(old[k]) == Type.I128) {
                setPair(old[k], fresh[j], fresh[j + 1]);
                j += 2;
            } else {
                aliasResult(old[k], fresh[j++]);
            }
        }
    }

    // ---- division

    /**
     * {@code udiv urem sdiv srem} (and their {@code _imm} forms) of i128: checks, then a
     * restoring division of the magnitudes, 128 steps of one quotient bit each, in a loop block;
     * the rest of the original block moves to a new block that receives the quotient and
     * remainder.
     */
    private void divide(int i, Opcode op) {
        Opcode reg = op.format == dev.twill.ir.InstructionFormat.BINARY_IMM ? op.regForm() : op;
        boolean signed = reg == Opcode.SDIV || reg == Opcode.SREM;
        boolean rem = reg == Opcode.UREM || reg == Opcode.SREM;
        int x = arg(i, 0);
        int nl = lo(i, x), nh = hi(i, x);
        int dl, dh;
        if (op != reg) {
            dl = b.iconst(Type.I64, dfg.imm(i));
            dh = b.iconst(Type.I64, dfg.imm(i) >> 63);
        } else {
            dl = lo(i, arg(i, 1));
            dh = hi(i, arg(i, 1));
        }
        b.condTrap(Opcode.TRAPZ, b.binary(Opcode.BOR, dl, dh), TrapCode.INT_DIVZ);
        int nSign = 0, dSign = 0;
        if (signed) {
            if (reg == Opcode.SDIV) {
                // MIN / -1 overflows: n == 2^127 and d == -1
                int nIsMin = b.icmpImm(IntCC.EQ, b.binary(Opcode.BOR, nl, b.binaryImm(Opcode.BXOR_IMM, nh, Long.MIN_VALUE)), 0);
                int dIsMinusOne = b.icmpImm(IntCC.EQ, b.binary(Opcode.BAND, dl, dh), -1);
                b.condTrap(Opcode.TRAPNZ, b.binary(Opcode.BAND, nIsMin, dIsMinusOne), TrapCode.INT_OVF);
            }
            nSign = b.binaryImm(Opcode.SSHR_IMM, nh, 63);
            dSign = b.binaryImm(Opcode.SSHR_IMM, dh, 63);
            int[] an = addSub(false, b.binary(Opcode.BXOR, nl, nSign), b.binary(Opcode.BXOR, nh, nSign), nSign, nSign);
            int[] ad = addSub(false, b.binary(Opcode.BXOR, dl, dSign), b.binary(Opcode.BXOR, dh, dSign), dSign, dSign);
            nl = an[0];
            nh = an[1];
            dl = ad[0];
            dh = ad[1];
        }
        int blk = layout.instBlock(i);
        int loop = dfg.makeBlock();
        int after = dfg.makeBlock();
        layout.insertBlockAfter(loop, blk);
        layout.insertBlockAfter(after, loop);
        layout.splitBlock(after, i);
        // loop(n.lo, n.hi, r.lo, r.hi, count): the dividend shifts out into the remainder while quotient bits shift in
        int pnl = dfg.appendBlockParam(loop, Type.I64), pnh = dfg.appendBlockParam(loop, Type.I64);
        int prl = dfg.appendBlockParam(loop, Type.I64), prh = dfg.appendBlockParam(loop, Type.I64);
        int pcount = dfg.appendBlockParam(loop, Type.I64);
        int ql = dfg.appendBlockParam(after, Type.I64), qh = dfg.appendBlockParam(after, Type.I64);
        int rl = dfg.appendBlockParam(after, Type.I64), rh = dfg.appendBlockParam(after, Type.I64);
        b.atEnd(blk);
        b.jump(loop, nl, nh, zero(), zero(), b.iconst(Type.I64, 128));
        b.atEnd(loop);
        int top = b.binaryImm(Opcode.USHR_IMM, pnh, 63);
        int out = b.binaryImm(Opcode.USHR_IMM, prh, 63); // the remainder's bit 128 after the shift
        int r2h = b.binary(Opcode.BOR, b.binaryImm(Opcode.ISHL_IMM, prh, 1), b.binaryImm(Opcode.USHR_IMM, prl, 63));
        int r2l = b.binary(Opcode.BOR, b.binaryImm(Opcode.ISHL_IMM, prl, 1), top);
        int n2h = b.binary(Opcode.BOR, b.binaryImm(Opcode.ISHL_IMM, pnh, 1), b.binaryImm(Opcode.USHR_IMM, pnl, 63));
        int n2l = b.binaryImm(Opcode.ISHL_IMM, pnl, 1);
        int ge = b.binary(Opcode.BOR, b.convert(Opcode.IREDUCE, Type.I8, out), compare(IntCC.UGE, r2l, r2h, dl, dh));
        int[] diff = addSub(false, r2l, r2h, dl, dh);
        int r3l = b.select(ge, diff[0], r2l), r3h = b.select(ge, diff[1], r2h);
        int n3l = b.binary(Opcode.BOR, n2l, b.convert(Opcode.UEXTEND, Type.I64, ge));
        int count = b.iaddImm(pcount, -1);
        int[] args = {n3l, n2h, r3l, r3h, count};
        int[] doneArgs = {n3l, n2h, r3l, r3h};
        b.brif(count, loop, args, after, doneArgs);
        b.before(i);
        int resL = rem ? rl : ql, resH = rem ? rh : qh;
        if (signed) {
            // the quotient is negative iff the signs differ; the remainder takes the dividend's sign
            int s = rem ? nSign : b.binary(Opcode.BXOR, nSign, dSign);
            int[] r = addSub(false, b.binary(Opcode.BXOR, resL, s), b.binary(Opcode.BXOR, resH, s), s, s);
            resL = r[0];
            resH = r[1];
        }
        done(i, resL, resH);
    }
}
