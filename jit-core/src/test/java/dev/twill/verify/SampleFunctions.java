package dev.twill.verify;

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
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;

/** Valid functions built with {@link InstBuilder}, shared by the verifier tests. */
final class SampleFunctions {
    private static final int I8 = Type.I8, I16 = Type.I16, I32 = Type.I32, I64 = Type.I64, F32 = Type.F32, F64 = Type.F64;
    private static final int[] NONE = {};

    private SampleFunctions() {}

    private static int[] a(int... xs) {
        return xs;
    }

    private static int block(Function f) {
        int blk = f.makeBlock();
        f.layout.appendBlock(blk);
        return blk;
    }

    /** Uses most opcodes, every entity kind, a mid-block branch and a jump table; verifies clean. */
    static Function kitchenSink() {
        int[] params = {I64, I32, I64, F32};
        Function f = new Function("%all", new Signature(params, new int[] {Signature.PURPOSE_VMCTX, 0, 0, 0}, new int[4],
                new int[] {I32}, new int[1], new int[1], null));
        DataFlowGraph dfg = f.dfg;
        InstBuilder b = new InstBuilder(f);
        int b0 = block(f);
        for (int t : params) dfg.appendBlockParam(b0, t);
        int vm = 0, x = 1, p = 2, fl = 3;
        int ss = f.addStackSlot(new StackSlotData(16, 8));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, I64, MemFlags.NOTRAP | MemFlags.ALIGNED));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, I64, MemFlags.NOTRAP));
        int gv3 = f.addGlobalValue(GlobalValueData.symbol("%sym", 0, false));
        int gv4 = f.addGlobalValue(GlobalValueData.iaddImm(gv1, 32, I64));
        int heap = f.addHeap(new HeapData(gv1, 0, HeapData.Style.DYNAMIC, 0, gv2, 0, I32));
        int heapS = f.addHeap(new HeapData(gv4, 0, HeapData.Style.STATIC, 0x10000, -1, 0, I64));
        int table = f.addTable(new TableData(gv1, 0, gv2, 16, I32));
        int sig = f.addSignature(Signature.of(a(I32), a(I32)));
        int fnr = f.addExtFunc(new ExtFuncData("%callee", sig, false));
        int b1 = block(f), b2 = block(f), b3 = block(f), b4 = block(f);
        dfg.appendBlockParam(b1, I32);
        int b2p = dfg.appendBlockParam(b2, I32);

        b.atEnd(b0);
        int c = b.iconst(I32, -1 & 0xFFFF_FFFFL);
        int s = b.iadd(x, c);
        int m = b.binary(Opcode.SREM, s, x);
        int sh = b.binary(Opcode.ISHL, m, b.iconst(I8, 3));
        int w = b.convert(Opcode.UEXTEND, I64, sh);
        int n = b.convert(Opcode.IREDUCE, I16, w);
        int sx = b.convert(Opcode.SEXTEND, I32, n);
        int cmp = b.icmp(IntCC.SLT, sx, x);
        int sel = b.select(cmp, sx, x);
        int fb = b.convert(Opcode.BITCAST, F32, sel);
        int fd = b.convert(Opcode.FPROMOTE, F64, b.binary(Opcode.FADD, fb, fl));
        int fdm = b.convert(Opcode.FDEMOTE, F32, b.unary(Opcode.SQRT, F64, fd));
        int fc = b.fcmp(FloatCC.ULT, fdm, fl);
        int ci = b.convert(Opcode.FCVT_TO_SINT_SAT, I64, fdm);
        b.convert(Opcode.FCVT_FROM_UINT, F64, ci);
        b.unary(Opcode.CLZ, I32, x);
        b.icmpImm(IntCC.UGE, x, 100);
        b.branch(Opcode.BRNZ, fc, b3, NONE, 0); // mid-block branch, falls through
        int l = b.load(Opcode.ULOAD16, I32, MemFlags.NOTRAP, p, 4);
        b.store(Opcode.ISTORE8, MemFlags.NONE, l, p, -4);
        b.store(Opcode.STORE, MemFlags.ALIGNED, fl, p, 0);
        b.stackStore(w, ss, 8);
        int sl = b.stackLoad(I32, ss, 12);
        b.stackAddr(I64, ss, 16);
        int hl = b.heapLoad(Opcode.HEAP_SLOAD8, I64, heap, x, 8);
        b.heapStore(Opcode.HEAP_ISTORE32, heap, hl, x, 0);
        b.heapStore(Opcode.HEAP_STORE, heapS, fd, w, 0);
        b.heapAddr(I64, heap, x, 4);
        b.tableAddr(I64, table, x, 8);
        b.globalValue(I64, gv4);
        b.symbolValue(I64, gv3);
        int fa = b.funcAddr(I64, fnr);
        int call = b.call(fnr, a(sl), 1);
        int cr = dfg.firstResult(call);
        int ic = b.callIndirect(sig, fa, a(cr), 1);
        int icr = dfg.firstResult(ic);
        b.condTrap(Opcode.TRAPNZ, cmp, TrapCode.user(7));
        b.brIcmp(IntCC.EQ, icr, x, b2, a(icr), 1);
        int[] calls = {dfg.makeBlockCall(b1, a(icr), 1), dfg.makeBlockCall(b2, a(s), 1), dfg.makeBlockCall(b1, a(x), 1)};
        b.brTable(cmp, calls, 3);

        b.atEnd(b1);
        int q = dfg.blockParam(b1, 0);
        b.brif(q, b2, a(q), b4, NONE);
        b.atEnd(b2);
        b.ret(b2p);
        b.atEnd(b3);
        b.trap(TrapCode.UNREACHABLE);
        b.atEnd(b4);
        b.jump(b2, s); // s is defined before the brnz, so it dominates b4 through b1
        return f;
    }

}
