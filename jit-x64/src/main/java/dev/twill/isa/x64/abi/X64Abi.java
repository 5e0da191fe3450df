package dev.twill.isa.x64.abi;

import static dev.twill.isa.x64.asm.X64Reg.*;

import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.RegClass;
import dev.twill.runtime.SignatureIds;
import dev.twill.runtime.TrapContext;

/**
 * Twill's x86-64 calling convention and frame: System V AMD64 (AMD64 psABI, section 3.2) for
 * arguments and the first results, plus Twill's rules for pinned registers, extra results, traps
 * and signature checks. The JIT module (linking, entry trampolines) relies on everything here.
 *
 * <p><b>Arguments</b>: integer-class values (i8..i64) in rdi, rsi, rdx, rcx, r8, r9; floats in
 * xmm0-xmm7; the rest on the stack in order, 8 bytes each, the first at {@code [rsp]} at the
 * call (so {@code [rbp + 16]} in the callee); the caller keeps rsp 16-byte aligned at the call
 * and the stack argument area is padded to 16 bytes. Narrow integers carry undefined upper bits
 * (callers and callees extend as they need).
 *
 * <p><b>Results</b>: integer results take rax then rdx, float results xmm0 then xmm1, in order
 * of the signature. When a signature has more results of a class than that class has result
 * registers, the caller passes a <i>return area</i>: its address is a hidden first integer
 * argument (in rdi, shifting the declared arguments by one register), and each result that did
 * not get a register is stored by the callee at {@code [area + 8k]} for the k-th such result.
 *
 * <p><b>Registers</b>: callee-saved rbx, rbp, r12-r15 (System V). {@code r15} is pinned to the
 * {@link TrapContext} while Twill code runs and is never allocated; {@code rsp} and {@code rbp}
 * (frame pointer) are never allocated; {@code r11} and {@code xmm15} are the emitter's and the
 * allocator's scratch registers, never allocated either. All xmm registers are caller-saved.
 *
 * <p><b>Frame</b> (from high to low addresses): incoming stack arguments, return address,
 * saved rbp (rbp points here), the callee-saved registers the function writes (pushed), padding,
 * then at rsp-relative offsets: spill slots, explicit stack slots, the return area for calls
 * this function makes, the outgoing stack arguments at {@code [rsp]}. rsp is 16-byte aligned
 * after the prologue and does not move in the body. The prologue first checks the stack limit:
 * it traps {@code stk_ovf} if {@code rsp - frameSize < [r15 + STACK_LIMIT]}.
 *
 * <p><b>The tail convention</b> ({@code tail} in a signature): the same registers and stack
 * layout, but the callee pops its stack arguments ({@code ret n}), as in Cranelift's {@code tail}
 * convention; a caller re-drops rsp by that much after the call so its frame stays fixed. The
 * entry trampolines restore rsp from {@code SAVED_SP} after the call, so they call either kind.
 *
 * <p><b>Tail calls</b> ({@code return_call}): the outgoing stack arguments are first stored at
 * {@code [rsp]} like a call's, the register arguments are in their registers; then the return
 * address is loaded into r11, the callee-saved registers and rbp are reloaded from the frame, the
 * stack arguments are copied (highest word first, through xmm15, since the areas may overlap
 * and the destination is always the higher) to where the callee expects them, the return address
 * is stored just below them, rsp points at it, and the code jumps to the callee (an indirect
 * callee is in {@link #TAIL_CALLEE}, rax, which carries no argument). No register the allocator
 * hands out is live there, so the jump needs nothing free but r11 and xmm15. Where the
 * callee's area goes: with the default convention the caller's caller pops, so the callee's
 * arguments must fit the caller's own incoming area (a larger one is a {@code CompileError}); with
 * the tail convention the area is moved so that it ends where the caller's ended, which works for
 * any sizes: the callee pops exactly what the caller's caller expects to have been popped.
 * The callee's prologue checks the stack limit as always, so an unbounded chain of non-tail calls
 * still traps {@code stk_ovf} while a chain of tail calls runs in constant stack.
 *
 * <p><b>Traps</b>: a trap site jumps to an out-of-line stub that stores the trap code at
 * {@code [r15 + TRAP_CODE]} and the site's address at {@code [r15 + TRAP_PC]}, loads rsp from
 * {@code [r15 + SAVED_SP]} and jumps to {@code [r15 + RESUME_PC]}.
 *
 * <p><b>Function header and signature checks</b>: a function's code (as in {@code
 * CompiledCode.code()}) starts with an 8-byte header whose low 4 bytes are {@link
 * #signatureId} of its signature (high 4 bytes zero); the entry point is at offset {@link
 * #ENTRY_OFFSET}. Function addresses ({@code func_addr}, relocations, table entries) always name
 * the entry point, so {@code call_indirect} checks {@code dword [callee - 8] == signatureId(sig)}
 * (and {@code callee != 0}) before calling. The JIT module must place code so that the header
 * is readable, i.e. copy the bytes as they are and use {@code base + ENTRY_OFFSET} as the
 * function's address.
 */
public final class X64Abi {
    private X64Abi() {}

    /** Offset of the entry point in a function's code: after the 8-byte signature header. */
    public static final int ENTRY_OFFSET = 8;

    /** The register pinned to the trap context. */
    public static final int PINNED = R15;
    /** Scratch registers of the emitter (never allocated). */
    public static final int SCRATCH = R11, FSCRATCH = XMM15;

    public static final int[] INT_ARGS = {RDI, RSI, RDX, RCX, R8, R9};
    /** Where an indirect tail call's callee address is: a caller-saved register that carries no argument. */
    public static final int TAIL_CALLEE = RAX;
    public static final int NUM_FLOAT_ARGS = 8;
    public static final int[] INT_RETS = {RAX, RDX};
    public static final int NUM_FLOAT_RETS = 2;

    /** Allocatable integer registers, caller-saved first. */
    public static final int[] ALLOC_INT = {RAX, RCX, RDX, RSI, RDI, R8, R9, R10, RBX, R12, R13, R14};
    /** Callee-saved among the allocatable registers, in push order. */
    public static final int[] CALLEE_SAVED = {RBX, R12, R13, R14};
    public static final long CALLEE_SAVED_MASK = (1L << RBX) | (1L << R12) | (1L << R13) | (1L << R14) | (1L << RBP) | (1L << R15);
    /** Allocatable caller-saved registers (what a call clobbers), as a mask. */
    public static final long CALLER_SAVED_MASK;

    static {
        long m = (1L << RAX) | (1L << RCX) | (1L << RDX) | (1L << RSI) | (1L << RDI) | (1L << R8) | (1L << R9) | (1L << R10);
        for (int x = 0; x < 15; x++) m |= 1L << (RegClass.FLOAT_BASE + x);
        CALLER_SAVED_MASK = m;
    }

    /** The register file as the allocator sees it. */
    public static MachineEnv machineEnv() {
        int[] floats = new int[15];
        for (int x = 0; x < 15; x++) floats[x] = RegClass.FLOAT_BASE + x;
        return new MachineEnv(ALLOC_INT, floats, CALLEE_SAVED_MASK, SCRATCH, RegClass.FLOAT_BASE + FSCRATCH);
    }

    /** Where each argument and result of a signature lives. Allocated per signature, not per instruction. */
    public static final class Locations {
        /** Physical register (RegClass numbering) of each parameter, or -1 when on the stack. */
        public final int[] argReg;
        /** Byte offset in the stack argument area of each stack parameter, or -1. */
        public final int[] argStack;
        /** Physical register of each result, or -1 when in the return area. */
        public final int[] retReg;
        /** Byte offset in the return area of each result there, or -1. */
        public final int[] retArea;
        /** True if a return-area pointer is passed in rdi. */
        public final boolean hasRetArea;
        /** Bytes of stack arguments, padded to 16. */
        public final int stackArgBytes;
        /** Bytes of the return area (8 per result there). */
        public final int retAreaBytes;

        Locations(int[] argReg, int[] argStack, int[] retReg, int[] retArea, boolean hasRetArea, int stackArgBytes, int retAreaBytes) {
            this.argReg = argReg;
            this.argStack = argStack;
            this.retReg = retReg;
            this.retArea = retArea;
            this.hasRetArea = hasRetArea;
            this.stackArgBytes = stackArgBytes;
            this.retAreaBytes = retAreaBytes;
        }
    }

    /** The locations of {@code sig}'s arguments and results. */
    public static Locations locations(Signature sig) {
        int nr = sig.returns.length;
        int[] retReg = new int[nr], retArea = new int[nr];
        int ri = 0, rf = 0, area = 0;
        for (int k = 0; k < nr; k++) {
            retReg[k] = -1;
            retArea[k] = -1;
            if (Type.isFloat(sig.returns[k])) {
                if (rf < NUM_FLOAT_RETS) retReg[k] = RegClass.FLOAT_BASE + rf++;
            } else if (ri < INT_RETS.length) {
                retReg[k] = INT_RETS[ri++];
            }
            if (retReg[k] < 0) {
                retArea[k] = area;
                area += 8;
            }
        }
        boolean hasArea = area > 0;
        int np = sig.params.length;
        int[] argReg = new int[np], argStack = new int[np];
        int ni = hasArea ? 1 : 0, nf = 0, stack = 0;
        for (int k = 0; k < np; k++) {
            argReg[k] = -1;
            argStack[k] = -1;
            if (Type.isFloat(sig.params[k])) {
                if (nf < NUM_FLOAT_ARGS) argReg[k] = RegClass.FLOAT_BASE + nf++;
            } else if (ni < INT_ARGS.length) {
                argReg[k] = INT_ARGS[ni++];
            }
            if (argReg[k] < 0) {
                argStack[k] = stack;
                stack += 8;
            }
        }
        return new Locations(argReg, argStack, retReg, retArea, hasArea, (stack + 15) & -16, area);
    }

    /** True if functions of {@code sig} pop their own stack arguments: the {@code tail} convention. */
    public static boolean calleePops(Signature sig) {
        return "tail".equals(sig.callConv);
    }

    /**
     * The 32-bit signature id stored in a function's header and compared by {@code
     * call_indirect}: the process-wide {@link SignatureIds#idOf}, the same id {@code JitModule}
     * writes into every header it places, so structurally equal signatures agree.
     */
    public static int signatureId(Signature sig) {
        return SignatureIds.idOf(sig);
    }
}
