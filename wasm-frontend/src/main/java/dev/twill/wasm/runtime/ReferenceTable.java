package dev.twill.wasm.runtime;

import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.vm.VmContextLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One WebAssembly table: a vector of references (i64: a FuncRef record's address or an externref
 * handle, 0 for null) in native memory, described by a {@code TableDefinition} record ({@link
 * VmContextLayout#TABLE_BASE}, {@link VmContextLayout#TABLE_LENGTH}) that compiled code reads.
 *
 * <p>Storage: a block of {@code capacity} elements from the store's arena. A table with a small
 * declared maximum (at most {@link #RESERVE_LIMIT} elements) gets its maximum up front and never
 * moves; otherwise a grow past the capacity allocates a block twice as large (or as large as
 * needed), copies, and repoints the definition record. The old block stays allocated until the
 * store closes (an arena frees all at once), which with doubling costs at most as much again as
 * the final block. Because the base may move, compiled code must re-read it after any call.
 *
 * <p>No table grows past {@link #DEFAULT_MAX} elements (or its minimum, if larger), whatever its
 * declared maximum: an implementation limit, which the spec allows ({@code table.grow} may fail
 * for any reason), that keeps a runaway grow from allocating and zero-filling gigabytes (a table
 * declared up to 2^32-1 elements could otherwise ask for 32 GiB). A minimum above {@link
 * #MAX_MIN} is refused outright. Storage is charged to the {@link ResourceBudget} (committed
 * bytes) before it is allocated; creation past the budget throws OutOfMemoryError, a grow past it
 * returns -1.
 */
public final class ReferenceTable {
    /** Largest table (declared maximum) given its full capacity at creation. */
    public static final long RESERVE_LIMIT = 4096;
    /** Growth limit of every table (its declared maximum may be lower). */
    public static final long DEFAULT_MAX = 10_000_000;
    /** Largest minimum size a table may be created with (1 GiB of elements). */
    public static final long MAX_MIN = 1L << 27;
    private static final long ELEM = VmContextLayout.TABLE_ELEMENT_SIZE;
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final TableType type;
    private final long max;
    private final Arena arena;
    private final MemorySegment definition;
    private volatile long base;
    private long capacity;
    private volatile long size;
    /** Bytes charged to the {@link ResourceBudget}: every block allocated, all freed with the arena. */
    private long charged;

    /** A table of {@code type}'s minimum size, every element {@code init}. */
    public ReferenceTable(TableType type, long init, Arena arena) {
        Limits l = type.limits();
        // a negative size would make grow and fill write before the block
        if (l.min() < 0 || l.max() < -1 || l.max() > 0xFFFF_FFFFL || (l.hasMax() && l.max() < l.min())) {
            throw new IllegalArgumentException("invalid table limits " + l + ": need 0 <= min <= max < 2^32, max -1 for none");
        }
        this.type = type;
        this.arena = arena;
        if (l.min() > MAX_MIN) {
            throw new IllegalArgumentException("table minimum " + l.min() + " exceeds the implementation limit " + MAX_MIN);
        }
        long limit = Math.max(DEFAULT_MAX, l.min());
        this.max = l.hasMax() ? Math.min(l.max(), limit) : limit;
        if (l.min() > max) throw new IllegalArgumentException("table minimum " + l.min() + " exceeds its maximum");
        this.capacity = l.hasMax() && max <= RESERVE_LIMIT ? max : Math.max(l.min(), 16);
        long bytes = Math.max(capacity, 1) * ELEM + VmContextLayout.TABLE_DEFINITION_SIZE;
        ResourceBudget.commit(bytes, "a table of " + l.min() + " elements");
        try {
            this.definition = arena.allocate(VmContextLayout.TABLE_DEFINITION_SIZE, 8);
            this.base = arena.allocate(Math.max(capacity, 1) * ELEM, 8).address();
        } catch (RuntimeException | Error e) {
            // what the arena did allocate goes with it, uncounted: at most the 16-byte definition
            ResourceBudget.uncommit(bytes);
            throw e;
        }
        this.charged = bytes;
        this.size = l.min();
        definition.set(ValueLayout.JAVA_LONG, VmContextLayout.TABLE_BASE, base);
        definition.set(ValueLayout.JAVA_LONG, VmContextLayout.TABLE_LENGTH, size);
        if (init != 0) fillUnchecked(0, init, size);
    }

    public TableType declaredType() {
        return type;
    }

    /** The type that import matching sees: the current size as minimum, the declared maximum. */
    public TableType currentType() {
        return new TableType(type.elemType(), new Limits(size, type.limits().max()));
    }

    public long size() {
        return size;
    }

    /** Address of the TableDefinition record. */
    public long definitionAddress() {
        return definition.address();
    }

    /**
     * Credits the {@link ResourceBudget} with everything this table allocated; the owner calls it
     * once, when it closes the arena the blocks came from. Idempotent.
     */
    public synchronized void releaseBudget() {
        ResourceBudget.uncommit(charged);
        charged = 0;
    }

    /** Element {@code i}; traps table_oob when out of bounds. */
    public long get(long i) {
        if (i < 0 || i >= size) throw Traps.tableOutOfBounds();
        return EVERYTHING.get(ValueLayout.JAVA_LONG, base + i * ELEM);
    }

    /** Sets element {@code i}; traps table_oob when out of bounds. */
    public void set(long i, long ref) {
        if (i < 0 || i >= size) throw Traps.tableOutOfBounds();
        EVERYTHING.set(ValueLayout.JAVA_LONG, base + i * ELEM, ref);
    }

    /**
     * Grows by {@code delta} (unsigned) elements set to {@code init}; returns the old size, or -1
     * when the result would exceed the maximum or the memory cannot be had.
     */
    public synchronized long grow(long delta, long init) {
        long old = size;
        if (delta < 0 || delta > max - old) return -1;
        if (delta == 0) return old;
        long needed = old + delta;
        if (needed > capacity) {
            long newCapacity = Math.min(max, Math.max(needed, capacity * 2));
            MemorySegment block;
            if (!ResourceBudget.tryCommit(newCapacity * ELEM)) return -1;
            try {
                block = arena.allocate(newCapacity * ELEM, 8);
            } catch (OutOfMemoryError | IllegalArgumentException | IllegalStateException e) {
                ResourceBudget.uncommit(newCapacity * ELEM);
                return -1;
            }
            charged += newCapacity * ELEM;
            MemorySegment.copy(EVERYTHING, base, block, 0, old * ELEM);
            base = block.address();
            capacity = newCapacity;
            definition.set(ValueLayout.JAVA_LONG, VmContextLayout.TABLE_BASE, base);
        }
        fillUnchecked(old, init, delta);
        size = needed;
        definition.set(ValueLayout.JAVA_LONG, VmContextLayout.TABLE_LENGTH, size);
        return old;
    }

    /** {@code table.fill}: traps table_oob (before writing anything) when the range is out of bounds. */
    public void fill(long dst, long ref, long len) {
        checkRange(dst, len);
        fillUnchecked(dst, ref, len);
    }

    private void fillUnchecked(long dst, long ref, long len) {
        long b = base;
        for (long k = 0; k < len; k++) EVERYTHING.set(ValueLayout.JAVA_LONG, b + (dst + k) * ELEM, ref);
    }

    /** {@code table.copy} from {@code from} (may be this table); overlap-safe. */
    public void copyFrom(ReferenceTable from, long src, long dst, long len) {
        from.checkRange(src, len);
        checkRange(dst, len);
        if (len != 0) MemorySegment.copy(EVERYTHING, from.base + src * ELEM, EVERYTHING, base + dst * ELEM, len * ELEM);
    }

    /** {@code table.init} from an element segment's references. */
    public void init(long[] refs, long src, long dst, long len) {
        if (src < 0 || len < 0 || src + len > refs.length) throw Traps.tableOutOfBounds();
        checkRange(dst, len);
        if (len != 0) MemorySegment.copy(refs, (int) src, EVERYTHING, ValueLayout.JAVA_LONG, base + dst * ELEM, (int) len);
    }

    /** Traps table_oob unless {@code [at, at + len)} lies within the current size. */
    public void checkRange(long at, long len) {
        if (at < 0 || len < 0 || at + len > size) throw Traps.tableOutOfBounds();
    }
}
