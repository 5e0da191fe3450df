package dev.twill.isa.x64.runtime;

import static dev.twill.isa.x64.asm.X64Reg.*;

import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.isa.x64.asm.X64Cond;
import dev.twill.runtime.FaultHandlerGenerator;
import dev.twill.runtime.FaultTraps;
import dev.twill.runtime.TrapContext;

/**
 * The {@code SIGSEGV} handler of {@link FaultTraps} for x86-64 Linux, called by the kernel as
 * {@code handler(int sig [rdi], siginfo_t *info [rsi], ucontext_t *uc [rdx])}:
 * <pre>
 *   readers += 1                                  (lock xadd)
 *   if uc.rip in a code range and info.si_addr in a guard region:
 *       readers -= 1
 *       ctx = uc.r15                              (the pinned TrapContext)
 *       ctx.TRAP_CODE = heap_oob; ctx.TRAP_PC = uc.rip
 *       uc.rsp = ctx.SAVED_SP; uc.rip = ctx.RESUME_PC
 *       return                                    (the kernel resumes the trampoline)
 *   chained += 1; readers -= 1
 *   jmp previous                                  (same rdi, rsi, rdx: the JVM's handler)
 * </pre>
 * It uses only rax, rcx and r8-r10 (caller-saved) and no stack: the JVM may take a fault on the
 * last bytes of a thread's stack (stack banging) and relies on its handler running there.
 *
 * <p>Facts of the Linux x86-64 ABI it relies on ({@code <sys/ucontext.h>}, {@code
 * <bits/siginfo.h>}): {@code uc_mcontext.gregs} starts at byte 40 of {@code ucontext_t}
 * (after {@code uc_flags}, {@code uc_link} and the 24-byte {@code stack_t}), with {@code
 * REG_R15 = 7}, {@code REG_RSP = 15}, {@code REG_RIP = 16}; {@code si_addr} is at byte 16 of
 * {@code siginfo_t} for {@code SIGSEGV}.
 */
public final class X64FaultHandlerGenerator implements FaultHandlerGenerator {
    private static final int GREGS = 40;
    private static final int UC_R15 = GREGS + 8 * 7, UC_RSP = GREGS + 8 * 15, UC_RIP = GREGS + 8 * 16;
    private static final int SI_ADDR = 16;

    @Override
    public String arch() {
        return "amd64";
    }

    @Override
    public byte[] generate(long header, int trapCode) {
        X64Assembler a = new X64Assembler();
        int notOurs = a.newLabel();
        a.movabsRI(RAX, header);
        a.movRI(8, RCX, 1);
        a.lockXaddMR(8, RAX, NONE, 1, FaultTraps.READERS, RCX);
        a.movRM(8, R8, RDX, NONE, 1, UC_RIP);
        scan(a, FaultTraps.CODE_TABLE, notOurs);
        a.movRM(8, R8, RSI, NONE, 1, SI_ADDR);
        scan(a, FaultTraps.GUARD_TABLE, notOurs);
        leaveTables(a);
        a.movRM(8, R9, RDX, NONE, 1, UC_R15);
        a.movMI(4, R9, NONE, 1, TrapContext.TRAP_CODE, trapCode);
        a.movRM(8, R10, RDX, NONE, 1, UC_RIP);
        a.movMR(8, R9, NONE, 1, TrapContext.TRAP_PC, R10);
        a.movRM(8, R10, R9, NONE, 1, TrapContext.SAVED_SP);
        a.movMR(8, RDX, NONE, 1, UC_RSP, R10);
        a.movRM(8, R10, R9, NONE, 1, TrapContext.RESUME_PC);
        a.movMR(8, RDX, NONE, 1, UC_RIP, R10);
        a.ret();
        a.bind(notOurs);
        a.movRI(8, RCX, 1);
        a.lockXaddMR(8, RAX, NONE, 1, FaultTraps.CHAINED, RCX);
        leaveTables(a);
        a.jmpM(RAX, NONE, 1, FaultTraps.PREVIOUS);
        return a.toByteArray();
    }

    /**
     * Falls through if r8 lies in a range of the table at {@code [rax + slot]}, else jumps to
     * {@code notFound}. Clobbers rcx, r9, r10.
     */
    private static void scan(X64Assembler a, int slot, int notFound) {
        int loop = a.newLabel(), next = a.newLabel(), found = a.newLabel();
        a.movRM(8, R9, RAX, NONE, 1, slot);
        a.movRM(8, RCX, R9, NONE, 1, 0);
        a.leaRM(8, R10, R9, NONE, 1, 8);
        a.bind(loop);
        a.testRR(8, RCX, RCX);
        a.jcc(X64Cond.E, notFound);
        a.aluRM(X64Assembler.CMP, 8, R8, R10, NONE, 1, 0);
        a.jcc(X64Cond.B, next);
        a.aluRM(X64Assembler.CMP, 8, R8, R10, NONE, 1, 8);
        a.jcc(X64Cond.B, found);
        a.bind(next);
        a.aluRI(X64Assembler.ADD, 8, R10, 16);
        a.aluRI(X64Assembler.SUB, 8, RCX, 1);
        a.jmp(loop);
        a.bind(found);
    }

    /** {@code readers -= 1}: the handler reads no table after this. */
    private static void leaveTables(X64Assembler a) {
        a.movRI(8, RCX, -1);
        a.lockXaddMR(8, RAX, NONE, 1, FaultTraps.READERS, RCX);
    }
}
