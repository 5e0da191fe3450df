package dev.twill.runtime;

import dev.twill.ir.Type;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.ServiceLoader;

/**
 * The process-wide cache of entry trampolines, one per native shape (IR parameter and result
 * types), each with its Panama downcall handle of type {@code (long context, long function,
 * [long returnArea,] P...) -> R}. Trampolines live in a code memory that is never freed: shapes
 * are few, and every module shares them.
 *
 * <p>Buffered trampolines ({@link #buffered}) serve {@link JitModule#rawCaller}: one per shape
 * too (a hundred-odd bytes of machine code, but a page of code memory each, since every
 * trampoline is published on its own), all behind the single downcall {@link #BUFFERED}: each
 * distinct downcall or method-handle signature costs the JVM tens of kilobytes of code cache
 * that it never frees.
 */
final class EntryTrampolines {
    private EntryTrampolines() {}

    private static final CodeMemory MEMORY = new CodeMemory();
    private static final HashMap<String, MethodHandle> CACHE = new HashMap<>();
    private static EntryTrampolineGenerator generator;

    private static final HashMap<String, Long> ADDRESSES = new HashMap<>();

    /**
     * The downcall handle of the trampoline for this shape, made on first use; {@code critical}
     * asks for Panama's critical downcall (no thread-state transition, see {@link
     * JitModule#leafHandle}).
     */
    static synchronized MethodHandle downcall(int[] params, int[] returns, boolean critical) {
        String key = key(params, returns);
        String handleKey = critical ? key + "!critical" : key;
        MethodHandle h = CACHE.get(handleKey);
        if (h == null) {
            Long address = ADDRESSES.get(key);
            if (address == null) {
                byte[] code = generator().generate(params, returns);
                MemorySegment seg = MEMORY.allocate(code.length);
                MemorySegment.copy(code, 0, seg, ValueLayout.JAVA_BYTE, 0, code.length);
                MEMORY.publish();
                address = seg.address();
                ADDRESSES.put(key, address);
            }
            MemorySegment target = MemorySegment.ofAddress(address);
            h = critical
                    ? Linker.nativeLinker().downcallHandle(target, descriptor(params, returns), Linker.Option.critical(false))
                    : Linker.nativeLinker().downcallHandle(target, descriptor(params, returns));
            CACHE.put(handleKey, h);
        }
        return h;
    }

    private static EntryTrampolineGenerator generator() {
        if (generator == null) {
            String arch = System.getProperty("os.arch");
            for (EntryTrampolineGenerator g : ServiceLoader.load(EntryTrampolineGenerator.class)) {
                if (g.arch().equals(arch)) generator = g;
            }
            if (generator == null) {
                throw new LinkError("no entry trampoline generator for " + arch + " on the class path (add the back end, e.g. jit-x64)");
            }
        }
        return generator;
    }

    /**
     * A critical downcall straight to a self-contained function at {@code entry}, typed from its
     * IR signature (at most one result): see {@link JitModule#handle}.
     */
    static MethodHandle directDowncall(long entry, int[] params, int[] returns) {
        MemoryLayout[] args = new MemoryLayout[params.length];
        for (int k = 0; k < params.length; k++) args[k] = layout(params[k]);
        FunctionDescriptor d = returns.length == 1 ? FunctionDescriptor.of(layout(returns[0]), args) : FunctionDescriptor.ofVoid(args);
        return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(entry), d, Linker.Option.critical(false));
    }

    /** The one downcall behind every buffered trampoline: {@code (MemorySegment trampoline, long context, long function, long buffer) -> void}. */
    static final MethodHandle BUFFERED = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    /** The address of the buffered trampoline for this shape ({@link EntryTrampolineGenerator#generateBuffered}), made on first use. */
    static synchronized long buffered(int[] params, int[] returns) {
        String key = "buffered:" + key(params, returns);
        Long address = ADDRESSES.get(key);
        if (address == null) {
            byte[] code = generator().generateBuffered(params, returns);
            MemorySegment seg = MEMORY.allocate(code.length);
            MemorySegment.copy(code, 0, seg, ValueLayout.JAVA_BYTE, 0, code.length);
            MEMORY.publish();
            address = seg.address();
            ADDRESSES.put(key, address);
        }
        return address;
    }

    private static String key(int[] params, int[] returns) {
        StringBuilder sb = new StringBuilder();
        for (int p : params) sb.append(Type.name(p)).append(',');
        sb.append("->");
        for (int r : returns) sb.append(',').append(Type.name(r));
        return sb.toString();
    }

    private static FunctionDescriptor descriptor(int[] params, int[] returns) {
        boolean area = returns.length > 1;
        MemoryLayout[] args = new MemoryLayout[params.length + (area ? 3 : 2)];
        int k = 0;
        args[k++] = ValueLayout.JAVA_LONG;
        args[k++] = ValueLayout.JAVA_LONG;
        if (area) args[k++] = ValueLayout.JAVA_LONG;
        for (int p : params) args[k++] = layout(p);
        return returns.length == 1 ? FunctionDescriptor.of(layout(returns[0]), args) : FunctionDescriptor.ofVoid(args);
    }

    /** The Panama layout carrying IR type {@code t}. */
    static ValueLayout layout(int t) {
        return switch (t) {
            case Type.I8 -> ValueLayout.JAVA_BYTE;
            case Type.I16 -> ValueLayout.JAVA_SHORT;
            case Type.I32 -> ValueLayout.JAVA_INT;
            case Type.I64 -> ValueLayout.JAVA_LONG;
            case Type.F32 -> ValueLayout.JAVA_FLOAT;
            case Type.F64 -> ValueLayout.JAVA_DOUBLE;
            default -> throw new LinkError("type " + Type.name(t) + " cannot cross the Java boundary");
        };
    }

    /** The Java type carrying IR type {@code t}. */
    static Class<?> javaType(int t) {
        return layout(t).carrier();
    }
}
