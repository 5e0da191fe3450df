package dev.twill.wasm;

import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.runtime.LinearMemory;
import java.lang.foreign.MemorySegment;

/**
 * A linear memory, defined by an instance or created by the host ({@link #create}); shared by
 * every instance that imports it. Its base address never changes (see {@link LinearMemory}).
 */
public final class WasmMemory implements Extern {
    private final Store store;
    final LinearMemory memory;

    WasmMemory(Store store, LinearMemory memory) {
        this.store = store;
        this.memory = memory;
    }

    /** A new memory of {@code type} (its minimum pages, zeroed) owned by {@code store}. */
    public static WasmMemory create(Store store, MemoryType type) {
        return create(store, type, null);
    }

    /** As {@link #create(Store, MemoryType)}, with its definition record at {@code definition} (see {@link LinearMemory}). */
    static WasmMemory create(Store store, MemoryType type, MemorySegment definition) {
        store.checkOpen();
        LinearMemory m = new LinearMemory(type, store.arena(), definition);
        try {
            store.track(m); // the store frees it from now on
        } catch (RuntimeException | Error e) {
            m.release(); // closed meanwhile: nobody else would
            throw e;
        }
        return new WasmMemory(store, m);
    }

    /** The current type: the current size in pages as minimum, the declared maximum. */
    public MemoryType type() {
        return memory.currentType();
    }

    /** The memory's current contents; valid until the memory grows (it then only shows the old length) or the store closes. */
    public MemorySegment segment() {
        store.checkOpen();
        return memory.segment();
    }

    /** Current size in 64 KiB pages. */
    public long pages() {
        return memory.pages();
    }

    /** Grows by {@code deltaPages}; returns the old size in pages, or -1 if it would exceed the maximum. */
    public long grow(long deltaPages) {
        store.checkOpen();
        return memory.grow(deltaPages);
    }

    Store store() {
        return store;
    }
}
