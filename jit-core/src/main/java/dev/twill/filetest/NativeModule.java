package dev.twill.filetest;

import dev.twill.interp.InterpResult;
import dev.twill.ir.Function;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.filetest.RunLineExecutor.HeapDirective;
import dev.twill.ir.text.RunLine;
import dev.twill.machinst.CompiledCode;
import dev.twill.legalize.Legalizer;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.LibCall;
import dev.twill.runtime.Trap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Legalized IR functions compiled by a back end, linked into one {@link JitModule} under their
 * IR names (so calls between them link), and called with the interpreter's conventions:
 * arguments as raw 64-bit patterns (floats as bits), outcome as an {@link InterpResult} (values
 * as raw bits, a {@link Trap} as a trap result with its code), so the outcomes of native code and
 * of the interpreter compare directly. The native half of {@code test run} ({@link
 * NativeRunLines}) and of the back ends' differential tests.
 */
public final class NativeModule implements AutoCloseable {
    private final JitModule module = new JitModule();
    private final HashMap<String, MethodHandle> handles = new HashMap<>();
    private final HashMap<String, Signature> signatures = new HashMap<>();

    /** How the module's functions become machine code: a back end under one tier. */
    @FunctionalInterface
    public interface Compiler {
        CompiledCode compile(Function legalized);
    }

    /** Thrown when a function does not compile; names the function. */
    public static final class CompileFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final String function;

        CompileFailure(String function, Throwable cause) {
            super(function + ": " + cause, cause);
            this.function = function;
        }
    }

    /**
     * Compiles {@code functions} (verified and legalized) with {@code compiler} and links them,
     * together with the {@link LibCall}s they use but do not define.
     */
    public NativeModule(List<Function> functions, Compiler compiler) {
        List<Function> libCalls = LibCall.missingFrom(functions);
        if (!libCalls.isEmpty()) {
            Legalizer legalizer = new Legalizer();
            for (Function f : libCalls) legalizer.legalize(f);
            functions = new ArrayList<>(functions);
            functions.addAll(libCalls);
        }
        try {
            for (Function f : functions) {
                module.declareFunction(f.name, f.signature);
                signatures.put(f.name, f.signature);
            }
            for (Function f : functions) {
                CompiledCode code;
                try {
                    code = compiler.compile(f);
                } catch (RuntimeException | AssertionError e) {
                    throw new CompileFailure(f.name, e);
                }
                module.defineFunction(f.name, code);
            }
            module.finalizeDefinitions();
        } catch (RuntimeException | Error e) { // no module leaks, whatever went wrong
            module.close();
            throw e;
        }
    }

    /** The method handle of function {@code name}, made once. */
    public MethodHandle handle(String name) {
        return handles.computeIfAbsent(name, module::handle);
    }

    /** Calls {@code name} with raw argument bits; returns its outcome as the interpreter would. */
    public InterpResult call(String name, long[] args) throws Throwable {
        MethodHandle h = handle(name);
        Signature sig = signatures.get(name);
        Object[] boxed = new Object[args.length];
        for (int k = 0; k < args.length; k++) boxed[k] = box(sig.params[k], args[k]);
        Object r;
        try {
            r = h.invokeWithArguments(boxed);
        } catch (Trap t) {
            return InterpResult.trap(t.code());
        }
        int n = sig.returns.length;
        if (n == 0) return InterpResult.returning();
        if (n > 1) return InterpResult.returning((long[]) r);
        return InterpResult.returning(unbox(r));
    }

    private static Object box(int type, long bits) {
        return switch (type) {
            case Type.I8 -> (byte) bits;
            case Type.I16 -> (short) bits;
            case Type.I32 -> (int) bits;
            case Type.F32 -> Float.intBitsToFloat((int) bits);
            case Type.F64 -> Double.longBitsToDouble(bits);
            default -> bits;
        };
    }

    private static long unbox(Object v) {
        if (v instanceof Byte b) return b;
        if (v instanceof Short s) return s;
        if (v instanceof Integer i) return i;
        if (v instanceof Float f) return Float.floatToRawIntBits(f) & 0xFFFF_FFFFL;
        if (v instanceof Double d) return Double.doubleToRawLongBits(d);
        return (Long) v;
    }

    @Override
    public void close() {
        module.close();
    }

    /**
     * Calls the function of {@code run} as {@link RunLineExecutor} runs it in the interpreter:
     * the vmctx parameter, if any and unless the line gave it, points at fresh native memory
     * holding each heap directive's base and bound, over zeroed heaps.
     */
    public InterpResult call(RunLine run, List<HeapDirective> heaps) throws Throwable {
        long[] args = run.args.clone();
        int vmctxParam = run.vmctxGiven ? -1 : Type.slotOf(run.signature.params, run.signature.vmctxParam());
        try (Arena arena = Arena.ofConfined()) {
            if (vmctxParam >= 0) {
                long size = 64;
                for (HeapDirective h : heaps) size = Math.max(size, Math.max(h.ptrOffset(), h.boundOffset()) + 8);
                MemorySegment vmctx = arena.allocate(size, 16);
                for (HeapDirective h : heaps) {
                    MemorySegment heap = arena.allocate(h.size(), 16);
                    vmctx.set(ValueLayout.JAVA_LONG, h.ptrOffset(), heap.address());
                    vmctx.set(ValueLayout.JAVA_LONG, h.boundOffset(), h.size());
                }
                args[vmctxParam] = vmctx.address();
            }
            return call(run.function, args);
        }
    }
}
