package dev.twill.wasm;

import dev.twill.runtime.JitModule;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.runtime.CodeRegistry;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A wasm function of an instance (a compiled body, or the adapter of an import bound to a host
 * function), callable from Java: {@link #call} with raw bits, or {@link #handle} for a typed
 * method handle that C2 inlines down to the native call.
 *
 * <p>A function is code in a {@link JitModule} ({@code %f<i>}) plus the vmctx of the instance it
 * runs in; its funcref is the address of its FuncRef record in that vmctx. A trap names the wasm
 * function that trapped (the name section's name, or {@code func[i]}), found from the trapping pc
 * in whichever module's code it lies ({@link CodeRegistry}); a trap raised by a builtin ({@code
 * memory.fill} out of bounds, ...) names the wasm function that called the builtin.
 */
public final class WasmFunction implements Extern {
    private static final MethodHandle CHECK_OPEN, RENAME, L2I, L2F, L2D, I2R, J2R, F2R, D2R, NO_RESULTS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            Class<?> c = WasmFunction.class;
            CHECK_OPEN = l.findVirtual(Store.class, "checkOpen", MethodType.methodType(void.class));
            RENAME = l.findVirtual(c, "rename", MethodType.methodType(Trap.class, Trap.class));
            L2I = l.findStatic(c, "l2i", MethodType.methodType(int.class, long.class));
            L2F = l.findStatic(c, "l2f", MethodType.methodType(float.class, long.class));
            L2D = l.findStatic(c, "l2d", MethodType.methodType(double.class, long.class));
            I2R = l.findStatic(c, "result", MethodType.methodType(long[].class, int.class));
            J2R = l.findStatic(c, "result", MethodType.methodType(long[].class, long.class));
            F2R = l.findStatic(c, "result", MethodType.methodType(long[].class, float.class));
            D2R = l.findStatic(c, "result", MethodType.methodType(long[].class, double.class));
            NO_RESULTS = l.findStatic(c, "noResults", MethodType.methodType(long[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Store store;
    private final FuncType type;
    private final JitModule code;
    private final WasmModule module;
    private final int index;
    /** The vmctx the function runs with. */
    final long vmctx;
    /** Address of its FuncRef record. */
    final long funcRef;
    private MethodHandle handle, invoker;

    WasmFunction(Store store, FuncType type, JitModule code, WasmModule module, int index, long vmctx, long funcRef) {
        this.store = store;
        this.type = type;
        this.code = code;
        this.module = module;
        this.index = index;
        this.vmctx = vmctx;
        this.funcRef = funcRef;
    }

    public FuncType type() {
        return type;
    }

    /** The function's name: its name-section name or {@code func[i]}. */
    public String name() {
        return module.functionName(index);
    }

    /** The funcref value of this function: the address of its FuncRef record. */
    public long funcRef() {
        return funcRef;
    }

    /**
     * Calls the function with raw-bit arguments (see {@link HostFunction}) and returns its results
     * the same way. Throws {@link Trap} on a trap, or what a host function threw.
     */
    public long[] call(long... args) {
        if (args.length != type.params.length) {
            throw new IllegalArgumentException(name() + " takes " + type.params.length + " arguments, not " + args.length);
        }
        MethodHandle inv = invoker;
        if (inv == null) inv = makeInvoker();
        try {
            return (long[]) inv.invokeExact(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw sneaky(t);
        }
    }

    /**
     * A method handle calling the function, typed from its IR signature with the vmctx bound:
     * i32 int, i64 and references long, f32 float, f64 double; no result void, one result its
     * type, several a {@code long[]} of raw bits.
     */
    public synchronized MethodHandle handle() {
        if (handle != null) return handle;
        MethodHandle h = MethodHandles.insertArguments(code.handle(functionIrName()), 0, vmctx);
        MethodType t = h.type();
        MethodHandle thrower = MethodHandles.filterArguments(MethodHandles.throwException(t.returnType(), Trap.class),
                0, RENAME.bindTo(this));
        h = MethodHandles.catchException(h, Trap.class, MethodHandles.dropArguments(thrower, 1, t.parameterList()));
        h = MethodHandles.foldArguments(h, CHECK_OPEN.bindTo(store));
        return handle = h;
    }

    private String functionIrName() {
        return "%f" + index;
    }

    private synchronized MethodHandle makeInvoker() {
        if (invoker != null) return invoker;
        MethodHandle h = handle();
        MethodType t = h.type();
        MethodHandle[] filters = new MethodHandle[t.parameterCount()];
        for (int k = 0; k < filters.length; k++) {
            Class<?> p = t.parameterType(k);
            filters[k] = p == int.class ? L2I : p == float.class ? L2F : p == double.class ? L2D : null;
        }
        h = MethodHandles.filterArguments(h, 0, filters);
        Class<?> r = t.returnType();
        if (r == void.class) {
            h = MethodHandles.foldArguments(MethodHandles.dropArguments(NO_RESULTS, 0, h.type().parameterList()), h);
        } else if (r != long[].class) {
            h = MethodHandles.filterReturnValue(h, r == int.class ? I2R : r == long.class ? J2R : r == float.class ? F2R : D2R);
        }
        return invoker = h.asSpreader(long[].class, filters.length);
    }

    /**
     * Names a trap after the wasm function that trapped: the function whose machine code holds
     * the trap's pc, in whichever module ({@link CodeRegistry}); failing that (no pc recorded), an
     * IR name of this module ({@code %f7}, which the JitModule gives when the pc is unknown) is
     * translated. A trap already named in wasm terms (a builtin's, a host function's) is kept.
     */
    private Trap rename(Trap t) {
        String f = t.function();
        String name = CodeRegistry.functionAt(t.pc());
        if (name == null) name = CodeRegistry.wasmName(module, f);
        if (name == null || name.equals(f)) return t;
        Trap renamed = new Trap(t.code(), name, t.pc());
        renamed.setStackTrace(t.getStackTrace());
        for (Throwable s : t.getSuppressed()) renamed.addSuppressed(s);
        return renamed;
    }

    private static int l2i(long v) {
        return (int) v;
    }

    private static float l2f(long v) {
        return Float.intBitsToFloat((int) v);
    }

    private static double l2d(long v) {
        return Double.longBitsToDouble(v);
    }

    private static long[] result(int v) {
        return new long[] {v};
    }

    private static long[] result(long v) {
        return new long[] {v};
    }

    private static long[] result(float v) {
        return new long[] {Float.floatToRawIntBits(v) & 0xFFFF_FFFFL};
    }

    private static long[] result(double v) {
        return new long[] {Double.doubleToRawLongBits(v)};
    }

    private static long[] noResults() {
        return new long[0];
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    Store store() {
        return store;
    }
}
