package dev.twill.isa.x64.asm;

import static dev.twill.isa.x64.asm.X64Assembler.*;
import static dev.twill.isa.x64.asm.X64Reg.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Operand validation, the condition-code helpers, and the no-allocation promise. */
class X64AssemblerTest {
    @Test
    void operandsThatWouldEncodeSomethingElseAreRejected() {
        X64Assembler a = new X64Assembler();
        // SIB.index=100 means "no index": rsp can never be one
        assertThrows(IllegalArgumentException.class, () -> a.movRM(8, RAX, RBX, RSP, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> a.movRM(8, RAX, RBX, RCX, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> a.movRM(8, RAX, RIP, RCX, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> a.movRM(8, RAX, 16, NONE, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> a.movRR(3, RAX, RCX));
        assertThrows(IllegalArgumentException.class, () -> a.leaRM(1, RAX, RBX, NONE, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> a.imulRR(1, RAX, RCX));
        assertThrows(IllegalArgumentException.class, () -> a.movzxRR(8, 4, RAX, RCX));
        assertThrows(IllegalArgumentException.class, () -> a.movsxRR(2, 2, RAX, RCX));
        assertThrows(IllegalArgumentException.class, () -> a.bswap(2, RAX));
        assertThrows(IllegalArgumentException.class, () -> a.cvtsi2sdRR(2, XMM0, RAX));
        assertThrows(IllegalArgumentException.class, () -> a.setcc(16, RAX));
        assertThrows(IllegalArgumentException.class, () -> a.movRM(8, RAX, LABEL, NONE, 1, 7)); // no label 7
        assertEquals(0, a.size(), "a rejected instruction writes nothing");
        // r12 is a valid index (REX.X distinguishes it from "none"): 4a 8b 04 24 = mov rax, [rsp + r12]
        a.movRM(8, RAX, RSP, R12, 1, 0);
        assertEquals("4a 8b 04 24", LlvmMc.hex(a.data(), 0, a.size()));
    }

    @Test
    void conditionCodes() {
        // Intel SDM vol. 1 appendix B: cc and cc^1 are complementary
        assertEquals(X64Cond.NE, X64Cond.invert(X64Cond.E));
        assertEquals(X64Cond.GE, X64Cond.invert(X64Cond.L));
        assertEquals(X64Cond.A, X64Cond.invert(X64Cond.BE));
        assertEquals(X64Cond.NP, X64Cond.invert(X64Cond.P));
        assertEquals("ge", X64Cond.name(X64Cond.GE));
        assertEquals("r13b", X64Reg.gprName(R13, 1));
        assertEquals("esp", X64Reg.gprName(RSP, 4));
    }

    @Test
    void emittingInstructionsAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        X64Assembler a = new X64Assembler();
        for (int warm = 0; warm < 200; warm++) {
            emitMix(a);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int round = 0; round < 200; round++) {
            emitMix(a);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        // 200 rounds x ~2,700 instructions; a single boxed int per instruction would be megabytes
        assertTrue(allocated < 4096, "emitting allocated " + allocated + " bytes");
    }

    private static void emitMix(X64Assembler a) {
        a.clear();
        int top = a.newLabel(), out = a.newLabel(), data = a.newLabel();
        a.bind(top);
        for (int i = 0; i < 100; i++) {
            int r = i & 15, s = (i * 7) & 15;
            a.aluRR(ADD, 8, r, s);
            a.aluRI(SUB, 4, r, i * 1000);
            a.movRM(8, r, RBP, s == RSP ? NONE : s, 8, -16 * i);
            a.movMR(4, RSP, NONE, 1, i, s);
            a.movMI(8, R12, R13, 4, i, i);
            a.movImm64(r, 0x123456789L * i);
            a.movzxRM(4, 1, r, R13, NONE, 1, 0);
            a.leaRM(8, r, s, NONE, 1, i);
            a.imulRRI(8, r, s, i);
            a.shiftRI(SAR, 8, r, i & 63);
            a.unaryR(NEG, 4, r);
            a.setcc(i & 15, r);
            a.cmovRR(i & 15, 8, r, s);
            a.testRR(1, r, s);
            a.jcc(i & 15, out);
            a.jmp(top);
            a.sseRR(ADDSD, r, s);
            a.sseRM(MULSS, r, LABEL, NONE, 1, data);
            a.cvtsi2sdRR(8, r, s);
            a.cvttsd2siRR(4, r, s);
            a.roundsdRR(r, s, ROUND_DOWN);
            a.movdXR(8, r, s);
            a.popcntRR(8, r, s);
            a.push(r);
            a.pop(s);
            a.xchgRR(8, r, s);
            a.nop(i & 15);
        }
        a.bind(out);
        a.ret();
        a.bind(data);
        a.emitLong(0x3ff0000000000000L);
    }
}
