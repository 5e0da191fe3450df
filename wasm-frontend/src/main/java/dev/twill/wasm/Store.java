package dev.twill.wasm;

import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.runtime.AddressSet;
import dev.twill.wasm.runtime.InstanceRegistry;
import dev.twill.wasm.runtime.InstanceState;
import dev.twill.wasm.runtime.LinearMemory;
import dev.twill.wasm.runtime.ReferenceTable;
import dev.twill.wasm.vm.VmContextLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The owner of instances and of everything they allocate: VM contexts, memory and table
 * definitions, global cells, table elements (one shared {@link Arena}), and linear memories
 * (address-space reservations). {@link #close()} frees all of it at once; afterwards every use of
 * an instance, function, memory, table or global of the store throws {@link
 * IllegalStateException} (a segment obtained earlier becomes inaccessible).
 *
 * <p><b>The sandbox boundary.</b> References cross from Java into wasm as raw longs, and wasm
 * trusts them: a funcref is the address of a FuncRef record that {@code call_indirect} jumps
 * through. So every reference a host hands in (function arguments, table and global writes,
 * host-function results, initial values) is checked here: a funcref must be 0 or the address of
 * a FuncRef record of one of this store's instances ({@link #checkFuncRef}, a lock-free lookup in
 * an {@link AddressSet}); an externref must be 0 or a handle this store made ({@link
 * #checkExternRef}). Anything else is an {@link IllegalArgumentException}. Externref handles
 * carry a per-store tag in their upper 32 bits (the lower 32 are the object's index + 1), so a
 * made-up number or another store's handle is refused; the same object always gets the same
 * handle.
 *
 * <p><b>Lifetime and threads.</b> Every operation that touches the store's native memory (a call
 * into wasm code, a global or table access, a memory grow, an instantiation) runs between {@link
 * #enter} and {@link #leave}, which count the operations in progress in one atomic word (bit 0:
 * closing; the rest: twice the count). {@link #close} sets the closing bit, so no new operation
 * starts; if none is in progress it frees everything at once. Otherwise it sets the interrupt
 * flag (running guests trap {@code interrupt} at their next loop header or call) and waits until
 * the last operation leaves, which frees the store. A close from inside a host function called
 * by one of this store's guests cannot wait for its own caller: it returns at once, and the
 * store is freed when that outermost call returns to Java. So no freed memory is ever used, and
 * when {@code close()} returns (outside a host call) everything is freed. A host function that
 * blocks forever also blocks a close of its store from another thread.
 *
 * <p>The store keeps the compiled code of every module it instantiated alive ({@link
 * Module#close} frees the code only when no store uses it any more): instances of other modules
 * import its functions and tables hold its FuncRef records, so its code must live as long as the
 * store does.
 *
 * <p>Also here: the interrupt request. The flag compiled code tests (at function entries and
 * loop headers, trapping {@code interrupt} while it is set) is an i32 in each instance's own vmctx
 * ({@code VmContextLayout.INTERRUPT_FLAG}), one load away for the guest; the store writes the
 * request into every instance it owns, and into each new instance as it is tracked, under its
 * lock, so no instance misses a change. The request stays until {@link #clearInterrupt()}, so
 * every guest of the store stops, on any thread, including calls started after the request.
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class Store implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle STATE;
    /** Bit of {@link #state}: closed or closing, no operation may start. */
    private static final int CLOSING = 1;
    /** What one operation in progress adds to {@link #state}. */
    private static final int ACTIVE = 2;
    private static final AtomicInteger TAGS = new AtomicInteger();
    /** Per thread: the stores whose host functions the thread is running (innermost last). */
    private static final ThreadLocal<ArrayList<Store>> HOST_FRAMES = ThreadLocal.withInitial(ArrayList::new);

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Store.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Engine engine;
    private final Arena arena = Arena.ofShared();
    /** The interrupt request; written under the lock, together with every instance's flag. */
    private volatile boolean interrupted;
    private final ArrayList<LinearMemory> memories = new ArrayList<>();
    private final ArrayList<ReferenceTable> tables = new ArrayList<>();
    private final ArrayList<InstanceState> instances = new ArrayList<>();
    /** Modules this store instantiated, each retained once ({@link Module#retain}). */
    private final IdentityHashMap<Module, Boolean> modules = new IdentityHashMap<>();
    /** Addresses of the FuncRef records of every instance: the funcrefs a host may hand in. */
    private final AddressSet funcRefs = new AddressSet();
    /** Upper 32 bits of this store's externref handles; never 0. */
    private final long externTag;
    private final ArrayList<Object> externObjects = new ArrayList<>();
    private final IdentityHashMap<Object, Long> externHandles = new IdentityHashMap<>();
    /** How many externref handles exist; read without the lock by {@link #checkExternRef}. */
    private volatile int externCount;
    /** CLOSING bit | ACTIVE * operations in progress. */
    private volatile int state;
    /** Set once everything is freed (under the monitor, which close() waits on). */
    private boolean freed;

    /** A store not tied to an engine (any engine's modules may be instantiated in it). */
    public Store() {
        this(null);
    }

    public Store(Engine engine) {
        if (engine != null) engine.checkOpen();
        this.engine = engine;
        int tag;
        do tag = TAGS.incrementAndGet() * 0x9E37_79B9; while (tag == 0); // distinct for 2^32 stores
        this.externTag = (long) tag << 32;
    }

    /** The engine given at construction, or null. */
    public Engine engine() {
        return engine;
    }

    // ---- externref handles

    /**
     * A handle for {@code o} to pass to wasm as an externref: 0 for null, otherwise a non-zero
     * long, the same for the same object (by identity) for the life of the store, and valid in
     * this store only.
     */
    public synchronized long externRef(Object o) {
        checkOpen();
        if (o == null) return 0;
        Long h = externHandles.get(o);
        if (h != null) return h;
        if (externObjects.size() == Integer.MAX_VALUE) throw new IllegalStateException("too many externref handles");
        externObjects.add(o);
        long handle = externTag | externObjects.size();
        externHandles.put(o, handle);
        externCount = externObjects.size();
        return handle;
    }

    /** The object behind an externref handle; null for 0. IllegalArgumentException for a handle this store did not make. */
    public synchronized Object externObject(long handle) {
        checkOpen();
        if (handle == 0) return null;
        return externObjects.get(externIndex(handle));
    }

    private int externIndex(long handle) {
        int i = (int) handle;
        if ((handle & 0xFFFF_FFFF_0000_0000L) != externTag || i <= 0 || i > externCount) {
            throw new IllegalArgumentException("externref " + handle + " was not made by this store (Store.externRef)");
        }
        return i - 1;
    }

    /** {@code handle} if it is null or an externref of this store; IllegalArgumentException otherwise. */
    long checkExternRef(long handle) {
        if (handle != 0) externIndex(handle);
        return handle;
    }

    /**
     * {@code ref} if it is null or the address of a FuncRef record of one of this store's
     * instances (a funcref wasm may call through); IllegalArgumentException otherwise.
     */
    long checkFuncRef(long ref) {
        if (ref != 0 && !funcRefs.contains(ref)) {
            throw new IllegalArgumentException("funcref 0x" + Long.toHexString(ref)
                    + " is not a function of this store (WasmFunction.funcRef of one of its instances, or 0)");
        }
        return ref;
    }

    /** Checks a reference of type {@code type} (funcref or externref); other types pass unchecked. */
    long checkRef(byte type, long bits) {
        return switch (type) {
            case ValType.FUNCREF -> checkFuncRef(bits);
            case ValType.EXTERNREF -> checkExternRef(bits);
            default -> bits;
        };
    }

    /** Records the FuncRef record at {@code address} as a funcref of this store. */
    void addFuncRef(long address) {
        funcRefs.add(address);
    }

    // ---- interrupts

    /** Makes every guest of this store trap {@code interrupt} at its next loop header or call. No effect once closed. */
    public synchronized void interrupt() {
        if (!isClosed()) setInterrupt(true);
    }

    /** Withdraws the interrupt request, so guests run again. No effect once closed. */
    public synchronized void clearInterrupt() {
        if (!isClosed()) setInterrupt(false);
    }

    /** Whether an interrupt is requested (false once the store is freed). */
    public boolean isInterrupted() {
        return interrupted;
    }

    /** Under the lock, so that free() (which sets {@link #freed} under it first) cannot run meanwhile. */
    private void setInterrupt(boolean on) {
        interrupted = on;
        if (freed) return; // the vmctxs are gone; no guest runs any more
        for (InstanceState s : instances) INT.setVolatile(s.vmctx, (long) VmContextLayout.INTERRUPT_FLAG, on ? 1 : 0);
    }

    // ---- operations in progress

    /**
     * Starts an operation that uses the store's native memory; IllegalStateException once the
     * store is closing. Every successful enter is paired with one {@link #leave}.
     */
    void enter() {
        int s = (int) STATE.getAndAdd(this, ACTIVE);
        if ((s & CLOSING) != 0) {
            leave();
            throw closed();
        }
    }

    /** Ends an operation; the last one to leave a closing store frees it. */
    void leave() {
        int s = (int) STATE.getAndAdd(this, -ACTIVE) - ACTIVE;
        if (s == CLOSING) free();
    }

    /** Marks the current thread as running a host function called by a guest of this store (see {@link #close}). */
    void enterHostCall() {
        HOST_FRAMES.get().add(this);
    }

    void leaveHostCall() {
        ArrayList<Store> frames = HOST_FRAMES.get();
        frames.remove(frames.size() - 1);
    }

    private static IllegalStateException closed() {
        return new IllegalStateException("store is closed");
    }

    void checkOpen() {
        if ((state & CLOSING) != 0) throw closed();
    }

    boolean isClosed() {
        return (state & CLOSING) != 0;
    }

    // ---- allocation (callers are between enter and leave)

    Arena arena() {
        return arena;
    }

    synchronized MemorySegment allocate(long size) {
        checkOpen();
        return arena.allocate(size, 16);
    }

    /** A new linear memory, freed with the store; its definition record at {@code definition}, or in the arena when null. */
    LinearMemory newMemory(dev.twill.wasm.binary.MemoryType type, MemorySegment definition) {
        LinearMemory m = new LinearMemory(type, arena, definition);
        synchronized (this) {
            memories.add(m); // the store frees it from now on
        }
        return m;
    }

    /** A new table, freed (and credited to the budget) with the store. */
    ReferenceTable newTable(dev.twill.wasm.binary.TableType type, long init) {
        ReferenceTable t = new ReferenceTable(type, init, arena);
        synchronized (this) {
            tables.add(t);
        }
        return t;
    }

    synchronized void track(InstanceState s) {
        checkOpen();
        instances.add(s);
        INT.setVolatile(s.vmctx, (long) VmContextLayout.INTERRUPT_FLAG, interrupted ? 1 : 0);
    }

    /** Keeps {@code m}'s code alive until this store closes; IllegalStateException if {@code m} is closed. */
    synchronized void retain(Module m) {
        if (modules.containsKey(m)) return;
        m.retain();
        modules.put(m, Boolean.TRUE);
    }

    // ---- closing

    /**
     * Closes the store: no operation on it may start any more; guests still running are
     * interrupted, and everything is freed once they have returned (see the class comment).
     * Waits for that, except when called from a host function of this store's guests. Idempotent.
     */
    @Override
    public void close() {
        int s = (int) STATE.getAndBitwiseOr(this, CLOSING);
        if ((s & CLOSING) == 0) {
            if (s == 0) {
                free();
                return;
            }
            synchronized (this) {
                setInterrupt(true); // the running guests stop at their next loop header or call
            }
        }
        if (HOST_FRAMES.get().contains(this)) return; // our own caller must return first; its leave() frees
        awaitFreed();
    }

    private synchronized void awaitFreed() {
        boolean wasInterrupted = false;
        while (!freed) {
            try {
                wait();
            } catch (InterruptedException e) {
                wasInterrupted = true;
            }
        }
        if (wasInterrupted) Thread.currentThread().interrupt();
    }

    /** Frees everything, once; runs when no operation is in progress and none can start. */
    private void free() {
        synchronized (this) {
            if (freed) return;
            freed = true;
            interrupted = false;
        }
        try {
            for (InstanceState st : instances) InstanceRegistry.remove(st.id);
            instances.clear();
            boolean arenaClosed;
            try {
                arena.close(); // first: segments handed out become inaccessible before their memory goes
                arenaClosed = true;
            } catch (IllegalStateException inUse) {
                // a segment of the store is held by a native call in progress: leave the memory
                // mapped (leaked) rather than unmap it under that call
                arenaClosed = false;
            }
            for (ReferenceTable t : tables) t.releaseBudget();
            tables.clear();
            if (arenaClosed) {
                for (LinearMemory m : memories) m.release();
            }
            memories.clear();
            for (Module m : modules.keySet()) m.release();
            modules.clear();
            externObjects.clear();
            externHandles.clear();
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }
}
