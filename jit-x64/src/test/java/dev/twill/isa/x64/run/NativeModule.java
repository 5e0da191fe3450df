package dev.twill.isa.x64.run;

import dev.twill.interp.InterpResult;
import dev.twill.ir.Function;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.TestFunction;
import dev.twill.legalize.Legalizer;
import dev.twill.verify.Verifier;
import dev.twill.isa.x64.X64Isa;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.Trap;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.List;

/**
 * Test harness: legalized IR functions compiled by {@link X64Isa} under one {@link Tier}, linked
 * into one {@link JitModule} under their IR names (so calls between them link), and called with
 * the interpreter's conventions: arguments as raw 64-bit patterns (floats as bits), outcome as
 * an {@link InterpResult} (values as raw bits, a {@link Trap} as a trap result with its code),
 * so the outcomes of native code and of the interpreter compare directly.
 */
final class NativeModule implements AutoCloseable {
    private final JitModule module = new JitModule();
    private final HashMap<String, MethodHandle> handles = new HashMap<>();
    private final HashMap<String, Signature> signatures = new HashMap<>();

    /** Thrown when a function does not compile; names the function. */
    static final class CompileFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String function;

        CompileFailure(String function, Throwable cause) {
            super(function + ": " + cause, cause);
            this.function = function;
        }
    }

    /** Compiles and links {@code functions} (verified and legalized) under {@code tier}. */
    NativeModule(List<Function> functions, Tier tier, X64Isa isa) {
        RegisterAllocator allocator = tier.allocator().get();
        try {
            for (Function f : functions) {
                module.declareFunction(f.name, f.signature);
                signatures.put(f.name, f.signature);
            }
            for (Function f : functions) {
                CompiledCode code;
                try {
                    code = isa.compile(f, allocator);
                } catch (RuntimeException | AssertionError e) {
                    throw new CompileFailure(f.name, e);
                }
                module.defineFunction(f.name, code);
            }
            module.finalizeDefinitions();
        } catch (RuntimeException e) {
            module.close();
            throw e;
        }
    }

    /** The method handle of function {@code name}, made once. */
    MethodHandle handle(String name) {
        return handles.computeIfAbsent(name, module::handle);
    }

    /** Calls {@code name} with raw argument bits; returns its outcome as the interpreter would. */
    InterpResult call(String name, long[] args) throws Throwable {
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
     * Parses, verifies, legalizes and compiles (under {@code tier}) every function of the CLIF
     * {@code text} into {@code m}, then finalizes it; host functions must be defined before.
     */
    static void compileInto(JitModule m, Tier tier, String text) {
        X64Isa isa = new X64Isa();
        List<Function> fs = Parser.parseFile(text, "test").functions().stream().map(TestFunction::function).toList();
        for (Function f : fs) m.declareFunction(f.name, f.signature);
        Legalizer legalizer = new Legalizer();
        for (Function f : fs) {
            Verifier.verifyOrThrow(f);
            legalizer.legalize(f);
            m.defineFunction(f.name, isa.compile(f, tier.allocator().get()));
        }
        m.finalizeDefinitions();
    }
}
