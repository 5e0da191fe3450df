package dev.twill.wasm;

import dev.twill.wasm.binary.FuncType;

/**
 * An exception tag (WebAssembly 3.0): an identity with the function type of what it carries.
 * Each tag a module defines is a new one per instance; importing one passes the same object on,
 * so two modules agree on a tag exactly when they share it. Twill links tags (a module that
 * declares, imports or exports them instantiates) but does not run the exception instructions
 * yet.
 */
public final class WasmTag implements Extern {
    private final Store store;
    private final FuncType type;

    WasmTag(Store store, FuncType type) {
        this.store = store;
        this.type = type;
    }

    /** A new tag of {@code type} (parameters only: what a throw carries), owned by {@code store}. */
    public static WasmTag create(Store store, FuncType type) {
        if (type.results.length != 0) throw new IllegalArgumentException("a tag's type has no results: " + type);
        return new WasmTag(java.util.Objects.requireNonNull(store), type);
    }

    public FuncType type() {
        return type;
    }

    Store store() {
        return store;
    }

    @Override
    public String toString() {
        return "tag " + type;
    }
}
