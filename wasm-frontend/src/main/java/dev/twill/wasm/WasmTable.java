package dev.twill.wasm;

import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.runtime.ReferenceTable;

/**
 * A table of references, defined by an instance or created by the host ({@link #create}).
 * Elements are raw references: a funcref is the address of a FuncRef record, an externref a
 * {@link Store} handle, null 0. Out-of-bounds indices throw a {@link dev.twill.runtime.Trap}
 * ({@code table_oob}).
 */
public final class WasmTable implements Extern {
    private final Store store;
    final ReferenceTable table;

    WasmTable(Store store, ReferenceTable table) {
        this.store = store;
        this.table = table;
    }

    /** A new table of {@code type} (its minimum size, every element {@code init}) owned by {@code store}. */
    public static WasmTable create(Store store, TableType type, long init) {
        store.checkOpen();
        return new WasmTable(store, new ReferenceTable(type, init, store.arena()));
    }

    /** The current type: the current size as minimum, the declared maximum. */
    public TableType type() {
        return table.currentType();
    }

    public long size() {
        return table.size();
    }

    public long get(long i) {
        store.checkOpen();
        return table.get(i);
    }

    public void set(long i, long ref) {
        store.checkOpen();
        table.set(i, ref);
    }

    /** Grows by {@code delta} elements set to {@code init}; returns the old size, or -1. */
    public long grow(long delta, long init) {
        store.checkOpen();
        return table.grow(delta, init);
    }

    Store store() {
        return store;
    }
}
