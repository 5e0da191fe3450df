package dev.twill.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The bounds of the calling OS thread's stack, from glibc's {@code pthread_getattr_np} and
 * {@code pthread_attr_getstack} (both also in musl). For a JVM thread the range includes the
 * guard zones the JVM protects at its low end.
 */
final class ThreadStack {
    private ThreadStack() {}

    /** Bytes for a pthread_attr_t: 56 on x86-64 glibc, 64 on AArch64; generous. */
    private static final long ATTR_SIZE = 256;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle SELF = LINKER.downcallHandle(LIBC.find("pthread_self").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG));
    private static final MethodHandle GETATTR = LINKER.downcallHandle(LIBC.find("pthread_getattr_np").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle GETSTACK = LINKER.downcallHandle(LIBC.find("pthread_attr_getstack").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle DESTROY = LINKER.downcallHandle(LIBC.find("pthread_attr_destroy").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** {low address, size in bytes} of the current OS thread's stack. */
    static long[] bounds() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 16);
            MemorySegment addr = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
            long self = (long) SELF.invokeExact();
            int r = (int) GETATTR.invokeExact(self, attr);
            if (r != 0) throw new IllegalStateException("pthread_getattr_np failed: " + r);
            try {
                r = (int) GETSTACK.invokeExact(attr, addr, size);
                if (r != 0) throw new IllegalStateException("pthread_attr_getstack failed: " + r);
            } finally {
                int ignored = (int) DESTROY.invokeExact(attr);
            }
            return new long[] {addr.get(ValueLayout.JAVA_LONG, 0), size.get(ValueLayout.JAVA_LONG, 0)};
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
