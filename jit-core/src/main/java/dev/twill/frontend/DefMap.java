package dev.twill.frontend;

import java.util.Arrays;

/**
 * The map (variable, SSA block) -> value that on-the-fly SSA construction reads and writes
 * ({@code currentDef[variable][block]} in Braun et al.).
 *
 * <p>Why a hash map: a dense variables x blocks matrix is what Cranelift keeps, but a front end
 * may have 100,000 blocks and thousands of locals while each block touches a handful of them.
 * Open addressing with linear probing over one {@code long[]} of packed keys keeps a lookup to
 * one multiply and, almost always, one probe, and allocates nothing once grown.
 *
 * <p>Clearing is O(1): a slot is live only if its stamp equals the current generation, so
 * {@link #clear} bumps the generation instead of wiping the arrays (a context that once built a
 * huge function does not pay for it on every small one after).
 *
 * <p>Invariant: live slots are at most half the capacity, so every probe sequence ends.
 */
final class DefMap {
    /** Returned by {@link #get} for an absent key. */
    static final int ABSENT = -1;

    private long[] keys = new long[256];
    private int[] values = new int[256];
    private int[] stamps = new int[256];
    private int generation = 1;
    private int size;
    private int shift = 64 - 8;

    void clear() {
        size = 0;
        if (++generation == Integer.MAX_VALUE) {
            Arrays.fill(stamps, 0);
            generation = 1;
        }
    }

    private static long key(int var, int block) {
        return ((long) var << 32) | (block & 0xFFFF_FFFFL);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> shift);
    }

    int get(int var, int block) {
        long k = key(var, block);
        int mask = keys.length - 1;
        for (int s = slot(k); ; s = (s + 1) & mask) {
            if (stamps[s] != generation) return ABSENT;
            if (keys[s] == k) return values[s];
        }
    }

    void put(int var, int block, int value) {
        long k = key(var, block);
        int mask = keys.length - 1;
        for (int s = slot(k); ; s = (s + 1) & mask) {
            if (stamps[s] != generation) {
                keys[s] = k;
                values[s] = value;
                stamps[s] = generation;
                if (++size * 2 > keys.length) grow();
                return;
            }
            if (keys[s] == k) {
                values[s] = value;
                return;
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values, oldStamps = stamps;
        int oldGen = generation;
        int n = oldKeys.length * 2;
        keys = new long[n];
        values = new int[n];
        stamps = new int[n];
        generation = 1;
        shift--;
        int mask = n - 1;
        for (int o = 0; o < oldKeys.length; o++) {
            if (oldStamps[o] != oldGen) continue;
            int s = slot(oldKeys[o]);
            while (stamps[s] == generation) s = (s + 1) & mask;
            keys[s] = oldKeys[o];
            values[s] = oldValues[o];
            stamps[s] = generation;
        }
    }
}
