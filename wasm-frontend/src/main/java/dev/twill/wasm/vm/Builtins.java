package dev.twill.wasm.vm;

import dev.twill.ir.Signature;
import dev.twill.ir.Type;

/**
 * Runtime functions that compiled wasm code calls for what is too rare or too large to inline:
 * each is a non-colocated host function of the compiled module, named {@code %<name>} in the IR,
 * defined by the runtime (a Java method behind a Panama upcall), taking the caller's vmctx
 * first. A builtin that must trap (an out-of-bounds {@code memory.copy}) throws {@link
 * dev.twill.runtime.Trap}; compiled code checks the trap slot after every host call and unwinds,
 * and the Java caller receives that Trap.
 *
 * <p>A builtin that may trap takes, last, the index of the wasm function that calls it (an i32
 * immediate), so that its Trap can name that function: Java cannot see the upcall's return
 * address, and a trap raised in Java has no trapping pc for {@code CodeRegistry} to look up.
 * Passing it costs one immediate per call of an operation that is out of line anyway; the
 * alternatives cost more (a "current function" store on every call) or are racy (a per-instance
 * slot written before the call, shared by threads running the same instance).
 *
 * <p>Indices are i32; references i64; memory addresses, lengths and page counts i64, unsigned
 * (memory64 passes them as they are, a 32-bit memory's i32 operands are zero-extended), so one
 * builtin serves both address types. Everything else (memory.size, table.size, table.get,
 * table.set, loads, stores, globals, ref.func, call_indirect) is inlined by the translator.
 */
public enum Builtins {
    /** (vmctx, memory, i64 delta pages) -> i64 old size in pages, or -1. */
    MEMORY_GROW("wasm_memory_grow", new int[] {Type.I32, Type.I64}, new int[] {Type.I64}),
    /** (vmctx, memory, i64 dst, byte value, i64 len, caller); traps heap_oob. */
    MEMORY_FILL("wasm_memory_fill", new int[] {Type.I32, Type.I64, Type.I32, Type.I64, Type.I32}, new int[0]),
    /** (vmctx, dst memory, src memory, i64 dst, i64 src, i64 len, caller); traps heap_oob. */
    MEMORY_COPY("wasm_memory_copy", new int[] {Type.I32, Type.I32, Type.I64, Type.I64, Type.I64, Type.I32}, new int[0]),
    /** (vmctx, memory, data segment, i64 dst, src offset in segment, len, caller); traps heap_oob. */
    MEMORY_INIT("wasm_memory_init", new int[] {Type.I32, Type.I32, Type.I64, Type.I32, Type.I32, Type.I32}, new int[0]),
    /** (vmctx, data segment). */
    DATA_DROP("wasm_data_drop", new int[] {Type.I32}, new int[0]),
    /** (vmctx, table, init reference, delta) -> old size, or -1. */
    TABLE_GROW("wasm_table_grow", new int[] {Type.I32, Type.I64, Type.I32}, new int[] {Type.I32}),
    /** (vmctx, table, dst, reference, len, caller); traps table_oob. */
    TABLE_FILL("wasm_table_fill", new int[] {Type.I32, Type.I32, Type.I64, Type.I32, Type.I32}, new int[0]),
    /** (vmctx, dst table, src table, dst, src, len, caller); traps table_oob. */
    TABLE_COPY("wasm_table_copy", new int[] {Type.I32, Type.I32, Type.I32, Type.I32, Type.I32, Type.I32}, new int[0]),
    /** (vmctx, table, element segment, dst, src offset in segment, len, caller); traps table_oob. */
    TABLE_INIT("wasm_table_init", new int[] {Type.I32, Type.I32, Type.I32, Type.I32, Type.I32, Type.I32}, new int[0]),
    /** (vmctx, element segment). */
    ELEM_DROP("wasm_elem_drop", new int[] {Type.I32}, new int[0]);

    /** The symbol name without sigil; the IR names it {@code %symbol}. */
    public final String symbol;
    private final int[] params, returns;

    Builtins(String symbol, int[] params, int[] returns) {
        this.symbol = symbol;
        this.params = params;
        this.returns = returns;
    }

    /** The IR signature: {@code (i64 vmctx, params...) -> returns}. */
    /** Whether the builtin may trap, and so takes the calling function's index as its last argument. */
    public boolean takesCaller() {
        return switch (this) {
            case MEMORY_FILL, MEMORY_COPY, MEMORY_INIT, TABLE_FILL, TABLE_COPY, TABLE_INIT -> true;
            default -> false;
        };
    }

    public Signature signature() {
        int[] p = new int[params.length + 1];
        int[] purposes = new int[p.length];
        p[0] = Type.I64;
        purposes[0] = Signature.PURPOSE_VMCTX;
        System.arraycopy(params, 0, p, 1, params.length);
        return new Signature(p, purposes, new int[p.length], returns.clone(), new int[returns.length],
                new int[returns.length], null);
    }
}
