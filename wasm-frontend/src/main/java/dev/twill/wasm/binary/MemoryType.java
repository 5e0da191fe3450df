package dev.twill.wasm.binary;

/**
 * A linear memory: limits in 64 KiB pages, and its address type. A 32-bit memory (WebAssembly
 * 2.0) has at most {@link #MAX_PAGES} pages and i32 addresses; a 64-bit one (memory64,
 * WebAssembly 3.0: limits flag bit 2) at most {@link #MAX_PAGES_64} and i64 addresses, sizes and
 * lengths in every memory instruction.
 */
public record MemoryType(Limits limits, boolean is64) {
    public static final long PAGE_SIZE = 65536;
    /** Most pages of a 32-bit memory: 4 GiB. */
    public static final long MAX_PAGES = 65536;
    /** Most pages of a 64-bit memory: 2^48, so that its byte size, 2^64, is the whole i64 range. */
    public static final long MAX_PAGES_64 = 1L << 48;

    /** A 32-bit memory. */
    public MemoryType(Limits limits) {
        this(limits, false);
    }

    /** The most pages this memory's address type allows. */
    public long pageLimit() {
        return is64 ? MAX_PAGES_64 : MAX_PAGES;
    }
}
