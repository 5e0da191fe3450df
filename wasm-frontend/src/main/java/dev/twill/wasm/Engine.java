package dev.twill.wasm;

import dev.twill.machinst.TargetIsa;
import dev.twill.wasm.runtime.LinearMemory;

/**
 * The compilation environment shared by modules: the host's back end ({@link TargetIsa#host()},
 * found at run time) and the {@link EngineConfig}. Engines hold no native resources of their own;
 * {@link #close()} refuses further compilations, instantiations of its modules and new stores on
 * it ({@link IllegalStateException}); modules and stores are closed one by one, and what already
 * exists keeps working until then.
 */
public final class Engine implements AutoCloseable {
    private final EngineConfig config;
    private final TargetIsa isa;
    private final TargetIsa.Settings settings;
    private volatile boolean closed;
    /** Null unless {@link EngineConfig#cacheDirectory} is set (and this build can be identified). */
    private final CodeCache cache;

    public Engine() {
        this(new EngineConfig());
    }

    public Engine(EngineConfig config) {
        this.config = config;
        this.isa = TargetIsa.host();
        if (isa == null) {
            throw new IllegalStateException("no back end for " + System.getProperty("os.arch")
                    + " on the class path (add jit-x64)");
        }
        this.settings = new TargetIsa.Settings(config.optLevel());
        this.cache = config.cacheDirectory() == null ? null
                : CodeCache.open(config.cacheDirectory(), Engine.class, TargetIsa.class, isa.getClass());
    }

    public EngineConfig config() {
        return config;
    }

    TargetIsa isa() {
        return isa;
    }

    TargetIsa.Settings settings() {
        return settings;
    }

    CodeCache cache() {
        return cache;
    }

    /**
     * True if this engine's code relies on guard pages for 32-bit memories: the setting asks for
     * it and the process has them ({@link LinearMemory#guarded()}).
     */
    boolean guardPages() {
        return config.guardPages() && LinearMemory.guarded();
    }

    /** What besides a module's bytes decides its code: the back end's code key and the settings. */
    String codeSettings() {
        return isa.codeKey() + " " + config.codeSettings() + " faultTraps=" + guardPages();
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("engine is closed");
    }

    @Override
    public void close() {
        closed = true;
    }
}
