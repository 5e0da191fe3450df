package dev.twill.frontend;

import java.util.Arrays;

/**
 * The map (variable, SSA block) -> value that on-the-fly SSA construction reads and writes
 * ({@code currentDef[variable][block]} in Braun et al.).
 *
 * <p>Why pages in a hash map: a dense variables x blocks matrix is what Cranelift keeps, but a
 * front end may have 100,000 blocks and thousands of locals while each block touches a handful
 * of them. A plain hash map of (variable, block) keys, on the other hand, scatters the entries
 * of one variable over the whole table, and a large function fills it: an interpreter loop of
 * 5,000 blocks and 400 locals, every local read at every back edge, caches two million entries,
 * 64 MB that every lookup misses in cache. So the map keeps pages: {@link #PAGE} consecutive
 * blocks of one variable in one run of an {@code int[]} pool, found through an open-addressing
 * table of (variable, block / PAGE) keys. A walk up a chain of blocks, which visits nearby
 * block numbers of one variable, stays in one or two cache lines, and a dense use costs 4 bytes
 * an entry instead of 32.
 *
 * <p>Clearing is O(1) for the table: a slot is live only if its stamp equals the current
 * generation, so {@link #clear} bumps the generation instead of wiping the arrays (a context
 * that once built a huge function does not pay for it on every small one after); pages are
 * filled with {@link #ABSENT} when handed out.
 *
 * <p>Invariant: live table slots are at most half the capacity, so every probe sequence ends.
 */
final class DefMap {
    /** Returned by {@link #get} for an absent key. */
    static final int ABSENT = -1;

    private static final int PAGE_SHIFT = 4, PAGE = 1 << PAGE_SHIFT;

    private long[] keys = new long[64];
    /** Per table slot: the start of its page in {@link #pool}. */
    private int[] pages = new int[64];
    private int[] stamps = new int[64];
    private int generation = 1;
    private int size;
    private int shift = 64 - 6;

    /**
     * The pages. Read it afresh after any call that may add a page ({@link #ref}, {@link #put}):
     * growing replaces the array, though an entry's index in it stays the same until {@link #clear}.
     */
    int[] pool = new int[16 * PAGE];
    private int poolUsed;

    void clear() {
        size = 0;
        poolUsed = 0;
        if (++generation == Integer.MAX_VALUE) {
            Arrays.fill(stamps, 0);
            generation = 1;
        }
    }

    private static long key(int var, int block) {
        return ((long) var << 32) | ((block >>> PAGE_SHIFT) & 0xFFFF_FFFFL);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> shift);
    }

    int get(int var, int block) {
        long k = key(var, block);
        int mask = keys.length - 1;
        for (int s = slot(k); ; s = (s + 1) & mask) {
            if (stamps[s] != generation) return ABSENT;
            if (keys[s] == k) return pool[pages[s] + (block & (PAGE - 1))];
        }
    }

    void put(int var, int block, int value) {
        int r = ref(var, block);
        pool[r] = value;
    }

    /**
     * The index in {@link #pool} of the entry (var, block), made {@link #ABSENT} if there was
     * none: a caller that reads an entry and then writes it hashes once. (Write {@code int r =
     * ref(..); pool[r] = v}: {@code pool[ref(..)] = v} would load the array before it may grow.)
     */
    int ref(int var, int block) {
        long k = key(var, block);
        int mask = keys.length - 1;
        for (int s = slot(k); ; s = (s + 1) & mask) {
            if (stamps[s] != generation) {
                int page = newPage();
                keys[s] = k;
                pages[s] = page;
                stamps[s] = generation;
                if (++size * 2 > keys.length) grow();
                return page + (block & (PAGE - 1));
            }
            if (keys[s] == k) return pages[s] + (block & (PAGE - 1));
        }
    }

    private int newPage() {
        if (poolUsed + PAGE > pool.length) pool = Arrays.copyOf(pool, pool.length * 2);
        int page = poolUsed;
        poolUsed += PAGE;
        Arrays.fill(pool, page, page + PAGE, ABSENT);
        return page;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldPages = pages, oldStamps = stamps;
        int oldGen = generation;
        int n = oldKeys.length * 2;
        keys = new long[n];
        pages = new int[n];
        stamps = new int[n];
        generation = 1;
        shift--;
        int mask = n - 1;
        for (int o = 0; o < oldKeys.length; o++) {
            if (oldStamps[o] != oldGen) continue;
            int s = slot(oldKeys[o]);
            while (stamps[s] == generation) s = (s + 1) & mask;
            keys[s] = oldKeys[o];
            pages[s] = oldPages[o];
            stamps[s] = generation;
        }
    }
}
