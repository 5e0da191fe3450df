package dev.twill.wasm.runtime;

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
 * Address-space reservations for linear memories: {@code mmap(PROT_NONE, MAP_NORESERVE)} reserves
 * a range without committing memory, {@code mprotect(PROT_READ|PROT_WRITE)} commits a prefix of it
 * as it grows (the kernel hands out zeroed pages on first touch), {@code munmap} gives it back.
 * Bound once through Panama with {@code errno} captured so that failures say why.
 *
 * <p>jit-core's {@code NativeMemory} does the same for code memory but is package-private there;
 * these four calls are small enough to bind again rather than widen jit-core's API.
 */
public final class VirtualMemory {
    private VirtualMemory() {}

    private static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
    private static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    private static final int SC_PAGESIZE = 30;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle MMAP = LINKER.downcallHandle(LIBC.find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MPROTECT = LINKER.downcallHandle(LIBC.find("mprotect").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LIBC.find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle SYSCONF = LINKER.downcallHandle(LIBC.find("sysconf").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    /** The OS page size. */
    public static final long PAGE_SIZE = pageSize();

    private static long pageSize() {
        try {
            long p = (long) SYSCONF.invokeExact(SC_PAGESIZE);
            return p > 0 ? p : 4096;
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    /** Reserves {@code size} bytes of address space, inaccessible; returns the address. */
    public static long reserve(long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            long p = (long) MMAP.invokeExact(state, 0L, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (p == -1L) throw new OutOfMemoryError("reserving " + size + " bytes of address space failed: errno " + errno(state));
            return p;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Makes {@code [address, address + size)} of a reservation readable and writable. */
    public static void commit(long address, long size) {
        if (size == 0) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            int r = (int) MPROTECT.invokeExact(state, address, size, PROT_READ | PROT_WRITE);
            if (r != 0) throw new OutOfMemoryError("committing " + size + " bytes failed: errno " + errno(state));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Returns a reservation to the OS. */
    public static void release(long address, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            int r = (int) MUNMAP.invokeExact(state, address, size);
            if (r != 0) throw new IllegalStateException("munmap failed: errno " + errno(state));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }
}
