package dev.twill.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few POSIX calls code memory and linear memories need ({@code mmap}, {@code mprotect},
 * {@code munmap}, {@code sysconf}; {@code malloc} and {@code free} for blocks that are freed
 * one by one, at times no arena knows, such as {@link FaultTraps}' tables), bound once through
 * Panama's native linker with {@code errno} captured, so that failures report the real reason. Public for front ends' runtimes: {@link
 * #reserve}, {@link #commit} and {@link #release} manage address-space reservations (a wasm
 * linear memory is reserved at its maximum and committed as it grows).
 */
public final class NativeMemory {
    private NativeMemory() {}

    static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    private static final int SC_PAGESIZE = 30;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle MMAP = LINKER.downcallHandle(LIBC.find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MPROTECT = LINKER.downcallHandle(LIBC.find("mprotect").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LIBC.find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MALLOC = LINKER.downcallHandle(LIBC.find("malloc").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(LIBC.find("free").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final MethodHandle SYSCONF = LINKER.downcallHandle(LIBC.find("sysconf").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    /** The OS page size. */
    public static final long PAGE_SIZE = pageSize();

    /**
     * Per thread, the {@code errno} capture buffer of the calls above: a confined arena per call
     * cost a {@code malloc} and {@code free} each time, as much as the system call itself for
     * {@code mprotect}. A few bytes per thread that ever maps code, never freed.
     */
    private static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CALL_STATE));

    private static long pageSize() {
        try {
            long p = (long) SYSCONF.invokeExact(SC_PAGESIZE);
            return p > 0 ? p : 4096;
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    /** Maps {@code size} bytes of private anonymous memory with {@code prot}; returns the address. */
    static long mmap(long size, int prot) {
        try {
            MemorySegment state = CALL_STATE_BUFFER.get();
            MemorySegment p = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, size, prot,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (p.address() == -1L) throw new OutOfMemoryError("mmap of " + size + " bytes failed: errno " + errno(state));
            return p.address();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void mprotect(long address, long size, int prot) {
        try {
            MemorySegment state = CALL_STATE_BUFFER.get();
            int r = (int) MPROTECT.invokeExact(state, MemorySegment.ofAddress(address), size, prot);
            if (r != 0) throw new IllegalStateException("mprotect(0x" + Long.toHexString(address) + ", " + size + ", " + prot
                    + ") failed: errno " + errno(state));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void munmap(long address, long size) {
        try {
            MemorySegment state = CALL_STATE_BUFFER.get();
            int r = (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), size);
            if (r != 0) throw new IllegalStateException("munmap failed: errno " + errno(state));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Reserves {@code size} bytes of address space, inaccessible and not committed ({@code
     * PROT_NONE}, {@code MAP_NORESERVE}); returns the address. OutOfMemoryError when refused.
     */
    public static long reserve(long size) {
        return mmap(size, PROT_NONE);
    }

    /**
     * Makes {@code [address, address + size)} of a reservation readable and writable (the kernel
     * hands out zeroed pages on first touch). OutOfMemoryError when refused.
     */
    public static void commit(long address, long size) {
        if (size == 0) return;
        try {
            mprotect(address, size, PROT_READ | PROT_WRITE);
        } catch (IllegalStateException e) {
            throw new OutOfMemoryError("committing " + size + " bytes failed: " + e.getMessage());
        }
    }

    /** Returns a reservation to the OS. */
    public static void release(long address, long size) {
        munmap(address, size);
    }

    /** {@code malloc(size)} as a segment of {@code size} bytes; OutOfMemoryError when refused. Free it with {@link #free}. */
    static MemorySegment malloc(long size) {
        try {
            MemorySegment p = (MemorySegment) MALLOC.invokeExact(size);
            if (p.address() == 0) throw new OutOfMemoryError("malloc of " + size + " bytes failed");
            return p.reinterpret(size);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code free(address)} of a block from {@link #malloc}. */
    static void free(long address) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * All of the address space as one segment with no owner. A view of a range is a slice of it:
     * {@code reinterpret} is caller-sensitive (it walks the stack to check native access), which
     * cost about as much as an {@code mprotect} on every module's link and close.
     */
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** A segment over native memory at {@code address} of {@code size} bytes, with no owner. */
    static MemorySegment segment(long address, long size) {
        return EVERYTHING.asSlice(address, size);
    }
}
