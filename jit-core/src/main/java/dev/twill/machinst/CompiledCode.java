package dev.twill.machinst;

/**
 * A function compiled to machine code, not yet placed in memory: position-independent bytes
 * plus what placing them needs.
 *
 * <p><b>Layout</b>: {@code code} starts with a {@link #HEADER_SIZE}-byte header, and the
 * function's entry (what calls jump to, what function pointers and {@code ABS64} relocations to
 * a function hold) is at offset {@link #HEADER_SIZE}. The header holds, at {@link
 * #SIGNATURE_ID_OFFSET}, the 32-bit id of the function's signature ({@code
 * dev.twill.runtime.SignatureIds.idOf}); bytes 4-7 are zero. The back end may leave the header
 * zero: the module that places the code writes the id of the signature the function was declared
 * with. {@code call_indirect} checks a callee pointer {@code p} with {@code cmp dword [p - 8],
 * expectedId} before calling it; id 0 is never assigned, so zeroed memory never passes.
 * Relocation offsets and trap offsets count from the start of {@code code}, header included.
 *
 * <p><b>Multiple results</b>: where results go is the ISA's ABI (x86-64: {@code
 * X64Abi}, the first results in registers and only the rest in a return area whose address is a
 * hidden first argument). Java never sees that split: the ISA's entry trampoline ({@code
 * EntryTrampolineGenerator}) receives a Java-side return area and, after a normal return, stores
 * result {@code k} in its 8-byte slot {@code k} (integers of any width in the low bytes, readers
 * use only the type's width; {@code f32} in the low 4 bytes, {@code f64} all 8). One result comes
 * back in the ISA's first return register ({@code rax}/{@code xmm0}); its bits above the type's
 * width are undefined, as System V says.
 *
 * @param code        the machine code
 * @param relocations places to patch once addresses are known
 * @param traps       trap sites: {@code trapOffsets[k]} is the offset of an instruction that traps with
 *                    {@code trapCodes[k]} (for reports; control reaches the trap exit by explicit jumps)
 * @param trapCodes   see {@code traps}
 * @param frameSize   bytes of stack the function's frame takes below its return address
 */
public record CompiledCode(byte[] code, Relocation[] relocations, int[] traps, int[] trapCodes, int frameSize) {
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
