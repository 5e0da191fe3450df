package dev.twill.wasm.runtime;

import java.lang.management.ManagementFactory;

/**
 * Process-wide ceilings on the native resources wasm instances take, so that modules that
 * declare huge memories or tables, or very many instances, fail with a clear {@link
 * OutOfMemoryError} (instantiation) or a failed {@code grow} (-1, which WebAssembly 2.0 allows
 * for any reason) instead of taking the JVM down: past the kernel's limits the JVM's own {@code
 * mmap}s (thread stacks, code cache, metaspace) fail, which is fatal, and committed memory that
 * guests touch beyond physical RAM brings the OOM killer.
 *
 * <p>Three pools, each a counter updated under one lock (instantiation and grow are not hot):
 * <ul>
 *   <li><b>linear memories</b>: how many are live (each costs two or three kernel mappings;
 *       {@code vm.max_map_count} is 65,530 by default), default 10,000, property {@code
 *       twill.wasm.maxMemories};
 *   <li><b>reserved address space</b> of linear memories (6 GiB for a 32-bit memory with guard
 *       pages, else its maximum, 4 GiB for one without), default 64 TiB of the 128 TiB user
 *       address space (room for the 10,000 memories with guard pages), property {@code
 *       twill.wasm.maxReservedBytes};
 *   <li><b>committed bytes</b>: linear-memory pages made accessible plus table storage, default
 *       half the physical memory, property {@code twill.wasm.maxCommittedBytes}.
 * </ul>
 * One more ceiling is per memory: the address space a 64-bit memory (memory64, up to 2^48
 * pages) reserves, default 16 GiB, property {@code twill.wasm.maxMemory64Bytes}; such a memory
 * cannot grow past it.
 *
 * <p>A resource is charged before it is allocated and credited when it is freed (a memory when its
 * store closes; table blocks, which live in the store's arena, when the store closes), so every
 * failure path that frees also credits. {@link #setLimits} changes the ceilings at run time
 * (embedders, tests).
 */
public final class ResourceBudget {
    private ResourceBudget() {}

    private static long maxMemories = Long.getLong("twill.wasm.maxMemories", 10_000);
    private static long maxReserved = Long.getLong("twill.wasm.maxReservedBytes", 64L << 40);
    private static long maxCommitted = Long.getLong("twill.wasm.maxCommittedBytes", physicalMemory() / 2);
    private static long memories, reserved, committed;
    private static volatile long maxMemory64Bytes = Long.getLong("twill.wasm.maxMemory64Bytes", 16L << 30);

    /** The most address space one 64-bit memory reserves (a multiple of 64 KiB is what counts). */
    public static long memory64ReservationBytes() {
        return maxMemory64Bytes;
    }

    /** Sets {@link #memory64ReservationBytes()} for memories created from now on (embedders, tests). */
    public static void setMemory64ReservationBytes(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative reservation " + bytes);
        maxMemory64Bytes = bytes;
    }

    private static long physicalMemory() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                long total = os.getTotalMemorySize();
                if (total > 0) return total;
            }
        } catch (RuntimeException | LinkageError e) {
            // no jdk.management: fall back below
        }
        return 16L << 30;
    }

    /** Replaces the three ceilings; resources already taken stay (later charges see the new limits). */
    public static synchronized void setLimits(long maxLinearMemories, long maxReservedBytes, long maxCommittedBytes) {
        maxMemories = maxLinearMemories;
        maxReserved = maxReservedBytes;
        maxCommitted = maxCommittedBytes;
    }

    /** The ceilings as {maxMemories, maxReservedBytes, maxCommittedBytes}. */
    public static synchronized long[] limits() {
        return new long[] {maxMemories, maxReserved, maxCommitted};
    }

    /** What is in use as {memories, reservedBytes, committedBytes}. */
    public static synchronized long[] usage() {
        return new long[] {memories, reserved, committed};
    }

    /** Charges one linear memory reserving {@code bytes} of address space; throws OutOfMemoryError past a ceiling. */
    static synchronized void chargeMemory(long bytes) {
        if (memories + 1 > maxMemories) {
            throw new OutOfMemoryError("wasm: too many linear memories: " + memories + " are live, the limit is "
                    + maxMemories + " (twill.wasm.maxMemories)");
        }
        if (bytes > maxReserved - reserved) {
            throw new OutOfMemoryError("wasm: reserving " + bytes + " bytes of address space for a linear memory would exceed "
                    + "the limit of " + maxReserved + " bytes (twill.wasm.maxReservedBytes; " + reserved + " in use)");
        }
        memories++;
        reserved += bytes;
    }

    static synchronized void creditMemory(long bytes) {
        memories--;
        reserved -= bytes;
    }

    /** Charges {@code bytes} of committed memory; throws OutOfMemoryError (saying {@code what}) past the ceiling. */
    static synchronized void commit(long bytes, String what) {
        if (!tryCommit(bytes)) {
            throw new OutOfMemoryError("wasm: " + what + " needs " + bytes + " bytes, which would exceed the limit of "
                    + maxCommitted + " committed bytes (twill.wasm.maxCommittedBytes; " + committed + " in use)");
        }
    }

    /** Charges {@code bytes} of committed memory if the ceiling allows. */
    static synchronized boolean tryCommit(long bytes) {
        if (bytes < 0 || bytes > maxCommitted - committed) return false;
        committed += bytes;
        return true;
    }

    static synchronized void uncommit(long bytes) {
        committed -= bytes;
    }
}
