package dev.twill.isa.x64.runtime;

import static dev.twill.isa.x64.asm.X64Reg.*;

import dev.twill.ir.Type;
import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.runtime.EntryTrampolineGenerator;
import dev.twill.runtime.TrapContext;

/**
 * The x86-64 entry trampoline: Java calls it through a Panama downcall as {@code (long context,
 * long function, [long results,] P...)} with the System V convention (the results pointer is
 * there when the function has two or more results), and it calls {@code function(P...)} with
 * Twill's convention ({@code X64Abi}: System V, plus a hidden return-area pointer in {@code rdi}
 * when the results overflow rax, rdx, xmm0, xmm1), after setting up the {@link TrapContext}
 * protocol.
 *
 * <p>Frame, from the caller's return address down ({@code rsp} is 8 mod 16 on entry):
 * <pre>
 *   rbp + 16 + 8*s   incoming stack argument s
 *   rbp + 8          return address into the Panama stub
 *   rbp              saved rbp
 *   rbp - 8 .. - 40  saved rbx, r12, r13, r14, r15
 *   rbp - 48         previous SAVED_SP of the context
 *   rbp - 56         previous RESUME_PC
 *  [rbp - 64         the results pointer, when there are several results]
 *   rsp + 8*s'       outgoing stack argument s', the area padded so that rsp is 0 mod 16   &lt;- SAVED_SP
 * </pre>
 * RESUME_PC is the return point of the call itself: a trap exit sets {@code rsp = SAVED_SP} and
 * jumps there, which is exactly the state after a normal return. From there the code uses only
 * {@code rsp}, {@code r15} (the context, which compiled code never changes) and the frame: it
 * stores several results into the Java-visible slots (on the trap path these are garbage stores
 * into the same valid area, which Java never reads), drops the outgoing area, restores the
 * previous SAVED_SP and RESUME_PC (so host code that re-entered compiled code leaves the outer
 * activation's values in place) and the callee-saved registers, and returns.
 *
 * <p>Arguments: both calls are System V; the callee's integer-class parameter {@code j} sits
 * {@code L - H} integer places lower than in the trampoline, where {@code L} is 2 or 3 leading
 * trampoline arguments and {@code H} is 0 or 1 for the callee's hidden area pointer. As {@code
 * L > H}, walking the parameters upwards reads each source register before it is overwritten.
 * Float-class parameters keep their XMM register. Stack arguments (those past six integer or eight
 * float registers, numbered in argument order across both classes) are copied 8 bytes at a time
 * through {@code rax}. The callee's area pointer, {@code results + 8 * R}, is set last. A single
 * i8/i16 result is sign-extended into {@code eax}, since Java's byte and short are signed.
 */
public final class X64EntryTrampolineGenerator implements EntryTrampolineGenerator {
    /** System V integer argument registers, in order. */
    private static final int[] INT_ARGS = {RDI, RSI, RDX, RCX, R8, R9};
    private static final int FLOAT_ARG_REGS = 8;
    private static final int[] INT_RETS = {RAX, RDX};
    private static final int FLOAT_RETS = 2;

    @Override
    public String arch() {
        return "amd64";
    }

    /**
     * Where the callee leaves each result: {@code reg[k]} a register (RAX/RDX, or the index of
     * XMM0/XMM1 for a float), else -1 and {@code area[k]} its offset in the return area of
     * {@code areaBytes} bytes (the System V rules of {@code X64Abi}).
     */
    private record Results(int[] reg, int[] area, int areaBytes) {}

    /**
     * The common entry: saves rbp and the callee-saved registers, takes the trap context (first
     * argument) into r15 and the function (second) into rbx, and pushes the context's previous
     * SAVED_SP and RESUME_PC, so that compiled code entered again from a host function nests.
     */
    private static X64Assembler enter() {
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
        a.pushM(R15, NONE, 1, TrapContext.SAVED_SP);
        a.pushM(R15, NONE, 1, TrapContext.RESUME_PC);
        return a;
    }

    /** Points SAVED_SP at the current rsp and RESUME_PC at a new label (returned), with no trap recorded. */
    private static int armTrapContext(X64Assembler a) {
        a.movMR(8, R15, NONE, 1, TrapContext.SAVED_SP, RSP);
        int resume = a.newLabel();
        a.leaRM(8, RAX, LABEL, NONE, 1, resume);
        a.movMR(8, R15, NONE, 1, TrapContext.RESUME_PC, RAX);
        a.movMI(4, R15, NONE, 1, TrapContext.TRAP_CODE, TrapContext.NO_TRAP);
        a.movMI(8, R15, NONE, 1, TrapContext.TRAP_PC, 0);
        return resume;
    }

    /** Stores result k at {@code [r11 + 8k]}, from its register or from the callee's area at {@code r11 + areaFrom}. */
    private static void storeResults(X64Assembler a, int[] returns, Results res, int areaFrom) {
        for (int k = 0; k < returns.length; k++) {
            if (res.reg[k] < 0) continue;
            if (Type.isFloat(returns[k])) a.movsdMR(R11, NONE, 1, 8 * k, res.reg[k]);
            else a.movMR(8, R11, NONE, 1, 8 * k, res.reg[k]);
        }
        for (int k = 0; k < returns.length; k++) {
            if (res.area[k] < 0) continue;
            a.movRM(8, RAX, R11, NONE, 1, areaFrom + res.area[k]);
            a.movMR(8, R11, NONE, 1, 8 * k, RAX);
        }
    }

    /** Undoes {@link #enter} once rsp is back where enter left it. */
    private static void leave(X64Assembler a) {
        a.popM(R15, NONE, 1, TrapContext.RESUME_PC);
        a.popM(R15, NONE, 1, TrapContext.SAVED_SP);
        a.pop(R15);
        a.pop(R14);
        a.pop(R13);
        a.pop(R12);
        a.pop(RBX);
        a.pop(RBP);
    }

    private static Results results(int[] returns) {
        int nr = returns.length;
        int[] reg = new int[nr], area = new int[nr];
        int ri = 0, rf = 0, bytes = 0;
        for (int k = 0; k < nr; k++) {
            reg[k] = -1;
            area[k] = -1;
            if (Type.isFloat(returns[k])) {
                if (rf < FLOAT_RETS) reg[k] = rf++;
            } else if (ri < INT_RETS.length) {
                reg[k] = INT_RETS[ri++];
            }
            if (reg[k] < 0) {
                area[k] = bytes;
                bytes += 8;
            }
        }
        return new Results(reg, area, bytes);
    }

    @Override
    public byte[] generate(int[] params, int[] returns) {
        int nr = returns.length;
        boolean several = nr > 1;
        Results res = results(returns);
        boolean hidden = res.areaBytes > 0;
        int n = params.length;
        boolean[] isFloat = new boolean[n];
        for (int k = 0; k < n; k++) isFloat[k] = Type.isFloat(params[k]);
        int[] calleeLoc = new int[n], trampLoc = new int[n];
        int calleeStack = assign(isFloat, hidden ? 1 : 0, calleeLoc);
        assign(isFloat, several ? 3 : 2, trampLoc);
        int pushed = 8 * (8 + (several ? 1 : 0)); // rbp, 5 callee-saved, 2 context words, [results]
        int outgoing = calleeStack * 8;
        if ((pushed + outgoing) % 16 != 8) outgoing += 8; // entry rsp is 8 mod 16; the call wants 0
        int resultsSlot = outgoing; // [rsp + outgoing] after the call: the pushed results pointer

        X64Assembler a = enter();
        if (several) a.push(RDX);
        if (outgoing > 0) a.aluRI(X64Assembler.SUB, 8, RSP, outgoing);
        int resume = armTrapContext(a);
        // Integer registers in increasing order (sources sit higher), then stack slots.
        for (int k = 0; k < n; k++) {
            int dst = calleeLoc[k], src = trampLoc[k];
            if (isFloat[k] || dst < 0) continue;
            if (src >= 0) a.movRR(8, INT_ARGS[dst], INT_ARGS[src]);
            else a.movRM(8, INT_ARGS[dst], RBP, NONE, 1, 16 + 8 * stackSlot(src));
        }
        for (int k = 0; k < n; k++) {
            int dst = calleeLoc[k], src = trampLoc[k];
            if (dst >= 0) continue; // float registers stay where they are
            if (src >= 0) throw new IllegalStateException("stack argument from a register"); // cannot happen: L > H
            a.movRM(8, RAX, RBP, NONE, 1, 16 + 8 * stackSlot(src));
            a.movMR(8, RSP, NONE, 1, 8 * stackSlot(dst), RAX);
        }
        if (hidden) a.movRM(8, RDI, RSP, NONE, 1, resultsSlot);
        if (hidden) a.leaRM(8, RDI, RDI, NONE, 1, 8 * nr);
        a.callR(RBX);
        a.bind(resume);
        // rsp as it was at the call, whether the callee popped its stack arguments (the tail
        // convention) or not, and after a trap exit too
        a.movRM(8, RSP, R15, NONE, 1, TrapContext.SAVED_SP);
        if (several) {
            a.movRM(8, R11, RSP, NONE, 1, resultsSlot);
            storeResults(a, returns, res, 8 * nr);
            outgoing += 8; // drop the results pointer too
        }
        if (outgoing > 0) a.aluRI(X64Assembler.ADD, 8, RSP, outgoing);
        leave(a);
        if (nr == 1 && returns[0] == Type.I8) a.movsxRR(4, 1, RAX, RAX);
        if (nr == 1 && returns[0] == Type.I16) a.movsxRR(4, 2, RAX, RAX);
        a.ret();
        if (a.unresolvedReferences() != 0) throw new IllegalStateException("unbound label in trampoline");
        return a.toByteArray();
    }

    /**
     * The buffered trampoline ({@link EntryTrampolineGenerator#generateBuffered}): called as
     * {@code (long context, long function, long buffer)}, it loads argument {@code k} from
     * {@code buffer + 8k} into the place Twill's convention gives it, calls, and stores result
     * {@code k} at {@code buffer + 8k}. The frame is {@link #generate}'s with the buffer pointer
     * in the results slot ({@code rbp - 64}); before the call the buffer is in {@code r12}
     * (callee-saved, restored on exit, and free since every argument register may be a
     * destination); after it, only the frame slot is trusted, as on the trap path.
     */
    @Override
    public byte[] generateBuffered(int[] params, int[] returns) {
        int nr = returns.length, n = params.length;
        Results res = results(returns);
        boolean hidden = res.areaBytes > 0;
        int areaOffset = 8 * Math.max(n, nr);
        boolean[] isFloat = new boolean[n];
        for (int k = 0; k < n; k++) isFloat[k] = Type.isFloat(params[k]);
        int[] calleeLoc = new int[n];
        int calleeStack = assign(isFloat, hidden ? 1 : 0, calleeLoc);
        int pushed = 8 * 9; // rbp, 5 callee-saved, 2 context words, the buffer pointer
        int outgoing = calleeStack * 8;
        if ((pushed + outgoing) % 16 != 8) outgoing += 8;
        int bufferSlot = outgoing;

        X64Assembler a = enter();
        a.movRR(8, R12, RDX);
        a.push(RDX);
        if (outgoing > 0) a.aluRI(X64Assembler.SUB, 8, RSP, outgoing);
        int resume = armTrapContext(a);
        for (int k = 0; k < n; k++) {
            int dst = calleeLoc[k];
            if (dst < 0) {
                a.movRM(8, RAX, R12, NONE, 1, 8 * k);
                a.movMR(8, RSP, NONE, 1, 8 * stackSlot(dst), RAX);
            } else if (isFloat[k]) {
                a.sseRM(params[k] == Type.F32 ? X64Assembler.MOVSS : X64Assembler.MOVSD, dst, R12, NONE, 1, 8 * k);
            } else {
                a.movRM(8, INT_ARGS[dst], R12, NONE, 1, 8 * k);
            }
        }
        if (hidden) a.leaRM(8, RDI, R12, NONE, 1, areaOffset);
        a.callR(RBX);
        a.bind(resume);
        // rsp as it was at the call, whether the callee popped its stack arguments (the tail
        // convention) or not, and after a trap exit too
        a.movRM(8, RSP, R15, NONE, 1, TrapContext.SAVED_SP);
        a.movRM(8, R11, RSP, NONE, 1, bufferSlot);
        storeResults(a, returns, res, areaOffset);
        a.aluRI(X64Assembler.ADD, 8, RSP, outgoing + 8); // the outgoing area and the buffer pointer
        leave(a);
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
