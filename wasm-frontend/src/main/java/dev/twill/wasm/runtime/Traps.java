package dev.twill.wasm.runtime;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.WasmModule;

/**
 * The traps the runtime raises itself (builtins, segment initialisation). The range checks that
 * raise them know no function; a builtin renames the trap after its caller ({@link #named}),
 * segment initialisation leaves it unnamed (no function runs).
 */
public final class Traps {
    private Traps() {}

    public static Trap heapOutOfBounds() {
        return new Trap(TrapCode.HEAP_OOB, null);
    }

    public static Trap tableOutOfBounds() {
        return new Trap(TrapCode.TABLE_OOB, null);
    }

    /** {@code t} named after function {@code function} of {@code module} (name section or {@code func[i]}). */
    public static Trap named(Trap t, WasmModule module, int function) {
        if (function < 0 || function >= module.functionCount()) return t;
        return new Trap(t.code(), module.functionName(function));
    }
}
