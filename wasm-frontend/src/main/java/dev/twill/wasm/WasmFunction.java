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
 * <p>A function is code in a {@link dev.twill.runtime.JitModule} ({@code %f<i>}) plus the vmctx of the instance it
 * runs in; its funcref is the address of its FuncRef record in that vmctx. A trap names the wasm
 * function that trapped (the name section's name, or {@code func[i]}), found from the trapping pc
 * in whichever module's code it lies ({@link CodeRegistry}); a trap raised by a builtin ({@code
 * memory.fill} out of bounds, ...) names the wasm function that called the builtin.
 */
public final class WasmFunction implements Extern {
    private static final MethodHandle ENTER, LEAVE, CHECK_FUNCREF, CHECK_EXTERNREF;
    private static final MethodHandle RENAME;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            Class<?> c = WasmFunction.class;
            ENTER = l.findVirtual(c, "enter", MethodType.methodType(void.class));
            LEAVE = l.findVirtual(Store.class, "leave", MethodType.methodType(void.class));
            CHECK_FUNCREF = l.findVirtual(Store.class, "checkFuncRef", MethodType.methodType(long.class, long.class));
            CHECK_EXTERNREF = l.findVirtual(Store.class, "checkExternRef", MethodType.methodType(long.class, long.class));
            RENAME = l.findVirtual(c, "rename", MethodType.methodType(Trap.class, Trap.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Store store;
    private final FuncType type;
    /** The module whose code this is (for an import bound to a host function: the importer's adapter). */
    private final Module owner;
    private final WasmModule module;
    private final int index;
    /** The vmctx the function runs with. */
    final long vmctx;
    /** Address of its FuncRef record. */
    final long funcRef;
    private MethodHandle handle;
    private JitModule.RawCaller rawCaller;

    WasmFunction(Store store, FuncType type, Module owner, int index, long vmctx, long funcRef) {
        this.store = store;
        this.type = type;
        this.owner = owner;
        this.module = owner.ir();
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
     *
     * <p>Arguments are checked, never silently cut: an i32 or f32 argument must be a 32-bit value
     * sign- or zero-extended ({@code -2^31 <= v < 2^32}, so both {@code -1} and {@code
     * 0xFFFF_FFFFL} are the i32 -1); a funcref must be 0 or a function of this store, an
     * externref 0 or a handle of this store ({@link Store}). Anything else is an {@link
     * IllegalArgumentException}, and nothing runs. After the store or the module is closed: {@link
     * IllegalStateException}.
     */
    public long[] call(long... args) {
        if (args.length != type.params.length) {
            throw new IllegalArgumentException(name() + " takes " + type.params.length + " arguments, not " + args.length);
        }
        // Not through handle(): a method handle of the function's own type costs the JVM code
        // cache it never frees, per distinct signature (see JitModule#rawCaller)
        JitModule.RawCaller caller = rawCaller;
        if (caller == null) caller = makeRawCaller();
        long[] all = new long[args.length + 1];
        all[0] = vmctx;
        for (int k = 0; k < args.length; k++) {
            byte p = type.params[k];
            all[k + 1] = p == ValType.I32 ? check32(args[k], "i32") : p == ValType.F32 ? check32(args[k], "f32") & 0xFFFF_FFFFL : args[k];
        }
        enter();
        try {
            for (int k = 0; k < args.length; k++) {
                byte p = type.params[k];
                if (p == ValType.FUNCREF) all[k + 1] = store.checkFuncRef(all[k + 1]);
                else if (p == ValType.EXTERNREF) all[k + 1] = store.checkExternRef(all[k + 1]);
            }
            return caller.call(all);
        } catch (Trap t) {
            throw rename(t);
        } finally {
            store.leave();
        }
    }

    private synchronized JitModule.RawCaller makeRawCaller() {
        if (rawCaller != null) return rawCaller;
        owner.checkOpen();
        return rawCaller = owner.code().rawCaller(functionIrName());
    }

    /**
     * A method handle calling the function, typed from its IR signature with the vmctx bound:
     * i32 int, i64 and references long, f32 float, f64 double; no result void, one result its
     * type, several a {@code long[]} of raw bits. Reference arguments are checked as in {@link
     * #call}; the handle throws IllegalStateException once the store or the module is closed.
     *
     * <p>Shape: {@code enter(); try { check reference arguments; call; rename traps } finally {
     * store.leave(); }}. {@link #enter} refuses a closed module or store and counts the call as
     * in progress, so that {@link Store#close} never frees memory under it; functions without
     * reference parameters get no argument filters at all.
     */
    public synchronized MethodHandle handle() {
        if (handle != null) return handle;
        owner.checkOpen();
        MethodHandle h = MethodHandles.insertArguments(owner.code().handle(functionIrName()), 0, vmctx);
        MethodType t = h.type();
        MethodHandle thrower = MethodHandles.filterArguments(MethodHandles.throwException(t.returnType(), Trap.class),
                0, RENAME.bindTo(this));
        h = MethodHandles.catchException(h, Trap.class, MethodHandles.dropArguments(thrower, 1, t.parameterList()));
        MethodHandle[] checks = new MethodHandle[t.parameterCount()];
        boolean references = false;
        for (int k = 0; k < checks.length; k++) {
            byte p = type.params[k];
            if (p == ValType.FUNCREF) checks[k] = CHECK_FUNCREF.bindTo(store);
            else if (p == ValType.EXTERNREF) checks[k] = CHECK_EXTERNREF.bindTo(store);
            references |= checks[k] != null;
        }
        if (references) h = MethodHandles.filterArguments(h, 0, checks);
        h = MethodHandles.tryFinally(h, leaveCleanup(t.returnType()));
        h = MethodHandles.foldArguments(h, ENTER.bindTo(this));
        return handle = h;
    }

    /** The tryFinally cleanup {@code (Throwable, [R]) -> [R]} that leaves the store and passes the result on. */
    private MethodHandle leaveCleanup(Class<?> r) {
        MethodHandle leave = LEAVE.bindTo(store);
        if (r == void.class) return MethodHandles.dropArguments(leave, 0, Throwable.class);
        MethodHandle pass = MethodHandles.foldArguments(MethodHandles.identity(r), MethodHandles.dropArguments(leave, 0, r));
        return MethodHandles.dropArguments(pass, 0, Throwable.class);
    }

    /** Refuses a call once the module or the store is closed; otherwise the call is in progress until {@link Store#leave}. */
    private void enter() {
        if (owner.isClosed()) throw new IllegalStateException("module is closed");
        store.enter();
    }

    private String functionIrName() {
        return "%f" + index;
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

    /** {@code v} as 32 bits if it is a 32-bit value sign- or zero-extended; IllegalArgumentException otherwise. */
    static int check32(long v, String type) {
        if (v != (int) v && (v >>> 32) != 0) {
            throw new IllegalArgumentException(type + " value 0x" + Long.toHexString(v)
                    + " does not fit in 32 bits (give it sign- or zero-extended)");
        }
        return (int) v;
    }

    Store store() {
        return store;
    }
}
