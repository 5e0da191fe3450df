package dev.twill.wasm;

import dev.twill.wasm.runtime.InstanceRegistry;
import dev.twill.wasm.runtime.InstanceState;
import dev.twill.wasm.runtime.LinearMemory;
import dev.twill.wasm.vm.VmContextLayout;
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
 * Java objects; the same object always gets the same handle), and the interrupt request. The
 * flag compiled code tests (at function entries and loop headers, trapping {@code interrupt}
 * while it is set) is an i32 in each instance's own vmctx ({@code
 * VmContextLayout.INTERRUPT_FLAG}), one load away for the guest; the store writes the request
 * into every instance it owns, and into each new instance as it is tracked, under its lock, so
 * no instance misses a change. The request stays until {@link #clearInterrupt()}, so every guest
 * of the store stops, on any thread, including calls started after the request.
 *
 * <p>Thread safety: allocation and handle creation are synchronized; {@link #interrupt()} may be
 * called from any thread. Closing the store while one of its guests runs is the caller's error.
 */
public final class Store implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final Engine engine;
    private final Arena arena = Arena.ofShared();
    /** The interrupt request; written under the lock, together with every instance's flag. */
    private volatile boolean interrupted;
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
    public synchronized void interrupt() {
        setInterrupt(true);
    }

    /** Withdraws the interrupt request, so guests run again. */
    public synchronized void clearInterrupt() {
        setInterrupt(false);
    }

    /** Whether an interrupt is requested. */
    public boolean isInterrupted() {
        return interrupted;
    }

    private void setInterrupt(boolean on) {
        interrupted = on;
        if (closed) return;
        for (InstanceState s : instances) INT.setVolatile(s.vmctx, (long) VmContextLayout.INTERRUPT_FLAG, on ? 1 : 0);
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
        INT.setVolatile(s.vmctx, (long) VmContextLayout.INTERRUPT_FLAG, interrupted ? 1 : 0);
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
