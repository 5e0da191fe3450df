package dev.twill.wasm;

import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.ValType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A global: an 8-byte cell in native memory, the defining instance's vmctx slot (or a cell the
 * host created, {@link #create}). Instances that import it hold the cell's address, so all see
 * one value. i32 and f32 occupy the low 4 bytes.
 *
 * <p>Values written from Java are checked, never silently cut: an i32 or f32 must be a 32-bit
 * value sign- or zero-extended, a funcref 0 or a function of the global's store, an externref 0 or
 * a handle of that store (IllegalArgumentException otherwise, see {@link Store}). After the store
 * is closed every access throws IllegalStateException.
 */
public final class WasmGlobal implements Extern {
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final Store store;
    private final GlobalType type;
    /** Address of the 8-byte cell. */
    final long cell;

    WasmGlobal(Store store, GlobalType type, long cell) {
        this.store = store;
        this.type = type;
        this.cell = cell;
    }

    /** A new global of {@code type} with initial value {@code bits}, owned by {@code store}. */
    public static WasmGlobal create(Store store, GlobalType type, long bits) {
        switch (type.valType()) {
            case ValType.I32, ValType.I64, ValType.F32, ValType.F64, ValType.FUNCREF, ValType.EXTERNREF -> { }
            default -> throw new IllegalArgumentException("no global of value type 0x" + Integer.toHexString(type.valType() & 0xFF));
        }
        store.enter();
        try {
            long checked = check(store, type.valType(), bits);
            WasmGlobal g = new WasmGlobal(store, type, store.allocate(8).address());
            g.write(checked);
            return g;
        } finally {
            store.leave();
        }
    }

    /** {@code bits} if it is a valid value of {@code type} coming from Java; IllegalArgumentException otherwise. */
    static long check(Store store, byte type, long bits) {
        return switch (type) {
            case ValType.I32 -> WasmFunction.check32(bits, "i32");
            case ValType.F32 -> WasmFunction.check32(bits, "f32");
            default -> store.checkRef(type, bits);
        };
    }

    public GlobalType type() {
        return type;
    }

    /** The value's raw bits (i32 sign-extended, f32 zero-extended). */
    public long get() {
        store.enter();
        try {
            return read();
        } finally {
            store.leave();
        }
    }

    /** Reads without entering the store (instantiation, which has entered it). */
    long read() {
        return switch (type.valType()) {
            case ValType.I32 -> EVERYTHING.get(ValueLayout.JAVA_INT, cell);
            case ValType.F32 -> EVERYTHING.get(ValueLayout.JAVA_INT, cell) & 0xFFFF_FFFFL;
            default -> EVERYTHING.get(ValueLayout.JAVA_LONG, cell);
        };
    }

    /** Sets a mutable global; throws IllegalStateException for an immutable one. */
    public void set(long bits) {
        if (!type.mutable()) throw new IllegalStateException("global is immutable");
        store.enter();
        try {
            write(check(store, type.valType(), bits));
        } finally {
            store.leave();
        }
    }

    /** Writes without the mutability check (initialisation). */
    void write(long bits) {
        switch (type.valType()) {
            case ValType.I32, ValType.F32 -> EVERYTHING.set(ValueLayout.JAVA_INT, cell, (int) bits);
            default -> EVERYTHING.set(ValueLayout.JAVA_LONG, cell, bits);
        }
    }

    Store store() {
        return store;
    }
}
