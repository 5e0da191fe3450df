package dev.twill.isa.x64.asm;

/**
 * x86-64 register numbers as the hardware encodes them (Intel SDM vol. 2, section 2.2.1.2, table
 * 3-1): the low three bits go into ModRM.reg, ModRM.rm, SIB.index or SIB.base, the fourth bit into
 * REX.R, REX.B or REX.X. General-purpose and XMM registers share the numbers 0-15; the instruction
 * form says which file an operand names. Byte-sized access to 4-7 means spl, bpl, sil, dil (a REX
 * prefix is then required); ah, ch, dh, bh are never used.
 *
 * <p>Memory operands take a base, which is a register 0-15 or one of the pseudo bases below.
 */
public final class X64Reg {
    private X64Reg() {}

    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    public static final int R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    public static final int XMM0 = 0, XMM1 = 1, XMM2 = 2, XMM3 = 3, XMM4 = 4, XMM5 = 5, XMM6 = 6, XMM7 = 7;
    public static final int XMM8 = 8, XMM9 = 9, XMM10 = 10, XMM11 = 11, XMM12 = 12, XMM13 = 13, XMM14 = 14,
            XMM15 = 15;

    /** "No register": an absent index, or as a base, an absolute {@code [index*scale + disp32]}. */
    public static final int NONE = -1;
    /** Pseudo base: {@code [rip + disp32]}, the displacement counted from the end of the instruction. */
    public static final int RIP = -2;
    /** Pseudo base: {@code [rip + label]}; the displacement argument is then a label id. */
    public static final int LABEL = -3;

    private static final String[] Q = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final String[] D = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
        "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final String[] W = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    private static final String[] B = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};

    /** The Intel name of general-purpose register {@code reg} accessed at {@code size} bytes (1, 2, 4, 8). */
    public static String gprName(int reg, int size) {
        return switch (size) {
            case 1 -> B[reg];
            case 2 -> W[reg];
            case 4 -> D[reg];
            case 8 -> Q[reg];
            default -> throw new IllegalArgumentException("operand size " + size);
        };
    }

    /** The name of XMM register {@code reg}. */
    public static String xmmName(int reg) {
        return "xmm" + reg;
    }
}
