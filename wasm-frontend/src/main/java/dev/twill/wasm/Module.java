package dev.twill.wasm;

import dev.twill.frontend.FunctionBuilderContext;
import dev.twill.machinst.CompiledCode;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.PerfMap;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.runtime.BuiltinFunctions;
import dev.twill.wasm.runtime.CodeRegistry;
import dev.twill.wasm.runtime.HostAdapters;
import dev.twill.wasm.vm.VmContextLayout;
import dev.twill.wasm.vm.WasmAbi;
import java.util.HashMap;
import java.util.List;

/**
 * A compiled WebAssembly module: decoded, validated, every function compiled to machine code and
 * linked into one {@link JitModule}, ready to be instantiated any number of times in any {@link
 * Store} (code depends on the module only; each instance brings its own VM context).
 *
 * <p>The JitModule holds: {@code %f<i>} for every function of the index space ({@link WasmAbi}):
 * the compiled body of each defined function, and for each imported one a host adapter ({@link
 * HostAdapters}) that an instance uses when it binds the import to a Java {@link HostFunction};
 * and the builtins plus the generic host-call entry as host functions ({@link BuiltinFunctions}).
 *
 * <p>Lifetime: {@link #close()} ends the module's use from Java: it can no longer be instantiated
 * and its functions can no longer be called from Java ({@link IllegalStateException}). The
 * machine code itself is reference-counted: the module holds one reference until it is closed,
 * and every {@link Store} that instantiated it one more until the store closes ({@link
 * Store#retain}), because wasm code of other instances in that store may still reach it
 * (imported functions, funcrefs in tables). The code is freed when the last reference goes.
 */
public final class Module implements AutoCloseable {
    private final Engine engine;
    private final WasmModule ir;
    private final VmContextLayout layout;
    private final JitModule code;
    /** Closed from Java ({@link #close}); read by every call of its functions. */
    private volatile boolean closed;
    /** Whether the code came from the engine's {@link EngineConfig#cacheDirectory cache}. */
    private boolean fromCache;
    /** References to the code: 1 for the open module + 1 per store that instantiated it. */
    private int references = 1;

    private Module(Engine engine, WasmModule ir, JitModule code) {
        this.engine = engine;
        this.ir = ir;
        this.layout = VmContextLayout.of(ir);
        this.code = code;
    }

    /**
     * Decodes, validates and compiles {@code wasm}. Throws {@link dev.twill.CompileError} (with
     * the offset in the binary) for a malformed or invalid module.
     */
    public static Module compile(Engine engine, byte[] wasm) {
        engine.checkOpen();
        WasmModule m = Pipeline.decode(wasm, engine);
        Pipeline.validate(m, engine);
        CodeCache cache = engine.cache();
        byte[] key = cache == null ? null : cache.key(engine.codeSettings(), wasm);
        CompiledCode[] defined = cache == null ? null : cache.load(key, m.bodies.length);
        boolean cached = defined != null;
        if (!cached) {
            defined = Pipeline.compile(m, engine);
            if (cache != null) cache.store(key, defined);
        }
        Module module = link(engine, m, defined);
        module.fromCache = cached;
        return module;
    }

    /**
     * Links already compiled function bodies ({@code defined[i]} is function {@code
     * importedFunctions + i}) with the host adapters and builtins. For {@link #compile}, and for
     * tests that bring hand-made code.
     */
    static Module link(Engine engine, WasmModule m, CompiledCode[] defined) {
        if (defined.length != m.bodies.length) {
            throw new IllegalArgumentException(defined.length + " compiled bodies for " + m.bodies.length + " functions");
        }
        JitModule jit = new JitModule();
        try {
            for (int i = 0; i < m.functionCount(); i++) {
                jit.declareFunction(WasmAbi.functionName(i), WasmAbi.signature(m.functionType(i)));
            }
            FunctionBuilderContext ctx = new FunctionBuilderContext();
            for (int i = 0; i < m.importedFunctions; i++) {
                jit.defineFunction(WasmAbi.functionName(i),
                        HostAdapters.compile(m.functionType(i), i, engine.isa(), engine.settings(), ctx));
            }
            for (int i = 0; i < defined.length; i++) {
                jit.defineFunction(WasmAbi.functionName(m.importedFunctions + i), defined[i]);
            }
            BuiltinFunctions.defineAll(jit);
            if (PerfMap.ENABLED) {
                // wasm functions by index and name-section name; the builtins keep their IR names
                HashMap<String, String> names = new HashMap<>();
                for (int i = 0; i < m.functionCount(); i++) names.put(WasmAbi.functionName(i), "wasm[" + i + "] " + m.functionName(i));
                jit.perfMapNames(name -> names.getOrDefault(name, name));
            }
            jit.finalizeDefinitions();
            CodeRegistry.register(jit, m);
        } catch (RuntimeException | Error e) {
            jit.close();
            throw e;
        }
        return new Module(engine, m, jit);
    }

    /** True if {@link #compile} found this module's code in the engine's cache instead of compiling it. */
    public boolean fromCache() {
        return fromCache;
    }

    /** The decoded module. */
    public WasmModule ir() {
        return ir;
    }

    public List<Export> exports() {
        return List.of(ir.exports);
    }

    public List<Import> imports() {
        return List.of(ir.imports);
    }

    Engine engine() {
        return engine;
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("module is closed");
    }

    boolean isClosed() {
        return closed;
    }

    /** Takes a reference to the code for a store; IllegalStateException once the module is closed. */
    synchronized void retain() {
        checkOpen();
        references++;
    }

    /** Drops a reference; the last one frees the code. */
    synchronized void release() {
        if (--references > 0) return;
        CodeRegistry.unregister(code, ir); // before the addresses can be reused
        code.close();
    }

    VmContextLayout layout() {
        return layout;
    }

    JitModule code() {
        return code;
    }

    /**
     * Closes the module: no more instantiations or calls from Java; the machine code is freed
     * now, or when the last store that instantiated the module closes. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        release();
    }

    /** Whether the machine code has been freed (the module is closed and no store uses it). */
    boolean isCodeFreed() {
        return code.isClosed();
    }
}
