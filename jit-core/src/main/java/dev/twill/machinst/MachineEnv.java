package dev.twill.machinst;

/**
 * What an ISA's register file offers the allocator: for each class, the allocatable registers
 * in order of preference (caller-saved first, so short-lived values avoid the callee-saved
 * registers the prologue must save), and which registers are callee-saved.
 *
 * <p>Registers never handed out (stack pointer, frame pointer, a scratch register the emitter
 * keeps for itself) are simply absent from the lists.
 */
public final class MachineEnv {
    /** Allocatable registers per class, most preferred first. */
    public final int[][] allocatable;
    /** Bit mask of callee-saved physical registers. */
    public final long calleeSaved;
    /**
     * A register per class that the allocator may use to break cycles of parallel moves and to
     * move between two spill slots, or -1 (then it uses a spare slot). Not in {@link #allocatable}.
     */
    public final int[] scratch;

    public MachineEnv(int[] intRegs, int[] floatRegs, long calleeSaved, int intScratch, int floatScratch) {
        this.allocatable = new int[][] {intRegs.clone(), floatRegs.clone()};
        this.calleeSaved = calleeSaved;
        this.scratch = new int[] {intScratch, floatScratch};
    }
}
