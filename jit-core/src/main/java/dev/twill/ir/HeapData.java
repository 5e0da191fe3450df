package dev.twill.ir;

/**
 * A sandboxed linear memory addressed by index: {@code heap0 = static gv0, min 0x1000, bound
 * 0x10000, offset_guard 0, index_type i32} or {@code heap0 = dynamic gv0, min 0, bound gv1,
 * offset_guard 0, index_type i32, reserved 0x180000000}.
 *
 * <p>{@code base} is the global value holding the heap's base address. A static heap has a
 * constant {@code bound} in bytes; a dynamic heap reads its current bound in bytes from the
 * global value {@code boundGv}. An access of {@code n} bytes at {@code index + offset} is in
 * bounds iff {@code zext(index) + offset + n <= bound}; otherwise it traps {@code heap_oob}.
 * {@code offsetGuard} is kept for the text format (Cranelift's) only and never removes a check.
 *
 * <p>{@code reserved} ({@code reserved R} in the text, 0 for none) is a promise of whoever maps
 * the heap, not a change of its semantics: the heap lies at the start of {@code R} reserved
 * bytes of address space, and every address in {@code [base + bound, base + R)} is
 * inaccessible, whatever the bound is at the time (so {@code bound <= R} always). Where the
 * target turns faults there into traps ({@link dev.twill.runtime.FaultTraps}), the legalizer
 * may then leave out the bounds check of an access that cannot reach past {@code base + R}:
 * the access itself faults exactly when it is out of bounds, and traps {@code heap_oob}.
 *
 * <p>A heap's memory, {@code [base, base + bound)}, must not overlap the memory that any
 * global value is loaded from (the VM context holding bases and bounds): a {@code heap_store}
 * then cannot change a base, a bound or another global value, which lets the legalizer keep
 * them across heap stores. WebAssembly memories satisfy this by construction. Where IR breaks
 * it, a global value read after such a heap store in the same EBB may give either the value
 * before the store or the one after: nothing else changes.
 */
public final class HeapData {
    public enum Style { STATIC, DYNAMIC }

    public final int base;
    public final long min;
    public final Style style;
    /** The constant bound in bytes for STATIC. */
    public final long bound;
    /** The global value holding the bound in bytes for DYNAMIC; -1 for STATIC. */
    public final int boundGv;
    public final long offsetGuard;
    public final int indexType;
    /** Bytes of reserved address space from the base, inaccessible past the bound; 0 for no promise. */
    public final long reserved;

    public HeapData(int base, long min, Style style, long bound, int boundGv, long offsetGuard, int indexType) {
        this(base, min, style, bound, boundGv, offsetGuard, indexType, 0);
    }

    public HeapData(int base, long min, Style style, long bound, int boundGv, long offsetGuard, int indexType, long reserved) {
        this.base = base;
        this.min = min;
        this.style = style;
        this.bound = bound;
        this.boundGv = boundGv;
        this.offsetGuard = offsetGuard;
        this.indexType = indexType;
        this.reserved = reserved;
    }
}
