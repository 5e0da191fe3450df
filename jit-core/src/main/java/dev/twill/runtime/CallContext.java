package dev.twill.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One thread's {@link TrapContext} block plus its Java-side state: the exception a host function
 * threw, waiting to be rethrown to the Java caller, and the return area for calls of functions
 * with several results.
 *
 * <p>The block is allocated the first time a thread calls compiled code and lives as long as the
 * thread can reach it (an automatic arena: freed by the GC after the thread and its thread-local
 * entry are gone), so all modules share it and a call costs no allocation. Layout: the {@link
 * TrapContext} fields at offset 0, then the return area of {@link #MAX_RESULTS} 8-byte slots.
 *
 * <p>Invariants: {@code TRAP_CODE} is {@link TrapContext#NO_TRAP} whenever no compiled code of
 * this thread is between a trap and the Java side's check; {@link #pending} is non-null only
 * between a host function's failure and the rethrow.
 *
 * <p>Virtual threads run compiled code on their carrier's stack (the downcall pins them), and a
 * virtual thread may move to another carrier between calls; their stack limit is therefore
 * recomputed from the current carrier on each entry.
 */
public final class CallContext {
    /**
     * Stack kept free below compiled code's stack limit, above the low end of the thread's stack;
     * see {@link TrapContext} for why 256 KiB.
     */
    public static final long STACK_RESERVE = 256 * 1024;
    /** Most results a function called from Java may return. */
    public static final int MAX_RESULTS = 64;
    /**
     * Offset of the return area in the block: {@link #MAX_RESULTS} 8-byte slots where the
     * trampoline leaves result {@code k} at {@code 8k}, then as many for the callee's own return
     * area (the results its convention puts in memory).
     */
    static final int RETURN_AREA = TrapContext.SIZE;
    private static final int BLOCK_SIZE = RETURN_AREA + 2 * 8 * MAX_RESULTS;

    private static final ThreadLocal<CallContext> CURRENT = ThreadLocal.withInitial(CallContext::new);
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle INT_HANDLE = ValueLayout.JAVA_INT.varHandle();

    /** The native block, {@link #BLOCK_SIZE} bytes. */
    final MemorySegment block;
    /** Its address, passed to the trampoline. */
    final long address;
    /** The address of the return area. */
    final long returnArea;
    private final boolean virtual;
    /** The thread this context belongs to. */
    private final Thread owner;
    /** An exception a host function threw, to be rethrown by the Java side of the call. */
    Throwable pending;

    private CallContext() {
        block = Arena.ofAuto().allocate(BLOCK_SIZE, 64);
        address = block.address();
        returnArea = address + RETURN_AREA;
        owner = Thread.currentThread();
        virtual = owner.isVirtual();
        block.set(ValueLayout.JAVA_INT, TrapContext.TRAP_CODE, TrapContext.NO_TRAP);
        refreshStackLimit();
    }

    /**
     * The context most recently looked up by a platform thread: a racy one-entry cache in front of
     * the thread-local, which saves the hash-table probe when one thread makes most calls. The
     * race is benign: a context's identity fields are final (so a reference read from another
     * thread shows them initialised), and a stale entry only costs a miss.
     */
    private static CallContext last;

    /** The calling thread's context, created on first use. */
    public static CallContext current() {
        CallContext c = last;
        if (c != null && c.owner == Thread.currentThread()) return c;
        return lookup();
    }

    private static CallContext lookup() {
        CallContext c = CURRENT.get();
        if (c.virtual) c.refreshStackLimit(); // never cached: the carrier may change between calls
        else last = c;
        return c;
    }

    private void refreshStackLimit() {
        long[] b = ThreadStack.bounds();
        block.set(ValueLayout.JAVA_LONG, TrapContext.STACK_LIMIT, b[0] + STACK_RESERVE);
    }

    /** The address of the native block. */
    public long address() {
        return address;
    }

    /** The lowest stack address compiled code of this thread may use. */
    public long stackLimit() {
        return block.get(ValueLayout.JAVA_LONG, TrapContext.STACK_LIMIT);
    }

    /**
     * Asks compiled code running on this context's thread to trap with {@code interrupt} at its
     * next check. Callable from any thread; the flag is cleared when the trap reaches Java.
     */
    public void interrupt() {
        INT_HANDLE.setVolatile(block, (long) TrapContext.INTERRUPT, 1);
    }

    /** Withdraws an interrupt request not yet delivered. */
    public void clearInterrupt() {
        INT_HANDLE.setVolatile(block, (long) TrapContext.INTERRUPT, 0);
    }

    int trapCode() {
        // Through the global everything-segment: no session liveness check on the hot path (the
        // block is reachable from this context, so it is alive).
        return EVERYTHING.get(ValueLayout.JAVA_INT, address + TrapContext.TRAP_CODE);
    }

    long trapPc() {
        return block.get(ValueLayout.JAVA_LONG, TrapContext.TRAP_PC);
    }

    /** Puts the context back to the running state after a trap has been read. */
    void resetTrap() {
        block.set(ValueLayout.JAVA_INT, TrapContext.TRAP_CODE, TrapContext.NO_TRAP);
    }

    /** Called by a host function's wrapper on the thread the host function ran on. */
    static void recordHostException(Throwable t) {
        CallContext c = CURRENT.get();
        if (c.pending == null) c.pending = t;
        else if (c.pending != t) c.pending.addSuppressed(t);
        c.block.set(ValueLayout.JAVA_INT, TrapContext.TRAP_CODE, TrapContext.HOST_EXCEPTION);
    }
}
