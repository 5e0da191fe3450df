package dev.twill.wasm.runtime;

import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;

/**
 * The traps the runtime raises itself (builtins, segment initialisation): a {@link Trap} with no
 * function name, because a builtin does not know which wasm function called it.
 */
public final class Traps {
    private Traps() {}

    public static Trap heapOutOfBounds() {
        return new Trap(TrapCode.HEAP_OOB, null);
    }

    public static Trap tableOutOfBounds() {
        return new Trap(TrapCode.TABLE_OOB, null);
    }
}
