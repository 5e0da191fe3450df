package dev.twill.wasm;

/**
 * Settings of an {@link Engine}: the back end's optimisation level ({@code "speed"}, the
 * default, runs the linear-scan register allocator; {@code "none"} the single-pass one, for the
 * fastest compile) and how many threads compile a module's functions (default: the available
 * processors). Setters return {@code this}.
 */
public final class EngineConfig {
    private String optLevel = "speed";
    private int threads = Runtime.getRuntime().availableProcessors();

    /** {@code "none"} or {@code "speed"}. */
    public EngineConfig optLevel(String level) {
        if (!level.equals("none") && !level.equals("speed")) {
            throw new IllegalArgumentException("opt level must be \"none\" or \"speed\", not \"" + level + "\"");
        }
        this.optLevel = level;
        return this;
    }

    /** Compile threads, at least 1. */
    public EngineConfig threads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be at least 1, not " + n);
        this.threads = n;
        return this;
    }

    public String optLevel() {
        return optLevel;
    }

    public int threads() {
        return threads;
    }
}
