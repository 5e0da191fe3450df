package dev.twill.wasm.binary;

/** Limits of a memory (in 64 KiB pages) or table (in elements); {@code max} is -1 when absent. */
public record Limits(long min, long max) {
    public boolean hasMax() {
        return max >= 0;
    }
}
