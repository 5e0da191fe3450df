package dev.twill.wasm.runtime;

import dev.twill.frontend.FunctionBuilder;
import dev.twill.frontend.FunctionBuilderContext;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.Function;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.Type;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.vm.WasmAbi;

/**
 * Makes an imported function callable by compiled code when the import is bound to a Java host
 * function. Compiled code calls imports through their FuncRef record ({@code call_indirect},
 * which checks the signature id in the callee's code header), so a host import needs real code
 * with a header and the wasm IR signature: this adapter, compiled per module for every function
 * import as {@code %f<i>}, used when the instance binds import {@code i} to a host function.
 *
 * <pre>
 *   function %f3(i64 vmctx, i32, f64) -> i64, i32 {
 *       ss0 = explicit_slot 16, align 8          ; 8 bytes per argument / result
 *       sig0 = (i64 vmctx, i64, i64)
 *       fn0 = %wasm_host_call sig0                ; not colocated: a Panama upcall
 *   block0(v0: i64, v1: i32, v2: f64):
 *       stack_store v1, ss0            ; argument k at 8k
 *       stack_store v2, ss0+8
 *       v3 = stack_addr.i64 ss0
 *       v4 = iconst.i64 3
 *       call fn0(v0, v3, v4)           ; Java reads the arguments, calls, writes result k at 8k
 *       v5 = stack_load.i64 ss0
 *       v6 = stack_load.i32 ss0+8
 *       return v5, v6
 *   }
 * </pre>
 *
 * <p>One generic upcall shape serves every host function whatever its arity or result count (the
 * buffer carries both), so there is one upcall stub per module rather than one per signature.
 */
public final class HostAdapters {
    private HostAdapters() {}

    /** Builds, legalizes and compiles the adapter for function import {@code index} of type {@code type}. */
    public static CompiledCode compile(FuncType type, int index, TargetIsa isa, TargetIsa.Settings settings,
                                       FunctionBuilderContext ctx) {
        Function f = build(type, index, ctx);
        new Legalizer().legalize(f);
        return isa.compile(f, settings);
    }

    /** The adapter's IR, see the class comment. */
    public static Function build(FuncType type, int index, FunctionBuilderContext ctx) {
        Function f = new Function(WasmAbi.functionName(index), WasmAbi.signature(type));
        int slots = Math.max(1, Math.max(type.params.length, type.results.length));
        int ss = f.addStackSlot(new StackSlotData(8 * slots, 8));
        int sig = f.addSignature(BuiltinFunctions.hostCallSignature());
        int fn = f.addExtFunc(new ExtFuncData(BuiltinFunctions.HOST_CALL, sig, false));
        FunctionBuilder b = new FunctionBuilder(f, ctx);
        int entry = b.createBlock();
        b.appendBlockParamsForFunctionParams(entry);
        b.switchToBlock(entry);
        b.sealBlock(entry);
        int vmctx = f.dfg.blockParam(entry, 0);
        for (int k = 0; k < type.params.length; k++) b.ins().stackStore(f.dfg.blockParam(entry, k + 1), ss, 8L * k);
        int buffer = b.ins().stackAddr(Type.I64, ss, 0);
        int idx = b.ins().iconst(Type.I64, index);
        b.ins().call(fn, new int[] {vmctx, buffer, idx}, 3);
        int[] results = new int[type.results.length];
        for (int k = 0; k < results.length; k++) results[k] = b.ins().stackLoad(ValType.irType(type.results[k]), ss, 8L * k);
        b.ret(results, results.length);
        b.finalizeFunction();
        return f;
    }
}
