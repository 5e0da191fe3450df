package dev.twill.wasm.runtime;

import dev.twill.wasm.vm.VmContextLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Maps the instance id in a VM context to the instance's {@link InstanceState}, so that builtins
 * and host calls (which receive only the vmctx) reach the Java objects.
 *
 * <p>Ids are slot numbers in one array, reused after {@link #remove}; a reused id is safe because
 * an instance's vmctx is freed together with its removal (a stale vmctx is never called). Reads
 * take no lock: the array is replaced, never resized in place, and published through a volatile
 * field; writes are synchronized.
 */
public final class InstanceRegistry {
    private InstanceRegistry() {}

    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static volatile InstanceState[] slots = new InstanceState[64];
    private static int[] free = new int[64];
    private static int freeCount;
    private static int next = 1; // 0 stays unused so that a zeroed vmctx never names an instance

    /** Reserves an id for an instance about to be created. */
    public static synchronized long reserve() {
        if (freeCount > 0) return free[--freeCount];
        if (next == slots.length) slots = Arrays.copyOf(slots, next * 2);
        return next++;
    }

    public static synchronized void publish(InstanceState s) {
        InstanceState[] a = slots;
        a[(int) s.id] = s;
        slots = a; // volatile write: publishes the element
    }

    /** Frees an id (published or merely reserved). */
    public static synchronized void remove(long id) {
        slots[(int) id] = null;
        if (freeCount == free.length) free = Arrays.copyOf(free, freeCount * 2);
        free[freeCount++] = (int) id;
    }

    /** The instance whose VM context is at {@code vmctx}. */
    public static InstanceState of(long vmctx) {
        long id = EVERYTHING.get(ValueLayout.JAVA_LONG, vmctx + VmContextLayout.INSTANCE_ID);
        InstanceState s = slots[(int) id];
        if (s == null) throw new IllegalStateException("no live instance with id " + id);
        return s;
    }
}
