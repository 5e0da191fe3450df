package dev.twill.wasm.runtime;

import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.Trap;
import dev.twill.wasm.vm.Builtins;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The Java implementations of {@link Builtins}, defined in every compiled module as host
 * functions ({@link JitModule#defineHostFunction}) under their IR names ({@code
 * %wasm_memory_grow}, ...), plus the one generic host-call entry {@link #HOST_CALL} that every
 * host-function adapter calls (see {@link HostAdapters}).
 *
 * <p>Each finds the calling instance from its vmctx ({@link InstanceRegistry}) and implements the
 * instruction with WebAssembly 2.0 semantics (§4.4.7 table instructions, §4.4.8 memory
 * instructions, with memory64's i64 addresses): i32 and i64 operands are unsigned; every range is checked before anything is written,
 * and an out-of-bounds range throws a {@link dev.twill.runtime.Trap} ({@code heap_oob} or {@code
 * table_oob}) named after the calling wasm function (its index is the builtin's last argument,
 * see {@link Builtins}) — JitModule's host wrapper records it and the compiled caller unwinds, so
 * the Java caller of the wasm function receives it; copies handle overlap (as if through a temporary);
 * {@code grow} returns the old size or -1. A dropped segment behaves as an empty one.
 */
public final class BuiltinFunctions {
    private BuiltinFunctions() {}

    /** IR name of the generic host call: {@code (i64 vmctx, i64 buffer, i64 import index) -> ()}. */
    public static final String HOST_CALL = "%wasm_host_call";
    private static final long[] NO_REFS = new long[0];
    private static final byte[] NO_BYTES = new byte[0];

    /** The IR signature of {@link #HOST_CALL}. */
    public static Signature hostCallSignature() {
        int[] p = {Type.I64, Type.I64, Type.I64};
        return new Signature(p, new int[] {Signature.PURPOSE_VMCTX, 0, 0}, new int[3], new int[0], new int[0], new int[0], null);
    }

    /** Defines every builtin and the host-call entry in {@code m}. */
    public static void defineAll(JitModule m) {
        Builtins[] all = Builtins.values();
        JitModule.SharedHostFunction[] stubs = stubs();
        for (int k = 0; k < all.length; k++) m.defineHostFunction("%" + all[k].symbol, stubs[k]);
        m.defineHostFunction(HOST_CALL, stubs[all.length]);
    }

    /**
     * The upcall stubs of the builtins, then of the host-call dispatcher: the same for every
     * module, so made once per process rather than once per module (which cost more than
     * compiling a small module).
     */
    private static JitModule.SharedHostFunction[] stubs;

    private static synchronized JitModule.SharedHostFunction[] stubs() {
        if (stubs != null) return stubs;
        MethodHandles.Lookup l = MethodHandles.lookup();
        Builtins[] all = Builtins.values();
        JitModule.SharedHostFunction[] made = new JitModule.SharedHostFunction[all.length + 1];
        try {
            for (int k = 0; k < all.length; k++) {
                Signature sig = all[k].signature();
                MethodHandle h = l.findStatic(BuiltinFunctions.class, javaName(all[k]), JitModule.methodType(sig));
                made[k] = JitModule.SharedHostFunction.create(sig, h);
            }
            Signature hc = hostCallSignature();
            made[all.length] = JitModule.SharedHostFunction.create(hc,
                    l.findStatic(BuiltinFunctions.class, "hostCall", JitModule.methodType(hc)));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return stubs = made;
    }

    private static String javaName(Builtins b) {
        return switch (b) {
            case MEMORY_GROW -> "memoryGrow";
            case MEMORY_FILL -> "memoryFill";
            case MEMORY_COPY -> "memoryCopy";
            case MEMORY_INIT -> "memoryInit";
            case DATA_DROP -> "dataDrop";
            case TABLE_GROW -> "tableGrow";
            case TABLE_FILL -> "tableFill";
            case TABLE_COPY -> "tableCopy";
            case TABLE_INIT -> "tableInit";
            case ELEM_DROP -> "elemDrop";
        };
    }

    private static long u(int x) {
        return Integer.toUnsignedLong(x);
    }

    static long memoryGrow(long vmctx, int memory, long delta) {
        return InstanceRegistry.of(vmctx).memories[memory].grow(delta);
    }

    static void memoryFill(long vmctx, int memory, long dst, int value, long len, int caller) {
        InstanceState s = InstanceRegistry.of(vmctx);
        try {
            s.memories[memory].fill(dst, (byte) value, len);
        } catch (Trap t) {
            throw Traps.named(t, s.module, caller);
        }
    }

    static void memoryCopy(long vmctx, int dstMemory, int srcMemory, long dst, long src, long len, int caller) {
        InstanceState s = InstanceRegistry.of(vmctx);
        try {
            s.memories[dstMemory].copyFrom(s.memories[srcMemory], src, dst, len);
        } catch (Trap t) {
            throw Traps.named(t, s.module, caller);
        }
    }

    static void memoryInit(long vmctx, int memory, int segment, long dst, int src, int len, int caller) {
        InstanceState s = InstanceRegistry.of(vmctx);
        try {
            s.memories[memory].init(s.datas[segment], u(src), dst, u(len));
        } catch (Trap t) {
            throw Traps.named(t, s.module, caller);
        }
    }

    static void dataDrop(long vmctx, int segment) {
        InstanceRegistry.of(vmctx).datas[segment] = NO_BYTES;
    }

    static int tableGrow(long vmctx, int table, long init, int delta) {
        return (int) InstanceRegistry.of(vmctx).tables[table].grow(u(delta), init);
    }

    static void tableFill(long vmctx, int table, int dst, long ref, int len, int caller) {
        InstanceState s = InstanceRegistry.of(vmctx);
        try {
            s.tables[table].fill(u(dst), ref, u(len));
        } catch (Trap t) {
            throw Traps.named(t, s.module, caller);
        }
    }

    static void tableCopy(long vmctx, int dstTable, int srcTable, int dst, int src, int len, int caller) {
        InstanceState s = InstanceRegistry.of(vmctx);
        try {
            s.tables[dstTable].copyFrom(s.tables[srcTable], u(src), u(dst), u(len));
        } catch (Trap t) {
            throw Traps.named(t, s.module, caller);
        }
    }

    static void tableInit(long vmctx, int table, int segment, int dst, int src, int len, int caller) {
        InstanceState s = InstanceRegistry.of(vmctx);
        try {
            s.tables[table].init(s.elements[segment], u(src), u(dst), u(len));
        } catch (Trap t) {
            throw Traps.named(t, s.module, caller);
        }
    }

    static void elemDrop(long vmctx, int segment) {
        InstanceRegistry.of(vmctx).elements[segment] = NO_REFS;
    }

    /** Marks a data segment dropped (instantiation drops active segments after applying them). */
    public static void dropData(InstanceState s, int segment) {
        s.datas[segment] = NO_BYTES;
    }

    /** Marks an element segment dropped. */
    public static void dropElements(InstanceState s, int segment) {
        s.elements[segment] = NO_REFS;
    }

    static void hostCall(long vmctx, long buffer, long index) throws Throwable {
        InstanceRegistry.of(vmctx).hostCalls[(int) index].invoke(buffer);
    }
}
