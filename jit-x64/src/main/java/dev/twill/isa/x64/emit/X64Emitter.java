package dev.twill.isa.x64.emit;

import static dev.twill.isa.x64.asm.X64Assembler.*;
import static dev.twill.isa.x64.asm.X64Reg.*;
import static dev.twill.isa.x64.inst.X64Insts.*;

import dev.twill.ir.StackSlotData;
import dev.twill.ir.TrapCode;
import dev.twill.isa.x64.abi.X64Abi;
import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.isa.x64.asm.X64Cond;
import dev.twill.isa.x64.inst.X64Insts;
import dev.twill.isa.x64.lower.X64Lowering;
import dev.twill.machinst.Allocation;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.VCode;
import dev.twill.runtime.TrapContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns allocated VCode into x86-64 machine code: {@link X64Lowering}'s output plus a {@link
 * RegAllocResult} become a {@link CompiledCode}.
 *
 * <p><b>Algorithm.</b> One pass over the blocks in order: bind the block's label, and for each
 * instruction emit the allocator's moves at the point before it, the instruction itself with
 * its operands' physical registers, then the moves after it. Branches to the next block fall
 * through, and branches to blocks that only jump on go to the final target ({@link
 * #threadJumps}). Trap sites jump (forward, rel32) to out-of-line stubs emitted after the body, one per
 * site so each can record its own pc; jump tables follow (32-bit offsets from the table start).
 *
 * <p><b>Frame</b> ({@link X64Abi}): the prologue checks the stack limit, pushes rbp, sets rbp,
 * pushes the callee-saved registers the allocation writes, and drops rsp by the body size,
 * chosen so that rsp is 16-byte aligned. rsp-relative offsets from the bottom: outgoing stack
 * arguments, the return area for calls, explicit stack slots (each aligned to its alignment, at
 * most 16), spill slots (8 bytes each).
 *
 * <p>Scratch registers r11 and xmm15 are used freely inside one instruction's expansion (and by
 * the allocator's moves, which never overlap an expansion).
 */
public final class X64Emitter {
    private final X64Assembler asm = new X64Assembler(4096);

    private VCode code;
    private X64Insts in;
    private RegAllocResult ra;
    private X64Lowering low;

    private int[] blockLabel = new int[64];
    private int cur;
    private int opBase;

    // frame
    private int bodySize, spillBase, retAreaBase;
    private int[] slotOffset = new int[8];
    private int[] savedRegs = new int[4];
    private int numSaved;
    private int frameSize;
    /**
     * The function calls nothing and its frame is at most {@link #LEAF_FRAME_LIMIT}: its prologue
     * checks no stack limit. It cannot recurse, and the stack below the limit has room for it:
     * a compiled caller checked its own frame against a limit {@code CallContext.STACK_RESERVE}
     * (256 KiB) above the thread's guard zones, and a Java caller leaves the JVM's shadow zone
     * (20 pages on x86-64) free for native code.
     */
    private boolean leaf;
    /**
     * The code has a loop inside one instruction's expansion (a {@code lock cmpxchg} retry),
     * which VCode's block graph does not show: it may spin while other threads write, so the
     * code is not bounded in time.
     */
    private boolean retryLoop;
    private static final int LEAF_FRAME_LIMIT = 4096;

    // trap sites
    private int numTraps;
    private int[] trapStub = new int[16], trapSite = new int[16], trapCode = new int[16], trapOffset = new int[16];
    private final List<CompiledCode.Relocation> relocs = new ArrayList<>();
    private int[] tableLabel = new int[8];
    /** The common exit: {@code rsp = SAVED_SP; jmp RESUME_PC}. */
    private int exit;

    /** Emits the function last lowered by {@code lowering} with allocation {@code alloc}. */
    public CompiledCode emit(X64Lowering lowering, RegAllocResult alloc) {
        low = lowering;
        code = lowering.vcode;
        in = lowering.insts;
        ra = alloc;
        asm.clear();
        relocs.clear();
        numTraps = 0;
        retryLoop = false;
        exit = asm.newLabel();
        layoutFrame();

        // header: signature id, then the entry point at ENTRY_OFFSET
        asm.emitInt(X64Abi.signatureId(low.func.signature));
        asm.emitInt(0);
        prologue();

        int nb = code.numBlocks();
        if (blockLabel.length < nb) blockLabel = new int[nb * 2];
        for (int b = 0; b < nb; b++) blockLabel[b] = asm.newLabel();
        if (tableLabel.length < in.numTables) tableLabel = new int[in.numTables * 2];
        for (int t = 0; t < in.numTables; t++) tableLabel[t] = asm.newLabel();

        threadJumps(nb, ra.numEdits());
        nextEdit = 0;
        nextEditPoint = ra.numEdits() > 0 ? ra.editPoint(0) : Integer.MAX_VALUE;
        for (int b = 0; b < nb; b++) {
            if (jumpTarget[b] != b) {
                // a forwarding block: every branch goes straight to its target; its label stays
                // unbound, so a reference that missed the threading fails loudly below
                skipMovesThrough(RegAllocResult.after(code.blockEnd(b) - 1));
                continue;
            }
            asm.bind(blockLabel[b]);
            for (int i = code.blockStart(b), end = code.blockEnd(b); i < end; i++) {
                if (nextEditPoint <= RegAllocResult.before(i)) emitMovesThrough(RegAllocResult.before(i));
                emitInst(b, i);
                if (nextEditPoint <= RegAllocResult.after(i)) emitMovesThrough(RegAllocResult.after(i));
            }
        }

        // trap stubs and the common exit
        for (int k = 0; k < numTraps; k++) {
            asm.bind(trapStub[k]);
            asm.movMI(4, R15, NONE, 1, TrapContext.TRAP_CODE, trapCode[k]);
            asm.leaRM(8, R11, LABEL, NONE, 1, trapSite[k]);
            asm.movMR(8, R15, NONE, 1, TrapContext.TRAP_PC, R11);
            asm.jmp(exit);
        }
        // the trap exit, and where a host function's exception unwinds to (TrapContext protocol);
        // a leaf without trap sites has neither
        if (numTraps > 0 || !leaf) {
            asm.bind(exit);
            asm.movRM(8, RSP, R15, NONE, 1, TrapContext.SAVED_SP);
            asm.jmpM(R15, NONE, 1, TrapContext.RESUME_PC);
        }

        // jump tables
        for (int t = 0; t < in.numTables; t++) {
            asm.align(4);
            asm.bind(tableLabel[t]);
            int start = asm.size();
            int b = tableOwner[t];
            for (int k = 1; k < in.tableSize(t); k++) {
                int target = jumpTarget[code.succ(b, in.tableEntry(t, k))];
                asm.emitInt(asm.labelOffset(blockLabel[target]) - start);
            }
        }
        if (asm.unresolvedReferences() != 0) throw new IllegalStateException("unbound labels in " + low.func.name);

        int[] traps = new int[numTraps], codes = new int[numTraps];
        for (int k = 0; k < numTraps; k++) {
            traps[k] = trapOffset[k];
            codes[k] = trapCode[k];
        }
        // no call, trap site, access that may fault, relocation or loop (some edge of any cycle
        // goes back in block order; retry loops live inside one instruction). Only trap stubs,
        // the trap exit, the stack check, the check after a call and a fault that the signal
        // handler turns into a trap read r15, so such code never touches it.
        boolean selfContained = leaf && numTraps == 0 && !low.mayFault && relocs.isEmpty() && !retryLoop && !hasBackEdge();
        return new CompiledCode(asm.toByteArray(), relocs.toArray(new CompiledCode.Relocation[0]), traps, codes, frameSize,
                selfContained);
    }

    private int[] tableOwner = new int[8];
    /** Per block: where a branch to it really goes (itself unless it only jumps on). */
    private int[] jumpTarget = new int[64];
    /** Per block: the next block emitted after it (forwarding blocks are not emitted), or -1. */
    private int[] nextEmitted = new int[64];

    /**
     * Jump threading. After allocation, many blocks hold nothing but a {@code jmp}: the edge
     * blocks that split critical edges when the allocator needed no moves there, and blocks
     * that only passed arguments that landed in the same registers. A branch to such a block
     * becomes a branch to where it jumps (followed transitively), so a loop's back edge is one
     * {@code jcc} to the header instead of a {@code jcc} over a {@code jmp} to a {@code jmp}; the
     * forwarding block itself is not emitted, which also lets its neighbours fall through to
     * each other. The entry block is never forwarded (the prologue falls into it), nor a block
     * on a cycle of forwarding blocks (an empty infinite loop must still loop).
     */
    private void threadJumps(int nb, int numEdits) {
        if (jumpTarget.length < nb) {
            jumpTarget = new int[nb * 2];
            nextEmitted = new int[nb * 2];
        }
        int edit = 0;
        for (int b = 0; b < nb; b++) {
            jumpTarget[b] = b;
            int s = code.blockStart(b), e = code.blockEnd(b);
            while (edit < numEdits && ra.editPoint(edit) < RegAllocResult.before(s)) edit++;
            boolean movesHere = edit < numEdits && ra.editPoint(edit) <= RegAllocResult.after(e - 1);
            if (b > 0 && e - s == 1 && in.op[s] == JMP && !movesHere) jumpTarget[b] = code.succ(b, 0);
        }
        for (int b = 1; b < nb; b++) {
            int t = b;
            for (int steps = 0; jumpTarget[t] != t && steps <= nb; steps++) t = jumpTarget[t];
            // a cycle: b stays and is emitted; blocks resolved earlier point at blocks that
            // target themselves, which this loop never changes, so one pass suffices
            jumpTarget[b] = jumpTarget[t] == t ? t : b;
        }
        int next = -1;
        for (int b = nb - 1; b >= 0; b--) {
            nextEmitted[b] = next;
            if (jumpTarget[b] == b) next = b;
        }
    }
    private final FloatToInt f2i = new FloatToInt();

    // =====================================================================================
    // Frame

    private void layoutFrame() {
        numSaved = 0;
        for (int r : X64Abi.CALLEE_SAVED) {
            if ((ra.usedRegs & (1L << r)) != 0) {
                if (numSaved == savedRegs.length) savedRegs = Arrays.copyOf(savedRegs, numSaved * 2);
                savedRegs[numSaved++] = r;
            }
        }
        int at = low.outArgBytes;
        retAreaBase = at;
        at += low.retAreaBytes;
        List<StackSlotData> slots = low.func.stackSlots;
        if (slotOffset.length < slots.size()) slotOffset = new int[slots.size() * 2];
        for (int s = 0; s < slots.size(); s++) {
            StackSlotData d = slots.get(s);
            int align = d.align > 0 ? Math.min(d.align, 16) : (d.size >= 16 ? 16 : 8);
            at = (at + align - 1) & -align;
            slotOffset[s] = at;
            at += Math.max(d.size, 0);
        }
        at = (at + 7) & -8;
        spillBase = at;
        at += 8 * ra.numSpillSlots;
        // rsp is 16-aligned after "push rbp"; numSaved pushes then the body must keep it so
        int pushed = 8 * numSaved;
        bodySize = ((at + pushed + 15) & -16) - pushed;
        frameSize = 8 + pushed + bodySize;
        leaf = frameSize <= LEAF_FRAME_LIMIT;
        for (int i = 0; leaf && i < code.numInsts(); i++) leaf = !code.isCall(i);
    }

    private boolean hasBackEdge() {
        for (int b = 0; b < code.numBlocks(); b++) {
            for (int k = 0; k < code.numSuccs(b); k++) if (code.succ(b, k) <= b) return true;
        }
        return false;
    }

    private void prologue() {
        if (!leaf) {
            asm.leaRM(8, R11, RSP, NONE, 1, -frameSize);
            asm.aluRM(CMP, 8, R11, R15, NONE, 1, TrapContext.STACK_LIMIT);
            trapJcc(X64Cond.B, TrapCode.STK_OVF);
        }
        asm.push(RBP);
        asm.movRR(8, RBP, RSP);
        for (int k = 0; k < numSaved; k++) asm.push(savedRegs[k]);
        if (bodySize > 0) asm.aluRI(SUB, 8, RSP, bodySize);
    }

    private void epilogue() {
        if (bodySize > 0) asm.aluRI(ADD, 8, RSP, bodySize);
        for (int k = numSaved - 1; k >= 0; k--) asm.pop(savedRegs[k]);
        asm.pop(RBP);
        int pops = X64Abi.calleePops(low.func.signature) ? low.ownLocations().stackArgBytes : 0;
        if (pops > 0) asm.ret(pops);
        else asm.ret();
    }

    /**
     * The frame teardown and jump of a tail call ({@link X64Abi}, "Tail calls"): the stack
     * arguments are at [rsp], {@code in.memDisp} bytes of them; they go to rbp + 16 + {@code
     * in.memSlot} of the frame being left. Everything is addressed from rsp once rbp is reloaded.
     */
    private void tailCallTeardown(int i) {
        int argBytes = in.memDisp[i];
        int dest = 8 * numSaved + bodySize + 16 + in.memSlot[i]; // from rsp
        asm.movRM(8, R11, RBP, NONE, 1, 8); // the return address
        for (int k = 0; k < numSaved; k++) asm.movRM(8, savedRegs[k], RBP, NONE, 1, -8 * (k + 1));
        asm.movRM(8, RBP, RBP, NONE, 1, 0);
        // dest > 0 and the source is at the bottom of the frame: copying downward from the top
        // never reads a word this copy already overwrote
        for (int off = argBytes - 8; off >= 0; off -= 8) {
            asm.sseRM(MOVSD, X64Abi.FSCRATCH, RSP, NONE, 1, off);
            asm.movsdMR(RSP, NONE, 1, dest + off, X64Abi.FSCRATCH);
        }
        asm.leaRM(8, RSP, RSP, NONE, 1, dest - 8);
        asm.movMR(8, RSP, NONE, 1, 0, R11);
    }

    // =====================================================================================
    // Moves

    private int slotDisp(int a) {
        return spillBase + 8 * Allocation.slotIndex(a);
    }

    /**
     * The allocator's edits are in point order, so the emitter walks them with a cursor: the
     * next edit and its point ({@code Integer.MAX_VALUE} when none is left), which costs an
     * instruction without moves one compare.
     */
    private int nextEdit, nextEditPoint;

    /** Emits the edits at points up to {@code point}; the next edit is at or before it. */
    private void emitMovesThrough(int point) {
        RegAllocResult ra = this.ra;
        int e = nextEdit, n = ra.numEdits();
        do {
            emitMove(ra.editFrom(e), ra.editTo(e));
            e++;
        } while (e < n && ra.editPoint(e) <= point);
        nextEdit = e;
        nextEditPoint = e < n ? ra.editPoint(e) : Integer.MAX_VALUE;
    }

    /** Passes over the edits at points up to {@code point} (those of a block that is not emitted). */
    private void skipMovesThrough(int point) {
        int e = nextEdit, n = ra.numEdits();
        while (e < n && ra.editPoint(e) <= point) e++;
        nextEdit = e;
        nextEditPoint = e < n ? ra.editPoint(e) : Integer.MAX_VALUE;
    }

    private void emitMove(int from, int to) {
        if (from == to) return;
        if (Allocation.isReg(from) && Allocation.isReg(to)) {
            if (RegClass.classOf(from) == RegClass.INT) asm.movRR(8, to, from);
            else asm.sseRR(MOVAPS, to - RegClass.FLOAT_BASE, from - RegClass.FLOAT_BASE);
        } else if (Allocation.isReg(from)) {
            if (RegClass.classOf(from) == RegClass.INT) asm.movqSR(slotDisp(to), from);
            else asm.movsdSX(slotDisp(to), from - RegClass.FLOAT_BASE);
        } else {
            if (RegClass.classOf(to) == RegClass.INT) asm.movqRS(to, slotDisp(from));
            else asm.movsdXS(to - RegClass.FLOAT_BASE, slotDisp(from));
        }
    }

    /**
     * {@code old = [mem]; do { t = op(old, x) } while (!lock cmpxchg [mem], t)}: the failed
     * cmpxchg reloads rax with the current value, so the loop retries on it. Narrow sizes compute
     * in 32-bit registers (only the low bytes are stored); min/max compare at the exact size.
     */
    private void emitAtomicRmwLoop(int sz, int rmw, int x, int t) {
        retryLoop = true;
        resolveMem();
        int wide = Math.max(sz, 4);
        if (sz >= 4) asm.movRM(sz, RAX, mBase, mIndex, mScale, mDisp);
        else asm.movzxRM(4, sz, RAX, mBase, mIndex, mScale, mDisp);
        int loop = asm.newLabel();
        asm.bind(loop);
        asm.movRR(8, t, RAX);
        switch (dev.twill.ir.AtomicRmwOp.of(rmw)) {
            case AND -> asm.aluRR(AND, wide, t, x);
            case OR -> asm.aluRR(OR, wide, t, x);
            case XOR -> asm.aluRR(XOR, wide, t, x);
            case NAND -> {
                asm.aluRR(AND, wide, t, x);
                asm.unaryR(NOT, wide, t);
            }
            case UMIN, UMAX, SMIN, SMAX -> {
                asm.aluRR(CMP, sz, t, x);
                int cc = switch (dev.twill.ir.AtomicRmwOp.of(rmw)) {
                    case UMIN -> X64Cond.A;
                    case UMAX -> X64Cond.B;
                    case SMIN -> X64Cond.G;
                    default -> X64Cond.L;
                };
                asm.cmovRR(cc, wide, t, x);
            }
            default -> throw new IllegalStateException("atomic_rmw " + rmw + " has its own instruction");
        }
        asm.lockCmpxchgMR(sz, mBase, mIndex, mScale, mDisp, t);
        asm.jcc(X64Cond.NE, loop);
    }

    // =====================================================================================
    // Operands

    /**
     * The register (hardware number) of operand {@code k} of the current instruction. Called for
     * nearly every operand, so kept within HotSpot's MaxInlineSize (35 bytes of bytecode) to be
     * inlined everywhere: registers are 0..63 (an allocation outside that is NONE or a slot), and
     * x86-64's integer registers 0-15 and xmm registers FLOAT_BASE + 0-15 both keep their
     * hardware number in the low four bits.
     */
    private int r(int k) {
        int a = ra.alloc(opBase + k);
        if ((a & ~63) != 0) throw notARegister(k, a);
        return a & 15;
    }

    private IllegalStateException notARegister(int k, int a) {
        return new IllegalStateException(low.func.name + ": operand " + k + " of inst" + cur + " ("
                + X64Insts.opName(in.op[cur]) + ") allocated to " + Allocation.toString(a) + ", a register was required");
    }

    // memory operand of the current instruction, resolved
    private int mBase, mIndex, mScale, mDisp;

    private void resolveMem() {
        int b = in.memBase[cur];
        mIndex = in.memIndex[cur] >= 0 ? r(in.memIndex[cur]) : NONE;
        mScale = in.memScale[cur];
        mDisp = in.memDisp[cur];
        switch (b) {
            case MB_SLOT -> {
                mBase = RSP;
                mDisp += slotOffset[in.memSlot[cur]];
            }
            case MB_OUTARG -> mBase = RSP;
            case MB_RETAREA -> {
                mBase = RSP;
                mDisp += retAreaBase;
            }
            case MB_INARG -> {
                mBase = RBP;
                mDisp += 16;
            }
            default -> mBase = r(b);
        }
        if (mIndex == NONE) mScale = 1;
    }

    /** Emits the fused compare of the current instruction; returns the index of its first own operand. */
    private int emitCompare() {
        int sz = in.cmpSize[cur];
        switch (in.cmpKind[cur]) {
            case CMP_RR -> asm.aluRR(CMP, sz, r(0), r(1));
            case CMP_RI -> asm.aluRI(CMP, sz, r(0), (int) in.imm[cur]);
            case TEST -> asm.testRR(sz, r(0), r(0));
            case UCOMIS -> asm.sseRR(sz == 4 ? UCOMISS : UCOMISD, r(0), r(1));
            case CMP_RM -> {
                resolveMem();
                asm.aluRM(CMP, sz, r(0), mBase, mIndex, mScale, mDisp);
            }
            case CMP_MI -> {
                resolveMem();
                asm.aluMI(CMP, sz, mBase, mIndex, mScale, mDisp, (int) in.imm[cur]);
            }
            default -> { }
        }
        return in.cmpOperands(cur);
    }

    // =====================================================================================
    // Traps

    private void addTrap(int code) {
        if (numTraps == trapStub.length) {
            int n = numTraps * 2;
            trapStub = Arrays.copyOf(trapStub, n);
            trapSite = Arrays.copyOf(trapSite, n);
            trapCode = Arrays.copyOf(trapCode, n);
            trapOffset = Arrays.copyOf(trapOffset, n);
        }
        int site = asm.newLabel();
        asm.bind(site);
        trapSite[numTraps] = site;
        trapStub[numTraps] = asm.newLabel();
        trapCode[numTraps] = code;
        trapOffset[numTraps] = asm.size();
        numTraps++;
    }

    /** {@code j<cc>} to a new trap stub for {@code code}. */
    private void trapJcc(int cc, int code) {
        addTrap(code);
        asm.jccRel32(cc, trapStub[numTraps - 1]);
    }

    /**
     * After a call that may reach a host function: a host function that threw returns with
     * {@code TRAP_CODE != NO_TRAP} (its wrapper stored {@code HOST_EXCEPTION}), and this code must
     * not run on with its garbage results; it unwinds to the entry trampoline like a trap exit,
     * without storing a code, so Java rethrows the recorded exception ({@link TrapContext}).
     * Calls within the module need no check: compiled code never returns normally with a trap
     * code set.
     */
    private void unwindIfHostThrew() {
        asm.aluMI(CMP, 4, R15, NONE, 1, TrapContext.TRAP_CODE, TrapContext.NO_TRAP);
        asm.jccRel32(X64Cond.NE, exit);
    }

    private void trapJmp(int code) {
        addTrap(code);
        asm.jmpRel32(trapStub[numTraps - 1]);
    }

    // =====================================================================================
    // Instructions

    private void jumpTo(int b, int target) {
        target = jumpTarget[target];
        if (target != nextEmitted[b]) asm.jmp(blockLabel[target]);
    }

    private void emitInst(int b, int i) {
        cur = i;
        opBase = code.operandStart(i);
        int sz = in.size[i];
        switch (in.op[i]) {
            case MOV -> {
                if (r(0) != r(1)) asm.movRR(8, r(1), r(0));
            }
            case MOVF -> {
                if (r(0) != r(1)) asm.sseRR(MOVAPS, r(1), r(0));
            }
            case IMM -> {
                long v = in.imm[i];
                if (v == 0) asm.aluRR(XOR, 4, r(0), r(0));
                else asm.movImm64(r(0), v);
            }
            case FIMM -> {
                long bits = in.imm[i];
                if (bits == 0) {
                    asm.sseRR(XORPS, r(0), r(0));
                } else {
                    asm.movImm64(R11, sz == 4 ? bits & 0xFFFF_FFFFL : bits);
                    asm.movdXR(sz, r(0), R11);
                }
            }
            case LEA -> {
                resolveMem();
                asm.leaRM(sz, r(code.numOperands(i) - 1), mBase, mIndex, mScale, mDisp);
            }
            case ALU_RR -> asm.aluRR(in.aux[i], sz, r(2), r(1));
            case ALU_RI -> asm.aluRI(in.aux[i], sz, r(1), (int) in.imm[i]);
            case ALU_RM -> {
                resolveMem();
                int d = r(code.numOperands(i) - 1);
                if (in.aux[i] == ALU_IMUL) asm.imulRM(sz, d, mBase, mIndex, mScale, mDisp);
                else asm.aluRM(in.aux[i], sz, d, mBase, mIndex, mScale, mDisp);
            }
            case IMUL_RR -> asm.imulRR(sz, r(2), r(1));
            case IMUL_RRI -> asm.imulRRI(sz, r(1), r(0), (int) in.imm[i]);
            case UNARY -> asm.unaryR(in.aux[i], sz, r(1));
            case SHIFT_CL -> asm.shiftRCl(in.aux[i], sz, r(2));
            case SHIFT_RI -> asm.shiftRI(in.aux[i], sz, r(1), (int) in.imm[i]);
            case MULHI -> asm.unaryR(in.aux[i], 8, r(1));
            case X64Insts.DIV -> emitDiv(i, sz);
            case EXT -> emitExt(in.aux[i] & 15, (in.aux[i] & EXT_SIGNED) != 0, sz, r(1), r(0));
            case LOAD -> emitLoad(i, sz);
            case STORE -> {
                int v = r(0);
                resolveMem();
                if (in.aux[i] == 1) {
                    if (sz == 4) asm.movssMR(mBase, mIndex, mScale, mDisp, v);
                    else asm.movsdMR(mBase, mIndex, mScale, mDisp, v);
                } else {
                    asm.movMR(sz, mBase, mIndex, mScale, mDisp, v);
                }
            }
            case STORE_IMM -> {
                resolveMem();
                asm.movMI(sz, mBase, mIndex, mScale, mDisp, (int) in.imm[i]);
            }
            case SETCC -> {
                int k = emitCompare();
                int d = r(k);
                int cc = in.cond[i];
                if (cc == FEQ || cc == FNE) {
                    asm.setcc(cc == FEQ ? X64Cond.E : X64Cond.NE, d);
                    asm.setcc(cc == FEQ ? X64Cond.NP : X64Cond.P, R11);
                    asm.aluRR(cc == FEQ ? AND : OR, 1, d, R11);
                } else {
                    asm.setcc(cc, d);
                }
                asm.movzxRR(4, 1, d, d);
            }
            case JCC -> {
                emitCompare();
                emitCondBranch(b, in.cond[i], code.succ(b, 0), code.succ(b, 1));
            }
            case CMOV -> {
                int k = emitCompare();
                int x = r(k), d = r(k + 2);
                int cc = in.cond[i];
                if (cc == FNE) {
                    asm.cmovRR(X64Cond.NE, sz, d, x);
                    asm.cmovRR(X64Cond.P, sz, d, x);
                } else {
                    asm.cmovRR(cc, sz, d, x);
                }
            }
            case FSEL -> {
                int k = emitCompare();
                int x = r(k), d = r(k + 2);
                int cc = in.cond[i];
                int skip = asm.newLabel();
                if (cc == FEQ) {
                    asm.jcc(X64Cond.NE, skip);
                    asm.jcc(X64Cond.P, skip);
                } else if (cc == FNE) {
                    int take = asm.newLabel();
                    asm.jcc(X64Cond.P, take);
                    asm.jcc(X64Cond.E, skip);
                    asm.bind(take);
                } else {
                    asm.jcc(X64Cond.invert(cc), skip);
                }
                asm.sseRR(MOVAPS, d, x);
                asm.bind(skip);
            }
            case TRAPIF -> {
                emitCompare();
                int cc = in.cond[i];
                int tc = in.aux[i];
                if (cc == FEQ) {
                    int over = asm.newLabel();
                    asm.jcc(X64Cond.P, over);
                    trapJcc(X64Cond.E, tc);
                    asm.bind(over);
                } else if (cc == FNE) {
                    trapJcc(X64Cond.P, tc);
                    trapJcc(X64Cond.NE, tc);
                } else {
                    trapJcc(cc, tc);
                }
            }
            case JMP -> jumpTo(b, code.succ(b, 0));
            case TRAP -> trapJmp(in.aux[i]);
            case BR_TABLE -> emitBrTable(b, i);
            case RET -> epilogue();
            case ARGS -> { }
            case CALL -> {
                String sym = in.symbols.get(in.aux[i]);
                if (in.cond[i] != 0) {
                    int p = asm.callRel32Placeholder();
                    relocs.add(new CompiledCode.Relocation(p, CompiledCode.RelocKind.X86_PC_REL32, sym, 0));
                } else {
                    int p = asm.size() + 2;
                    asm.movabsRI(R11, 0);
                    relocs.add(new CompiledCode.Relocation(p, CompiledCode.RelocKind.ABS64, sym, 0));
                    asm.callR(R11);
                }
                if (in.memDisp[i] > 0) asm.aluRI(SUB, 8, RSP, in.memDisp[i]); // the callee popped its arguments
                if (in.cond[i] == 0) unwindIfHostThrew();
            }
            case CALL_IND -> {
                int c = r(0);
                asm.testRR(8, c, c);
                trapJcc(X64Cond.E, TrapCode.NULL_REFERENCE);
                asm.aluMI(CMP, 4, c, NONE, 1, -X64Abi.ENTRY_OFFSET, (int) in.imm[i]);
                trapJcc(X64Cond.NE, TrapCode.BAD_SIG);
                asm.callR(c);
                if (in.memDisp[i] > 0) asm.aluRI(SUB, 8, RSP, in.memDisp[i]); // the callee popped its arguments
                unwindIfHostThrew(); // the pointer may be a host function's (func_addr of an import)
            }
            case TAIL_CALL -> {
                String sym = in.symbols.get(in.aux[i]);
                tailCallTeardown(i);
                if (in.cond[i] != 0) {
                    int p = asm.jmpRel32Placeholder();
                    relocs.add(new CompiledCode.Relocation(p, CompiledCode.RelocKind.X86_PC_REL32, sym, 0));
                } else {
                    int p = asm.size() + 2;
                    asm.movabsRI(R11, 0);
                    relocs.add(new CompiledCode.Relocation(p, CompiledCode.RelocKind.ABS64, sym, 0));
                    asm.jmpR(R11);
                }
            }
            case TAIL_CALL_IND -> {
                int c = r(0);
                asm.testRR(8, c, c);
                trapJcc(X64Cond.E, TrapCode.NULL_REFERENCE);
                asm.aluMI(CMP, 4, c, NONE, 1, -X64Abi.ENTRY_OFFSET, (int) in.imm[i]);
                trapJcc(X64Cond.NE, TrapCode.BAD_SIG);
                tailCallTeardown(i);
                asm.jmpR(c);
            }
            case SYMBOL_ADDR -> {
                int p = asm.size() + 2;
                asm.movabsRI(r(0), 0);
                relocs.add(new CompiledCode.Relocation(p, CompiledCode.RelocKind.ABS64, in.symbols.get(in.aux[i]), in.imm[i]));
            }
            case BSWAP -> {
                if (sz == 2) asm.shiftRI(ROL, 2, r(1), 8);
                else asm.bswap(sz, r(1));
            }
            case BITCNT -> {
                switch (in.aux[i]) {
                    case CNT_LZ -> asm.lzcntRR(sz, r(1), r(0));
                    case CNT_TZ -> asm.tzcntRR(sz, r(1), r(0));
                    default -> asm.popcntRR(sz, r(1), r(0));
                }
            }
            case CLZ_BSR -> {
                int d = r(1);
                asm.bsrRR(sz, d, r(0));
                asm.movRI(8, R11, -1);
                asm.cmovRR(X64Cond.E, sz, d, R11);
                asm.unaryR(NEG, sz, d);
                asm.aluRI(ADD, sz, d, sz * 8 - 1);
            }
            case CTZ_BSF -> {
                int d = r(1);
                asm.bsfRR(sz, d, r(0));
                asm.movRI(4, R11, sz * 8);
                asm.cmovRR(X64Cond.E, sz, d, R11);
            }
            case POPCNT_SWAR -> emitPopcntSwar(sz, r(0), r(1), r(2));
            case IABS -> {
                int a = r(0), d = r(1);
                asm.movRR(sz, d, a);
                asm.unaryR(NEG, sz, d);
                asm.cmovRR(X64Cond.S, sz, d, a);
            }
            case SSE_RR -> asm.sseRR(in.aux[i], r(2), r(1));
            case SSE_RM -> {
                resolveMem();
                asm.sseRM(in.aux[i], r(code.numOperands(i) - 1), mBase, mIndex, mScale, mDisp);
            }
            case SSE_UN -> asm.sseRR(in.aux[i], r(1), r(0));
            case ROUND -> {
                if (sz == 4) asm.roundssRR(r(1), r(0), in.aux[i] | 8);
                else asm.roundsdRR(r(1), r(0), in.aux[i] | 8);
            }
            case ROUND_SOFT -> emitRoundSoft(sz, in.aux[i], r(0), r(1));
            case MFENCE -> asm.mfence();
            case FMA -> asm.vfmadd231RR(sz, r(3), r(0), r(1));
            case ATOMIC_XADD, ATOMIC_XCHG -> {
                resolveMem();
                int d = r(2);
                if (in.op[i] == ATOMIC_XADD) asm.lockXaddMR(sz, mBase, mIndex, mScale, mDisp, d);
                else asm.xchgMR(sz, mBase, mIndex, mScale, mDisp, d);
            }
            case ATOMIC_CAS -> {
                resolveMem();
                asm.lockCmpxchgMR(sz, mBase, mIndex, mScale, mDisp, r(1));
            }
            case ATOMIC_RMW_LOOP -> emitAtomicRmwLoop(sz, in.aux[i], r(0), r(3));
            case FSIGN -> {
                loadMask(sz, in.aux[i] == 0 ? signMask(sz) : absMask(sz));
                asm.sseRR(in.aux[i] == 0 ? XORPS : ANDPS, r(1), XMM15);
            }
            case FCOPYSIGN -> {
                int d = r(2), bb = r(1);
                loadMask(sz, absMask(sz));
                asm.sseRR(ANDPS, d, XMM15);
                loadMask(sz, signMask(sz));
                asm.sseRR(ANDPS, XMM15, bb);
                asm.sseRR(ORPS, d, XMM15);
            }
            case FMINMAX -> emitMinMax(sz, in.aux[i] == 1, r(2), r(1));
            case CVT_I2F -> {
                int d = r(1);
                asm.sseRR(XORPS, d, d);
                if (sz == 4) asm.cvtsi2ssRR(in.aux[i], d, r(0));
                else asm.cvtsi2sdRR(in.aux[i], d, r(0));
            }
            case CVT_U64_F -> emitU64ToFloat(sz, r(0), r(1));
            case CVT_F2I -> f2i.emit(sz, (int) in.imm[i], in.aux[i], r(0), r(1), r(2));
            case MOVD_XR -> asm.movdXR(sz, r(1), r(0));
            case MOVD_RX -> asm.movdRX(sz, r(1), r(0));
            default -> throw new IllegalStateException("unknown x64 op " + in.op[i]);
        }
    }

    private void emitCondBranch(int b, int cc, int taken, int notTaken) {
        taken = jumpTarget[taken];
        notTaken = jumpTarget[notTaken];
        int t = blockLabel[taken], f = blockLabel[notTaken];
        boolean tNext = taken == nextEmitted[b], fNext = notTaken == nextEmitted[b];
        if (cc == FEQ) {
            asm.jcc(X64Cond.P, f);
            if (tNext) {
                asm.jcc(X64Cond.NE, f);
            } else {
                asm.jcc(X64Cond.E, t);
                if (!fNext) asm.jmp(f);
            }
        } else if (cc == FNE) {
            asm.jcc(X64Cond.P, t);
            if (tNext) {
                asm.jcc(X64Cond.E, f);
            } else {
                asm.jcc(X64Cond.NE, t);
                if (!fNext) asm.jmp(f);
            }
        } else if (tNext) {
            asm.jcc(X64Cond.invert(cc), f);
        } else {
            asm.jcc(cc, t);
            if (!fNext) asm.jmp(f);
        }
    }

    private void emitBrTable(int b, int i) {
        int t = r(0);
        int table = in.aux[i];
        if (tableOwner.length <= table) tableOwner = Arrays.copyOf(tableOwner, table * 2 + 2);
        tableOwner[table] = b;
        int n = in.tableSize(table) - 1;
        int dflt = jumpTarget[code.succ(b, in.tableEntry(table, 0))];
        asm.aluRI(CMP, 8, t, n);
        asm.jcc(X64Cond.AE, blockLabel[dflt]);
        asm.leaRM(8, R11, LABEL, NONE, 1, tableLabel[table]);
        asm.movsxRM(8, 4, t, R11, t, 4, 0);
        asm.aluRR(ADD, 8, t, R11);
        asm.jmpR(t);
    }

    private void emitExt(int from, boolean signed, int size, int d, int a) {
        if (from == 8) {
            asm.movRR(8, d, a);
        } else if (from == 4) {
            if (signed) asm.movsxRR(8, 4, d, a);
            else asm.movRR(4, d, a);
        } else if (signed) {
            asm.movsxRR(size, from, d, a);
        } else {
            asm.movzxRR(4, from, d, a);
        }
    }

    private void emitLoad(int i, int sz) {
        int d = r(code.numOperands(i) - 1);
        resolveMem();
        switch (in.aux[i]) {
            case LD_FLOAT -> asm.sseRM(sz == 4 ? MOVSS : MOVSD, d, mBase, mIndex, mScale, mDisp);
            case LD_SIGN -> {
                if (sz == 8) asm.movRM(8, d, mBase, mIndex, mScale, mDisp);
                else if (sz == 4) asm.movsxRM(8, 4, d, mBase, mIndex, mScale, mDisp);
                else asm.movsxRM((int) in.imm[i], sz, d, mBase, mIndex, mScale, mDisp);
            }
            default -> {
                if (sz >= 4) asm.movRM(sz, d, mBase, mIndex, mScale, mDisp);
                else asm.movzxRM(4, sz, d, mBase, mIndex, mScale, mDisp);
            }
        }
    }

    /**
     * Division with its checks: a zero divisor traps int_divz; a divisor of -1 is handled
     * without idiv (which would fault on MIN / -1): the quotient is the negation, trapping
     * int_ovf when the negation overflows at the IR width, and the remainder is 0.
     */
    private void emitDiv(int i, int sz) {
        int b = r(1);
        int flags = in.aux[i];
        boolean signed = (flags & DIV_SIGNED) != 0, rem = (flags & DIV_REM) != 0;
        if ((flags & DIV_NO_ZERO_CHECK) == 0) {
            asm.testRR(sz, b, b);
            trapJcc(X64Cond.E, TrapCode.INT_DIVZ);
        }
        int done = asm.newLabel();
        if (signed && (flags & DIV_NO_NEG1_CHECK) == 0) {
            int normal = asm.newLabel();
            asm.aluRI(CMP, sz, b, -1);
            asm.jcc(X64Cond.NE, normal);
            if (rem) {
                asm.aluRR(XOR, 4, RDX, RDX);
            } else {
                asm.unaryR(NEG, (int) in.imm[i], RAX);
                trapJcc(X64Cond.O, TrapCode.INT_OVF);
            }
            asm.jmp(done);
            asm.bind(normal);
        }
        if (signed) {
            if (sz == 8) asm.cqo();
            else asm.cdq();
            asm.unaryR(IDIV, sz, b);
        } else {
            asm.aluRR(XOR, 4, RDX, RDX);
            asm.unaryR(X64Assembler.DIV, sz, b);
        }
        asm.bind(done);
    }

    private void emitPopcntSwar(int sz, int a, int d, int t) {
        boolean q = sz == 8;
        asm.movRR(sz, d, a);
        asm.movRR(sz, t, d);
        asm.shiftRI(SHR, sz, t, 1);
        mask(q, 0x5555_5555_5555_5555L);
        asm.aluRR(AND, sz, t, R11);
        asm.aluRR(SUB, sz, d, t);
        mask(q, 0x3333_3333_3333_3333L);
        asm.movRR(sz, t, d);
        asm.aluRR(AND, sz, t, R11);
        asm.shiftRI(SHR, sz, d, 2);
        asm.aluRR(AND, sz, d, R11);
        asm.aluRR(ADD, sz, d, t);
        asm.movRR(sz, t, d);
        asm.shiftRI(SHR, sz, t, 4);
        asm.aluRR(ADD, sz, d, t);
        mask(q, 0x0F0F_0F0F_0F0F_0F0FL);
        asm.aluRR(AND, sz, d, R11);
        mask(q, 0x0101_0101_0101_0101L);
        asm.imulRR(sz, d, R11);
        asm.shiftRI(SHR, sz, d, sz * 8 - 8);
    }

    private void mask(boolean q, long m) {
        if (q) asm.movImm64(R11, m);
        else asm.movRI(4, R11, (int) m);
    }

    private static long signMask(int sz) {
        return sz == 4 ? 0x8000_0000L : 0x8000_0000_0000_0000L;
    }

    private static long absMask(int sz) {
        return sz == 4 ? 0x7FFF_FFFFL : 0x7FFF_FFFF_FFFF_FFFFL;
    }

    /** xmm15 = the float bits {@code bits} (via r11). */
    private void loadMask(int sz, long bits) {
        asm.movImm64(R11, bits);
        asm.movdXR(sz, XMM15, R11);
    }

    private void ucomis(int sz, int a, int b) {
        asm.sseRR(sz == 4 ? UCOMISS : UCOMISD, a, b);
    }

    /** WebAssembly fmin/fmax: NaN if either is NaN, and -0 < +0. d holds a on entry. */
    private void emitMinMax(int sz, boolean max, int d, int b) {
        int nan = asm.newLabel(), unequal = asm.newLabel(), done = asm.newLabel();
        ucomis(sz, d, b);
        asm.jcc(X64Cond.P, nan);
        asm.jcc(X64Cond.NE, unequal);
        // equal: only the signs of zeros can differ; or keeps -0 (min), and keeps +0 (max)
        asm.sseRR(max ? ANDPS : ORPS, d, b);
        asm.jmp(done);
        asm.bind(unequal);
        asm.sseRR(max ? (sz == 4 ? MAXSS : MAXSD) : (sz == 4 ? MINSS : MINSD), d, b);
        asm.jmp(done);
        asm.bind(nan);
        asm.sseRR(sz == 4 ? ADDSS : ADDSD, d, b);
        asm.bind(done);
    }

    /** u64 to float: halve with the lost bit kept sticky (round to odd), convert, double. */
    private void emitU64ToFloat(int sz, int a, int d) {
        int big = asm.newLabel(), done = asm.newLabel(), even = asm.newLabel();
        asm.sseRR(XORPS, d, d);
        asm.testRR(8, a, a);
        asm.jcc(X64Cond.S, big);
        cvtsi2f(sz, d, a);
        asm.jmp(done);
        asm.bind(big);
        asm.movRR(8, R11, a);
        asm.shiftRI(SHR, 8, R11, 1);
        asm.jcc(X64Cond.AE, even);
        asm.aluRI(OR, 8, R11, 1);
        asm.bind(even);
        cvtsi2f(sz, d, R11);
        asm.sseRR(sz == 4 ? ADDSS : ADDSD, d, d);
        asm.bind(done);
    }

    private void cvtsi2f(int sz, int d, int a) {
        if (sz == 4) asm.cvtsi2ssRR(8, d, a);
        else asm.cvtsi2sdRR(8, d, a);
    }

    /**
     * ceil/floor/trunc/nearest without SSE4.1. NaN is quieted (a + a); |a| >= 2^(mantissa bits)
     * is already integral; otherwise nearest adds and subtracts 2^(mantissa bits) to |a| (which
     * rounds to nearest even), the others truncate through a 64-bit integer and step by one;
     * the result takes a's sign (so -0.5 gives -0).
     */
    private void emitRoundSoft(int sz, int mode, int a, int d) {
        int nan = asm.newLabel(), big = asm.newLabel(), sign = asm.newLabel(), done = asm.newLabel();
        boolean f32 = sz == 4;
        long twoP = f32 ? Float.floatToRawIntBits(8388608f) & 0xFFFF_FFFFL : Double.doubleToRawLongBits(4503599627370496.0);
        long one = f32 ? Float.floatToRawIntBits(1f) & 0xFFFF_FFFFL : Double.doubleToRawLongBits(1.0);
        ucomis(sz, a, a);
        asm.jcc(X64Cond.P, nan);
        asm.sseRR(MOVAPS, d, a);
        loadMask(sz, absMask(sz));
        asm.sseRR(ANDPS, d, XMM15);
        loadMask(sz, twoP);
        ucomis(sz, d, XMM15);
        asm.jcc(X64Cond.AE, big);
        if (mode == ROUND_NEAREST) {
            asm.sseRR(f32 ? ADDSS : ADDSD, d, XMM15);
            asm.sseRR(f32 ? SUBSS : SUBSD, d, XMM15);
        } else {
            if (f32) asm.cvttss2siRR(8, R11, a);
            else asm.cvttsd2siRR(8, R11, a);
            asm.sseRR(XORPS, d, d);
            cvtsi2f(sz, d, R11);
            if (mode == ROUND_DOWN) {
                ucomis(sz, d, a);
                asm.jcc(X64Cond.BE, sign);
                loadMask(sz, one);
                asm.sseRR(f32 ? SUBSS : SUBSD, d, XMM15);
            } else if (mode == ROUND_UP) {
                ucomis(sz, a, d);
                asm.jcc(X64Cond.BE, sign);
                loadMask(sz, one);
                asm.sseRR(f32 ? ADDSS : ADDSD, d, XMM15);
            }
        }
        asm.bind(sign);
        loadMask(sz, signMask(sz));
        asm.sseRR(ANDPS, XMM15, a);
        asm.sseRR(ORPS, d, XMM15);
        asm.jmp(done);
        asm.bind(big);
        asm.sseRR(MOVAPS, d, a);
        asm.jmp(done);
        asm.bind(nan);
        asm.sseRR(MOVAPS, d, a);
        asm.sseRR(f32 ? ADDSS : ADDSD, d, d);
        asm.bind(done);
    }

    /** Float-to-int conversions, trapping and saturating (see {@code Opcode}). */
    private final class FloatToInt {
        private int fs, a, d, t;

        private void cvtt(int isz, int dst, int src) {
            if (fs == 4) asm.cvttss2siRR(isz, dst, src);
            else asm.cvttsd2siRR(isz, dst, src);
        }

        private long fbits(double v) {
            return fs == 4 ? Float.floatToRawIntBits((float) v) & 0xFFFF_FFFFL : Double.doubleToRawLongBits(v);
        }

        void emit(int isz, int fsz, int flags, int a, int d, int t) {
            this.fs = fsz;
            this.a = a;
            this.d = d;
            this.t = t;
            boolean signed = (flags & CVT_SIGNED) != 0, sat = (flags & CVT_SAT) != 0;
            if (sat) {
                if (signed) satSigned(isz);
                else satUnsigned(isz);
            } else if (signed) {
                trapSigned(isz);
            } else {
                trapUnsigned(isz);
            }
        }

        private void trapSigned(int isz) {
            if (isz < 4) {
                ucomis(fs, a, a);
                trapJcc(X64Cond.P, TrapCode.BAD_TOINT);
                cvtt(4, d, a);
                asm.movsxRR(4, isz, R11, d);
                asm.aluRR(CMP, 4, R11, d);
                trapJcc(X64Cond.NE, TrapCode.INT_OVF);
                return;
            }
            int done = asm.newLabel();
            cvtt(isz, d, a);
            asm.aluRI(CMP, isz, d, 1);
            asm.jcc(X64Cond.NO, done);
            // the result is MIN: NaN, overflow, or a genuine MIN
            ucomis(fs, a, a);
            trapJcc(X64Cond.P, TrapCode.BAD_TOINT);
            boolean strict = isz == 4 && fs == 8; // valid iff a > -2^31 - 1, exact in f64
            loadMask(fs, fbits(isz == 8 ? -9223372036854775808.0 : strict ? -2147483649.0 : -2147483648.0));
            ucomis(fs, a, XMM15);
            trapJcc(strict ? X64Cond.BE : X64Cond.B, TrapCode.INT_OVF);
            asm.sseRR(XORPS, XMM15, XMM15);
            ucomis(fs, a, XMM15);
            trapJcc(X64Cond.A, TrapCode.INT_OVF);
            asm.bind(done);
        }

        private void trapUnsigned(int isz) {
            ucomis(fs, a, a);
            trapJcc(X64Cond.P, TrapCode.BAD_TOINT);
            if (isz < 4) {
                cvtt(4, d, a);
                asm.aluRI(CMP, 4, d, isz == 1 ? 0xFF : 0xFFFF);
                trapJcc(X64Cond.A, TrapCode.INT_OVF);
                return;
            }
            if (isz == 4) {
                cvtt(8, d, a);
                asm.movRR(8, R11, d);
                asm.shiftRI(SHR, 8, R11, 32);
                trapJcc(X64Cond.NE, TrapCode.INT_OVF);
                return;
            }
            int big = asm.newLabel(), done = asm.newLabel();
            loadMask(fs, fbits(9223372036854775808.0));
            ucomis(fs, a, XMM15);
            asm.jcc(X64Cond.AE, big);
            cvtt(8, d, a);
            asm.testRR(8, d, d);
            trapJcc(X64Cond.S, TrapCode.INT_OVF);
            asm.jmp(done);
            asm.bind(big);
            asm.sseRR(MOVAPS, t, a);
            asm.sseRR(fs == 4 ? SUBSS : SUBSD, t, XMM15);
            cvtt(8, d, t);
            asm.testRR(8, d, d);
            trapJcc(X64Cond.S, TrapCode.INT_OVF);
            asm.movImm64(R11, Long.MIN_VALUE);
            asm.aluRR(XOR, 8, d, R11);
            asm.bind(done);
        }

        /** Signed saturation at 32 or 64 bits. */
        private void satSigned32or64(int isz) {
            int done = asm.newLabel(), zero = asm.newLabel();
            cvtt(isz, d, a);
            asm.aluRI(CMP, isz, d, 1);
            asm.jcc(X64Cond.NO, done);
            ucomis(fs, a, a);
            asm.jcc(X64Cond.P, zero);
            asm.sseRR(XORPS, XMM15, XMM15);
            ucomis(fs, a, XMM15);
            asm.jcc(X64Cond.BE, done); // negative overflow: MIN is right
            if (isz == 8) asm.movImm64(d, Long.MAX_VALUE);
            else asm.movRI(4, d, Integer.MAX_VALUE);
            asm.jmp(done);
            asm.bind(zero);
            asm.aluRR(XOR, 4, d, d);
            asm.bind(done);
        }

        private void satSigned(int isz) {
            satSigned32or64(Math.max(4, isz));
            if (isz < 4) {
                int max = isz == 1 ? 127 : 32767;
                asm.movRI(4, R11, max);
                asm.aluRR(CMP, 4, d, R11);
                asm.cmovRR(X64Cond.G, 4, d, R11);
                asm.movRI(4, R11, -max - 1);
                asm.aluRR(CMP, 4, d, R11);
                asm.cmovRR(X64Cond.L, 4, d, R11);
            }
        }

        private void satUnsigned(int isz) {
            if (isz < 4) {
                satSigned32or64(4);
                asm.aluRR(XOR, 4, R11, R11);
                asm.aluRI(CMP, 4, d, 0);
                asm.cmovRR(X64Cond.L, 4, d, R11);
                asm.movRI(4, R11, isz == 1 ? 0xFF : 0xFFFF);
                asm.aluRR(CMP, 4, d, R11);
                asm.cmovRR(X64Cond.G, 4, d, R11);
                return;
            }
            int zero = asm.newLabel(), done = asm.newLabel();
            if (isz == 4) {
                int neg = asm.newLabel();
                ucomis(fs, a, a);
                asm.jcc(X64Cond.P, zero);
                cvtt(8, d, a);
                asm.testRR(8, d, d);
                asm.jcc(X64Cond.S, neg);
                asm.movRI(4, R11, -1);
                asm.aluRR(CMP, 8, d, R11);
                asm.cmovRR(X64Cond.A, 8, d, R11);
                asm.jmp(done);
                asm.bind(neg);
                asm.sseRR(XORPS, XMM15, XMM15);
                ucomis(fs, a, XMM15);
                asm.jcc(X64Cond.BE, zero);
                asm.movRI(4, d, -1);
                asm.jmp(done);
                asm.bind(zero);
                asm.aluRR(XOR, 4, d, d);
                asm.bind(done);
                return;
            }
            int big = asm.newLabel(), max = asm.newLabel();
            ucomis(fs, a, a);
            asm.jcc(X64Cond.P, zero);
            asm.sseRR(XORPS, XMM15, XMM15);
            ucomis(fs, a, XMM15);
            asm.jcc(X64Cond.BE, zero);
            loadMask(fs, fbits(9223372036854775808.0));
            ucomis(fs, a, XMM15);
            asm.jcc(X64Cond.AE, big);
            cvtt(8, d, a);
            asm.jmp(done);
            asm.bind(big);
            asm.sseRR(MOVAPS, t, a);
            asm.sseRR(fs == 4 ? SUBSS : SUBSD, t, XMM15);
            cvtt(8, d, t);
            asm.testRR(8, d, d);
            asm.jcc(X64Cond.S, max);
            asm.movImm64(R11, Long.MIN_VALUE);
            asm.aluRR(XOR, 8, d, R11);
            asm.jmp(done);
            asm.bind(max);
            asm.movRI(8, d, -1);
            asm.jmp(done);
            asm.bind(zero);
            asm.aluRR(XOR, 4, d, d);
            asm.bind(done);
        }
    }
}
