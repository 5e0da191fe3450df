package dev.twill.wasm;

import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.runtime.LinearMemory;
import java.lang.foreign.MemorySegment;

/**
 * A linear memory, defined by an instance or created by the host ({@link #create}); shared by
 * every instance that imports it. Its base address never changes (see {@link LinearMemory}).
 * A 64-bit memory (memory64; {@link MemoryType#is64()}) looks the same from Java: its size is in
 * pages, its contents a segment of {@code long} length; it only ever grows as far as its
 * reservation ({@link dev.twill.wasm.runtime.ResourceBudget#memory64ReservationBytes()}).
 */
public final class WasmMemory implements Extern {
    private final Store store;
    final LinearMemory memory;

    WasmMemory(Store store, LinearMemory memory) {
        this.store = store;
        this.memory = memory;
    }

    /**
     * A new memory of {@code type} (its minimum pages, zeroed) owned by {@code store}. Throws
     * IllegalArgumentException for limits beyond 65,536 pages (2^48 for a 64-bit memory),
     * OutOfMemoryError (with the limit it hit) past the {@link dev.twill.wasm.runtime.ResourceBudget}.
     */
    public static WasmMemory create(Store store, MemoryType type) {
        store.enter();
        try {
            return new WasmMemory(store, store.newMemory(type, null));
        } finally {
            store.leave();
        }
    }

    /** The current type: the current size in pages as minimum, the declared maximum, the address type. */
    public MemoryType type() {
        return memory.currentType();
    }

    /**
     * The memory's current contents; valid until the memory grows (it then only shows the old
     * length) or the store closes (then every access throws IllegalStateException: the segment
     * belongs to the store's arena, which is closed before the memory is unmapped).
     */
    public MemorySegment segment() {
        store.enter();
        try {
            return memory.segment();
        } finally {
            store.leave();
        }
    }

    /** Current size in 64 KiB pages. */
    public long pages() {
        return memory.pages();
    }

    /** Grows by {@code deltaPages}; returns the old size in pages, or -1 if it would exceed the maximum. */
    public long grow(long deltaPages) {
        store.enter();
        try {
            return memory.grow(deltaPages);
        } finally {
            store.leave();
        }
    }

    Store store() {
        return store;
    }
}
