package dev.twill.isa.x64.runtime;

import static dev.twill.isa.x64.asm.X64Reg.*;

import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.isa.x64.abi.X64Abi;
import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.machinst.RegClass;
import dev.twill.runtime.EntryTrampolineGenerator;
import dev.twill.runtime.TrapContext;

/**
 * The x86-64 entry trampoline: Java calls it through a Panama downcall as {@code (long context,
 * long function, [long returnArea,] P...)} with the System V convention, and it calls {@code
 * function(([returnArea,] P...)} the same way after setting up the {@link TrapContext} protocol.
 *
 * <p>Frame, from the caller's return address down ({@code rsp} is 8 mod 16 on entry):
 * <pre>
 *   rbp + 16 + 8*s   incoming stack argument s
 *   rbp + 8          return address into the Panama stub
 *   rbp              saved rbp                       (rsp 0 mod 16)
 *   rbp - 8 .. - 40  saved rbx, r12, r13, r14, r15   (8 mod 16)
 *   rbp - 48         previous SAVED_SP of the context
 *   rbp - 56         previous RESUME_PC              (8 mod 16)
 *   rsp + stackArgs  the callee's return area, if it has one (padded to 16)
 *   rsp + 8*s'       outgoing stack argument s', the whole block 8 mod 16 bytes   &lt;- SAVED_SP
 * </pre>
 * so the call happens with {@code rsp} 16-byte aligned (56 + area is a multiple of 16). RESUME_PC is the return point of the
 * call itself: a trap exit sets {@code rsp = SAVED_SP} and jumps there, which is exactly the
 * state after a normal return. From there the code uses only {@code rsp} and {@code r15} (the
 * context, which compiled code never changes): it drops the outgoing area, restores the previous
 * SAVED_SP and RESUME_PC (so host code that re-entered compiled code leaves the outer activation's
 * values in place) and the callee-saved registers, and returns. On a trap {@code rax}/{@code
 * xmm0} hold garbage, which the Java side never reads.
 *
 * <p>Arguments: the trampoline is called with System V, the callee with {@link X64Abi} (System
 * V plus a hidden return-area pointer in {@code rdi} when the callee has more results than
 * result registers). The callee's integer-class arguments are the trampoline's shifted down by
 * at least one place (context, function pointer and Java's return area go first; the callee has
 * at most the one hidden argument), so walking the callee's integer registers upwards reads
 * each source before it is overwritten. Float-class arguments keep their XMM register. Stack
 * arguments (those past six integer or eight float registers, numbered in argument order across
 * both classes) are copied 8 bytes at a time through {@code rax}.
 *
 * <p>Results: with two or more results Java passes its return area (slot {@code k} for result
 * {@code k}). The callee returns its first results in rax/rdx and xmm0/xmm1 and the rest in its
 * own return area, which the trampoline reserves in its frame; after a normal return the
 * trampoline copies every result into Java's slot (so Java's reader never depends on the
 * x86-64 split). The Java area pointer is kept in {@code r12} across the call.
 * i8/i16 results are sign-extended into {@code eax}: the convention leaves the bits above a
 * result's width undefined, Java's byte and short are signed.
 */
public final class X64EntryTrampolineGenerator implements EntryTrampolineGenerator {
    /** System V integer argument registers, in order. */
    private static final int[] INT_ARGS = {RDI, RSI, RDX, RCX, R8, R9};
    private static final int FLOAT_ARG_REGS = 8;

    @Override
    public String arch() {
        return "amd64";
    }

    @Override
    public byte[] generate(int[] params, int[] returns) {
        X64Abi.Locations loc = X64Abi.locations(Signature.of(params, returns));
        boolean javaArea = returns.length > 1;
        // Where each callee parameter comes from: the trampoline's System V places after
        // (context, function, [Java's return area]).
        int n = params.length;
        boolean[] isFloat = new boolean[n];
        for (int k = 0; k < n; k++) isFloat[k] = Type.isFloat(params[k]);
        int[] trampLoc = new int[n];
        assign(isFloat, javaArea ? 3 : 2, trampLoc);
        // The callee's own return area (X64Abi: results beyond the result registers) lives just
        // above the outgoing stack arguments; 56 bytes are pushed below rbp (0 mod 16), so the
        // outgoing block must be 8 mod 16 for the call to see rsp 16-byte aligned.
        int calleeArea = loc.stackArgBytes;
        int outgoing = loc.stackArgBytes + ((loc.retAreaBytes + 15) & -16) + 8;

        X64Assembler a = new X64Assembler();
        a.push(RBP);
        a.movRR(8, RBP, RSP);
        a.push(RBX);
        a.push(R12);
        a.push(R13);
        a.push(R14);
        a.push(R15);
        a.movRR(8, R15, RDI);
        a.movRR(8, RBX, RSI);
        if (javaArea) a.movRR(8, R12, RDX); // callee-saved: still there after a normal return
        a.pushM(R15, NONE, 1, TrapContext.SAVED_SP);
        a.pushM(R15, NONE, 1, TrapContext.RESUME_PC);
        a.aluRI(X64Assembler.SUB, 8, RSP, outgoing);
        a.movMR(8, R15, NONE, 1, TrapContext.SAVED_SP, RSP);
        int resume = a.newLabel();
        a.leaRM(8, RAX, LABEL, NONE, 1, resume);
        a.movMR(8, R15, NONE, 1, TrapContext.RESUME_PC, RAX);
        a.movMI(4, R15, NONE, 1, TrapContext.TRAP_CODE, TrapContext.NO_TRAP);
        a.movMI(8, R15, NONE, 1, TrapContext.TRAP_PC, 0);
        // rdi (the context, saved in r15) is free: the hidden return-area argument goes there first.
        if (loc.hasRetArea) a.leaRM(8, RDI, RSP, NONE, 1, calleeArea);
        // Integer registers in increasing order: each source sits at least one place higher than
        // its destination (two or three leading trampoline arguments, at most one hidden callee
        // argument), so no source is overwritten before it is read. Then the stack slots.
        for (int k = 0; k < n; k++) {
            int dst = loc.argReg[k], src = trampLoc[k];
            if (isFloat[k] || dst < 0) continue;
            if (src >= 0) a.movRR(8, dst, INT_ARGS[src]);
            else a.movRM(8, dst, RBP, NONE, 1, 16 + 8 * stackSlot(src));
        }
        for (int k = 0; k < n; k++) {
            int src = trampLoc[k];
            if (loc.argStack[k] < 0) continue; // float registers stay where they are
            if (src >= 0) throw new IllegalStateException("stack argument from a register"); // cannot happen: see class doc
            a.movRM(8, RAX, RBP, NONE, 1, 16 + 8 * stackSlot(src));
            a.movMR(8, RSP, NONE, 1, loc.argStack[k], RAX);
        }
        a.callR(RBX);
        if (javaArea) {
            // Normal return only (a trap resumes below with r12 not restored): result k goes to
            // Java's slot k, register results first, then those the callee left in its area.
            for (int k = 0; k < returns.length; k++) {
                int r = loc.retReg[k];
                if (r < 0) continue;
                if (r >= RegClass.FLOAT_BASE) a.movsdMR(R12, NONE, 1, 8 * k, r - RegClass.FLOAT_BASE);
                else a.movMR(8, R12, NONE, 1, 8 * k, r);
            }
            for (int k = 0; k < returns.length; k++) {
                if (loc.retArea[k] < 0) continue;
                a.movRM(8, RAX, RSP, NONE, 1, calleeArea + loc.retArea[k]);
                a.movMR(8, R12, NONE, 1, 8 * k, RAX);
            }
        }
        a.bind(resume);
        a.aluRI(X64Assembler.ADD, 8, RSP, outgoing);
        a.popM(R15, NONE, 1, TrapContext.RESUME_PC);
        a.popM(R15, NONE, 1, TrapContext.SAVED_SP);
        a.pop(R15);
        a.pop(R14);
        a.pop(R13);
        a.pop(R12);
        a.pop(RBX);
        a.pop(RBP);
        if (returns.length == 1 && returns[0] == Type.I8) a.movsxRR(4, 1, RAX, RAX);
        if (returns.length == 1 && returns[0] == Type.I16) a.movsxRR(4, 2, RAX, RAX);
        a.ret();
        if (a.unresolvedReferences() != 0) throw new IllegalStateException("unbound label in trampoline");
        return a.toByteArray();
    }

    /**
     * System V classification of arguments preceded by {@code leadingInts} integer arguments:
     * {@code loc[k]} is the register index within its class (0-5 integer, 0-7 float), or {@code
     * -1 - s} for stack slot {@code s}. Returns the number of stack slots.
     */
    private static int assign(boolean[] isFloat, int leadingInts, int[] loc) {
        int ints = leadingInts, floats = 0, stack = 0;
        for (int k = 0; k < isFloat.length; k++) {
            if (isFloat[k]) loc[k] = floats < FLOAT_ARG_REGS ? floats++ : -1 - stack++;
            else loc[k] = ints < INT_ARGS.length ? ints++ : -1 - stack++;
        }
        return stack;
    }

    private static int stackSlot(int loc) {
        return -1 - loc;
    }
}
