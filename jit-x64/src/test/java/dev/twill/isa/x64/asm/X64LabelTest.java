package dev.twill.isa.x64.asm;

import static dev.twill.isa.x64.asm.X64Reg.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Labels, branches and RIP-relative references: every branch and displacement is decoded by
 * {@code llvm-mc --disassemble}, and its target (instruction end + decoded displacement) must be
 * the label's offset. Expected branch sizes are worked out by hand from the rel8 reach, -128..127
 * counted from the end of the 2-byte branch.
 */
class X64LabelTest {
    /** A decoded instruction at its exact offset, with the absolute target of a branch or RIP-relative operand. */
    record At(int offset, int length, String text, long target) {
        int end() {
            return offset + length;
        }
    }

    static List<At> decode(X64Assembler a) {
        List<At> out = new ArrayList<>();
        for (LlvmMc.Decoded d : LlvmMc.objdump(a.data(), a.size())) {
            long target = d.target();
            int rip = d.text().indexOf("[rip");
            if (target == -1 && rip >= 0) {
                // objdump annotates only some RIP-relative operands; else add the printed displacement to the end
                String disp = d.text().substring(rip + 4, d.text().indexOf(']', rip)).replace(" ", "");
                target = d.offset() + d.length() + (disp.isEmpty() ? 0 : Long.parseLong(disp));
            }
            out.add(new At(d.offset(), d.length(), d.text(), target));
        }
        return out;
    }

    static At last(List<At> insns) {
        return insns.get(insns.size() - 1);
    }

    static At first(List<At> insns, String mnemonicPrefix) {
        for (At i : insns) {
            if (i.text.startsWith(mnemonicPrefix)) {
                return i;
            }
        }
        throw new AssertionError("no " + mnemonicPrefix + " in " + insns);
    }

    @Test
    void backwardJumpsTakeRel8ExactlyWhileInReach() {
        // jmp at offset k jumps back to 0; rel8 = -(k + 2) reaches -128 at k = 126.
        for (int k = 120; k <= 132; k++) {
            X64Assembler a = new X64Assembler();
            int l = a.newLabel();
            a.bind(l);
            a.nop(k);
            a.jmp(l);
            At j = last(decode(a));
            assertTrue(j.text.startsWith("jmp "), j.text);
            assertEquals(k <= 126 ? 2 : 5, j.length, "jmp length after " + k + " bytes");
            assertEquals(0, j.target, "jmp target after " + k + " bytes");
        }
        for (int cc = 0; cc < 16; cc++) {
            for (int k : new int[] {0, 126, 127, 1000}) {
                X64Assembler a = new X64Assembler();
                int l = a.newLabel();
                a.bind(l);
                a.nop(k);
                a.jcc(cc, l);
                At j = last(decode(a));
                assertTrue(j.text.startsWith("j" + X64EncodingTest.CC[cc] + " "), j.text);
                assertEquals(k <= 126 ? 2 : 6, j.length, "j" + X64EncodingTest.CC[cc] + " length after " + k);
                assertEquals(0, j.target);
            }
        }
    }

    @Test
    void forwardJumpsUseRel32AndArePatchedOnBind() {
        for (int k : new int[] {0, 1, 127, 128, 70000}) {
            X64Assembler a = new X64Assembler(16);
            int l = a.newLabel();
            a.jmp(l);
            a.jcc(X64Cond.NE, l);
            a.call(l);
            a.jmpRel32(l);
            a.jccRel32(X64Cond.G, l);
            assertEquals(5, a.unresolvedReferences());
            a.nop(k);
            int target = a.size();
            a.bind(l);
            a.ret();
            assertEquals(0, a.unresolvedReferences());
            assertEquals(target, a.labelOffset(l));
            List<At> insns = decode(a);
            int[] lengths = {5, 6, 5, 5, 6};
            for (int i = 0; i < 5; i++) {
                At j = insns.get(i);
                assertEquals(lengths[i], j.length, j.text);
                assertEquals(target, j.target, j.text + " after " + k + " bytes");
            }
        }
    }

    @Test
    void shortForwardBranchesReachExactly127() {
        X64Assembler a = new X64Assembler();
        int l = a.newLabel();
        a.jmpShort(l);
        a.nop(127);
        a.bind(l);
        At j = decode(a).get(0);
        assertEquals(2, j.length);
        assertEquals(129, j.target);

        a.clear();
        l = a.newLabel();
        a.jccShort(X64Cond.L, l);
        a.nop(128);
        int far = l;
        assertThrows(IllegalStateException.class, () -> a.bind(far));

        a.clear();
        int back = a.newLabel();
        a.bind(back);
        a.nop(126);
        a.jmpShort(back); // rel = -128, the last reachable
        a.nop(1);
        assertThrows(IllegalArgumentException.class, () -> a.jccShort(X64Cond.E, back));
        At jb = decode(a).stream().filter(i -> i.text.startsWith("jmp")).findFirst().orElseThrow();
        assertEquals(0, jb.target);
    }

    @Test
    void backwardCallsAndLoops() {
        X64Assembler a = new X64Assembler();
        int fn = a.newLabel(), loop = a.newLabel(), done = a.newLabel();
        a.bind(fn);
        a.movRI(4, RAX, 10);
        a.bind(loop);
        a.aluRI(X64Assembler.SUB, 4, RAX, 1);
        a.jcc(X64Cond.E, done);
        a.jmp(loop);
        a.bind(done);
        a.ret();
        a.call(fn);
        List<At> insns = decode(a);
        At je = first(insns, "je");
        assertEquals(a.labelOffset(done), je.target);
        At jmp = first(insns, "jmp");
        assertEquals(2, jmp.length);
        assertEquals(a.labelOffset(loop), jmp.target);
        At call = last(insns);
        assertEquals(0, call.target);
    }

    @Test
    void ripRelativeLabelReferencesCountFromTheInstructionEnd() {
        X64Assembler a = new X64Assembler();
        int back = a.newLabel(), fwd = a.newLabel();
        a.bind(back);
        a.emitLong(0x1122334455667788L);
        // each reference once to the bound label, once to the forward one; trailing immediates of 0, 1, 2 and 4 bytes
        for (int l : new int[] {back, fwd}) {
            a.movRM(8, R11, LABEL, NONE, 1, l);
            a.leaRM(8, RAX, LABEL, NONE, 1, l);
            a.sseRM(X64Assembler.MOVSD, XMM9, LABEL, NONE, 1, l);
            a.aluMI(X64Assembler.CMP, 4, LABEL, NONE, 1, l, 1000);
            a.aluMI(X64Assembler.ADD, 8, LABEL, NONE, 1, l, 5);
            a.movMI(2, LABEL, NONE, 1, l, 0x1234);
            a.roundsdRM(XMM3, LABEL, NONE, 1, l, X64Assembler.ROUND_TRUNC);
            a.testMI(1, LABEL, NONE, 1, l, 0x80);
        }
        a.ret();
        assertEquals(8, a.unresolvedReferences());
        a.align(16);
        assertEquals(0, a.size() % 16);
        a.bind(fwd);
        a.emitLong(0);
        assertEquals(0, a.unresolvedReferences());

        X64Assembler code = new X64Assembler();
        // decode only the instructions (skip the 8 data bytes at the front and the tail)
        byte[] all = a.toByteArray();
        for (int i = 8; i < a.labelOffset(fwd); i++) {
            code.emitByte(all[i]);
        }
        List<At> insns = decode(code);
        int refs = 0;
        for (At i : insns) {
            if (i.text.contains("[rip")) {
                int expected = refs < 8 ? a.labelOffset(back) : a.labelOffset(fwd);
                assertEquals(expected, 8 + i.target, i.text);
                refs++;
            }
        }
        assertEquals(16, refs);
    }

    @Test
    void labelBookkeeping() {
        X64Assembler a = new X64Assembler();
        int l = a.newLabel();
        assertEquals(-1, a.labelOffset(l));
        a.nop(3);
        a.bind(l);
        assertEquals(3, a.labelOffset(l));
        assertTrue(a.isBound(l));
        assertThrows(IllegalStateException.class, () -> a.bind(l));
        assertThrows(IllegalArgumentException.class, () -> a.jmp(l + 1));
        assertThrows(IllegalArgumentException.class, () -> a.labelOffset(-1));
        // many labels and references force the tables to grow
        int n = 100;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = a.newLabel();
            a.jcc(i & 15, labels[i]);
            a.jmp(labels[i]);
        }
        assertEquals(2 * n, a.unresolvedReferences());
        for (int i = n - 1; i >= 0; i--) {
            a.bind(labels[i]);
            a.nop(1);
        }
        assertEquals(0, a.unresolvedReferences());
        List<At> insns = decode(a);
        int k = 0;
        for (At i : insns) {
            if (i.text.startsWith("j")) {
                assertEquals(a.labelOffset(labels[k / 2]), i.target, i.text);
                k++;
            }
        }
        assertEquals(2 * n, k);
    }

    @Test
    void clearKeepsCapacityAndReproducesTheSameCode() {
        X64Assembler a = new X64Assembler(16);
        byte[] first = program(a);
        byte[] buffer = a.data();
        a.clear();
        assertEquals(0, a.size());
        byte[] second = program(a);
        assertArrayEquals(first, second);
        assertSame(buffer, a.data(), "clear() keeps the grown buffer");
    }

    private static byte[] program(X64Assembler a) {
        int top = a.newLabel(), out = a.newLabel();
        a.bind(top);
        for (int i = 0; i < 200; i++) {
            a.aluRR(X64Assembler.ADD, 8, i & 15, (i * 5) & 15);
            a.jcc(X64Cond.O, out);
        }
        a.jmp(top);
        a.bind(out);
        a.ret();
        return a.toByteArray();
    }

    @Test
    void nopPaddingDecodesAsNopsOfTheRequestedLength() {
        for (int n = 0; n <= 40; n++) {
            X64Assembler a = new X64Assembler();
            a.nop(n);
            assertEquals(n, a.size());
            if (n == 0) {
                continue;
            }
            List<At> insns = decode(a);
            assertEquals((n + 8) / 9, insns.size(), "instructions for " + n + " bytes of padding");
            for (At i : insns) {
                assertTrue(i.text.startsWith("nop"), i.text);
            }
        }
        X64Assembler a = new X64Assembler();
        a.ret();
        a.align(32);
        assertEquals(32, a.size());
        a.align(32);
        assertEquals(32, a.size());
        assertThrows(IllegalArgumentException.class, () -> a.align(12));
    }

    @Test
    void patchIntAndPlaceholders() {
        X64Assembler a = new X64Assembler();
        a.nop(3);
        int field = a.callRel32Placeholder();
        assertEquals(4, field);
        a.patchInt(field, 100 - (field + 4));
        At call = decode(a).get(1);
        assertEquals(100, call.target);
        assertThrows(IllegalArgumentException.class, () -> a.patchInt(a.size() - 2, 0));
    }
}
