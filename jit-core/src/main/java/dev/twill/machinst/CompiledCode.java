package dev.twill.machinst;

/**
 * A function compiled to machine code, not yet placed in memory: position-independent bytes
 * plus what placing them needs.
 *
 * @param code        the machine code
 * @param relocations places to patch once addresses are known
 * @param traps       trap sites: {@code trapOffsets[k]} is the offset of an instruction that traps with
 *                    {@code trapCodes[k]} (for reports; control reaches the trap exit by explicit jumps)
 * @param trapCodes   see {@code traps}
 * @param frameSize   bytes of stack the function's frame takes below its return address
 */
public record CompiledCode(byte[] code, Relocation[] relocations, int[] traps, int[] trapCodes, int frameSize) {

    /** Relocation kinds. */
    public enum RelocKind {
        /** 32-bit PC-relative displacement to the target, measured from the end of the 4 bytes (x86 call/jmp rel32). */
        X86_PC_REL32,
        /** 64-bit absolute address of the target. */
        ABS64,
        /** AArch64 26-bit branch (b/bl) offset in words. */
        AARCH64_CALL26,
    }

    /**
     * A reference at {@code offset} to {@code target}, a function name as written in the IR
     * ({@code %f}) or a host symbol, plus {@code addend}.
     */
    public record Relocation(int offset, RelocKind kind, String target, long addend) {}
}
