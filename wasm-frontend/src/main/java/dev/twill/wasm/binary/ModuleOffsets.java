package dev.twill.wasm.binary;

/**
 * Where the module-level entities of a {@link WasmModule} sit in its binary, so that validation
 * errors about them (an unknown index in an export, a start function of the wrong type, limits
 * out of range, a duplicate export name) point at the offending byte rather than at offset 0.
 * The decoder records them as it reads; a model built by hand ({@link #NONE}) has none, and every
 * lookup then answers 0.
 *
 * <p>All arrays are indexed like the model's own: {@code tables}, {@code memories} over the
 * whole index space (an imported entity's offset is its import description), {@code functions}
 * over the defined functions, {@code imports}, {@code exports}, {@code elements} and {@code
 * datas} by position. Owned by the module; never changed after decoding.
 */
public final class ModuleOffsets {
    /** No offsets known: every lookup answers 0. */
    public static final ModuleOffsets NONE = new ModuleOffsets(new int[0], new int[0], new int[0], new int[0], new int[0],
            new int[0], -1, new int[0], new int[0], new int[0]);

    private final int[] importDescriptions, functionTypes, tables, memories, exportNames, exportIndices;
    private final int start;
    private final int[] elementItems, dataSegments, dataMemories;

    /**
     * @param importDescriptions per import, its description (type index, table, memory or global type)
     * @param functionTypes      per defined function, its type index in the function section
     * @param tables             per table (imports first), its table type
     * @param memories           per memory (imports first), its limits
     * @param exportNames        per export, its name (the length byte)
     * @param exportIndices      per export, its index (after the kind byte)
     * @param start              the start section's function index, or -1
     * @param elementItems       per element segment, its first item (function index or expression)
     * @param dataSegments       per data segment, its first byte (the flags)
     * @param dataMemories       per data segment, its memory index, or its first byte when implicit
     */
    public ModuleOffsets(int[] importDescriptions, int[] functionTypes, int[] tables, int[] memories, int[] exportNames,
                         int[] exportIndices, int start, int[] elementItems, int[] dataSegments, int[] dataMemories) {
        this.importDescriptions = importDescriptions;
        this.functionTypes = functionTypes;
        this.tables = tables;
        this.memories = memories;
        this.exportNames = exportNames;
        this.exportIndices = exportIndices;
        this.start = start;
        this.elementItems = elementItems;
        this.dataSegments = dataSegments;
        this.dataMemories = dataMemories;
    }

    private static int at(int[] a, int i) {
        return i >= 0 && i < a.length ? a[i] : 0;
    }

    public int importDescription(int importIndex) {
        return at(importDescriptions, importIndex);
    }

    /** The type index of defined function {@code definedIndex} (0 = the first defined function). */
    public int functionType(int definedIndex) {
        return at(functionTypes, definedIndex);
    }

    public int table(int table) {
        return at(tables, table);
    }

    public int memory(int memory) {
        return at(memories, memory);
    }

    public int exportName(int export) {
        return at(exportNames, export);
    }

    public int exportIndex(int export) {
        return at(exportIndices, export);
    }

    /** The start function's index in the start section, or 0. */
    public int start() {
        return Math.max(start, 0);
    }

    /** The first item of element segment {@code segment}; item k follows k items later. */
    public int elementItems(int segment) {
        return at(elementItems, segment);
    }

    public int dataSegment(int segment) {
        return at(dataSegments, segment);
    }

    public int dataMemory(int segment) {
        return at(dataMemories, segment);
    }
}
