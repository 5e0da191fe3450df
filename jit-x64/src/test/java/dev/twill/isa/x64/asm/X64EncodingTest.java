package dev.twill.isa.x64.asm;

import static dev.twill.isa.x64.asm.X64Assembler.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Table-driven encoder test: every form with many operand combinations (all 16 registers on each
 * side, every base and index register, all scales, displacements 0 / disp8 / disp32 / negative,
 * immediates at the 8-, 16- and 32-bit edges). Each row is Intel-syntax text written by this test
 * plus the assembler call that should encode it. The oracle is llvm-mc: the whole table is
 * assembled in one run and our bytes must equal LLVM's; then our bytes, concatenated, are
 * disassembled in one run ({@code llvm-mc --disassemble}) and must decode to the text LLVM printed
 * for the source, and llvm-objdump must find every instruction at the offset where it was emitted.
 */
class X64EncodingTest {
    /** One assembler call. */
    interface Emit {
        void emit(X64Assembler a);
    }

    record Case(String form, String text, Emit emit) {}

    // The test's own register names (Intel SDM table 3-1), independent of X64Reg's.
    static final String[] Q = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    static final String[] D = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
        "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    static final String[] WD = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    static final String[] B = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
    static final int[] SIZES = {1, 2, 4, 8};
    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};

    static String r(int reg, int size) {
        return switch (size) {
            case 1 -> B[reg];
            case 2 -> WD[reg];
            case 4 -> D[reg];
            default -> Q[reg];
        };
    }

    static String x(int reg) {
        return "xmm" + reg;
    }

    static String ptr(int size) {
        return switch (size) {
            case 1 -> "byte ptr ";
            case 2 -> "word ptr ";
            case 4 -> "dword ptr ";
            case 8 -> "qword ptr ";
            case 16 -> "xmmword ptr ";
            default -> throw new AssertionError();
        };
    }

    /** A memory operand as the assembler takes it, and its Intel text. */
    record Mem(int base, int index, int scale, int disp) {
        String text() {
            StringBuilder s = new StringBuilder("[");
            if (base == X64Reg.RIP) {
                s.append("rip");
            } else if (base >= 0) {
                s.append(Q[base]);
            }
            if (index >= 0) {
                s.append(s.length() > 1 ? " + " : "").append(scale).append('*').append(Q[index]);
            }
            if (s.length() == 1) {
                s.append(disp);
            } else if (disp != 0) {
                s.append(disp < 0 ? " - " : " + ").append(Math.abs((long) disp));
            }
            return s.append(']').toString();
        }
    }

    static final int NONE = X64Reg.NONE;
    static final int[] DISPS = {0, 1, -1, 127, -128, 128, -129, 0x12345678, Integer.MIN_VALUE};

    /** Every base with every displacement class, every index with every base, no base, RIP. */
    static final List<Mem> MEMS_FULL = new ArrayList<>();
    /** A cross-section of the special cases, for sweeping all 16 registers against it. */
    static final List<Mem> MEMS_SMALL = List.of(
            new Mem(0, NONE, 1, 0), new Mem(4, NONE, 1, 0), new Mem(5, NONE, 1, 0), new Mem(12, NONE, 1, 0),
            new Mem(13, NONE, 1, 0), new Mem(15, NONE, 1, 8), new Mem(5, NONE, 1, -128), new Mem(13, NONE, 1, 127),
            new Mem(4, NONE, 1, 128), new Mem(12, NONE, 1, -129), new Mem(0, NONE, 1, 0x12345678),
            new Mem(3, 1, 2, 1), new Mem(4, 12, 8, -8), new Mem(5, 13, 4, 0), new Mem(13, 0, 1, 1000),
            new Mem(12, 15, 8, Integer.MIN_VALUE), new Mem(NONE, 1, 4, 16), new Mem(NONE, NONE, 1, 0x1000),
            new Mem(X64Reg.RIP, NONE, 1, 16), new Mem(X64Reg.RIP, NONE, 1, -5));

    static {
        for (int base = 0; base < 16; base++) {
            for (int disp : DISPS) {
                MEMS_FULL.add(new Mem(base, NONE, 1, disp));
            }
        }
        for (int base = -1; base < 16; base++) {
            for (int index = 0; index < 16; index++) {
                if (index == 4) {
                    continue;
                }
                int scale = 1 << ((base + index + 4) & 3);
                MEMS_FULL.add(new Mem(base, index, scale, 0));
                MEMS_FULL.add(new Mem(base, index, 1 << ((base + index + 5) & 3), -1000));
            }
        }
        MEMS_FULL.add(new Mem(NONE, NONE, 1, 0));
        MEMS_FULL.add(new Mem(NONE, NONE, 1, -8));
        MEMS_FULL.add(new Mem(X64Reg.RIP, NONE, 1, 0));
        MEMS_FULL.add(new Mem(X64Reg.RIP, NONE, 1, Integer.MAX_VALUE));
    }

    static final int[] IMMS = {0, 1, -1, 2, 127, -128, 128, -129, 255, 256, 32767, -32768, 32768, 65535,
        Integer.MAX_VALUE, Integer.MIN_VALUE, 0x12345678, -0x12345678};

    static boolean immFits(int size, int imm) {
        return switch (size) {
            case 1 -> imm >= -128 && imm <= 255;
            case 2 -> imm >= -32768 && imm <= 65535;
            default -> true;
        };
    }

    final List<Case> cases = new ArrayList<>();

    void add(String form, String text, Emit e) {
        cases.add(new Case(form, text, e));
    }

    /** A register-register form over all 16 x 16 pairs. */
    interface RR {
        void emit(X64Assembler a, int dst, int src);
    }

    interface RRText {
        String text(int dst, int src);
    }

    void allPairs(String form, RRText text, RR emit) {
        for (int d = 0; d < 16; d++) {
            for (int s = 0; s < 16; s++) {
                int dd = d, ss = s;
                add(form, text.text(d, s), a -> emit.emit(a, dd, ss));
            }
        }
    }

    /** A register-memory form: the full memory list with rotating registers, then all 16 registers against the small list. */
    interface RM {
        void emit(X64Assembler a, int reg, Mem m);
    }

    interface RMText {
        String text(int reg, String mem);
    }

    void regMem(String form, RMText text, RM emit) {
        int i = 0;
        for (Mem m : MEMS_FULL) {
            int reg = i++ & 15;
            add(form, text.text(reg, m.text()), a -> emit.emit(a, reg, m));
        }
        for (int reg = 0; reg < 16; reg++) {
            for (Mem m : MEMS_SMALL) {
                int rr = reg;
                add(form, text.text(reg, m.text()), a -> emit.emit(a, rr, m));
            }
        }
    }

    /** A memory-only form (the ModRM.reg field is an opcode extension). */
    interface M {
        void emit(X64Assembler a, Mem m);
    }

    void mem(String form, java.util.function.Function<String, String> text, M emit) {
        for (Mem m : MEMS_FULL) {
            if (m.base == NONE && m.index == NONE && (form.equals("jmpM") || form.equals("callM"))) {
                continue; // llvm-mc's Intel parser reads "jmp qword ptr [8]" as a direct jmp to 8
            }
            add(form, text.apply(m.text()), a -> emit.emit(a, m));
        }
    }

    void buildTable() {
        String[] alu = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
        int[] aluOps = {ADD, OR, ADC, SBB, AND, SUB, XOR, CMP};
        for (int size : SIZES) {
            String p = ptr(size);
            allPairs("movRR", (d, s) -> "mov " + r(d, size) + ", " + r(s, size), (a, d, s) -> a.movRR(size, d, s));
            for (int reg = 0; reg < 16; reg++) {
                for (int imm : IMMS) {
                    if (immFits(size, imm)) {
                        int rr = reg;
                        add("movRI", "mov " + r(reg, size) + ", " + imm, a -> a.movRI(size, rr, imm));
                    }
                }
            }
            regMem("movRM", (g, m) -> "mov " + r(g, size) + ", " + p + m,
                    (a, g, m) -> a.movRM(size, g, m.base, m.index, m.scale, m.disp));
            regMem("movMR", (g, m) -> "mov " + p + m + ", " + r(g, size),
                    (a, g, m) -> a.movMR(size, m.base, m.index, m.scale, m.disp, g));
            int k = 0;
            for (Mem m : MEMS_FULL) {
                int imm = IMMS[k++ % IMMS.length];
                if (immFits(size, imm)) {
                    add("movMI", "mov " + p + m.text() + ", " + imm,
                            a -> a.movMI(size, m.base, m.index, m.scale, m.disp, imm));
                }
            }
            for (int o = 0; o < 8; o++) {
                int op = aluOps[o];
                String mn = alu[o];
                allPairs("aluRR", (d, s) -> mn + " " + r(d, size) + ", " + r(s, size), (a, d, s) -> a.aluRR(op, size, d, s));
                for (int reg = 0; reg < 16; reg++) {
                    for (int imm : IMMS) {
                        if (immFits(size, imm)) {
                            int rr = reg;
                            add("aluRI", mn + " " + r(reg, size) + ", " + imm, a -> a.aluRI(op, size, rr, imm));
                        }
                    }
                }
                regMem("aluRM", (g, m) -> mn + " " + r(g, size) + ", " + p + m,
                        (a, g, m) -> a.aluRM(op, size, g, m.base, m.index, m.scale, m.disp));
                regMem("aluMR", (g, m) -> mn + " " + p + m + ", " + r(g, size),
                        (a, g, m) -> a.aluMR(op, size, m.base, m.index, m.scale, m.disp, g));
                k = o;
                for (Mem m : MEMS_FULL) {
                    int imm = IMMS[k++ % IMMS.length];
                    if (immFits(size, imm)) {
                        add("aluMI", mn + " " + p + m.text() + ", " + imm,
                                a -> a.aluMI(op, size, m.base, m.index, m.scale, m.disp, imm));
                    }
                }
            }
            allPairs("testRR", (d, s) -> "test " + r(d, size) + ", " + r(s, size), (a, d, s) -> a.testRR(size, d, s));
            for (int reg = 0; reg < 16; reg++) {
                for (int imm : IMMS) {
                    if (immFits(size, imm)) {
                        int rr = reg;
                        add("testRI", "test " + r(reg, size) + ", " + imm, a -> a.testRI(size, rr, imm));
                    }
                }
            }
            regMem("testMR", (g, m) -> "test " + p + m + ", " + r(g, size),
                    (a, g, m) -> a.testMR(size, m.base, m.index, m.scale, m.disp, g));
            k = 3;
            for (Mem m : MEMS_FULL) {
                int imm = IMMS[k++ % IMMS.length];
                if (immFits(size, imm)) {
                    add("testMI", "test " + p + m.text() + ", " + imm,
                            a -> a.testMI(size, m.base, m.index, m.scale, m.disp, imm));
                }
            }
            String[] un = {null, null, "not", "neg", "mul", "imul", "div", "idiv"};
            for (int op = NOT; op <= IDIV; op++) {
                int o = op;
                for (int reg = 0; reg < 16; reg++) {
                    int rr = reg;
                    add("unaryR", un[op] + " " + r(reg, size), a -> a.unaryR(o, size, rr));
                }
                mem("unaryM", m -> un[o] + " " + p + m, (a, m) -> a.unaryM(o, size, m.base, m.index, m.scale, m.disp));
            }
            String[] sh = {"rol", "ror", null, null, "shl", "shr", null, "sar"};
            int[] counts = {0, 1, 2, 5, 7, 8, 15, 16, 31, 32, 63};
            for (int op : new int[] {ROL, ROR, SHL, SHR, SAR}) {
                for (int reg = 0; reg < 16; reg++) {
                    int rr = reg;
                    add("shiftRCl", sh[op] + " " + r(reg, size) + ", cl", a -> a.shiftRCl(op, size, rr));
                    for (int c : counts) {
                        add("shiftRI", sh[op] + " " + r(reg, size) + ", " + c, a -> a.shiftRI(op, size, rr, c));
                    }
                }
                mem("shiftMCl", m -> sh[op] + " " + p + m + ", cl", (a, m) -> a.shiftMCl(op, size, m.base, m.index, m.scale, m.disp));
                k = op;
                for (Mem m : MEMS_FULL) {
                    int c = counts[k++ % counts.length];
                    add("shiftMI", sh[op] + " " + p + m.text() + ", " + c,
                            a -> a.shiftMI(op, size, m.base, m.index, m.scale, m.disp, c));
                }
            }
            allPairs("xchgRR", (d, s) -> "xchg " + r(d, size) + ", " + r(s, size), (a, d, s) -> a.xchgRR(size, d, s));
            regMem("xchgMR", (g, m) -> "xchg " + p + m + ", " + r(g, size),
                    (a, g, m) -> a.xchgMR(size, m.base, m.index, m.scale, m.disp, g));
        }
        for (int size : new int[] {2, 4, 8}) {
            String p = ptr(size);
            regMem("leaRM", (g, m) -> "lea " + r(g, size) + ", " + m,
                    (a, g, m) -> a.leaRM(size, g, m.base, m.index, m.scale, m.disp));
            allPairs("imulRR", (d, s) -> "imul " + r(d, size) + ", " + r(s, size), (a, d, s) -> a.imulRR(size, d, s));
            regMem("imulRM", (g, m) -> "imul " + r(g, size) + ", " + p + m,
                    (a, g, m) -> a.imulRM(size, g, m.base, m.index, m.scale, m.disp));
            int k = 0;
            for (int d = 0; d < 16; d++) {
                for (int s = 0; s < 16; s++) {
                    int imm = IMMS[k++ % IMMS.length];
                    if (immFits(size, imm)) {
                        int dd = d, ss = s;
                        add("imulRRI", "imul " + r(d, size) + ", " + r(s, size) + ", " + imm, a -> a.imulRRI(size, dd, ss, imm));
                    }
                }
            }
            regMem("imulRMI", (g, m) -> "imul " + r(g, size) + ", " + p + m + ", " + (g % 2 == 0 ? 100 : -1000),
                    (a, g, m) -> a.imulRMI(size, g, m.base, m.index, m.scale, m.disp, g % 2 == 0 ? 100 : -1000));
            for (int cc = 0; cc < 16; cc++) {
                int c = cc;
                if (cc == X64Cond.NE) {
                    allPairs("cmovRR", (d, s) -> "cmov" + CC[c] + " " + r(d, size) + ", " + r(s, size), (a, d, s) -> a.cmovRR(c, size, d, s));
                } else {
                    for (int reg = 0; reg < 16; reg++) {
                        int d = reg, s = (reg * 7 + cc) & 15;
                        add("cmovRR", "cmov" + CC[c] + " " + r(d, size) + ", " + r(s, size), a -> a.cmovRR(c, size, d, s));
                    }
                }
                Mem m = MEMS_SMALL.get(cc);
                for (int reg = 0; reg < 16; reg++) {
                    int rr = reg;
                    add("cmovRM", "cmov" + CC[c] + " " + r(reg, size) + ", " + p + m.text(),
                            a -> a.cmovRM(c, size, rr, m.base, m.index, m.scale, m.disp));
                }
            }
            String[] bits = {"lzcnt", "tzcnt", "popcnt", "bsr", "bsf"};
            for (int b = 0; b < bits.length; b++) {
                int bb = b;
                String mn = bits[b];
                allPairs(mn + "RR", (d, s) -> mn + " " + r(d, size) + ", " + r(s, size), (a, d, s) -> {
                    switch (bb) {
                        case 0 -> a.lzcntRR(size, d, s);
                        case 1 -> a.tzcntRR(size, d, s);
                        case 2 -> a.popcntRR(size, d, s);
                        case 3 -> a.bsrRR(size, d, s);
                        default -> a.bsfRR(size, d, s);
                    }
                });
                regMem(mn + "RM", (g, m) -> mn + " " + r(g, size) + ", " + p + m, (a, g, m) -> {
                    switch (bb) {
                        case 0 -> a.lzcntRM(size, g, m.base, m.index, m.scale, m.disp);
                        case 1 -> a.tzcntRM(size, g, m.base, m.index, m.scale, m.disp);
                        case 2 -> a.popcntRM(size, g, m.base, m.index, m.scale, m.disp);
                        case 3 -> a.bsrRM(size, g, m.base, m.index, m.scale, m.disp);
                        default -> a.bsfRM(size, g, m.base, m.index, m.scale, m.disp);
                    }
                });
            }
        }
        // movzx / movsx / movsxd
        int[][] ext = {{2, 1}, {4, 1}, {8, 1}, {4, 2}, {8, 2}};
        for (int[] e : ext) {
            int ds = e[0], ss = e[1];
            allPairs("movzxRR", (d, s) -> "movzx " + r(d, ds) + ", " + r(s, ss), (a, d, s) -> a.movzxRR(ds, ss, d, s));
            allPairs("movsxRR", (d, s) -> "movsx " + r(d, ds) + ", " + r(s, ss), (a, d, s) -> a.movsxRR(ds, ss, d, s));
            regMem("movzxRM", (g, m) -> "movzx " + r(g, ds) + ", " + ptr(ss) + m,
                    (a, g, m) -> a.movzxRM(ds, ss, g, m.base, m.index, m.scale, m.disp));
            regMem("movsxRM", (g, m) -> "movsx " + r(g, ds) + ", " + ptr(ss) + m,
                    (a, g, m) -> a.movsxRM(ds, ss, g, m.base, m.index, m.scale, m.disp));
        }
        allPairs("movsxdRR", (d, s) -> "movsxd " + Q[d] + ", " + D[s], (a, d, s) -> a.movsxRR(8, 4, d, s));
        regMem("movsxdRM", (g, m) -> "movsxd " + Q[g] + ", dword ptr " + m,
                (a, g, m) -> a.movsxRM(8, 4, g, m.base, m.index, m.scale, m.disp));
        // 64-bit constants
        long[] wide = {0, 1, -1, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, Integer.MIN_VALUE,
            Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE, 0x0123456789abcdefL, -0x0123456789abcdefL};
        for (int reg = 0; reg < 16; reg++) {
            int rr = reg;
            for (long v : wide) {
                add("movabsRI", "movabs " + Q[reg] + ", " + v, a -> a.movabsRI(rr, v));
                // the shortest move: the expected form is worked out here from the value's range
                String text = (v >>> 32) == 0 ? "mov " + D[reg] + ", " + v
                        : v == (int) v ? "mov " + Q[reg] + ", " + v : "movabs " + Q[reg] + ", " + v;
                add("movImm64", text, a -> a.movImm64(rr, v));
            }
        }
        // conditions, control flow, stack, misc
        for (int cc = 0; cc < 16; cc++) {
            for (int reg = 0; reg < 16; reg++) {
                int c = cc, rr = reg;
                add("setcc", "set" + CC[cc] + " " + B[reg], a -> a.setcc(c, rr));
            }
        }
        for (int reg = 0; reg < 16; reg++) {
            int rr = reg;
            add("jmpR", "jmp " + Q[reg], a -> a.jmpR(rr));
            add("callR", "call " + Q[reg], a -> a.callR(rr));
            add("push", "push " + Q[reg], a -> a.push(rr));
            add("pop", "pop " + Q[reg], a -> a.pop(rr));
            add("bswap", "bswap " + D[reg], a -> a.bswap(4, rr));
            add("bswap", "bswap " + Q[reg], a -> a.bswap(8, rr));
        }
        mem("jmpM", m -> "jmp qword ptr " + m, (a, m) -> a.jmpM(m.base, m.index, m.scale, m.disp));
        mem("callM", m -> "call qword ptr " + m, (a, m) -> a.callM(m.base, m.index, m.scale, m.disp));
        mem("pushM", m -> "push qword ptr " + m, (a, m) -> a.pushM(m.base, m.index, m.scale, m.disp));
        mem("popM", m -> "pop qword ptr " + m, (a, m) -> a.popM(m.base, m.index, m.scale, m.disp));
        for (int imm : new int[] {0, 1, -1, 127, -128, 128, -129, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            add("pushI", "push " + imm, a -> a.pushI(imm));
        }
        add("ret", "ret", X64Assembler::ret);
        add("ret", "ret 8", a -> a.ret(8));
        add("ret", "ret 65535", a -> a.ret(65535));
        add("cdq", "cdq", X64Assembler::cdq);
        add("cqo", "cqo", X64Assembler::cqo);
        add("ud2", "ud2", X64Assembler::ud2);
        add("int3", "int3", X64Assembler::int3);
        // SSE
        Object[][] sse = {
            {"movss", MOVSS, 4}, {"movsd", MOVSD, 8}, {"movups", MOVUPS, 16}, {"movaps", MOVAPS, 16},
            {"movapd", MOVAPD, 16}, {"addss", ADDSS, 4}, {"addsd", ADDSD, 8}, {"subss", SUBSS, 4},
            {"subsd", SUBSD, 8}, {"mulss", MULSS, 4}, {"mulsd", MULSD, 8}, {"divss", DIVSS, 4},
            {"divsd", DIVSD, 8}, {"sqrtss", SQRTSS, 4}, {"sqrtsd", SQRTSD, 8}, {"minss", MINSS, 4},
            {"minsd", MINSD, 8}, {"maxss", MAXSS, 4}, {"maxsd", MAXSD, 8}, {"ucomiss", UCOMISS, 4},
            {"ucomisd", UCOMISD, 8}, {"comiss", COMISS, 4}, {"comisd", COMISD, 8},
            {"cvtss2sd", CVTSS2SD, 4}, {"cvtsd2ss", CVTSD2SS, 8}, {"andps", ANDPS, 16},
            {"andpd", ANDPD, 16}, {"andnps", ANDNPS, 16}, {"andnpd", ANDNPD, 16}, {"orps", ORPS, 16},
            {"orpd", ORPD, 16}, {"xorps", XORPS, 16}, {"xorpd", XORPD, 16}, {"pxor", PXOR, 16},
            {"pand", PAND, 16}, {"por", POR, 16},
        };
        for (Object[] row : sse) {
            String mn = (String) row[0];
            int op = (Integer) row[1];
            String p = ptr((Integer) row[2]);
            allPairs("sseRR", (d, s) -> mn + " " + x(d) + ", " + x(s), (a, d, s) -> a.sseRR(op, d, s));
            regMem("sseRM", (g, m) -> mn + " " + x(g) + ", " + p + m, (a, g, m) -> a.sseRM(op, g, m.base, m.index, m.scale, m.disp));
        }
        regMem("movssMR", (g, m) -> "movss dword ptr " + m + ", " + x(g), (a, g, m) -> a.movssMR(m.base, m.index, m.scale, m.disp, g));
        regMem("movsdMR", (g, m) -> "movsd qword ptr " + m + ", " + x(g), (a, g, m) -> a.movsdMR(m.base, m.index, m.scale, m.disp, g));
        // the spill-slot moves' short path: every register against every displacement class at [rsp + disp]
        for (int reg = 0; reg < 16; reg++) {
            for (int disp : DISPS) {
                int g = reg, dd = disp;
                String m = new Mem(X64Reg.RSP, NONE, 1, disp).text();
                add("movqRS", "mov " + Q[g] + ", qword ptr " + m, a -> a.movqRS(g, dd));
                add("movqSR", "mov qword ptr " + m + ", " + Q[g], a -> a.movqSR(dd, g));
                add("movsdXS", "movsd " + x(g) + ", qword ptr " + m, a -> a.movsdXS(g, dd));
                add("movsdSX", "movsd qword ptr " + m + ", " + x(g), a -> a.movsdSX(dd, g));
            }
        }
        regMem("movapsMR", (g, m) -> "movaps xmmword ptr " + m + ", " + x(g), (a, g, m) -> a.movapsMR(m.base, m.index, m.scale, m.disp, g));
        regMem("movapdMR", (g, m) -> "movapd xmmword ptr " + m + ", " + x(g), (a, g, m) -> a.movapdMR(m.base, m.index, m.scale, m.disp, g));
        regMem("movupsMR", (g, m) -> "movups xmmword ptr " + m + ", " + x(g), (a, g, m) -> a.movupsMR(m.base, m.index, m.scale, m.disp, g));
        for (int size : new int[] {4, 8}) {
            String mv = size == 4 ? "movd" : "movq";
            allPairs("movdXR", (d, s) -> mv + " " + x(d) + ", " + r(s, size), (a, d, s) -> a.movdXR(size, d, s));
            allPairs("movdRX", (d, s) -> mv + " " + r(d, size) + ", " + x(s), (a, d, s) -> a.movdRX(size, d, s));
            allPairs("cvtsi2ssRR", (d, s) -> "cvtsi2ss " + x(d) + ", " + r(s, size), (a, d, s) -> a.cvtsi2ssRR(size, d, s));
            allPairs("cvtsi2sdRR", (d, s) -> "cvtsi2sd " + x(d) + ", " + r(s, size), (a, d, s) -> a.cvtsi2sdRR(size, d, s));
            regMem("cvtsi2ssRM", (g, m) -> "cvtsi2ss " + x(g) + ", " + ptr(size) + m,
                    (a, g, m) -> a.cvtsi2ssRM(size, g, m.base, m.index, m.scale, m.disp));
            regMem("cvtsi2sdRM", (g, m) -> "cvtsi2sd " + x(g) + ", " + ptr(size) + m,
                    (a, g, m) -> a.cvtsi2sdRM(size, g, m.base, m.index, m.scale, m.disp));
            allPairs("cvttss2siRR", (d, s) -> "cvttss2si " + r(d, size) + ", " + x(s), (a, d, s) -> a.cvttss2siRR(size, d, s));
            allPairs("cvttsd2siRR", (d, s) -> "cvttsd2si " + r(d, size) + ", " + x(s), (a, d, s) -> a.cvttsd2siRR(size, d, s));
            regMem("cvttss2siRM", (g, m) -> "cvttss2si " + r(g, size) + ", dword ptr " + m,
                    (a, g, m) -> a.cvttss2siRM(size, g, m.base, m.index, m.scale, m.disp));
            regMem("cvttsd2siRM", (g, m) -> "cvttsd2si " + r(g, size) + ", qword ptr " + m,
                    (a, g, m) -> a.cvttsd2siRM(size, g, m.base, m.index, m.scale, m.disp));
        }
        allPairs("roundssRR", (d, s) -> "roundss " + x(d) + ", " + x(s) + ", " + ((d + s) & 15),
                (a, d, s) -> a.roundssRR(d, s, (d + s) & 15));
        allPairs("roundsdRR", (d, s) -> "roundsd " + x(d) + ", " + x(s) + ", " + ((d + s) & 15),
                (a, d, s) -> a.roundsdRR(d, s, (d + s) & 15));
        regMem("roundssRM", (g, m) -> "roundss " + x(g) + ", dword ptr " + m + ", " + (g & 11),
                (a, g, m) -> a.roundssRM(g, m.base, m.index, m.scale, m.disp, g & 11));
        regMem("roundsdRM", (g, m) -> "roundsd " + x(g) + ", qword ptr " + m + ", " + (g & 11),
                (a, g, m) -> a.roundsdRM(g, m.base, m.index, m.scale, m.disp, g & 11));
        // atomics: lock-prefixed read-modify-writes, cmpxchg, mfence
        for (int size : SIZES) {
            String p = ptr(size);
            regMem("lock xaddMR", (g, m) -> "lock xadd " + p + m + ", " + r(g, size), (a, g, m) -> a.lockXaddMR(size, m.base, m.index, m.scale, m.disp, g));
            regMem("lock cmpxchgMR", (g, m) -> "lock cmpxchg " + p + m + ", " + r(g, size), (a, g, m) -> a.lockCmpxchgMR(size, m.base, m.index, m.scale, m.disp, g));
        }
        add("mfence", "mfence", X64Assembler::mfence);
        // FMA3: every destination, with the two sources rotating through all registers
        for (int d = 0; d < 16; d++) {
            for (int k = 0; k < 16; k++) {
                int dd = d, aa = k, bb = (k * 7 + d) & 15;
                add("vfmadd231ss", "vfmadd231ss " + x(dd) + ", " + x(aa) + ", " + x(bb), a -> a.vfmadd231RR(4, dd, aa, bb));
                add("vfmadd231sd", "vfmadd231sd " + x(dd) + ", " + x(aa) + ", " + x(bb), a -> a.vfmadd231RR(8, dd, aa, bb));
            }
        }
    }

    @Test
    void everyFormMatchesLlvmMcAndDisassemblesBack() {
        buildTable();
        List<String> lines = new ArrayList<>(cases.size());
        for (Case c : cases) {
            lines.add(c.text);
        }
        List<LlvmMc.Insn> expected = LlvmMc.assemble(lines);

        // Encode the whole table into one buffer (a reused assembler), remembering each row's span.
        X64Assembler a = new X64Assembler(64);
        int[] start = new int[cases.size() + 1];
        Map<String, Integer> failuresByForm = new TreeMap<>();
        StringBuilder report = new StringBuilder();
        int failures = 0;
        for (int i = 0; i < cases.size(); i++) {
            start[i] = a.size();
            Case c = cases.get(i);
            try {
                c.emit.emit(a);
            } catch (RuntimeException e) {
                failures = note(report, failures, failuresByForm, c, c.text + ": threw " + e);
                continue;
            }
            byte[] want = expected.get(i).bytes();
            byte[] got = Arrays.copyOfRange(a.data(), start[i], a.size());
            if (!Arrays.equals(want, got)) {
                failures = note(report, failures, failuresByForm, c,
                        c.text + ": llvm-mc [" + LlvmMc.hex(want, 0, want.length) + "], twill [" + LlvmMc.hex(got, 0, got.length) + "]");
            }
        }
        start[cases.size()] = a.size();
        if (failures > 0) {
            fail(failures + " of " + cases.size() + " encodings differ from llvm-mc; by form " + failuresByForm + "\n" + report);
        }

        // Our bytes must decode, instruction by instruction, to what LLVM printed for the source.
        List<LlvmMc.Insn> decoded = LlvmMc.disassemble(a.data(), a.size());
        assertEquals(cases.size(), decoded.size(), "instructions decoded from twill's bytes");
        // The disassembler prints immediates in one canonical way (mov al, 255 reads back as
        // mov al, -1); such rows must differ only in that number, modulo 256, and the decoded text
        // must assemble back to exactly our bytes.
        List<Integer> immRows = new ArrayList<>();
        List<String> immTexts = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            LlvmMc.Insn d = decoded.get(i);
            if (sameButImmediate(d.text(), expected.get(i).text())) {
                immRows.add(i);
                immTexts.add(d.text());
                continue;
            }
            if (c.text.equals("xchg ax, ax") && d.text().equals("nop")) {
                continue; // 66 90: LLVM assembles xchg ax, ax to it and prints it as the nop it is
            }
            if (!d.text().equals(expected.get(i).text())) {
                failures = note(report, failures, failuresByForm, c, c.text + ": llvm-mc reads twill's ["
                        + LlvmMc.hex(a.data(), start[i], start[i + 1]) + "] as '" + d.text() + "', expected '"
                        + expected.get(i).text() + "'");
            }
        }
        // Reassemble both the decoded text and LLVM's print of the source: LLVM's printer loses
        // a scale of 1 on a base-less index ([1*rbp] prints as [rbp]), so the two are compared
        // with each other, which checks the immediate exactly at its operand width.
        List<String> both = new ArrayList<>();
        for (int j = 0; j < immRows.size(); j++) {
            both.add(immTexts.get(j));
            both.add(expected.get(immRows.get(j)).text());
        }
        List<LlvmMc.Insn> again = LlvmMc.assemble(both);
        for (int j = 0; j < immRows.size(); j++) {
            int i = immRows.get(j);
            byte[] fromDecoded = again.get(2 * j).bytes(), fromSource = again.get(2 * j + 1).bytes();
            if (!Arrays.equals(fromDecoded, fromSource)) {
                failures = note(report, failures, failuresByForm, cases.get(i), cases.get(i).text + ": decoded as '"
                        + immTexts.get(j) + "', which llvm-mc assembles to [" + LlvmMc.hex(fromDecoded, 0,
                        fromDecoded.length) + "], not [" + LlvmMc.hex(fromSource, 0, fromSource.length) + "]");
            }
        }
        if (failures > 0) {
            fail(failures + " of " + cases.size() + " encodings do not disassemble back; by form " + failuresByForm + "\n" + report);
        }
        // And instruction boundaries: LLVM must find each row's instruction exactly where it starts.
        List<LlvmMc.Decoded> dumped = LlvmMc.objdump(a.data(), a.size());
        assertEquals(cases.size(), dumped.size(), "instructions found by llvm-objdump");
        for (int i = 0; i < cases.size(); i++) {
            if (dumped.get(i).offset() != start[i] || dumped.get(i).length() != start[i + 1] - start[i]) {
                failures = note(report, failures, failuresByForm, cases.get(i), cases.get(i).text + ": decoded at "
                        + dumped.get(i).offset() + "+" + dumped.get(i).length() + ", emitted at " + start[i] + "+"
                        + (start[i + 1] - start[i]));
            }
        }
        if (failures > 0) {
            fail(failures + " instruction boundaries differ; by form " + failuresByForm + "\n" + report);
        }
        System.out.println("x64 encodings checked against llvm-mc: " + cases.size());
    }

    /** Both texts are the same up to a final integer token, and those integers agree modulo 256. */
    static boolean sameButImmediate(String a, String b) {
        int i = a.lastIndexOf(' '), j = b.lastIndexOf(' ');
        if (i < 0 || j < 0 || !a.substring(0, i).equals(b.substring(0, j)) || a.equals(b)) {
            return false;
        }
        try {
            long x = Long.parseLong(a.substring(i + 1)), y = Long.parseLong(b.substring(j + 1));
            return ((x - y) & 0xFF) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int note(StringBuilder report, int failures, Map<String, Integer> byForm, Case c, String msg) {
        byForm.merge(c.form, 1, Integer::sum);
        if (failures < 60) {
            report.append("  ").append(msg).append('\n');
        }
        return failures + 1;
    }
}
