package dev.twill.wasm;

import java.nio.file.Path;

/**
 * Settings of an {@link Engine}: the back end's optimisation level ({@code "speed"}, the
 * default, runs the linear-scan register allocator; {@code "none"} the single-pass one, for the
 * fastest compile) and how many threads compile a module's functions (default: the available
 * processors), and whether multi-memory (WebAssembly 3.0; default on) is accepted: off, modules
 * are checked by the 2.0 rules (one memory, reserved zero bytes in memory instructions); and
 * whether memory64 (WebAssembly 3.0; default on) is accepted: off, limits and memarg offsets
 * are u32s and every memory is 32-bit, as in 2.0; and whether 3.0's constant expressions are
 * (default on): {@code i32/i64 add sub mul}, and {@code global.get} of the module's own immutable
 * globals; off, only 2.0's single constant or imported global. Setters return {@code this}.
 */
public final class EngineConfig {
    // a setting that changes what a module compiles to must also be part of codeSettings(),
    // or the code cache would hand out code compiled under another value
    private String optLevel = "speed";
    private int threads = Runtime.getRuntime().availableProcessors();
    private boolean multiMemory = true;
    private boolean memory64 = true;
    private boolean extendedConst = true;
    private boolean tailCall = true;
    private boolean tags = true;
    private boolean guardPages = true;
    private Path cacheDirectory;

    /** {@code "none"} or {@code "speed"}. */
    public EngineConfig optLevel(String level) {
        if (!level.equals("none") && !level.equals("speed")) {
            throw new IllegalArgumentException("opt level must be \"none\" or \"speed\", not \"" + level + "\"");
        }
        this.optLevel = level;
        return this;
    }

    /**
     * Whether accesses to 32-bit memories are checked by guard pages where the platform allows
     * ({@link dev.twill.runtime.FaultTraps}: each such memory reserves 6 GiB of address space,
     * and an access past its length faults and traps {@code heap_oob}) instead of by a compare
     * and branch before each access. On by default; where guard pages are unavailable, code
     * checks explicitly either way.
     */
    public EngineConfig guardPages(boolean on) {
        this.guardPages = on;
        return this;
    }

    public boolean guardPages() {
        return guardPages;
    }

    /** Compile threads, at least 1. */
    public EngineConfig threads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be at least 1, not " + n);
        this.threads = n;
        return this;
    }

    /** Accept several memories and memory indices in memory instructions (WebAssembly 3.0). */
    public EngineConfig multiMemory(boolean on) {
        this.multiMemory = on;
        return this;
    }

    public boolean multiMemory() {
        return multiMemory;
    }

    /** Accept 64-bit memories (limits flag bit 2) and u64 memarg offsets (WebAssembly 3.0). */
    public EngineConfig memory64(boolean on) {
        this.memory64 = on;
        return this;
    }

    public boolean memory64() {
        return memory64;
    }

    /** Accept WebAssembly 3.0's constant expressions (extended constants, globals defined before). */
    public EngineConfig extendedConst(boolean on) {
        this.extendedConst = on;
        return this;
    }

    public boolean extendedConst() {
        return extendedConst;
    }

    /**
     * Accept WebAssembly 3.0's tail calls ({@code return_call}, {@code return_call_indirect}):
     * guaranteed, a chain of them of any length runs in constant native stack.
     */
    public EngineConfig tailCall(boolean on) {
        this.tailCall = on;
        return this;
    }

    public boolean tailCall() {
        return tailCall;
    }

    /**
     * Accept WebAssembly 3.0's exception tags: the tag section, and tags among imports and
     * exports, so modules that declare or pass them on link. The exception instructions
     * ({@code throw}, {@code try_table}, ...) are not supported: a body that uses one is a
     * {@link dev.twill.CompileError}. Off, as in 2.0, section id 13 and extern kind 4 are malformed.
     */
    public EngineConfig tags(boolean on) {
        this.tags = on;
        return this;
    }

    public boolean tags() {
        return tags;
    }

    /**
     * Keep compiled modules in {@code dir} and reuse them when the same module is compiled again
     * with the same settings by the same build of Twill ({@link CodeCache} says how entries are
     * keyed, checked and trusted); null (the default) compiles every time. The directory is
     * created private if missing, and must not be writable by group or others.
     */
    public EngineConfig cacheDirectory(Path dir) {
        this.cacheDirectory = dir;
        return this;
    }

    public Path cacheDirectory() {
        return cacheDirectory;
    }

    /** The settings that decide what a module compiles to, as text, for a {@link CodeCache} key. */
    String codeSettings() {
        return "opt=" + optLevel + " multiMemory=" + multiMemory + " memory64=" + memory64 + " extendedConst=" + extendedConst
                + " tailCall=" + tailCall + " tags=" + tags + " guardPages=" + guardPages;
    }

    public String optLevel() {
        return optLevel;
    }

    public int threads() {
        return threads;
    }
}
