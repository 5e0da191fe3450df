package dev.twill.bench;

import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;

/**
 * Builds the kind of function a WebAssembly translator produces, of a chosen size, into a
 * reused {@link Function}: sandbox-level heap loads and stores, integer arithmetic, compares,
 * mid-block branches, and blocks of about 16 instructions chained by {@code brif} and passing
 * two block parameters. Deterministic, so every benchmark iteration does the same work.
 */
public final class WasmLikeFunction {
    private static final Signature SIG = new Signature(new int[] {Type.I64, Type.I32, Type.I32},
            new int[] {Signature.PURPOSE_VMCTX, 0, 0}, new int[3], new int[] {Type.I32}, new int[1], new int[1], null);
    private final int[] exitArgs = new int[1];
    private final int[] thenArgs = new int[2];
    private final int[] elseArgs = new int[2];

    /** Fills {@code f} with about {@code insts} instructions; returns the exact instruction count. */
    public int build(Function f, int insts) {
        f.clear("%wasm_like", SIG);
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int base = f.addGlobalValue(GlobalValueData.load(gv0, 0, Type.I64, MemFlags.NOTRAP | MemFlags.ALIGNED));
        int bound = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, MemFlags.NOTRAP | MemFlags.ALIGNED));
        int heap = f.addHeap(new HeapData(base, 0, HeapData.Style.DYNAMIC, 0, bound, 0, Type.I32));
        InstBuilder b = new InstBuilder(f);
        int entry = f.makeBlock();
        f.layout.appendBlock(entry);
        f.dfg.appendBlockParam(entry, Type.I64);
        int x = f.dfg.appendBlockParam(entry, Type.I32);
        int y = f.dfg.appendBlockParam(entry, Type.I32);
        int count = 0;
        int block = entry;
        b.atEnd(block);
        while (count < insts) {
            // a block body of 16 instructions
            int a = b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 8);
            int c = b.iadd(a, y);
            int d = b.binaryImm(Opcode.IMUL_IMM, c, 3);
            int e = b.binary(Opcode.BXOR, d, x);
            int s = b.binaryImm(Opcode.USHR_IMM, e, 2);
            b.heapStore(Opcode.HEAP_STORE, heap, s, y, 16);
            int k = b.iconst(Type.I32, 100);
            int cmp = b.icmp(IntCC.ULT, s, k);
            int exit = f.makeBlock();
            int result = f.dfg.appendBlockParam(exit, Type.I32);
            exitArgs[0] = s;
            b.branch(Opcode.BRNZ, cmp, exit, exitArgs, 1);
            int t = b.isub(e, a);
            int u = b.binaryImm(Opcode.BAND_IMM, t, 0xFFFF);
            int neg = b.icmpImm(IntCC.SLT, t, 0);
            int next = f.makeBlock();
            f.layout.appendBlock(exit);
            f.layout.appendBlock(next);
            thenArgs[0] = u;
            thenArgs[1] = t;
            elseArgs[0] = t;
            elseArgs[1] = u;
            b.brif(neg, next, thenArgs, next, elseArgs);
            b.atEnd(exit);
            exitArgs[0] = result;
            b.ret(exitArgs, 1);
            x = f.dfg.appendBlockParam(next, Type.I32);
            y = f.dfg.appendBlockParam(next, Type.I32);
            block = next;
            b.atEnd(block);
            count += 16;
        }
        b.ret(x);
        return count + 1;
    }
}
