package dev.twill.cli;

import dev.twill.frontend.FunctionBuilder;
import dev.twill.frontend.FunctionBuilderContext;
import dev.twill.frontend.Switch;
import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.interp.Interpreter;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.IntCC;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.legalize.Legalizer;
import dev.twill.verify.Verifier;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code ./twill demo}: builds a few functions with the SSA {@link FunctionBuilder}, prints
 * their IR, verifies and legalizes them, and runs them in the interpreter with timings. Later
 * issues make it JIT-compile WebAssembly.
 */
final class Demo {
    private final PrintStream out;
    private final FunctionBuilderContext ctx = new FunctionBuilderContext();

    Demo(PrintStream out) {
        this.out = out;
    }

    void run() {
        Function sum = sumTo();
        Function classify = classify();
        Function load = heapSum();
        Function div = safeDiv();
        InterpModule module = new InterpModule();
        Verifier verifier = new Verifier();
        Legalizer legalizer = new Legalizer();
        for (Function f : new Function[] {sum, classify, load, div}) {
            out.println("---- built with FunctionBuilder:");
            out.print(f);
            long t0 = System.nanoTime();
            verifier.verifyOrThrow(f);
            long t1 = System.nanoTime();
            legalizer.legalize(f);
            verifier.verifyOrThrow(f);
            long t2 = System.nanoTime();
            out.printf("verified in %d us, legalized in %d us%n", (t1 - t0) / 1000, (t2 - t1) / 1000);
            if (f == load) {
                out.println("---- legalized (explicit bounds checks, base loaded from the VM context):");
                out.print(f);
            }
            module.add(f);
        }
        out.println("---- interpreted:");
        call(module, "%sum_to", 10);
        call(module, "%sum_to", 100_000);
        for (long x : new long[] {0, 1, 2, 3, 7, 100, -5}) call(module, "%classify", x);
        call(module, "%safe_div", 84, 2);
        call(module, "%safe_div", 1, 0);
        call(module, "%safe_div", Integer.MIN_VALUE, -1);
        heapCall(module, 16);
        heapCall(module, 0x10000 - 8);
        heapCall(module, 0x10000 - 7);
    }

    private void call(InterpModule module, String name, long... args) {
        Interpreter interp = new Interpreter(module);
        long t0 = System.nanoTime();
        InterpResult r = interp.call(name, args);
        long t1 = System.nanoTime();
        out.printf("%s%s = %s  (%d us)%n", name, Arrays.toString(signed(args)), describe(r), (t1 - t0) / 1000);
    }

    private static long[] signed(long[] args) {
        long[] s = args.clone();
        for (int k = 0; k < s.length; k++) s[k] = (int) s[k];
        return s;
    }

    private static String describe(InterpResult r) {
        if (!r.returned()) return r.toString();
        return r.count() == 1 ? Long.toString((int) r.value(0)) : r.toString();
    }

    private void heapCall(InterpModule module, long index) {
        Interpreter interp = new Interpreter(module);
        long vmctx = interp.memory().allocate(16, 16);
        long heap = interp.memory().allocate(0x10000, 16);
        for (int k = 0; k < 0x10000; k += 4) interp.memory().write(heap + k, 4, k / 4);
        interp.memory().write(vmctx, 8, heap);
        interp.memory().write(vmctx + 8, 8, 0x10000);
        long t0 = System.nanoTime();
        InterpResult r = interp.call("%heap_pair_sum", vmctx, index);
        long t1 = System.nanoTime();
        out.printf("%%heap_pair_sum(heap, %d) = %s  (%d us)%n", index, describe(r), (t1 - t0) / 1000);
    }

    /** sum_to(n) = 1 + 2 + ... + n, as a loop over two variables. */
    private Function sumTo() {
        Function f = new Function("%sum_to", Signature.of(new int[] {Type.I32}, new int[] {Type.I32}));
        FunctionBuilder b = new FunctionBuilder(f, ctx);
        int entry = b.createBlock(), head = b.createBlock(), body = b.createBlock(), exit = b.createBlock();
        int i = b.declareVar(Type.I32), acc = b.declareVar(Type.I32);
        b.appendBlockParamsForFunctionParams(entry);
        b.switchToBlock(entry);
        int n = f.dfg.blockParam(entry, 0);
        b.defVar(i, b.ins().iconst(Type.I32, 1));
        b.defVar(acc, b.ins().iconst(Type.I32, 0));
        b.jump(head);
        b.switchToBlock(head);
        b.brIcmp(IntCC.SGT, b.useVar(i), n, exit);
        b.jump(body);
        b.switchToBlock(body);
        b.defVar(acc, b.ins().iadd(b.useVar(acc), b.useVar(i)));
        b.defVar(i, b.ins().iaddImm(b.useVar(i), 1));
        b.jump(head);
        b.switchToBlock(exit);
        b.ret(b.useVar(acc));
        b.sealAllBlocks();
        b.finalizeFunction();
        return f;
    }

    /** A switch: 0 -> 10, 1 -> 11, 2 -> 12, 3 -> 13, 100 -> 99, else -1. */
    private Function classify() {
        Function f = new Function("%classify", Signature.of(new int[] {Type.I32}, new int[] {Type.I32}));
        FunctionBuilder b = new FunctionBuilder(f, ctx);
        int entry = b.createBlock(), dflt = b.createBlock();
        b.appendBlockParamsForFunctionParams(entry);
        b.switchToBlock(entry);
        int x = f.dfg.blockParam(entry, 0);
        Switch sw = new Switch();
        long[] keys = {0, 1, 2, 3, 100};
        long[] vals = {10, 11, 12, 13, 99};
        int[] blocks = new int[keys.length];
        for (int k = 0; k < keys.length; k++) {
            blocks[k] = b.createBlock();
            sw.addCase(keys[k], blocks[k]);
        }
        sw.emit(b, x, dflt);
        for (int k = 0; k < keys.length; k++) {
            b.switchToBlock(blocks[k]);
            b.ret(b.ins().iconst(Type.I32, vals[k]));
        }
        b.switchToBlock(dflt);
        b.ret(b.ins().iconst(Type.I32, -1));
        b.sealAllBlocks();
        b.finalizeFunction();
        return f;
    }

    /** Two sandboxed heap loads: heap[idx] + heap[idx+4], on a dynamic heap found through vmctx. */
    private Function heapSum() {
        Signature sig = new Signature(new int[] {Type.I64, Type.I32}, new int[] {Signature.PURPOSE_VMCTX, 0}, new int[2],
                new int[] {Type.I32}, new int[1], new int[1], null);
        Function f = new Function("%heap_pair_sum", sig);
        int vmctx = f.addGlobalValue(GlobalValueData.vmctx());
        int base = f.addGlobalValue(GlobalValueData.load(vmctx, 0, Type.I64, MemFlags.NOTRAP | MemFlags.ALIGNED));
        int bound = f.addGlobalValue(GlobalValueData.load(vmctx, 8, Type.I64, MemFlags.NOTRAP | MemFlags.ALIGNED));
        int heap = f.addHeap(new HeapData(base, 0, HeapData.Style.DYNAMIC, 0, bound, 0, Type.I32));
        FunctionBuilder b = new FunctionBuilder(f, ctx);
        int entry = b.createBlock();
        b.appendBlockParamsForFunctionParams(entry);
        b.switchToBlock(entry);
        int idx = f.dfg.blockParam(entry, 1);
        int a = b.ins().heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, idx, 0);
        int c = b.ins().heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, idx, 4);
        b.ret(b.ins().iadd(a, c));
        b.sealAllBlocks();
        b.finalizeFunction();
        return f;
    }

    /** sdiv, which traps on a zero divisor and on MIN / -1. */
    private Function safeDiv() {
        Function f = new Function("%safe_div", Signature.of(new int[] {Type.I32, Type.I32}, new int[] {Type.I32}));
        FunctionBuilder b = new FunctionBuilder(f, ctx);
        int entry = b.createBlock();
        b.appendBlockParamsForFunctionParams(entry);
        b.switchToBlock(entry);
        b.ret(b.ins().binary(Opcode.SDIV, f.dfg.blockParam(entry, 0), f.dfg.blockParam(entry, 1)));
        b.sealAllBlocks();
        b.finalizeFunction();
        return f;
    }
}
