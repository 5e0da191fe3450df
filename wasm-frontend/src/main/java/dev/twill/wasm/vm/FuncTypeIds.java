package dev.twill.wasm.vm;

import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.WasmModule;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Process-wide canonical ids of WebAssembly function types, which {@code call_indirect} compares
 * so that wasm type equality is exact.
 *
 * <p><b>Why the IR signature check is not enough.</b> The code header's signature id ({@link
 * dev.twill.runtime.SignatureIds}) identifies the <i>IR</i> signature, and {@code i64}, {@code
 * funcref} and {@code externref} all travel as IR {@code i64}: {@code (funcref) -> ()}, {@code
 * (externref) -> ()} and {@code (i64) -> ()} share one IR signature. WebAssembly 2.0 §4.4.6
 * {@code call_indirect} requires the callee's function type to <i>equal</i> the expected one;
 * letting an externref arrive where a funcref was expected would let a guest call an arbitrary
 * host handle as code.
 *
 * <p><b>Scheme.</b> Every distinct {@link FuncType} (structural equality) interned here gets a
 * small positive id, handed out in interning order from 1 and never reused; 0 is never an id, so
 * a zeroed FuncRef record never matches. The id of a function's type sits in its FuncRef record
 * ({@link VmContextLayout#FUNCREF_TYPE}), written by the runtime wherever it writes a record; the
 * translator compiles {@code call_indirect (type t)} to a compare of the record's id with {@code
 * t}'s id as an immediate, trapping {@code bad_sig}. Ids are dense and collision-free (unlike a
 * hash), at the price that compiled code embeds process-local numbers: code is only valid in the
 * process that compiled it, which holds for {@code JitModule}s. Interning a module's types in
 * index order ({@link #ofModule}) before translating keeps the ids, and so the code, independent
 * of how many threads translate.
 *
 * <p>Thread-safe; lock-free for types already interned. The table only grows: programs use few
 * distinct function types.
 */
public final class FuncTypeIds {
    private FuncTypeIds() {}

    private static final ConcurrentHashMap<FuncType, Integer> IDS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    /** The canonical id of {@code type}: equal ids iff the types are equal. */
    public static int idOf(FuncType type) {
        Integer id = IDS.get(type);
        if (id != null) return id;
        // A private copy as the key: a FuncType's arrays are public, and a host-made type mutated
        // after interning would corrupt the map.
        FuncType key = new FuncType(type.params.clone(), type.results.clone());
        return IDS.computeIfAbsent(key, k -> NEXT.getAndIncrement());
    }

    /** The ids of every type of {@code module}'s type section, interned in index order. */
    public static int[] ofModule(WasmModule module) {
        int[] ids = new int[module.types.length];
        for (int i = 0; i < ids.length; i++) ids[i] = idOf(module.types[i]);
        return ids;
    }
}
