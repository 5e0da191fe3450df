package dev.twill.wasm;

import dev.twill.wasm.runtime.InstanceState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instantiated module ({@link Linker#instantiate}): its exports by name. Everything it owns
 * lives in its {@link Store}.
 */
public final class Instance {
    private final Store store;
    private final Module module;
    final InstanceState state;
    final LinkedHashMap<String, Extern> exports = new LinkedHashMap<>();

    Instance(Store store, Module module, InstanceState state) {
        this.store = store;
        this.module = module;
        this.state = state;
    }

    public Store store() {
        return store;
    }

    public Module module() {
        return module;
    }

    /** The export {@code name}, or null. */
    public Extern export(String name) {
        return exports.get(name);
    }

    /** The exported function {@code name}, or null if there is no export of that name and kind. */
    public WasmFunction function(String name) {
        return exports.get(name) instanceof WasmFunction f ? f : null;
    }

    public WasmMemory memory(String name) {
        return exports.get(name) instanceof WasmMemory m ? m : null;
    }

    public WasmGlobal global(String name) {
        return exports.get(name) instanceof WasmGlobal g ? g : null;
    }

    public WasmTable table(String name) {
        return exports.get(name) instanceof WasmTable t ? t : null;
    }

    /** All exports in declaration order. */
    public Map<String, Extern> exports() {
        return Collections.unmodifiableMap(exports);
    }
}
