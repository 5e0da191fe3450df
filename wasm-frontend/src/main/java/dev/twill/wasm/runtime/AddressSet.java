package dev.twill.wasm.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A set of non-zero longs (addresses) that only grows, read without locks: a {@link
 * dev.twill.wasm.Store} keeps the address of every FuncRef record of its instances here, so that
 * a funcref handed in from Java can be checked to be one of them before wasm code calls through
 * it (a made-up address would be jumped to).
 *
 * <p>Algorithm: open addressing with linear probing over a power-of-two {@code long[]}, 0 marking
 * an empty slot, at most half full. Keys are mixed with a multiplicative hash (Fibonacci hashing,
 * Knuth TAOCP 6.4) since addresses are 8-aligned and clustered. {@link #add} is synchronized; it
 * writes a new key with release semantics, and a resize builds a new array before publishing it
 * through the volatile field. {@link #contains} takes no lock: it sees every key whose insertion
 * happened-before the call (a key inserted concurrently may or may not be seen). Keys are never
 * removed: a store frees all its records at once, when it closes, and stops using the set then.
 * No boxing anywhere: a lookup is a multiply, a shift and usually one array load.
 */
public final class AddressSet {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private volatile long[] slots = new long[64];
    private int size;

    /** Adds {@code key} (non-zero). */
    public synchronized void add(long key) {
        if (key == 0) throw new IllegalArgumentException("0 is no address");
        long[] t = slots;
        if (2 * (size + 1) > t.length) {
            long[] bigger = new long[t.length * 2];
            for (long k : t) if (k != 0) insert(bigger, k);
            slots = t = bigger; // published whole: readers see the old or the new array, both valid
        }
        if (insert(t, key)) size++;
    }

    private static boolean insert(long[] t, long key) {
        int mask = t.length - 1;
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            long k = t[i];
            if (k == key) return false;
            if (k == 0) {
                SLOT.setRelease(t, i, key);
                return true;
            }
        }
    }

    /** Whether {@code key} was added. */
    public boolean contains(long key) {
        if (key == 0) return false;
        long[] t = slots;
        int mask = t.length - 1;
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            long k = (long) SLOT.getAcquire(t, i);
            if (k == key) return true;
            if (k == 0) return false;
        }
    }

    public synchronized int size() {
        return size;
    }

    private static int index(long key, int mask) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> 32) & mask;
    }
}
