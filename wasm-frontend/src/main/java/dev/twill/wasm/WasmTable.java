package dev.twill.wasm;

import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.runtime.ReferenceTable;

/**
 * A table of references, defined by an instance or created by the host ({@link #create}).
 * Elements are raw references: a funcref is the address of a FuncRef record, an externref a
 * {@link Store} handle, null 0. Out-of-bounds indices throw a {@link dev.twill.runtime.Trap}
 * ({@code table_oob}).
 *
 * <p>References written from Java ({@link #set}, {@link #grow}, {@link #create}'s {@code init})
 * are checked: a funcref must be 0 or a function of the table's store, an externref 0 or a handle
 * of that store; anything else is an IllegalArgumentException and nothing is written (a made-up
 * funcref would be jumped to by {@code call_indirect}). After the store is closed every access
 * throws IllegalStateException.
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
        if (type.elemType() != ValType.FUNCREF && type.elemType() != ValType.EXTERNREF) {
            throw new IllegalArgumentException("no table of element type 0x" + Integer.toHexString(type.elemType() & 0xFF));
        }
        store.enter();
        try {
            return new WasmTable(store, store.newTable(type, store.checkRef(type.elemType(), init)));
        } finally {
            store.leave();
        }
    }

    /** The current type: the current size as minimum, the declared maximum. */
    public TableType type() {
        return table.currentType();
    }

    public long size() {
        return table.size();
    }

    public long get(long i) {
        store.enter();
        try {
            return table.get(i);
        } finally {
            store.leave();
        }
    }

    public void set(long i, long ref) {
        store.enter();
        try {
            table.set(i, store.checkRef(table.declaredType().elemType(), ref));
        } finally {
            store.leave();
        }
    }

    /** Grows by {@code delta} elements set to {@code init}; returns the old size, or -1. */
    public long grow(long delta, long init) {
        store.enter();
        try {
            return table.grow(delta, store.checkRef(table.declaredType().elemType(), init));
        } finally {
            store.leave();
        }
    }

    Store store() {
        return store;
    }
}
