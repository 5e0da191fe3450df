package dev.twill.wasm;

import dev.twill.wasm.runtime.InstanceRegistry;
import dev.twill.wasm.runtime.InstanceState;
import dev.twill.wasm.runtime.LinearMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.IdentityHashMap;

/**
 * The owner of instances and of everything they allocate: VM contexts, memory and table
 * definitions, global cells, table elements (one shared {@link Arena}), and linear memories
 * (address-space reservations). {@link #close()} frees all of it at once; afterwards no instance,
 * function, memory, table or global of the store may be used (calls throw {@link
 * IllegalStateException}; a segment obtained earlier becomes inaccessible).
 *
 * <p>Also here: the table of externref handles ({@link #externRef}: non-zero longs standing for
 * Java objects; the same object always gets the same handle), and the interrupt flag, an i32 in
 * native memory whose address every instance's vmctx holds ({@code VmContextLayout.INTERRUPT_FLAG}):
 * compiled code tests it at loop headers and calls and traps {@code interrupt} while it is set.
 * The flag stays set until {@link #clearInterrupt()}, so every guest of the store stops, on any
 * thread, including calls started after the request.
 *
 * <p>Thread safety: allocation and handle creation are synchronized; {@link #interrupt()} may be
 * called from any thread. Closing the store while one of its guests runs is the caller's error.
 */
public final class Store implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Engine engine;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment interruptFlag;
    private final ArrayList<LinearMemory> memories = new ArrayList<>();
    private final ArrayList<InstanceState> instances = new ArrayList<>();
    private final ArrayList<Object> externObjects = new ArrayList<>();
    private final IdentityHashMap<Object, Long> externHandles = new IdentityHashMap<>();
    private volatile boolean closed;

    /** A store not tied to an engine (any engine's modules may be instantiated in it). */
    public Store() {
        this(null);
    }

    public Store(Engine engine) {
        this.engine = engine;
        this.interruptFlag = arena.allocate(8, 8);
    }

    /** The engine given at construction, or null. */
    public Engine engine() {
        return engine;
    }

    /**
     * A handle for {@code o} to pass to wasm as an externref: 0 for null, otherwise a non-zero
     * long, the same for the same object (by identity) for the life of the store.
     */
    public synchronized long externRef(Object o) {
        if (o == null) return 0;
        Long h = externHandles.get(o);
        if (h != null) return h;
        externObjects.add(o);
        long handle = externObjects.size();
        externHandles.put(o, handle);
        return handle;
    }

    /** The object behind an externref handle; null for 0. */
    public synchronized Object externObject(long handle) {
        if (handle == 0) return null;
        if (handle < 0 || handle > externObjects.size()) throw new IllegalArgumentException("no externref " + handle);
        return externObjects.get((int) handle - 1);
    }

    /** Makes every guest of this store trap {@code interrupt} at its next loop header or call. */
    public void interrupt() {
        INT.setVolatile(interruptFlag, 0L, 1);
    }

    /** Withdraws the interrupt request, so guests run again. */
    public void clearInterrupt() {
        INT.setVolatile(interruptFlag, 0L, 0);
    }

    /** Whether an interrupt is requested. */
    public boolean isInterrupted() {
        return (int) INT.getVolatile(interruptFlag, 0L) != 0;
    }

    long interruptFlagAddress() {
        return interruptFlag.address();
    }

    Arena arena() {
        return arena;
    }

    synchronized MemorySegment allocate(long size) {
        checkOpen();
        return arena.allocate(size, 16);
    }

    synchronized void track(LinearMemory m) {
        checkOpen();
        memories.add(m);
    }

    synchronized void track(InstanceState s) {
        checkOpen();
        instances.add(s);
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("store is closed");
    }

    boolean isClosed() {
        return closed;
    }

    /** Frees every instance, memory and table of the store. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (InstanceState s : instances) InstanceRegistry.remove(s.id);
        instances.clear();
        arena.close(); // first: segments handed out become inaccessible before their memory goes
        for (LinearMemory m : memories) m.release();
        memories.clear();
        externObjects.clear();
        externHandles.clear();
    }
}
