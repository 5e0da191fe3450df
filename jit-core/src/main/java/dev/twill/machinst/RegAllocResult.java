package dev.twill.machinst;

import java.util.Arrays;

/**
 * The output of register allocation, reused across compilations:
 * <ul>
 *   <li>{@link #alloc(int)}: an {@link Allocation} for every operand, indexed like VCode's flat
 *       operand table ({@link VCode#operandStart} + n);
 *   <li>edits: moves the emitter inserts at program points, in the order listed. A point is
 *       {@code 2 * inst} (before the instruction) or {@code 2 * inst + 1} (after it). Each move is
 *       register to register, register to slot or slot to register (never slot to slot: the
 *       allocator goes through the class's scratch register); parallel moves are already
 *       sequentialised. Edge moves for block parameters sit before the predecessor's terminator
 *       (when it has one successor) or before the successor's first instruction. A block
 *       parameter has no location of its own in the result: it is wherever its branch argument
 *       is on each incoming edge (after the predecessor's edits before its terminator), and it
 *       follows the moves at the top of the successor. So an allocator that gives a parameter
 *       a home location moves each edge's argument there; a parallel move with a cycle is
 *       broken through the class's scratch register or a spare slot
 *       ({@code dev.twill.regalloc.RegAllocChecker} states the exact semantics);
 *   <li>{@link #numSpillSlots}: 8-byte slots the frame must provide;
 *   <li>{@link #usedRegs}: every physical register the allocation writes, so the prologue can
 *       save the callee-saved ones among them.
 * </ul>
 */
public final class RegAllocResult {
    private int[] allocs = new int[512];
    private int numEdits;
    private int[] editPoint = new int[64], editFrom = new int[64], editTo = new int[64];
    public int numSpillSlots;
    public long usedRegs;

    /** Prepares for a VCode with {@code operands} operands. */
    public void reset(int operands) {
        if (allocs.length < operands) allocs = new int[Math.max(operands, allocs.length * 2)];
        Arrays.fill(allocs, 0, operands, Allocation.NONE);
        numEdits = 0;
        numSpillSlots = 0;
        usedRegs = 0;
    }

    public int alloc(int operandIndex) {
        return allocs[operandIndex];
    }

    public void setAlloc(int operandIndex, int allocation) {
        allocs[operandIndex] = allocation;
    }

    public static int before(int inst) {
        return 2 * inst;
    }

    public static int after(int inst) {
        return 2 * inst + 1;
    }

    /** Appends a move; edits must be added in non-decreasing point order. */
    public void addMove(int point, int from, int to) {
        assert numEdits == 0 || editPoint[numEdits - 1] <= point : "edits out of order";
        assert !(Allocation.isSlot(from) && Allocation.isSlot(to)) : "slot-to-slot move";
        if (numEdits == editPoint.length) {
            int n = numEdits * 2;
            editPoint = Arrays.copyOf(editPoint, n);
            editFrom = Arrays.copyOf(editFrom, n);
            editTo = Arrays.copyOf(editTo, n);
        }
        editPoint[numEdits] = point;
        editFrom[numEdits] = from;
        editTo[numEdits] = to;
        numEdits++;
    }

    public int numEdits() {
        return numEdits;
    }

    public int editPoint(int e) {
        return editPoint[e];
    }

    public int editFrom(int e) {
        return editFrom[e];
    }

    public int editTo(int e) {
        return editTo[e];
    }
}
