package dev.twill.machinst;

/**
 * A function compiled to machine code, not yet placed in memory: position-independent bytes
 * plus what placing them needs.
 *
 * <p><b>Layout</b>: {@code code} starts with a {@link #HEADER_SIZE}-byte header, and the
 * function's entry (what calls jump to, what function pointers and {@code ABS64} relocations to
 * a function hold) is at offset {@link #HEADER_SIZE}. The header holds, at {@link
 * #SIGNATURE_ID_OFFSET}, the 32-bit id of the function's signature ({@code
 * dev.twill.runtime.SignatureIds}: FNV-1a of the signature's text, collision-checked); bytes 4-7
 * are zero. The back end writes it (or leaves the header zero), and the module that places the
 * code writes it again from the signature the function was declared with, so the two must agree.
 * {@code call_indirect} checks a callee pointer {@code p} with {@code cmp dword [p - 8],
 * expectedId} before calling it; id 0 is never handed out, so zeroed memory never passes.
 * Relocation offsets and trap offsets count from the start of {@code code}, header included.
 *
 * <p><b>Results</b> follow the ISA's calling convention (x86-64: {@code X64Abi}): integer results
 * in {@code rax} then {@code rdx}, float results in {@code xmm0} then {@code xmm1}, in signature
 * order; when a class has more results than registers, the caller passes the address of a return
 * area as a hidden first integer argument ({@code rdi}, shifting the declared arguments by one
 * register) and the callee stores the {@code k}-th result that got no register at {@code area +
 * 8k}. Narrow integers carry undefined upper bits, in registers and in the area.
 *
 * @param code        the machine code
 * @param relocations places to patch once addresses are known
 * @param traps       trap sites: {@code trapOffsets[k]} is the offset of an instruction that traps with
 *                    {@code trapCodes[k]} (for reports; control reaches the trap exit by explicit jumps)
 * @param trapCodes   see {@code traps}
 * @param frameSize   bytes of stack the function's frame takes below its return address
 * @param selfContained the code makes no calls, has no trap site, no memory access that may
 *                    fault and no loop, has no relocation, and does not use the pinned trap-context register: it runs in bounded time
 *                    and may be called with the plain native ABI, without the entry trampoline
 *                    (see {@code JitModule.handle})
 */
public record CompiledCode(byte[] code, Relocation[] relocations, int[] traps, int[] trapCodes, int frameSize,
                           boolean selfContained) {
    /** Code that is not known to be self-contained. */
    public CompiledCode(byte[] code, Relocation[] relocations, int[] traps, int[] trapCodes, int frameSize) {
        this(code, relocations, traps, trapCodes, frameSize, false);
    }

    /** Bytes before the function's entry; see the class comment. */
    public static final int HEADER_SIZE = 8;
    /** Offset in the header of the 32-bit signature id, i.e. {@code entry - 8}. */
    public static final int SIGNATURE_ID_OFFSET = 0;

    /** Relocation kinds. */
    public enum RelocKind {
        /**
         * 32-bit PC-relative displacement to the target, measured from the end of the 4 bytes (x86
         * call/jmp rel32): the field receives {@code target + addend - (field address + 4)}. A
         * target out of reach (a host symbol far from the code) is reached through a veneer.
         */
        X86_PC_REL32,
        /** 64-bit absolute address of the target plus addend. */
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
