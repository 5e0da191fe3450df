package dev.twill.wasm.runtime;

import dev.twill.runtime.FaultTraps;
import dev.twill.runtime.NativeMemory;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.vm.VmContextLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One WebAssembly linear memory.
 *
 * <p>Algorithm: the whole range the memory may ever use, its declared maximum or 4 GiB (65,536
 * pages) when it has none, is reserved up front as inaccessible address space ({@link
 * VirtualMemory#reserve}); the first {@code pages * 64 KiB} are committed read-write, and {@link
 * #grow} commits more. Reserving address space costs no memory, and it buys the invariant the
 * compiled code relies on: <b>the base never moves</b>, so a base loaded once stays valid however
 * the memory grows, and the translator only re-reads the length.
 *
 * <p>The memory's {@code MemoryDefinition} record ({@link VmContextLayout#MEMORY_BASE}, {@link
 * VmContextLayout#MEMORY_LENGTH}) lives inline in the defining instance's vmctx (or, for a
 * memory the host creates, in the owning store's arena); every instance that imports the memory
 * points at the same record, so a grow is seen by all of them.
 *
 * <p>A 64-bit memory (memory64) may declare up to 2^48 pages, more address space than any
 * machine has: its reservation is capped at {@link ResourceBudget#memory64ReservationBytes()}
 * (or its declared maximum, if smaller), and {@link #grow} fails (-1) past the reservation, as
 * WebAssembly allows a grow to fail for any reason. A minimum beyond the cap cannot be
 * instantiated (OutOfMemoryError, like any other budget failure).
 *
 * <p><b>Guard pages.</b> Where {@link FaultTraps} works ({@link #guarded()}), a 32-bit memory
 * reserves {@link #GUARDED_RESERVATION} bytes whatever its maximum, 4 GiB for every index plus
 * a 2 GiB guard for the offsets, and registers the reservation as a guard region: any access
 * compiled code forms from a 32-bit index and an offset below 2 GiB lands inside it, and one
 * past the memory's length faults on an inaccessible page, which {@link FaultTraps} turns into
 * a {@code heap_oob} trap. So compiled code needs no bounds check for such accesses (the
 * translator declares the reservation on the memory's heap, see {@code HeapData#reserved}).
 * Every 32-bit memory is reserved so when guard pages work, whatever the engine's setting, so
 * that code compiled to rely on them may import any memory.
 *
 * <p>Every memory is charged to the {@link ResourceBudget} (one memory, its reservation, its
 * committed pages) before the memory is mapped, and credited when it is released; a grow the
 * budget refuses returns -1.
 *
 * <p>Invariants: {@code definition.length == pages * 64 KiB}, bytes {@code [0, length)} are
 * committed and zero-initialised, {@code pages <= maxPages}, {@code maxPages * 64 KiB <= reserved}
 * (so no length exceeds 2^63 and range checks in {@code long}s cannot overflow). Grows are
 * serialised on the object.
 */
public final class LinearMemory {
    /** Page size of linear memory. */
    public static final long WASM_PAGE = MemoryType.PAGE_SIZE;
    /** Address space a 32-bit memory reserves when {@link #guarded()}: 4 GiB of indices and a 2 GiB offset guard. */
    public static final long GUARDED_RESERVATION = 6L << 30;
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final MemoryType type;
    private final long maxPages;
    private final long base;
    private final long reserved;
    /** True if the reservation is a registered guard region ({@link #GUARDED_RESERVATION}). */
    private final boolean guardRegion;
    private final MemorySegment definition;
    private final Arena arena;
    private volatile long pages;
    private boolean released;

    /**
     * Reserves and commits a memory of {@code type} (its minimum pages), with the definition
     * record allocated in {@code arena}.
     */
    public LinearMemory(MemoryType type, Arena arena) {
        this(type, arena, null);
    }

    /**
     * Reserves and commits a memory of {@code type} whose definition record is {@code
     * definition} (16 bytes, 8-aligned: the defining instance's inline record in its vmctx), or,
     * when that is null, a record allocated in {@code arena}.
     */
    public LinearMemory(MemoryType type, Arena arena, MemorySegment definition) {
        Limits l = type.limits();
        long limit = type.pageLimit();
        if (l.min() > limit || (l.hasMax() && l.max() > limit)) {
            throw new IllegalArgumentException("memory size " + l + " exceeds " + limit + " pages");
        }
        // a minimum above the maximum would commit past the reservation, over whatever is mapped there
        if (l.min() < 0 || l.max() < -1 || (l.hasMax() && l.max() < l.min())) {
            throw new IllegalArgumentException("invalid memory limits " + l + ": need 0 <= min <= max, max -1 for none");
        }
        this.type = type;
        this.arena = arena;
        long declaredMax = l.hasMax() ? l.max() : limit;
        if (type.is64()) {
            long cap = ResourceBudget.memory64ReservationBytes() / WASM_PAGE;
            if (l.min() > cap) {
                throw new OutOfMemoryError("wasm: a 64-bit memory of " + l.min() + " pages exceeds the reservation limit of "
                        + cap + " pages (twill.wasm.maxMemory64Bytes)");
            }
            declaredMax = Math.min(declaredMax, cap);
        }
        this.maxPages = declaredMax;
        boolean guard = !type.is64() && guarded();
        // At least one OS page, so that a memory of maximum 0 still has a unique base.
        this.reserved = guard ? GUARDED_RESERVATION : Math.max(maxPages * WASM_PAGE, NativeMemory.PAGE_SIZE);
        long initial = l.min() * WASM_PAGE;
        ResourceBudget.chargeMemory(reserved);
        try {
            ResourceBudget.commit(initial, "a linear memory of " + l.min() + " pages");
        } catch (RuntimeException | Error e) {
            ResourceBudget.creditMemory(reserved);
            throw e;
        }
        long b = 0;
        try {
            b = NativeMemory.reserve(reserved);
            NativeMemory.commit(b, initial);
            // inside the try: an arena closed meanwhile must not leak the reservation
            this.definition = definition != null ? definition : arena.allocate(VmContextLayout.MEMORY_DEFINITION_SIZE, 8);
            // last: nothing after it can fail, so a failure never leaves a region registered
            if (guard) FaultTraps.addGuard(b, reserved);
        } catch (RuntimeException | Error e) {
            if (b != 0) NativeMemory.release(b, reserved);
            ResourceBudget.uncommit(initial);
            ResourceBudget.creditMemory(reserved);
            throw e;
        }
        this.base = b;
        this.guardRegion = guard;
        this.pages = l.min();
        this.definition.set(ValueLayout.JAVA_LONG, VmContextLayout.MEMORY_BASE, base);
        this.definition.set(ValueLayout.JAVA_LONG, VmContextLayout.MEMORY_LENGTH, pages * WASM_PAGE);
    }

    /**
     * True if 32-bit memories are reserved with guard pages in this process ({@link
     * FaultTraps#available()}: the same answer every time it is asked).
     */
    public static boolean guarded() {
        return FaultTraps.available();
    }

    /** The type as declared (its minimum is the initial size). */
    public MemoryType declaredType() {
        return type;
    }

    /** The type that import matching sees: the current size as minimum, the declared maximum. */
    public MemoryType currentType() {
        return new MemoryType(new Limits(pages, type.limits().max()), type.is64());
    }

    public long pages() {
        return pages;
    }

    public long byteLength() {
        return pages * WASM_PAGE;
    }

    /** Address of the first byte; never changes. */
    public long base() {
        return base;
    }

    /** Address of the MemoryDefinition record. */
    public long definitionAddress() {
        return definition.address();
    }

    /** The current contents as a segment that becomes inaccessible when the store closes. */
    public MemorySegment segment() {
        return MemorySegment.ofAddress(base).reinterpret(byteLength(), arena, null);
    }

    /**
     * Grows by {@code deltaPages} (unsigned) and returns the old size in pages, or -1 when the
     * result would exceed the maximum or, for a 64-bit memory, the reservation (WebAssembly 2.0
     * §4.4.7.7 {@code memory.grow}).
     */
    public synchronized long grow(long deltaPages) {
        long old = pages;
        if (deltaPages < 0 || deltaPages > maxPages - old) return -1;
        if (deltaPages == 0) return old;
        if (released) throw new IllegalStateException("memory is closed");
        if (!ResourceBudget.tryCommit(deltaPages * WASM_PAGE)) return -1;
        try {
            NativeMemory.commit(base + old * WASM_PAGE, deltaPages * WASM_PAGE);
        } catch (OutOfMemoryError e) {
            ResourceBudget.uncommit(deltaPages * WASM_PAGE);
            return -1;
        }
        pages = old + deltaPages;
        this.definition.set(ValueLayout.JAVA_LONG, VmContextLayout.MEMORY_LENGTH, pages * WASM_PAGE);
        return old;
    }

    /** {@code memory.fill}: traps heap_oob (before writing anything) when the range is out of bounds. */
    public void fill(long dst, byte value, long len) {
        checkRange(dst, len);
        if (len != 0) EVERYTHING.asSlice(base + dst, len).fill(value);
    }

    /** Copies {@code len} bytes from {@code src} in {@code from} to {@code dst} here; overlap-safe. */
    public void copyFrom(LinearMemory from, long src, long dst, long len) {
        from.checkRange(src, len);
        checkRange(dst, len);
        if (len != 0) MemorySegment.copy(EVERYTHING, from.base + src, EVERYTHING, base + dst, len);
    }

    /** Copies {@code len} bytes of {@code data} from {@code src} to {@code dst} here (all unsigned). */
    public void init(byte[] data, long src, long dst, long len) {
        if (src < 0 || len < 0 || len > data.length || src > data.length - len) throw Traps.heapOutOfBounds();
        checkRange(dst, len);
        if (len != 0) MemorySegment.copy(data, (int) src, EVERYTHING, ValueLayout.JAVA_BYTE, base + dst, (int) len);
    }

    /**
     * Traps heap_oob unless {@code [at, at + len)} lies within the current length; both are
     * unsigned 64-bit (memory64 passes i64 operands), so one of 2^63 or more reads negative and
     * is out of bounds, and the test is shaped so that {@code at + len} is never computed.
     */
    public void checkRange(long at, long len) {
        long length = pages * WASM_PAGE;
        if (at < 0 || len < 0 || len > length || at > length - len) throw Traps.heapOutOfBounds();
    }

    /** Unmaps the memory. Idempotent. */
    public synchronized void release() {
        if (released) return;
        released = true;
        if (guardRegion) FaultTraps.removeGuard(base);
        NativeMemory.release(base, reserved);
        ResourceBudget.uncommit(pages * WASM_PAGE);
        ResourceBudget.creditMemory(reserved);
    }
}
