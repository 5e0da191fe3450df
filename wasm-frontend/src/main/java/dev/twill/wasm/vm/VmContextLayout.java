package dev.twill.wasm.vm;

import dev.twill.wasm.binary.WasmModule;

/**
 * Where an instance's state lives in its VM context, the block of native memory whose address
 * every compiled wasm function receives as its first ({@code vmctx}) parameter. The translator
 * emits loads and stores at these offsets; the runtime allocates the block and fills it. The
 * layout depends on the module only, so code compiled once serves every instance.
 *
 * <pre>
 *   0                    instance id (i64): the runtime's key for the instance
 *   8                    the interrupt flag (i32, then 4 bytes of padding): non-zero asks the
 *                        guest to stop; function entries and loop headers load it and trap
 *                        {@code interrupt}. Each instance has its own copy, which the store
 *                        sets and clears in all of its instances at once
 *   16                   reserved (i64)
 *   memoryOffset(m)      address of memory m's MemoryDefinition (i64), for every memory:
 *                          +0 base address (i64; never changes: memory is reserved at its maximum)
 *                          +8 current length in bytes (i64; grows with memory.grow)
 *                        for a defined memory it points at the record inline below; an importer
 *                        points at the exporter's record
 *   tableOffset(t)       address of table t's TableDefinition (i64), for every table:
 *                          +0 address of element 0 (i64); every element is an i64 reference
 *                          +8 current length in elements (i64)
 *   globalOffset(g)      8 bytes per global: for a defined global, the value itself (i32 and f32
 *                        in the low 4 bytes, little-endian; references as i64); for an imported
 *                        global, the address of the exporting instance's 8-byte cell
 *   funcRefOffset(f)     a 24-byte FuncRef record for every function, imported ones included:
 *                          +0 entry address of its code (i64; the IR signature is (i64 vmctx,
 *                             params...) -> results and its header carries the signature id)
 *                          +8 the vmctx to call it with (i64)
 *                          +16 the canonical id of its wasm function type (i32, {@link
 *                             FuncTypeIds}); +20 four bytes of padding
 *   memoryDefinitionOffset(m)  for a defined (not imported) memory m: its 16-byte MemoryDefinition
 *                        record itself, so that compiled code of the defining module reads the
 *                        base and the length with one load each, straight from the vmctx
 *   typeIdOffset(t)      the canonical id (i32, {@link FuncTypeIds}) of type t of the module's
 *                        type section, 4 bytes per type (the area padded to 8): what
 *                        {@code call_indirect} compares a FuncRef's type with. Canonical ids are
 *                        handed out per process, so code reads them here rather than holding
 *                        them as constants: the same code then serves any process (a code cache)
 * </pre>
 *
 * <p>References: a {@code funcref} is the address of a FuncRef record (so {@code ref.func f} is
 * {@code vmctx + funcRefOffset(f)}, and {@code call_indirect} loads a table element, traps when
 * it is 0, compares record.type with the expected type's id and traps {@code bad_sig} when they
 * differ, then calls record.code with record.vmctx: the IR signature check in the code header
 * alone cannot tell {@code funcref}, {@code externref} and {@code i64} apart); an {@code externref} is an opaque non-zero
 * handle the runtime hands out; null is 0 for both.
 *
 * <p>Every offset is 8-byte aligned. Memories, tables and imported globals are reached through
 * pointers so that an imported memory, table or global is the exporter's own: a {@code
 * memory.grow} in one instance is seen by every instance that shares the memory. A defined
 * memory's record sits in its own instance's vmctx (the pointer is still filled, for
 * importers), and the interrupt flag is a word of the vmctx: the two things every loop of
 * compiled code reads are then one load away from the vmctx instead of two dependent loads.
 */
public final class VmContextLayout {
    public static final int INSTANCE_ID = 0;
    public static final int INTERRUPT_FLAG = 8;
    private static final int HEADER = 24;

    /** MemoryDefinition fields. */
    public static final int MEMORY_BASE = 0, MEMORY_LENGTH = 8, MEMORY_DEFINITION_SIZE = 16;
    /** TableDefinition fields. */
    public static final int TABLE_BASE = 0, TABLE_LENGTH = 8, TABLE_DEFINITION_SIZE = 16;
    /** FuncRef record fields. */
    public static final int FUNCREF_CODE = 0, FUNCREF_VMCTX = 8, FUNCREF_TYPE = 16, FUNCREF_SIZE = 24;
    /** Bytes per table element. */
    public static final int TABLE_ELEMENT_SIZE = 8;

    private final int memories, importedMemories, tables, globals, functions, types;
    private final int memoryBase, tableBase, globalBase, funcRefBase, memoryDefinitionBase, typeIdBase, size;

    /**
     * A layout for {@code memories} memories of which the first {@code importedMemories} are
     * imported; the others have their MemoryDefinition record inline; {@code types} types.
     */
    public VmContextLayout(int memories, int importedMemories, int tables, int globals, int functions, int types) {
        if (importedMemories < 0 || importedMemories > memories) throw new IllegalArgumentException("imported memories " + importedMemories + " of " + memories);
        this.memories = memories;
        this.importedMemories = importedMemories;
        this.tables = tables;
        this.globals = globals;
        this.functions = functions;
        this.types = types;
        memoryBase = HEADER;
        tableBase = memoryBase + 8 * memories;
        globalBase = tableBase + 8 * tables;
        funcRefBase = globalBase + 8 * globals;
        memoryDefinitionBase = funcRefBase + FUNCREF_SIZE * functions;
        typeIdBase = memoryDefinitionBase + MEMORY_DEFINITION_SIZE * (memories - importedMemories);
        size = typeIdBase + (4 * types + 7 & -8);
    }

    public static VmContextLayout of(WasmModule module) {
        return new VmContextLayout(module.memories.length, module.importedMemories, module.tables.length,
                module.globalTypes.length, module.functionTypes.length, module.types.length);
    }

    public int memoryOffset(int memory) {
        return memoryBase + 8 * checkIndex(memory, memories);
    }

    /** True if memory {@code memory} is defined by the module, so its record is inline in the vmctx. */
    public boolean hasInlineMemoryDefinition(int memory) {
        return checkIndex(memory, memories) >= importedMemories;
    }

    /** Offset of the inline MemoryDefinition record of a defined memory. */
    public int memoryDefinitionOffset(int memory) {
        if (!hasInlineMemoryDefinition(memory)) throw new IllegalArgumentException("memory " + memory + " is imported");
        return memoryDefinitionBase + MEMORY_DEFINITION_SIZE * (memory - importedMemories);
    }

    public int tableOffset(int table) {
        return tableBase + 8 * checkIndex(table, tables);
    }

    public int globalOffset(int global) {
        return globalBase + 8 * checkIndex(global, globals);
    }

    public int funcRefOffset(int function) {
        return funcRefBase + FUNCREF_SIZE * checkIndex(function, functions);
    }

    /** Offset of the canonical id of the module's type {@code type}. */
    public int typeIdOffset(int type) {
        return typeIdBase + 4 * checkIndex(type, types);
    }

    /** Total size in bytes. */
    public int size() {
        return size;
    }

    private static int checkIndex(int i, int n) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i + " of " + n);
        return i;
    }
}
