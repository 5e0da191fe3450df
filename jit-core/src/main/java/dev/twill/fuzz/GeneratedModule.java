package dev.twill.fuzz;

import dev.twill.ir.Function;
import java.util.List;

/**
 * A generated module: functions that call only functions after them in the list (so every
 * program terminates), the entry function first.
 *
 * <p>Memory contract: when {@link #usesVmctx} is set, the entry function's first parameter is a
 * VM context pointer to at least {@link #VMCTX_SIZE} bytes laid out as {@code [0] heap base,
 * [8] heap bound in bytes}, and the heap must hold at least {@link #HEAP_SIZE} bytes (static
 * heaps assume exactly that bound). Every function takes the vmctx first when the module uses
 * it, and passes it on in calls.
 */
public record GeneratedModule(List<Function> functions, boolean usesVmctx, long seed) {
    public static final int VMCTX_SIZE = 16;
    public static final int HEAP_SIZE = 0x1000;

    public Function entry() {
        return functions.get(0);
    }
}
