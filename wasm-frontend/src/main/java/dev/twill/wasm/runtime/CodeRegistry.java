package dev.twill.wasm.runtime;

import dev.twill.machinst.CompiledCode;
import dev.twill.runtime.JitModule;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.vm.WasmAbi;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Process-wide map from machine-code addresses to wasm functions, so that a trap is named after
 * the wasm function whose code trapped (its name-section name or {@code func[i]}) whichever
 * module that function belongs to: a call from Java into instance A may reach instance B's code
 * through an import or a shared table, and the {@link dev.twill.runtime.Trap}'s pc ({@code
 * TrapContext.TRAP_PC}, recorded by the trap exit) then lies in B's {@link JitModule}, which A's
 * module cannot name.
 *
 * <p>Each compiled wasm module registers its JitModule when linked and unregisters it when
 * closed. A JitModule's code is one contiguous block starting with {@code %f0}'s header
 * (functions are laid out in declaration order), so entries are keyed by that address in a
 * concurrent sorted map: a lookup is a floor search plus the JitModule's own binary search
 * ({@link JitModule#functionAt}). Lookups take no lock; they happen only when a trap is thrown.
 */
public final class CodeRegistry {
    private CodeRegistry() {}

    private record Entry(JitModule code, WasmModule module) {}

    private static final ConcurrentSkipListMap<Long, Entry> BY_START = new ConcurrentSkipListMap<>();

    /** Registers a finalized JitModule holding {@code module}'s functions as {@code %f<i>}. */
    public static void register(JitModule code, WasmModule module) {
        if (module.functionCount() == 0) return; // no code that could trap
        BY_START.put(start(code), new Entry(code, module));
    }

    /** Forgets {@code code}; call before its memory is freed. */
    public static void unregister(JitModule code, WasmModule module) {
        if (module.functionCount() == 0) return;
        BY_START.remove(start(code), new Entry(code, module));
    }

    private static long start(JitModule code) {
        return code.address(WasmAbi.functionName(0)) - CompiledCode.HEADER_SIZE;
    }

    /**
     * The wasm name of the function whose machine code holds {@code pc}, or null when {@code pc}
     * is 0 or lies in no registered module's code.
     */
    public static String functionAt(long pc) {
        if (pc == 0) return null;
        Map.Entry<Long, Entry> e = BY_START.floorEntry(pc);
        if (e == null) return null;
        Entry entry = e.getValue();
        return wasmName(entry.module, entry.code.functionAt(pc));
    }

    /** {@code %f<i>} of {@code module} as its wasm name, or null if {@code irName} is no such name. */
    public static String wasmName(WasmModule module, String irName) {
        if (irName == null || !irName.startsWith("%f")) return null;
        int i;
        try {
            i = Integer.parseInt(irName, 2, irName.length(), 10);
        } catch (NumberFormatException e) {
            return null;
        }
        return i >= 0 && i < module.functionCount() ? module.functionName(i) : null;
    }
}
