package dev.twill.wasm.binary;

/** A linear memory: limits in 64 KiB pages (at most 65536 for a 32-bit memory). */
public record MemoryType(Limits limits) {
    public static final long PAGE_SIZE = 65536;
    public static final long MAX_PAGES = 65536;
}
