package dev.twill.runtime;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Executable memory for compiled code, written while read-write and then made read-execute,
 * never both at once (W^X).
 *
 * <p>Algorithm: memory comes from the OS in chunks of at least {@link #CHUNK_SIZE} bytes
 * ({@code mmap}, read-write). {@link #allocate} bump-allocates 16-byte-aligned blocks from the
 * current chunk, so the small functions of one batch share pages. {@link #publish} turns every
 * page written since the last publish, in every chunk, read-execute (flushing the instruction
 * cache on AArch64 is the back end's business) and moves the cursor to the next page boundary:
 * a page that has been executable is never written again, so no thread can run code on a page
 * while it is writable, and a block handed out stays writable until the owner publishes.
 *
 * <p><b>Chunk pool.</b> A module that holds one small function used to cost an {@code mmap}, a
 * page fault per page written, an {@code mprotect} and an {@code munmap} (with its TLB
 * shootdown): some 10 us, more than compiling the function. So {@link #close} hands chunks of
 * exactly {@link #CHUNK_SIZE} to a process-wide pool of at most {@link #POOL_LIMIT} chunks
 * instead of unmapping them, after making their published pages read-write again and filling
 * every byte handed out with {@code int3}, so that a pooled chunk is read-write throughout and
 * holds no stale code; {@link #newChunk} takes from the pool first. W^X holds throughout: a page
 * is read-execute only between a publish and the close of its owner, and read-write otherwise.
 * Resident pages stay resident, so reuse takes no page faults either.
 *
 * <p>Invariants: in chunk {@code k}, {@code [base, published[k])} is read-execute and {@code
 * [published[k], used[k])} read-write; only the last chunk takes new allocations. Not
 * thread-safe for writers; the owner (a module) serialises allocation and publication. Every
 * pooled chunk is entirely read-write and filled with {@code int3} where it was ever written.
 * Every mapped chunk, pooled or not, is registered as compiled code with {@link FaultTraps}.
 */
public final class CodeMemory implements AutoCloseable {
    /** The smallest chunk mapped at once. */
    public static final long CHUNK_SIZE = 256 * 1024;
    private static final int ALIGN = 16;
    /** Most chunks kept mapped for reuse once their owners close (4 MiB of address space). */
    static final int POOL_LIMIT = 16;
    /** The pool: bases of free read-write chunks of {@link #CHUNK_SIZE} bytes; guarded by itself. */
    private static final long[] POOL = new long[POOL_LIMIT];
    private static int pooled;

    private long[] chunkBase = new long[4];
    private long[] chunkSize = new long[4];
    /** End of the bytes handed out in each chunk. */
    private long[] used = new long[4];
    /** End of the read-execute prefix of each chunk (page aligned). */
    private long[] published = new long[4];
    private int chunks;
    private boolean closed;

    /** Page size of this machine. */
    public static long pageSize() {
        return NativeMemory.PAGE_SIZE;
    }

    /**
     * Reserves {@code size} writable bytes, 16-byte aligned, and returns them as a segment to
     * copy code into. The address is final: the code runs there after {@link #publish}.
     */
    public MemorySegment allocate(long size) {
        if (closed) throw new IllegalStateException("code memory is closed");
        if (size <= 0) throw new IllegalArgumentException("size " + size);
        int c = chunks - 1;
        long start = c < 0 ? 0 : (used[c] + ALIGN - 1) & -ALIGN;
        if (c < 0 || start + size > chunkBase[c] + chunkSize[c]) {
            c = newChunk(size);
            start = chunkBase[c];
        }
        used[c] = start + size;
        return NativeMemory.segment(start, size);
    }

    private int newChunk(long atLeast) {
        long page = NativeMemory.PAGE_SIZE;
        long size = Math.max(CHUNK_SIZE, (atLeast + page - 1) / page * page);
        long base = size == CHUNK_SIZE ? takePooled() : 0;
        if (base == 0) {
            base = NativeMemory.mmap(size, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE);
            // pooled chunks stay registered: a chunk is registered from its mmap to its munmap
            FaultTraps.addCode(base, size);
        }
        if (chunks == chunkBase.length) {
            int n = chunks * 2;
            chunkBase = Arrays.copyOf(chunkBase, n);
            chunkSize = Arrays.copyOf(chunkSize, n);
            used = Arrays.copyOf(used, n);
            published = Arrays.copyOf(published, n);
        }
        chunkBase[chunks] = base;
        chunkSize[chunks] = size;
        used[chunks] = base;
        published[chunks] = base;
        return chunks++;
    }

    /**
     * Makes everything allocated since the last publish read-execute. Later allocations start on
     * a fresh page.
     */
    public void publish() {
        if (closed) throw new IllegalStateException("code memory is closed");
        long page = NativeMemory.PAGE_SIZE;
        for (int c = 0; c < chunks; c++) {
            if (used[c] == published[c]) continue;
            long to = Math.min((used[c] + page - 1) & -page, chunkBase[c] + chunkSize[c]);
            NativeMemory.mprotect(published[c], to - published[c], NativeMemory.PROT_READ | NativeMemory.PROT_EXEC);
            used[c] = published[c] = to;
        }
    }

    /** Bytes mapped from the OS. */
    public long mappedBytes() {
        long n = 0;
        for (int k = 0; k < chunks; k++) n += chunkSize[k];
        return n;
    }

    /**
     * Frees all memory (to the pool or the OS); every function in it becomes invalid.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int k = 0; k < chunks; k++) {
            if (chunkSize[k] != CHUNK_SIZE || !recycle(chunkBase[k], published[k], used[k])) {
                FaultTraps.removeCode(chunkBase[k]);
                NativeMemory.munmap(chunkBase[k], chunkSize[k]);
            }
        }
        chunks = 0;
    }

    private static long takePooled() {
        synchronized (POOL) {
            return pooled == 0 ? 0 : POOL[--pooled];
        }
    }

    /**
     * Returns a chunk to the pool if there is room: its published prefix made read-write again,
     * and everything written wiped with {@code int3}. False if the pool is full.
     */
    private static boolean recycle(long base, long publishedEnd, long usedEnd) {
        synchronized (POOL) {
            if (pooled == POOL_LIMIT) return false;
        }
        if (publishedEnd > base) {
            NativeMemory.mprotect(base, publishedEnd - base, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE);
        }
        long end = Math.max(publishedEnd, usedEnd);
        if (end > base) NativeMemory.segment(base, end - base).fill((byte) 0xCC);
        synchronized (POOL) {
            if (pooled < POOL_LIMIT) {
                POOL[pooled++] = base;
                return true;
            }
        }
        return false;
    }
}
