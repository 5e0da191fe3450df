package dev.twill.runtime;

import dev.twill.ir.TrapCode;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.ServiceLoader;

/**
 * Traps by page protection: compiled code may access memory with no explicit bounds check when
 * every out-of-bounds address it can form lies in a <i>guard region</i>, address space that is
 * reserved but inaccessible; the access faults, and the process's {@code SIGSEGV} handler turns
 * the fault into a {@code heap_oob} trap of the running call. A WebAssembly memory with 32-bit
 * indices reserved with 4 GiB plus a guard needs no bounds check at all, the largest saving
 * sandboxed code can get.
 *
 * <p><b>Problem.</b> The JVM owns {@code SIGSEGV}: it uses it for implicit null checks,
 * safepoint polls and stack banging. So Twill's handler is installed in front of the JVM's
 * ({@code sigaction} through Panama, once, when the first guard region is registered) and hands
 * every fault that is not its own to the JVM's handler unchanged, by a tail jump with the same
 * arguments (the chaining libjsig and wasmtime do), so the JVM sees exactly what it would have
 * seen.
 *
 * <p><b>Protocol</b> (the handler is machine code from the back end's {@link
 * FaultHandlerGenerator}; it uses no stack). A fault is Twill's iff the faulting instruction lies
 * in compiled code (a registered code range: {@link CodeMemory} registers every chunk it maps)
 * <i>and</i> the faulting address lies in a registered guard region ({@link #addGuard}). Then the
 * pinned register of the interrupted context holds the thread's {@link TrapContext} (compiled
 * code never changes it), and the handler performs a trap exit through the signal context: it
 * stores {@code heap_oob} at {@link TrapContext#TRAP_CODE} and the faulting pc at {@link
 * TrapContext#TRAP_PC}, sets the context's stack pointer to {@link TrapContext#SAVED_SP} and its pc
 * to {@link TrapContext#RESUME_PC}, and returns; the kernel resumes the entry trampoline as if
 * the function had jumped to its trap exit. Any other fault goes to the previous handler. A fault
 * of Twill's code outside every guard region (a Twill bug) is therefore the JVM's, which reports
 * it as a crash rather than as a trap that would hide it.
 *
 * <p><b>Tables.</b> A header block of native memory holds a reader count, a pointer to the code
 * table, a pointer to the guard table and the previous handler. A table is a count followed by
 * {@code [lo, hi)} pairs. Tables are immutable once published: a change builds a new table,
 * publishes its pointer, waits until the reader count is zero (the handler increments it with a
 * locked add before it loads a table pointer and decrements it before it acts or chains) and
 * only then frees the old table. A handler that started before the publication may still read
 * the old table, which holds its ranges until it finishes; one that starts after sees the new.
 *
 * <p>A code range may be registered before the handler exists; a guard region only once it does
 * ({@link #available}). Guard regions must not overlap anything the JVM touches: they are
 * reservations only Twill's code addresses.
 */
public final class FaultTraps {
    private FaultTraps() {}

    // ---- header block
    /** Handlers currently reading a table (8 bytes, changed with locked adds). */
    public static final int READERS = 0;
    /** Address of the code table. */
    public static final int CODE_TABLE = 8;
    /** Address of the guard table. */
    public static final int GUARD_TABLE = 16;
    /** The previous {@code SIGSEGV} handler, where faults that are not Twill's go. */
    public static final int PREVIOUS = 24;
    /** Faults handed to the previous handler so far (8 bytes, a locked add each): diagnostics and tests. */
    public static final int CHAINED = 32;
    private static final int HEADER_SIZE = 40;

    private static final int SIGSEGV = 11;
    private static final int SA_SIGINFO = 4;
    /** glibc's {@code struct sigaction} on Linux x86-64 and AArch64: handler, mask (128 bytes), flags, restorer. */
    private static final int SA_HANDLER = 0, SA_MASK = 8, SA_MASK_BYTES = 128, SA_FLAGS = 136, SIGACTION_SIZE = 152;

    private static final Object LOCK = new Object();
    /** Registered code ranges and guard regions as {lo, hi} pairs; guarded by LOCK. */
    private static final Ranges CODE = new Ranges(CODE_TABLE), GUARDS = new Ranges(GUARD_TABLE);
    /** 0 not tried yet, 1 installed, -1 unavailable ({@link #unavailableReason}). */
    private static int state;
    private static String unavailableReason;
    private static MemorySegment header;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /**
     * True if guard regions work in this process: the handler is installed now if it was not
     * yet. False on platforms without a {@link FaultHandlerGenerator} or where the handler
     * cannot be installed ({@link #unavailableReason} says why).
     */
    public static boolean available() {
        synchronized (LOCK) {
            if (state == 0) install();
            return state == 1;
        }
    }

    /** Why {@link #available} is false, or null. */
    public static String unavailableReason() {
        synchronized (LOCK) {
            return unavailableReason;
        }
    }

    /** How many faults the handler has handed to the previous handler (the JVM's), or 0 before it is installed. */
    public static long chainedFaults() {
        synchronized (LOCK) {
            return header == null ? 0 : (long) LONG.getVolatile(header, (long) CHAINED);
        }
    }

    /** Registers compiled code at {@code [base, base + size)}: faults there may be traps. */
    public static void addCode(long base, long size) {
        synchronized (LOCK) {
            CODE.add(base, base + size);
        }
    }

    /** Unregisters the code range that starts at {@code base} (before it is unmapped). */
    public static void removeCode(long base) {
        synchronized (LOCK) {
            CODE.remove(base);
        }
    }

    /**
     * Registers the guard region {@code [base, base + size)}: a fault of compiled code at an
     * address in it becomes a {@code heap_oob} trap. Requires {@link #available}.
     */
    public static void addGuard(long base, long size) {
        synchronized (LOCK) {
            if (!available()) throw new IllegalStateException("guard regions are unavailable: " + unavailableReason);
            GUARDS.add(base, base + size);
        }
    }

    /** Unregisters the guard region that starts at {@code base} (before it is unmapped). */
    public static void removeGuard(long base) {
        synchronized (LOCK) {
            GUARDS.remove(base);
        }
    }

    private static void install() {
        state = -1;
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name", "").equals("Linux")) {
            unavailableReason = "signal handling is implemented for Linux only";
            return;
        }
        FaultHandlerGenerator generator = null;
        for (FaultHandlerGenerator g : ServiceLoader.load(FaultHandlerGenerator.class)) {
            if (g.arch().equals(arch)) generator = g;
        }
        if (generator == null) {
            unavailableReason = "no fault handler generator for " + arch + " on the class path";
            return;
        }
        try {
            MethodHandle sigaction = LINKER.downcallHandle(LIBC.find("sigaction").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            Arena arena = Arena.global();
            MemorySegment old = arena.allocate(SIGACTION_SIZE, 8);
            if ((int) sigaction.invokeExact(SIGSEGV, MemorySegment.NULL, old) != 0) {
                unavailableReason = "sigaction(SIGSEGV) could not be read";
                return;
            }
            long previous = old.get(ValueLayout.JAVA_LONG, SA_HANDLER);
            // SIG_DFL (0) or SIG_IGN (1): there is no handler to chain to, and a JVM always has one
            if (previous == 0 || previous == 1) {
                unavailableReason = "no previous SIGSEGV handler to chain to";
                return;
            }
            header = arena.allocate(HEADER_SIZE, 8);
            header.set(ValueLayout.JAVA_LONG, PREVIOUS, previous);
            CODE.publish();
            GUARDS.publish();
            // the handler's code lives as long as the process: it is never unregistered
            CodeMemory memory = new CodeMemory();
            byte[] code = generator.generate(header.address(), TrapCode.HEAP_OOB);
            MemorySegment at = memory.allocate(code.length);
            MemorySegment.copy(code, 0, at, ValueLayout.JAVA_BYTE, 0, code.length);
            memory.publish();

            MemorySegment act = arena.allocate(SIGACTION_SIZE, 8);
            act.set(ValueLayout.JAVA_LONG, SA_HANDLER, at.address());
            MemorySegment.copy(old, SA_MASK, act, SA_MASK, SA_MASK_BYTES);
            act.set(ValueLayout.JAVA_INT, SA_FLAGS, old.get(ValueLayout.JAVA_INT, SA_FLAGS) | SA_SIGINFO);
            if ((int) sigaction.invokeExact(SIGSEGV, act, MemorySegment.NULL) != 0) {
                unavailableReason = "sigaction(SIGSEGV) could not be set";
                return;
            }
            // an interposer (libjsig) may keep the JVM's handler in front and call ours itself,
            // which would make chaining to "previous" loop: use guard regions only when ours is
            // first, and otherwise hand the previous action back
            MemorySegment now = arena.allocate(SIGACTION_SIZE, 8);
            if ((int) sigaction.invokeExact(SIGSEGV, MemorySegment.NULL, now) != 0
                    || now.get(ValueLayout.JAVA_LONG, SA_HANDLER) != at.address()) {
                int restored = (int) sigaction.invokeExact(SIGSEGV, old, MemorySegment.NULL);
                unavailableReason = "the SIGSEGV handler did not take effect (signal interposition?)"
                        + (restored == 0 ? "" : "; restoring the previous handler failed too");
                return;
            }
            state = 1;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * One registered set of ranges and its published native table. Before the handler is
     * installed only the Java side is kept; {@link #publish} then writes the table.
     */
    private static final class Ranges {
        private final int slot;
        private long[] lo = new long[16], hi = new long[16];
        private int count;

        Ranges(int slot) {
            this.slot = slot;
        }

        void add(long from, long to) {
            if (count == lo.length) {
                lo = Arrays.copyOf(lo, count * 2);
                hi = Arrays.copyOf(hi, count * 2);
            }
            lo[count] = from;
            hi[count] = to;
            count++;
            if (header != null) publish();
        }

        void remove(long from) {
            for (int k = 0; k < count; k++) {
                if (lo[k] != from) continue;
                count--;
                lo[k] = lo[count];
                hi[k] = hi[count];
                if (header != null) publish();
                return;
            }
            throw new IllegalArgumentException("no range registered at 0x" + Long.toHexString(from));
        }

        /** Writes a new table, publishes it, and frees the old one once no handler reads it. */
        void publish() {
            MemorySegment table = NativeMemory.malloc(8 + 16L * count);
            table.set(ValueLayout.JAVA_LONG, 0, count);
            for (int k = 0; k < count; k++) {
                table.set(ValueLayout.JAVA_LONG, 8 + 16L * k, lo[k]);
                table.set(ValueLayout.JAVA_LONG, 16 + 16L * k, hi[k]);
            }
            long old = (long) LONG.getVolatile(header, (long) slot);
            LONG.setVolatile(header, (long) slot, table.address());
            // a handler that incremented READERS before this point may hold the old table
            for (int spins = 0; (long) LONG.getVolatile(header, (long) READERS) != 0; spins++) {
                if (spins < 1000) Thread.onSpinWait();
                else Thread.yield();
            }
            if (old != 0) NativeMemory.free(old);
        }
    }
}
