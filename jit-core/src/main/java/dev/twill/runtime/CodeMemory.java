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
 * <p>Invariants: in chunk {@code k}, {@code [base, published[k])} is read-execute and {@code
 * [published[k], used[k])} read-write; only the last chunk takes new allocations. Not
 * thread-safe for writers; the owner (a module) serialises allocation and publication.
 */
public final class CodeMemory implements AutoCloseable {
    /** The smallest chunk mapped at once. */
    public static final long CHUNK_SIZE = 256 * 1024;
    private static final int ALIGN = 16;

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
        long base = NativeMemory.mmap(size, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE);
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

    /** Unmaps all memory; every function in it becomes invalid. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int k = 0; k < chunks; k++) NativeMemory.munmap(chunkBase[k], chunkSize[k]);
        chunks = 0;
    }
}
