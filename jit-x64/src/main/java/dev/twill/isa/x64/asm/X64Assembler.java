package dev.twill.isa.x64.asm;

import static dev.twill.isa.x64.asm.X64Reg.LABEL;
import static dev.twill.isa.x64.asm.X64Reg.NONE;
import static dev.twill.isa.x64.asm.X64Reg.RAX;
import static dev.twill.isa.x64.asm.X64Reg.RIP;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Encodes x86-64 instructions into a growable byte buffer: the scalar integer, SSE2 and SSE4.1
 * forms that a JIT's back end emits, with int labels for branches and RIP-relative operands.
 *
 * <p><b>Encoding</b> (Intel SDM vol. 2, chapter 2): {@code [66] [F2|F3] [REX] opcode(1-3 bytes)
 * [ModRM [SIB] [disp8|disp32]] [imm]}. Every form funnels into three emitters: {@link #emitRR}
 * (ModRM with mod=11), {@link #emitM} (a memory operand) and {@link #emitO} (register in the low
 * three opcode bits). An instruction is described by one int: the opcode in bits 0-23 (one to three
 * bytes, multi-byte opcodes start with 0x0F) and prefix/REX flags above ({@link #W}, {@link #P66},
 * {@link #PF3}, {@link #PF2}, {@link #BREG}, {@link #BRM}). Memory operands follow SDM tables 2-2
 * and 2-3 with their special cases:
 * <ul>
 *   <li>rsp/r12 as base (rm=100) need a SIB byte; rsp cannot be an index (SIB.index=100 means none);
 *   <li>rbp/r13 as base with mod=00 would mean RIP-relative / no base, so they take a disp8 of 0;
 *   <li>the displacement is omitted when zero, else disp8 when it fits a signed byte, else disp32;
 *   <li>no base: SIB with base=101 and mod=00, always disp32; RIP-relative: mod=00, rm=101, disp32
 *       counted from the end of the instruction, i.e. after any immediate.
 * </ul>
 * A REX prefix is emitted only when a bit of it is needed (W, R, X, B), or as a bare 0x40 when a
 * byte operand names spl, bpl, sil or dil (without REX those encodings mean ah, ch, dh, bh).
 * Where the ISA offers a shorter equivalent encoding this assembler takes it, as {@code llvm-mc}
 * does: imm8 sign-extended ALU forms, the accumulator short forms ({@code add eax, imm32} is
 * {@code 05 id}), shifts by one ({@code D1 /4}), {@code xchg} with rax ({@code 90+r}).
 *
 * <p><b>Buffer</b> (after OW2 ASM's ByteVector): every instruction first reserves {@link
 * #MAX_INSN} bytes, then writes through the array held in a local with plain indexed stores
 * (4- and 8-byte fields through little-endian array views, one store each); the buffer doubles
 * when short. The small helpers every instruction goes through ({@link #reserve}, {@code sz},
 * {@code putInt}) are kept under HotSpot's MaxInlineSize, so that they are inlined everywhere.
 * {@link #clear()} keeps the arrays, so one assembler serves many compilations and emitting an
 * instruction allocates nothing once the buffers have grown.
 *
 * <p><b>Labels</b> are int ids from {@link #newLabel()} into parallel tables. A reference to an
 * unbound label records a fixup (position, kind, link to the label's next fixup) in int arrays;
 * {@link #bind} walks the label's chain and patches each site. Invariant: a label's chain holds
 * exactly its unpatched references; {@link #unresolvedReferences()} counts all of them, and must
 * be zero when the code is used.
 *
 * <p><b>Branch sizes</b>: {@link #jmp} and {@link #jcc} take the 2-byte rel8 form when the label
 * is already bound (a backward branch) and within reach, else the rel32 form. Forward branches are
 * not relaxed here: they take rel32 unless the caller asks for {@link #jmpShort}/{@link
 * #jccShort}, whose reach is checked when the label is bound. Relaxing forward branches would mean
 * moving code after it is written; that is the job of the machine-code buffer above, which knows
 * block sizes before it emits.
 *
 * <p><b>Names</b>: a method names the mnemonic (or its family: {@code alu} for add/or/adc/sbb/
 * and/sub/xor/cmp, {@code shift}, {@code unary} for group 3, {@code sse}) and the operand form in
 * the manual's letters (R register, M memory, I immediate, X an XMM register where a GPR could
 * also stand); the operand size in bytes is an argument rather than a letter in the name, so one
 * method covers the b/w/l/q variants:
 * <pre>{@code
 * asm.aluRI(ADD, 8, RSP, 16);                  // add rsp, 16
 * asm.movRM(4, RAX, RDI, RCX, 4, 8);           // mov eax, dword ptr [rdi + 4*rcx + 8]
 * asm.sseRM(ADDSD, XMM0, LABEL, NONE, 1, k);   // addsd xmm0, qword ptr [rip + k]
 * asm.jcc(X64Cond.L, loop);                    // jl loop
 * }</pre>
 * A memory operand is always the four ints {@code base, index, scale, disp}; see {@link X64Reg}
 * for the pseudo bases NONE, RIP and LABEL. The letter S names the one operand {@code [rsp + disp]}
 * of the spill-slot moves ({@link #movqRS} and its kin), which take a shorter path than M.
 *
 * <p>Operand sizes are in bytes (1, 2, 4, 8). Operands that would silently encode a different
 * instruction (an rsp index, a bad scale, a bad size) are rejected with {@link
 * IllegalArgumentException}; they are back-end bugs, not user input.
 */
public final class X64Assembler {
    /** The longest x86 instruction; each emitter reserves this much before writing. */
    public static final int MAX_INSN = 16;

    // ---- descriptor flags, above the 24 opcode bits ----
    /** REX.W: 64-bit operand size. */
    static final int W = 1 << 24;
    /** 0x66 prefix: 16-bit operand size, or the SSE "packed double / integer" mandatory prefix. */
    static final int P66 = 1 << 25;
    /** 0xF3 mandatory prefix (scalar single, lzcnt/tzcnt/popcnt). */
    static final int PF3 = 1 << 26;
    /** 0xF2 mandatory prefix (scalar double). */
    static final int PF2 = 1 << 27;
    /** ModRM.reg names a byte register: 4-7 need a REX prefix to mean spl..dil. */
    static final int BREG = 1 << 28;
    /** ModRM.rm (or the opcode's register) names a byte register, same rule. */
    static final int BRM = 1 << 29;
    /** 0xF0 LOCK prefix, after an operand-size 0x66 (the order llvm-mc emits). */
    static final int LOCK = 1 << 30;

    // ---- ALU operations: the /digit of 80/81/83, and bits 3-5 of the 00-3D opcodes ----
    public static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;
    // ---- shift/rotate operations: the /digit of C0/C1/D0-D3 ----
    public static final int ROL = 0, ROR = 1, SHL = 4, SHR = 5, SAR = 7;
    // ---- group 3 (F6/F7) one-operand operations: the /digit ----
    public static final int NOT = 2, NEG = 3, MUL = 4, IMUL = 5, DIV = 6, IDIV = 7;

    // ---- SSE operations for sseRR / sseRM: dst = dst op src (moves: dst = src) ----
    public static final int MOVSS = PF3 | 0x0F10, MOVSD = PF2 | 0x0F10;
    public static final int MOVUPS = 0x0F10, MOVAPS = 0x0F28, MOVAPD = P66 | 0x0F28;
    public static final int ADDSS = PF3 | 0x0F58, ADDSD = PF2 | 0x0F58;
    public static final int SUBSS = PF3 | 0x0F5C, SUBSD = PF2 | 0x0F5C;
    public static final int MULSS = PF3 | 0x0F59, MULSD = PF2 | 0x0F59;
    public static final int DIVSS = PF3 | 0x0F5E, DIVSD = PF2 | 0x0F5E;
    public static final int SQRTSS = PF3 | 0x0F51, SQRTSD = PF2 | 0x0F51;
    public static final int MINSS = PF3 | 0x0F5D, MINSD = PF2 | 0x0F5D;
    public static final int MAXSS = PF3 | 0x0F5F, MAXSD = PF2 | 0x0F5F;
    /** Unordered compare, sets ZF, PF, CF (PF=1 when either operand is NaN). */
    public static final int UCOMISS = 0x0F2E, UCOMISD = P66 | 0x0F2E;
    /** Ordered compare: as ucomis*, but also raises invalid on quiet NaNs. */
    public static final int COMISS = 0x0F2F, COMISD = P66 | 0x0F2F;
    public static final int CVTSS2SD = PF3 | 0x0F5A, CVTSD2SS = PF2 | 0x0F5A;
    public static final int ANDPS = 0x0F54, ANDPD = P66 | 0x0F54;
    /** dst = ~dst & src. */
    public static final int ANDNPS = 0x0F55, ANDNPD = P66 | 0x0F55;
    public static final int ORPS = 0x0F56, ORPD = P66 | 0x0F56;
    public static final int XORPS = 0x0F57, XORPD = P66 | 0x0F57;
    public static final int PXOR = P66 | 0x0FEF, PAND = P66 | 0x0FDB, POR = P66 | 0x0FEB;

    // ---- roundss/roundsd immediate (SSE4.1, SDM "ROUNDSD"): bits 1:0 mode, bit 3 suppresses precision ----
    public static final int ROUND_NEAREST = 0, ROUND_DOWN = 1, ROUND_UP = 2, ROUND_TRUNC = 3;

    /** Fixup kinds (low 8 bits of fixupInfo); the bits above hold the bytes between the field end and the instruction end. */
    private static final int FIX_REL32 = 0, FIX_REL8 = 1;

    /** Recommended multi-byte NOPs, SDM vol. 2B "NOP", table 4-12; index = length. */
    private static final byte[][] NOPS = {
        {},
        {(byte) 0x90},
        {0x66, (byte) 0x90},
        {0x0F, 0x1F, 0x00},
        {0x0F, 0x1F, 0x40, 0x00},
        {0x0F, 0x1F, 0x44, 0x00, 0x00},
        {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
        {0x0F, 0x1F, (byte) 0x80, 0x00, 0x00, 0x00, 0x00},
        {0x0F, 0x1F, (byte) 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
        {0x66, 0x0F, 0x1F, (byte) 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    };

    /** The code; bytes [0, length) are valid. */
    private byte[] data;
    /** Number of bytes written. */
    private int length;

    /** Per label: its offset in the code, or -1 while unbound. */
    private int[] labelOffset = new int[16];
    /** Per label: index of its most recent pending fixup, or -1. */
    private int[] labelHead = new int[16];
    /** Number of labels handed out since the last clear(). */
    private int labelCount;

    /** Per fixup: offset of the field to patch. */
    private int[] fixupPos = new int[16];
    /** Per fixup: kind | (bytes from the field's end to the instruction's end) << 8. */
    private int[] fixupInfo = new int[16];
    /** Per fixup: the next older fixup of the same label, or -1. */
    private int[] fixupNext = new int[16];
    /** Number of fixup records used since the last clear(). */
    private int fixupCount;
    /** References to labels not bound yet. */
    private int unresolved;

    public X64Assembler() {
        this(1024);
    }

    public X64Assembler(int initialCapacity) {
        data = new byte[Math.max(initialCapacity, MAX_INSN)];
    }

    /** Forgets the code and all labels, keeping every buffer's capacity. */
    public void clear() {
        length = 0;
        labelCount = 0;
        fixupCount = 0;
        unresolved = 0;
    }

    /** Bytes written so far; also the offset of the next instruction. */
    public int size() {
        return length;
    }

    /** The backing array (valid up to {@link #size()}); it is replaced when the buffer grows. */
    public byte[] data() {
        return data;
    }

    /** A copy of the code. */
    public byte[] toByteArray() {
        return Arrays.copyOf(data, length);
    }

    // =====================================================================================
    // Labels
    // =====================================================================================

    /** A new, unbound label. */
    public int newLabel() {
        int l = labelCount;
        if (l == labelOffset.length) {
            labelOffset = Arrays.copyOf(labelOffset, l * 2);
            labelHead = Arrays.copyOf(labelHead, l * 2);
        }
        labelOffset[l] = -1;
        labelHead[l] = -1;
        labelCount = l + 1;
        return l;
    }

    /** Binds {@code label} to the current offset and patches every reference made so far. */
    public void bind(int label) {
        checkLabel(label);
        if (labelOffset[label] >= 0) {
            throw new IllegalStateException("label " + label + " is already bound at " + labelOffset[label]);
        }
        int target = length;
        labelOffset[label] = target;
        byte[] d = data;
        for (int f = labelHead[label]; f >= 0; f = fixupNext[f]) {
            int pos = fixupPos[f];
            int info = fixupInfo[f];
            if ((info & 0xFF) == FIX_REL8) {
                int rel = target - (pos + 1);
                if (rel != (byte) rel) {
                    throw new IllegalStateException("short branch at " + (pos - 1) + " cannot reach label "
                            + label + " at " + target + " (distance " + rel + ")");
                }
                d[pos] = (byte) rel;
            } else {
                putInt(d, pos, target - (pos + 4 + (info >>> 8)));
            }
            unresolved--;
        }
        labelHead[label] = -1;
    }

    /** The offset {@code label} is bound to, or -1 while unbound. */
    public int labelOffset(int label) {
        checkLabel(label);
        return labelOffset[label];
    }

    public boolean isBound(int label) {
        return labelOffset(label) >= 0;
    }

    /** References to labels that are not bound yet; the code is complete only when this is 0. */
    public int unresolvedReferences() {
        return unresolved;
    }

    private void checkLabel(int label) {
        if (label < 0 || label >= labelCount) {
            throw new IllegalArgumentException("no label " + label);
        }
    }

    /** The rel32 field at {@code p} for {@code label}; {@code after} bytes of instruction follow it. */
    private int rel32(byte[] d, int p, int label, int after) {
        checkLabel(label);
        int target = labelOffset[label];
        if (target >= 0) {
            return putInt(d, p, target - (p + 4 + after));
        }
        addFixup(label, p, FIX_REL32 | after << 8);
        return putInt(d, p, 0);
    }

    private void addFixup(int label, int pos, int info) {
        int f = fixupCount;
        if (f == fixupPos.length) {
            fixupPos = Arrays.copyOf(fixupPos, f * 2);
            fixupInfo = Arrays.copyOf(fixupInfo, f * 2);
            fixupNext = Arrays.copyOf(fixupNext, f * 2);
        }
        fixupPos[f] = pos;
        fixupInfo[f] = info;
        fixupNext[f] = labelHead[label];
        labelHead[label] = f;
        fixupCount = f + 1;
        unresolved++;
    }

    // =====================================================================================
    // Raw data and padding
    // =====================================================================================

    public void emitByte(int b) {
        byte[] d = reserve();
        d[length++] = (byte) b;
    }

    public void emitInt(int v) {
        byte[] d = reserve();
        length = putInt(d, length, v);
    }

    public void emitLong(long v) {
        byte[] d = reserve();
        length = putLong(d, length, v);
    }

    /** Overwrites the 4 bytes at {@code pos} (little-endian), e.g. to resolve a relocation. */
    public void patchInt(int pos, int v) {
        if (pos < 0 || pos + 4 > length) {
            throw new IllegalArgumentException("patch at " + pos + " outside the code (" + length + " bytes)");
        }
        putInt(data, pos, v);
    }

    /** {@code n} bytes of no-ops, as few instructions as possible (each at most 9 bytes). */
    public void nop(int n) {
        while (n > 0) {
            int k = Math.min(n, 9);
            byte[] d = reserve();
            System.arraycopy(NOPS[k], 0, d, length, k);
            length += k;
            n -= k;
        }
    }

    /** Pads with no-ops to a multiple of {@code alignment} (a power of two). */
    public void align(int alignment) {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("alignment " + alignment);
        }
        nop(-length & (alignment - 1));
    }

    // =====================================================================================
    // Moves
    // =====================================================================================

    /** {@code mov dst, src}. */
    public void movRR(int size, int dst, int src) {
        emitRR(sz(size) | (size == 1 ? 0x88 : 0x89), src, dst, 0, 0);
    }

    /**
     * {@code mov dst, imm}: B0+r ib, 66 B8+r iw, B8+r id; at size 8 the sign-extended
     * {@code C7 /0 id} (for any 64-bit value see {@link #movImm64}).
     */
    public void movRI(int size, int dst, int imm) {
        if (size == 8) {
            emitRR(W | 0xC7, 0, dst, imm, 4);
        } else {
            emitO(sz(size) | (size == 1 ? 0xB0 : 0xB8), dst, imm, size);
        }
    }

    /** {@code movabs dst, imm64}: REX.W B8+r io, always 10 bytes. */
    public void movabsRI(int dst, long imm) {
        emitO(W | 0xB8, dst, 0, 0);
        length = putLong(data, length, imm); // emitO reserved MAX_INSN, room for the 8 bytes
    }

    /** The shortest move of a 64-bit constant into {@code dst}: mov r32 (zero-extends), mov r64 imm32, or movabs. */
    public void movImm64(int dst, long imm) {
        if ((imm >>> 32) == 0) {
            movRI(4, dst, (int) imm);
        } else if (imm == (int) imm) {
            movRI(8, dst, (int) imm);
        } else {
            movabsRI(dst, imm);
        }
    }

    /** Load: {@code mov dst, [mem]}. */
    public void movRM(int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz(size) | (size == 1 ? 0x8A : 0x8B), dst, base, index, scale, disp, 0, 0);
    }

    /** Store: {@code mov [mem], src}. */
    public void movMR(int size, int base, int index, int scale, int disp, int src) {
        emitM(sz(size) | (size == 1 ? 0x88 : 0x89), src, base, index, scale, disp, 0, 0);
    }

    /** Store an immediate: {@code mov [mem], imm} (size 8: imm32 sign-extended). */
    public void movMI(int size, int base, int index, int scale, int disp, int imm) {
        emitM(szx(size) | (size == 1 ? 0xC6 : 0xC7), 0, base, index, scale, disp, imm, immBytes(size));
    }

    /** Spill reload: {@code mov dst, qword ptr [rsp + disp]}, as {@code movRM(8, dst, RSP, NONE, 1, disp)}. */
    public void movqRS(int dst, int disp) {
        emitS(W | 0x8B, dst, disp);
    }

    /** Spill store: {@code mov qword ptr [rsp + disp], src}, as {@code movMR(8, RSP, NONE, 1, disp, src)}. */
    public void movqSR(int disp, int src) {
        emitS(W | 0x89, src, disp);
    }

    /** Spill reload: {@code movsd dst, qword ptr [rsp + disp]}, as {@code sseRM(MOVSD, dst, RSP, NONE, 1, disp)}. */
    public void movsdXS(int dst, int disp) {
        emitS(PF2 | 0x0F10, dst, disp);
    }

    /** Spill store: {@code movsd qword ptr [rsp + disp], src}, as {@code movsdMR(RSP, NONE, 1, disp, src)}. */
    public void movsdSX(int disp, int src) {
        emitS(PF2 | 0x0F11, src, disp);
    }

    /** {@code movzx dst, src}: zero-extend a {@code srcSize} (1 or 2) register into a {@code dstSize} (2, 4, 8) register. */
    public void movzxRR(int dstSize, int srcSize, int dst, int src) {
        emitRR(extendOp(dstSize, srcSize, 0x0FB6) | (srcSize == 1 ? BRM : 0), dst, src, 0, 0);
    }

    public void movzxRM(int dstSize, int srcSize, int dst, int base, int index, int scale, int disp) {
        emitM(extendOp(dstSize, srcSize, 0x0FB6), dst, base, index, scale, disp, 0, 0);
    }

    /** {@code movsx dst, src}; srcSize 4 (with dstSize 8) is {@code movsxd}. */
    public void movsxRR(int dstSize, int srcSize, int dst, int src) {
        emitRR(extendOp(dstSize, srcSize, 0x0FBE) | (srcSize == 1 ? BRM : 0), dst, src, 0, 0);
    }

    public void movsxRM(int dstSize, int srcSize, int dst, int base, int index, int scale, int disp) {
        emitM(extendOp(dstSize, srcSize, 0x0FBE), dst, base, index, scale, disp, 0, 0);
    }

    /** movzx/movsx opcode: {@code byteOp} for a byte source, byteOp+1 for a word, 63 (movsxd) for a dword. */
    private static int extendOp(int dstSize, int srcSize, int byteOp) {
        if (dstSize <= srcSize || dstSize == 1) {
            throw new IllegalArgumentException("extend from " + srcSize + " to " + dstSize + " bytes");
        }
        return sz(dstSize) | switch (srcSize) {
            case 1 -> byteOp;
            case 2 -> byteOp + 1;
            case 4 -> {
                if (byteOp != 0x0FBE) {
                    throw new IllegalArgumentException("movzx from 4 bytes: use a 32-bit mov");
                }
                yield 0x63;
            }
            default -> throw new IllegalArgumentException("extend from " + srcSize + " bytes");
        };
    }

    /** {@code lea dst, [mem]} (size 2, 4, 8). */
    public void leaRM(int size, int dst, int base, int index, int scale, int disp) {
        if (size == 1) {
            throw new IllegalArgumentException("lea has no byte form");
        }
        emitM(sz(size) | 0x8D, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code xchg a, b}; with rax the one-byte 90+r form (except xchg eax, eax, which must zero-extend). */
    public void xchgRR(int size, int a, int b) {
        if (size == 1) {
            emitRR(BREG | BRM | 0x86, a, b, 0, 0);
        } else if (size == 8 && a == RAX && b == RAX) {
            emitByte(0x90); // no effect at all, so the plain NOP is exact
        } else if (a == RAX && !(size == 4 && b == RAX)) {
            emitO(sz(size) | 0x90, b, 0, 0);
        } else if (b == RAX && !(size == 4 && a == RAX)) {
            emitO(sz(size) | 0x90, a, 0, 0);
        } else {
            emitRR(sz(size) | 0x87, a, b, 0, 0);
        }
    }

    /** {@code xchg [mem], r} (implicitly locked). */
    public void xchgMR(int size, int base, int index, int scale, int disp, int r) {
        emitM(sz(size) | (size == 1 ? 0x86 : 0x87), r, base, index, scale, disp, 0, 0);
    }

    /** {@code lock xadd [mem], r} (F0 0F C0/C1): r receives the old value, memory the sum, atomically. */
    public void lockXaddMR(int size, int base, int index, int scale, int disp, int r) {
        emitM(LOCK | sz(size) | (size == 1 ? 0x0FC0 : 0x0FC1), r, base, index, scale, disp, 0, 0);
    }

    /**
     * {@code lock cmpxchg [mem], r} (F0 0F B0/B1): atomically, if [mem] equals al/ax/eax/rax it
     * becomes r (ZF=1), else the accumulator receives [mem] (ZF=0).
     */
    public void lockCmpxchgMR(int size, int base, int index, int scale, int disp, int r) {
        emitM(LOCK | sz(size) | (size == 1 ? 0x0FB0 : 0x0FB1), r, base, index, scale, disp, 0, 0);
    }

    /** {@code mfence} (0F AE F0): orders every earlier load and store before every later one. */
    public void mfence() {
        emitByte(0x0F);
        emitByte(0xAE);
        emitByte(0xF0);
    }

    /**
     * {@code vfmadd231ss/sd dst, a, b} (FMA3, VEX.LIG.66.0F38.W0/W1 B9 /r): {@code dst = a * b +
     * dst} rounded once; size 4 or 8. Three-byte VEX: C4, then R X B (inverted) and map 0F38,
     * then W, vvvv = ~a, L = 0, pp = 01 (66).
     */
    public void vfmadd231RR(int size, int dst, int a, int b) {
        byte[] d = reserve();
        int p = length;
        d[p++] = (byte) 0xC4;
        d[p++] = (byte) ((~dst & 8) << 4 | 0x40 | (~b & 8) << 2 | 0x02);
        d[p++] = (byte) ((size == 8 ? 0x80 : 0) | (~a & 15) << 3 | 0x01);
        d[p++] = (byte) 0xB9;
        d[p++] = (byte) (0xC0 | (dst & 7) << 3 | b & 7);
        length = p;
    }

    // =====================================================================================
    // Integer arithmetic
    // =====================================================================================

    /** {@code op dst, src} for op in ADD..CMP; the MR opcode (01, 09, ...), as llvm-mc picks. */
    public void aluRR(int op, int size, int dst, int src) {
        emitRR(sz(size) | (op << 3 | (size == 1 ? 0 : 1)), src, dst, 0, 0);
    }

    /** {@code op dst, imm}: imm8 sign-extended when it fits, the accumulator short form for rax, else imm16/32. */
    public void aluRI(int op, int size, int dst, int imm) {
        if (size == 1) {
            if (dst == RAX) {
                emitO(op << 3 | 4, RAX, imm, 1);
            } else {
                emitRR(BRM | 0x80, op, dst, imm, 1);
            }
        } else if (fitsImm8(size, imm)) {
            emitRR(sz(size) | 0x83, op, dst, imm, 1);
        } else if (dst == RAX) {
            emitO(sz(size) | (op << 3 | 5), RAX, imm, immBytes(size));
        } else {
            emitRR(sz(size) | 0x81, op, dst, imm, immBytes(size));
        }
    }

    /** {@code op dst, [mem]}. */
    public void aluRM(int op, int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz(size) | (op << 3 | (size == 1 ? 2 : 3)), dst, base, index, scale, disp, 0, 0);
    }

    /** {@code op [mem], src}. */
    public void aluMR(int op, int size, int base, int index, int scale, int disp, int src) {
        emitM(sz(size) | (op << 3 | (size == 1 ? 0 : 1)), src, base, index, scale, disp, 0, 0);
    }

    /** {@code op [mem], imm}. */
    public void aluMI(int op, int size, int base, int index, int scale, int disp, int imm) {
        if (size == 1) {
            emitM(0x80, op, base, index, scale, disp, imm, 1);
        } else if (fitsImm8(size, imm)) {
            emitM(sz(size) | 0x83, op, base, index, scale, disp, imm, 1);
        } else {
            emitM(sz(size) | 0x81, op, base, index, scale, disp, imm, immBytes(size));
        }
    }

    /** {@code test a, b} (flags of a &amp; b). */
    public void testRR(int size, int a, int b) {
        emitRR(sz(size) | (size == 1 ? 0x84 : 0x85), b, a, 0, 0);
    }

    /** {@code test r, imm}: A8/A9 for the accumulator, else F6/F7 /0; there is no imm8 form. */
    public void testRI(int size, int r, int imm) {
        if (r == RAX) {
            emitO(sz(size) | (size == 1 ? 0xA8 : 0xA9), RAX, imm, immBytes(size));
        } else {
            emitRR(szx(size) | (size == 1 ? 0xF6 : 0xF7), 0, r, imm, immBytes(size));
        }
    }

    /** {@code test [mem], r}. */
    public void testMR(int size, int base, int index, int scale, int disp, int r) {
        emitM(sz(size) | (size == 1 ? 0x84 : 0x85), r, base, index, scale, disp, 0, 0);
    }

    public void testMI(int size, int base, int index, int scale, int disp, int imm) {
        emitM(szx(size) | (size == 1 ? 0xF6 : 0xF7), 0, base, index, scale, disp, imm, immBytes(size));
    }

    /** Two-operand {@code imul dst, src} (size 2, 4, 8). */
    public void imulRR(int size, int dst, int src) {
        emitRR(sz16(size) | 0x0FAF, dst, src, 0, 0);
    }

    public void imulRM(int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz16(size) | 0x0FAF, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code imul dst, src, imm}: 6B ib when the immediate fits a byte, else 69 iw/id. */
    public void imulRRI(int size, int dst, int src, int imm) {
        if (fitsImm8(size, imm)) {
            emitRR(sz16(size) | 0x6B, dst, src, imm, 1);
        } else {
            emitRR(sz16(size) | 0x69, dst, src, imm, immBytes(size));
        }
    }

    public void imulRMI(int size, int dst, int base, int index, int scale, int disp, int imm) {
        if (fitsImm8(size, imm)) {
            emitM(sz16(size) | 0x6B, dst, base, index, scale, disp, imm, 1);
        } else {
            emitM(sz16(size) | 0x69, dst, base, index, scale, disp, imm, immBytes(size));
        }
    }

    /**
     * Group 3 on a register: NOT, NEG, or with rdx:rax (ax for bytes) implicit, MUL, IMUL, DIV,
     * IDIV.
     */
    public void unaryR(int op, int size, int r) {
        emitRR(szx(size) | (size == 1 ? 0xF6 : 0xF7), op, r, 0, 0);
    }

    public void unaryM(int op, int size, int base, int index, int scale, int disp) {
        emitM(szx(size) | (size == 1 ? 0xF6 : 0xF7), op, base, index, scale, disp, 0, 0);
    }

    /** {@code op r, cl} for op in ROL, ROR, SHL, SHR, SAR. */
    public void shiftRCl(int op, int size, int r) {
        emitRR(szx(size) | (size == 1 ? 0xD2 : 0xD3), op, r, 0, 0);
    }

    /** {@code op r, imm}: the D1 form for a count of 1, else C1 ib. */
    public void shiftRI(int op, int size, int r, int imm) {
        if (imm == 1) {
            emitRR(szx(size) | (size == 1 ? 0xD0 : 0xD1), op, r, 0, 0);
        } else {
            emitRR(szx(size) | (size == 1 ? 0xC0 : 0xC1), op, r, imm, 1);
        }
    }

    public void shiftMCl(int op, int size, int base, int index, int scale, int disp) {
        emitM(szx(size) | (size == 1 ? 0xD2 : 0xD3), op, base, index, scale, disp, 0, 0);
    }

    public void shiftMI(int op, int size, int base, int index, int scale, int disp, int imm) {
        if (imm == 1) {
            emitM(szx(size) | (size == 1 ? 0xD0 : 0xD1), op, base, index, scale, disp, 0, 0);
        } else {
            emitM(szx(size) | (size == 1 ? 0xC0 : 0xC1), op, base, index, scale, disp, imm, 1);
        }
    }

    /** {@code cdq}: sign-extend eax into edx:eax (before a 32-bit idiv). */
    public void cdq() {
        emitByte(0x99);
    }

    /** {@code cqo}: sign-extend rax into rdx:rax (before a 64-bit idiv). */
    public void cqo() {
        emitO(W | 0x99, RAX, 0, 0);
    }

    /** {@code bswap r} (size 4, 8). */
    public void bswap(int size, int r) {
        if (size != 4 && size != 8) {
            throw new IllegalArgumentException("bswap of " + size + " bytes");
        }
        emitO(sz(size) | 0x0FC8, r, 0, 0);
    }

    /** {@code lzcnt dst, src} (ABM/LZCNT; without it the CPU runs bsr). */
    public void lzcntRR(int size, int dst, int src) {
        emitRR(sz16(size) | PF3 | 0x0FBD, dst, src, 0, 0);
    }

    public void lzcntRM(int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz16(size) | PF3 | 0x0FBD, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code tzcnt dst, src} (BMI1; without it the CPU runs bsf). */
    public void tzcntRR(int size, int dst, int src) {
        emitRR(sz16(size) | PF3 | 0x0FBC, dst, src, 0, 0);
    }

    public void tzcntRM(int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz16(size) | PF3 | 0x0FBC, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code popcnt dst, src} (POPCNT). */
    public void popcntRR(int size, int dst, int src) {
        emitRR(sz16(size) | PF3 | 0x0FB8, dst, src, 0, 0);
    }

    public void popcntRM(int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz16(size) | PF3 | 0x0FB8, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code bsr dst, src}: index of the highest set bit; dst undefined and ZF=1 for 0. */
    public void bsrRR(int size, int dst, int src) {
        emitRR(sz16(size) | 0x0FBD, dst, src, 0, 0);
    }

    public void bsrRM(int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz16(size) | 0x0FBD, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code bsf dst, src}: index of the lowest set bit; dst undefined and ZF=1 for 0. */
    public void bsfRR(int size, int dst, int src) {
        emitRR(sz16(size) | 0x0FBC, dst, src, 0, 0);
    }

    public void bsfRM(int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz16(size) | 0x0FBC, dst, base, index, scale, disp, 0, 0);
    }

    // =====================================================================================
    // Conditions
    // =====================================================================================

    /** {@code set<cc> dst}: the byte register dst = cc ? 1 : 0 (upper bits unchanged). */
    public void setcc(int cc, int dst) {
        emitRR(BRM | (0x0F90 | cc(cc)), 0, dst, 0, 0);
    }

    /** {@code cmov<cc> dst, src} (size 2, 4, 8; size 4 zero-extends even when cc fails). */
    public void cmovRR(int cc, int size, int dst, int src) {
        emitRR(sz16(size) | (0x0F40 | cc(cc)), dst, src, 0, 0);
    }

    public void cmovRM(int cc, int size, int dst, int base, int index, int scale, int disp) {
        emitM(sz16(size) | (0x0F40 | cc(cc)), dst, base, index, scale, disp, 0, 0);
    }

    private static int cc(int cc) {
        if ((cc & ~15) != 0) {
            throw new IllegalArgumentException("condition code " + cc);
        }
        return cc;
    }

    // =====================================================================================
    // Control flow
    // =====================================================================================

    /** {@code jmp label}: rel8 if the label is bound and within reach, else rel32. */
    public void jmp(int label) {
        checkLabel(label);
        int target = labelOffset[label];
        if (target >= 0 && target - (length + 2) >= -128) {
            byte[] d = reserve();
            int p = length;
            d[p] = (byte) 0xEB;
            d[p + 1] = (byte) (target - (p + 2));
            length = p + 2;
        } else {
            jmpRel32(label);
        }
    }

    /** {@code jmp rel32} to a label, always 5 bytes. */
    public void jmpRel32(int label) {
        byte[] d = reserve();
        int p = length;
        d[p++] = (byte) 0xE9;
        length = rel32(d, p, label, 0);
    }

    /** {@code jmp rel8}; for a forward label the reach is checked when it is bound. */
    public void jmpShort(int label) {
        shortBranch(0xEB, label);
    }

    /** {@code j<cc> label}: rel8 if the label is bound and within reach, else rel32. */
    public void jcc(int cc, int label) {
        checkLabel(label);
        int target = labelOffset[label];
        if (target >= 0 && target - (length + 2) >= -128) {
            byte[] d = reserve();
            int p = length;
            d[p] = (byte) (0x70 | cc(cc));
            d[p + 1] = (byte) (target - (p + 2));
            length = p + 2;
        } else {
            jccRel32(cc, label);
        }
    }

    /** {@code j<cc> rel32} to a label, always 6 bytes. */
    public void jccRel32(int cc, int label) {
        byte[] d = reserve();
        int p = length;
        d[p++] = 0x0F;
        d[p++] = (byte) (0x80 | cc(cc));
        length = rel32(d, p, label, 0);
    }

    /** {@code j<cc> rel8}; for a forward label the reach is checked when it is bound. */
    public void jccShort(int cc, int label) {
        shortBranch(0x70 | cc(cc), label);
    }

    private void shortBranch(int opcode, int label) {
        checkLabel(label);
        byte[] d = reserve();
        int p = length;
        d[p++] = (byte) opcode;
        int target = labelOffset[label];
        if (target >= 0) {
            int rel = target - (p + 1);
            if (rel != (byte) rel) {
                throw new IllegalArgumentException("short branch cannot reach label " + label + " (distance " + rel + ")");
            }
            d[p++] = (byte) rel;
        } else {
            addFixup(label, p, FIX_REL8);
            d[p++] = 0;
        }
        length = p;
    }

    /** {@code call rel32} to a label. */
    public void call(int label) {
        byte[] d = reserve();
        int p = length;
        d[p++] = (byte) 0xE8;
        length = rel32(d, p, label, 0);
    }

    /**
     * {@code call rel32} with a zero displacement, for a target outside this buffer. Returns the
     * offset of the 4 displacement bytes, which hold target - (that offset + 4) once patched.
     */
    public int callRel32Placeholder() {
        return rel32Placeholder(0xE8);
    }

    /**
     * {@code jmp rel32} to a target resolved by relocation (a tail call); returns the offset of
     * the 4 displacement bytes, which hold target - (that offset + 4) once patched.
     */
    public int jmpRel32Placeholder() {
        return rel32Placeholder(0xE9);
    }

    private int rel32Placeholder(int opcode) {
        byte[] d = reserve();
        int p = length;
        d[p++] = (byte) opcode;
        length = putInt(d, p, 0);
        return p;
    }

    /** {@code jmp r} (64-bit, no REX.W needed). */
    public void jmpR(int r) {
        emitRR(0xFF, 4, r, 0, 0);
    }

    public void jmpM(int base, int index, int scale, int disp) {
        emitM(0xFF, 4, base, index, scale, disp, 0, 0);
    }

    /** {@code call r}. */
    public void callR(int r) {
        emitRR(0xFF, 2, r, 0, 0);
    }

    public void callM(int base, int index, int scale, int disp) {
        emitM(0xFF, 2, base, index, scale, disp, 0, 0);
    }

    public void ret() {
        emitByte(0xC3);
    }

    /** {@code ret imm16}: return and pop {@code bytes} more. */
    public void ret(int bytes) {
        emitO(0xC2, RAX, bytes, 2);
    }

    /** {@code push r} (64-bit). */
    public void push(int r) {
        emitO(0x50, r, 0, 0);
    }

    /** {@code pop r} (64-bit). */
    public void pop(int r) {
        emitO(0x58, r, 0, 0);
    }

    /** {@code push imm} (sign-extended to 64 bits). */
    public void pushI(int imm) {
        if (imm == (byte) imm) {
            emitO(0x6A, RAX, imm, 1);
        } else {
            emitO(0x68, RAX, imm, 4);
        }
    }

    public void pushM(int base, int index, int scale, int disp) {
        emitM(0xFF, 6, base, index, scale, disp, 0, 0);
    }

    public void popM(int base, int index, int scale, int disp) {
        emitM(0x8F, 0, base, index, scale, disp, 0, 0);
    }

    /** {@code ud2}: the guaranteed invalid opcode. */
    public void ud2() {
        emitO(0x0F0B, RAX, 0, 0);
    }

    /** {@code int3}: breakpoint. */
    public void int3() {
        emitByte(0xCC);
    }

    // =====================================================================================
    // SSE
    // =====================================================================================

    /**
     * {@code op dst, src} on XMM registers; {@code op} must be one of the SSE operation constants
     * of this class (MOVSS, ADDSD, XORPS, ...), which pack the prefix and opcode.
     */
    public void sseRR(int op, int dst, int src) {
        emitRR(op, dst, src, 0, 0);
    }

    /** {@code op dst, [mem]}: scalar ops read 4 or 8 bytes, packed ops 16 (aligned, except MOVUPS). */
    public void sseRM(int op, int dst, int base, int index, int scale, int disp) {
        emitM(op, dst, base, index, scale, disp, 0, 0);
    }

    /** Store {@code movss [mem], src}. */
    public void movssMR(int base, int index, int scale, int disp, int src) {
        emitM(PF3 | 0x0F11, src, base, index, scale, disp, 0, 0);
    }

    /** Store {@code movsd [mem], src}. */
    public void movsdMR(int base, int index, int scale, int disp, int src) {
        emitM(PF2 | 0x0F11, src, base, index, scale, disp, 0, 0);
    }

    /** Store {@code movaps [mem], src} (16-byte aligned). */
    public void movapsMR(int base, int index, int scale, int disp, int src) {
        emitM(0x0F29, src, base, index, scale, disp, 0, 0);
    }

    /** Store {@code movapd [mem], src} (16-byte aligned). */
    public void movapdMR(int base, int index, int scale, int disp, int src) {
        emitM(P66 | 0x0F29, src, base, index, scale, disp, 0, 0);
    }

    /** Store {@code movups [mem], src}. */
    public void movupsMR(int base, int index, int scale, int disp, int src) {
        emitM(0x0F11, src, base, index, scale, disp, 0, 0);
    }

    /** {@code movd xmm, r32} (size 4) or {@code movq xmm, r64} (size 8); zeroes the rest of xmm. */
    public void movdXR(int size, int xmm, int gpr) {
        emitRR(sz48(size) | P66 | 0x0F6E, xmm, gpr, 0, 0);
    }

    /** {@code movd r32, xmm} (size 4) or {@code movq r64, xmm} (size 8). */
    public void movdRX(int size, int gpr, int xmm) {
        emitRR(sz48(size) | P66 | 0x0F7E, xmm, gpr, 0, 0);
    }

    /** {@code cvtsi2ss xmm, r32/r64} ({@code srcSize} 4 or 8). */
    public void cvtsi2ssRR(int srcSize, int dst, int src) {
        emitRR(sz48(srcSize) | PF3 | 0x0F2A, dst, src, 0, 0);
    }

    public void cvtsi2ssRM(int srcSize, int dst, int base, int index, int scale, int disp) {
        emitM(sz48(srcSize) | PF3 | 0x0F2A, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code cvtsi2sd xmm, r32/r64} ({@code srcSize} 4 or 8). */
    public void cvtsi2sdRR(int srcSize, int dst, int src) {
        emitRR(sz48(srcSize) | PF2 | 0x0F2A, dst, src, 0, 0);
    }

    public void cvtsi2sdRM(int srcSize, int dst, int base, int index, int scale, int disp) {
        emitM(sz48(srcSize) | PF2 | 0x0F2A, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code cvttss2si r32/r64, xmm}: truncating; out of range or NaN gives the "integer indefinite" MIN_VALUE. */
    public void cvttss2siRR(int dstSize, int dst, int src) {
        emitRR(sz48(dstSize) | PF3 | 0x0F2C, dst, src, 0, 0);
    }

    public void cvttss2siRM(int dstSize, int dst, int base, int index, int scale, int disp) {
        emitM(sz48(dstSize) | PF3 | 0x0F2C, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code cvttsd2si r32/r64, xmm}, truncating as {@link #cvttss2siRR}. */
    public void cvttsd2siRR(int dstSize, int dst, int src) {
        emitRR(sz48(dstSize) | PF2 | 0x0F2C, dst, src, 0, 0);
    }

    public void cvttsd2siRM(int dstSize, int dst, int base, int index, int scale, int disp) {
        emitM(sz48(dstSize) | PF2 | 0x0F2C, dst, base, index, scale, disp, 0, 0);
    }

    /** {@code roundss dst, src, mode} (SSE4.1); mode is ROUND_* (| 8 to suppress the precision exception). */
    public void roundssRR(int dst, int src, int mode) {
        emitRR(P66 | 0x0F3A0A, dst, src, mode, 1);
    }

    public void roundssRM(int dst, int base, int index, int scale, int disp, int mode) {
        emitM(P66 | 0x0F3A0A, dst, base, index, scale, disp, mode, 1);
    }

    /** {@code roundsd dst, src, mode} (SSE4.1). */
    public void roundsdRR(int dst, int src, int mode) {
        emitRR(P66 | 0x0F3A0B, dst, src, mode, 1);
    }

    public void roundsdRM(int dst, int base, int index, int scale, int disp, int mode) {
        emitM(P66 | 0x0F3A0B, dst, base, index, scale, disp, mode, 1);
    }

    // =====================================================================================
    // Operand sizes
    // =====================================================================================

    /** Flags for a form whose reg and rm operands both have {@code size}. */
    private static int sz(int size) {
        // the common sizes first, and the rest in a helper: small enough to inline everywhere
        if (size == 8) return W;
        if (size == 4) return 0;
        return szNarrow(size);
    }

    private static int szNarrow(int size) {
        return switch (size) {
            case 1 -> BREG | BRM;
            case 2 -> P66;
            default -> throw new IllegalArgumentException("operand size " + size);
        };
    }

    /** Flags for a form whose ModRM.reg is an opcode extension (only rm has {@code size}). */
    private static int szx(int size) {
        return sz(size) & ~BREG;
    }

    /** Flags for a form that has no byte variant (size 2, 4, 8). */
    private static int sz16(int size) {
        if (size == 1) {
            throw new IllegalArgumentException("no byte form");
        }
        return sz(size);
    }

    /** Flags for a form that takes a 32- or 64-bit general register. */
    private static int sz48(int size) {
        if (size == 4) {
            return 0;
        }
        if (size == 8) {
            return W;
        }
        throw new IllegalArgumentException("operand size " + size + " (4 or 8 expected)");
    }

    /**
     * Whether the sign-extended imm8 form computes the same operand-size value: at size 2 the
     * immediate counts modulo 2^16, so 0xFFFF is -1 and fits.
     */
    private static boolean fitsImm8(int size, int imm) {
        int v = size == 2 ? (short) imm : imm;
        return v == (byte) v;
    }

    /** Bytes of an immediate at operand size {@code size}: 64-bit forms take a sign-extended imm32. */
    private static int immBytes(int size) {
        return size == 8 ? 4 : size;
    }

    // =====================================================================================
    // The three emitters and the little-endian writers
    // =====================================================================================

    /**
     * The buffer with at least {@link #MAX_INSN} free bytes after {@code length}. Every
     * instruction starts here, so the growth lives in a helper and this stays within HotSpot's
     * MaxInlineSize (35 bytes of bytecode), inlined at every call site.
     */
    private byte[] reserve() {
        byte[] d = data;
        return length + MAX_INSN <= d.length ? d : grow();
    }

    private byte[] grow() {
        return data = Arrays.copyOf(data, Math.max(data.length * 2, length + MAX_INSN));
    }

    /** {@code [prefixes] [REX] opcode ModRM(mod=11, reg, rm) [imm]}. */
    private void emitRR(int op, int reg, int rm, int imm, int immBytes) {
        assert reg >= 0 && reg < 16 && rm >= 0 && rm < 16 : "register out of range";
        byte[] d = reserve();
        int p = legacyPrefixes(d, length, op);
        int rex = (op & W) >>> 21 | (reg & 8) >>> 1 | (rm & 8) >>> 3;
        if (rex != 0 || (op & BREG) != 0 && (reg & 12) == 4 || (op & BRM) != 0 && (rm & 12) == 4) {
            d[p++] = (byte) (0x40 | rex);
        }
        p = opcode(d, p, op);
        d[p++] = (byte) (0xC0 | (reg & 7) << 3 | rm & 7);
        length = putImm(d, p, imm, immBytes);
    }

    /** {@code [prefixes] [REX] opcode+(reg & 7) [imm]}: the register lives in the opcode byte. */
    private void emitO(int op, int reg, int imm, int immBytes) {
        assert reg >= 0 && reg < 16 : "register out of range";
        byte[] d = reserve();
        int p = legacyPrefixes(d, length, op);
        int rex = (op & W) >>> 21 | (reg & 8) >>> 3;
        if (rex != 0 || (op & BRM) != 0 && (reg & 12) == 4) {
            d[p++] = (byte) (0x40 | rex);
        }
        p = opcode(d, p, op | reg & 7);
        length = putImm(d, p, imm, immBytes);
    }

    /**
     * {@code [prefixes] [REX] opcode ModRM [SIB] [disp] [imm]} with a memory operand (SDM vol. 2,
     * tables 2-2 and 2-3). {@code reg} is a register or an opcode extension.
     */
    private void emitM(int op, int reg, int base, int index, int scale, int disp, int imm, int immBytes) {
        assert reg >= 0 && reg < 16 : "register out of range";
        if (base < LABEL || base > 15 || index < NONE || index > 15 || index == X64Reg.RSP) {
            throw new IllegalArgumentException(index == X64Reg.RSP ? "rsp cannot be an index register"
                    : "bad memory operand base " + base + " index " + index);
        }
        int ss = 0;
        if (index >= 0) {
            ss = switch (scale) {
                case 1 -> 0;
                case 2 -> 1;
                case 4 -> 2;
                case 8 -> 3;
                default -> throw new IllegalArgumentException("scale " + scale);
            };
        }
        byte[] d = reserve();
        int p = legacyPrefixes(d, length, op);
        int rex = (op & W) >>> 21 | (reg & 8) >>> 1;
        if (index > 7) {
            rex |= 2; // REX.X
        }
        if (base > 7) {
            rex |= 1; // REX.B
        }
        if (rex != 0 || (op & BREG) != 0 && (reg & 12) == 4) {
            d[p++] = (byte) (0x40 | rex);
        }
        p = opcode(d, p, op);
        int r = (reg & 7) << 3;
        int sibIndex = index < 0 ? 4 << 3 : (index & 7) << 3;
        if (base >= 0) {
            int b = base & 7;
            // rm=101 with mod=00 means RIP-relative, so rbp/r13 always carry a displacement
            int mod = disp == 0 && b != 5 ? 0x00 : disp == (byte) disp ? 0x40 : 0x80;
            if (index < 0 && b != 4) {
                d[p++] = (byte) (mod | r | b);
            } else {
                d[p++] = (byte) (mod | r | 4); // rm=100: a SIB follows
                d[p++] = (byte) (ss << 6 | sibIndex | b);
            }
            if (mod == 0x40) {
                d[p++] = (byte) disp;
            } else if (mod == 0x80) {
                p = putInt(d, p, disp);
            }
        } else if (base == NONE) {
            d[p++] = (byte) (r | 4);
            d[p++] = (byte) (ss << 6 | sibIndex | 5); // SIB.base=101 with mod=00: no base, disp32
            p = putInt(d, p, disp);
        } else {
            if (index >= 0) {
                throw new IllegalArgumentException("RIP-relative operands take no index");
            }
            d[p++] = (byte) (r | 5);
            p = base == RIP ? putInt(d, p, disp) : rel32(d, p, disp, immBytes);
        }
        length = putImm(d, p, imm, immBytes);
    }

    /**
     * {@code [F2] [REX] opcode ModRM SIB [disp]} for the operand {@code [rsp + disp]}: the bytes
     * {@link #emitM} writes for base rsp without an index (rm=100, SIB 0x24; rsp needs no REX.B
     * and, unlike rbp, no displacement when it is 0), without its general operand decoding. In
     * code from the single-pass allocator spill stores and reloads are about as many as the
     * instructions themselves, so they are worth a path of their own. {@code op} carries W or
     * PF2 only.
     */
    private void emitS(int op, int reg, int disp) {
        assert reg >= 0 && reg < 16 : "register out of range";
        assert (op & (P66 | PF3 | LOCK | BREG | BRM)) == 0 : "prefix emitS does not write";
        byte[] d = reserve();
        int p = length;
        if ((op & PF2) != 0) {
            d[p++] = (byte) 0xF2;
        }
        int rex = (op & W) >>> 21 | (reg & 8) >>> 1;
        if (rex != 0) {
            d[p++] = (byte) (0x40 | rex);
        }
        p = opcode(d, p, op);
        int r = (reg & 7) << 3;
        if (disp == 0) {
            d[p] = (byte) (r | 4);
            d[p + 1] = 0x24;
            length = p + 2;
        } else if (disp == (byte) disp) {
            d[p] = (byte) (0x40 | r | 4);
            d[p + 1] = 0x24;
            d[p + 2] = (byte) disp;
            length = p + 3;
        } else {
            d[p] = (byte) (0x80 | r | 4);
            d[p + 1] = 0x24;
            length = putInt(d, p + 2, disp);
        }
    }

    private static int legacyPrefixes(byte[] d, int p, int op) {
        if ((op & P66) != 0) {
            d[p++] = 0x66;
        }
        if ((op & LOCK) != 0) {
            d[p++] = (byte) 0xF0;
        }
        if ((op & PF3) != 0) {
            d[p++] = (byte) 0xF3;
        } else if ((op & PF2) != 0) {
            d[p++] = (byte) 0xF2;
        }
        return p;
    }

    /** One to three opcode bytes; a non-zero byte above the last marks the longer forms (all start 0x0F). */
    private static int opcode(byte[] d, int p, int op) {
        if ((op & 0xFF0000) != 0) {
            d[p++] = (byte) (op >>> 16);
        }
        if ((op & 0xFFFF00) != 0) {
            d[p++] = (byte) (op >>> 8);
        }
        d[p++] = (byte) op;
        return p;
    }

    private static int putImm(byte[] d, int p, int v, int n) {
        switch (n) {
            case 0 -> {
            }
            case 1 -> d[p++] = (byte) v;
            case 2 -> {
                d[p] = (byte) v;
                d[p + 1] = (byte) (v >>> 8);
                p += 2;
            }
            default -> p = putInt(d, p, v);
        }
        return p;
    }

    /**
     * Little-endian stores through byte-array views: one store instead of four, and small
     * enough in bytecode (under HotSpot's MaxInlineSize) to be inlined at every call site.
     */
    private static int putInt(byte[] d, int p, int v) {
        INT_LE.set(d, p, v);
        return p + 4;
    }

    private static int putLong(byte[] d, int p, long v) {
        LONG_LE.set(d, p, v);
        return p + 8;
    }

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
}
