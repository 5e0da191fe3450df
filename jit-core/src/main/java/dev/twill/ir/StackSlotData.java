package dev.twill.ir;

/** An explicit stack slot: {@code ss0 = explicit_slot 16, align = 8}. */
public final class StackSlotData {
    /** Size in bytes. */
    public final int size;
    /** Alignment in bytes, a power of two; 0 when not written (the back end picks at least 8 or the size). */
    public final int align;

    public StackSlotData(int size, int align) {
        this.size = size;
        this.align = align;
    }
}
