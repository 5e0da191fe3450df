package dev.twill.wasm;

import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.wasm.binary.WasmModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * The decoder, validator and translator as {@link Module#compile} calls them. They are written
 * on other branches ({@code ModuleDecoder}, {@code Validator}, {@code ModuleCompiler}); until they
 * are merged they are looked up reflectively, so this package builds and its runtime can be
 * tested on hand-made code.
 */
final class Pipeline {
    private Pipeline() {}

    /** Whether the decoder, validator and module compiler are all on the class path. */
    static boolean available() {
        return find("dev.twill.wasm.binary.ModuleDecoder") != null && find("dev.twill.wasm.validate.Validator") != null
                && find("dev.twill.wasm.translate.ModuleCompiler") != null;
    }

    static WasmModule decode(byte[] bytes) {
        return (WasmModule) call("dev.twill.wasm.binary.ModuleDecoder", "decode", new Class<?>[] {byte[].class}, bytes);
    }

    static void validate(WasmModule m) {
        call("dev.twill.wasm.validate.Validator", "validate", new Class<?>[] {WasmModule.class}, m);
    }

    static CompiledCode[] compile(WasmModule m, TargetIsa isa, int threads) {
        return (CompiledCode[]) call("dev.twill.wasm.translate.ModuleCompiler", "compile",
                new Class<?>[] {WasmModule.class, TargetIsa.class, int.class}, m, isa, threads);
    }

    private static Class<?> find(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static Object call(String className, String method, Class<?>[] types, Object... args) {
        Class<?> c = find(className);
        if (c == null) throw new UnsupportedOperationException(className + " is not available yet");
        try {
            Method m = c.getMethod(method, types);
            Object target = Modifier.isStatic(m.getModifiers()) ? null : c.getConstructor().newInstance();
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error r) throw r;
            throw new IllegalStateException(t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
