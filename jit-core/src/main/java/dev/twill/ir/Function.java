package dev.twill.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * A function: its name and signature, the data-flow graph, the layout, and the entities its
 * instructions refer to by index (stack slots, global values, heaps, tables, signatures,
 * function references, constants).
 *
 * <p>Entity declarations are few per function, so they are plain objects in lists; everything
 * per instruction or per value lives in {@link DataFlowGraph} and {@link Layout}.
 */
public final class Function {
    /** The name as written, with its sigil ({@code %f}, {@code u0:1}). */
    public String name;
    public Signature signature;
    public final DataFlowGraph dfg = new DataFlowGraph();
    public final Layout layout = new Layout();

    public final List<StackSlotData> stackSlots = new ArrayList<>();
    public final List<GlobalValueData> globalValues = new ArrayList<>();
    public final List<HeapData> heaps = new ArrayList<>();
    public final List<TableData> tables = new ArrayList<>();
    public final List<Signature> signatures = new ArrayList<>();
    public final List<ExtFuncData> extFuncs = new ArrayList<>();
    /** Constant pool entries (raw little-endian bytes), for 128-bit constants to come. */
    public final List<byte[]> constants = new ArrayList<>();
    /**
     * The global value holding the stack limit ({@code stack_limit = gvN}), or -1. On entry the
     * function traps {@code stk_ovf} when its stack pointer, read after the prologue as {@link
     * Opcode#GET_STACK_POINTER} reads it, lies below the limit (unsigned). The legalizer makes
     * the check explicit instructions and clears this field.
     */
    public int stackLimit = -1;

    public Function(String name, Signature signature) {
        this.name = name;
        this.signature = signature;
    }

    /** Forgets the body and entities, keeping array capacity (a reusable compilation context). */
    public void clear(String name, Signature signature) {
        this.name = name;
        this.signature = signature;
        dfg.clear();
        layout.clear();
        stackSlots.clear();
        globalValues.clear();
        heaps.clear();
        tables.clear();
        signatures.clear();
        extFuncs.clear();
        constants.clear();
        stackLimit = -1;
    }

    public int entryBlock() {
        return layout.firstBlock();
    }

    public int addStackSlot(StackSlotData d) {
        stackSlots.add(d);
        return stackSlots.size() - 1;
    }

    public int addGlobalValue(GlobalValueData d) {
        globalValues.add(d);
        return globalValues.size() - 1;
    }

    public int addHeap(HeapData d) {
        heaps.add(d);
        return heaps.size() - 1;
    }

    public int addTable(TableData d) {
        tables.add(d);
        return tables.size() - 1;
    }

    public int addSignature(Signature s) {
        signatures.add(s);
        return signatures.size() - 1;
    }

    public int addExtFunc(ExtFuncData d) {
        extFuncs.add(d);
        return extFuncs.size() - 1;
    }

    /** Makes a new block, not yet in the layout. */
    public int makeBlock() {
        return dfg.makeBlock();
    }

    @Override
    public String toString() {
        return dev.twill.ir.text.Printer.print(this);
    }
}
