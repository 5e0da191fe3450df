package dev.twill.wasm.vm;

import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;

/**
 * How wasm functions appear in the IR and in the compiled module: function {@code i} of the
 * module's function index space (imports included) is the IR function {@code %f<i>}, and a wasm
 * type {@code [params] -> [results]} is the IR signature {@code (i64 vmctx, params...) ->
 * results} with each value type mapped by {@link ValType#irType}. Several results come back as
 * the back end's ABI returns them (registers, then a return area).
 *
 * <p>Every wasm signature is in the {@code tail} calling convention, in which the callee pops its
 * stack arguments: a {@code return_call} may then pass more stack arguments than its own caller
 * passed it (the argument area moves), so tail calls are guaranteed for every pair of wasm types,
 * across modules too, since every wasm function and host adapter uses this one convention. Java
 * calls them through entry trampolines, which restore rsp after the call either way.
 */
public final class WasmAbi {
    private WasmAbi() {}

    /** The IR name of function {@code index}, with its sigil: {@code %f12}. */
    public static String functionName(int index) {
        return "%f" + index;
    }

    /** The IR signature of a function of wasm type {@code type}. */
    public static Signature signature(FuncType type) {
        int n = type.params.length + 1;
        int[] params = new int[n];
        int[] purposes = new int[n];
        params[0] = Type.I64;
        purposes[0] = Signature.PURPOSE_VMCTX;
        for (int i = 1; i < n; i++) params[i] = ValType.irType(type.params[i - 1]);
        int[] returns = new int[type.results.length];
        for (int i = 0; i < returns.length; i++) returns[i] = ValType.irType(type.results[i]);
        return new Signature(params, purposes, new int[n], returns, new int[returns.length], new int[returns.length], "tail");
    }
}
