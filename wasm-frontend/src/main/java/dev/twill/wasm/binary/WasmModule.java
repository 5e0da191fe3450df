package dev.twill.wasm.binary;

/**
 * A decoded WebAssembly module (WebAssembly 2.0 §2.5), as the {@code ModuleDecoder} reads it
 * from the binary; not yet validated. Index spaces put imports first: function {@code i} is
 * imported iff {@code i < importedFunctions}, and likewise for tables, memories and globals.
 *
 * <p>The arrays are owned by the module and never changed after decoding.
 */
public final class WasmModule {
    /** The binary, which function bodies point into. */
    public final byte[] bytes;
    public final FuncType[] types;
    public final Import[] imports;
    /** Type index of every function in the function index space, imports first. */
    public final int[] functionTypes;
    public final int importedFunctions;
    /** Every table, imports first. */
    public final TableType[] tables;
    public final int importedTables;
    /** Every memory, imports first. */
    public final MemoryType[] memories;
    public final int importedMemories;
    /** Every global's type, imports first. */
    public final GlobalType[] globalTypes;
    public final int importedGlobals;
    /** The defined globals (index {@code importedGlobals + i}), with initializers. */
    public final Global[] globals;
    public final Export[] exports;
    /** The start function's index, or -1. */
    public final int startFunction;
    public final ElementSegment[] elements;
    public final DataSegment[] datas;
    /** The data count section's value, or -1 when the section is absent. */
    public final int dataCount;
    /** Bodies of the defined functions: {@code bodies[i]} is function {@code importedFunctions + i}. */
    public final FunctionBody[] bodies;
    public final CustomSection[] customSections;
    /** Function names from the {@code name} custom section ({@code null} entries when absent); never null itself. */
    public final String[] functionNames;
    /** Where module-level entities sit in {@link #bytes}, for errors ({@link ModuleOffsets#NONE} for a hand-built model). */
    public final ModuleOffsets offsets;
    /** Each exception tag's function type index, imported tags first (3.0; empty when there are none). */
    private int[] tagTypes = new int[0];
    private int importedTags;
    /** Where each tag's type index is written in {@link #bytes} (0 when unknown). */
    private int[] tagOffsets = new int[0];

    public WasmModule(byte[] bytes, FuncType[] types, Import[] imports, int[] functionTypes, int importedFunctions,
                      TableType[] tables, int importedTables, MemoryType[] memories, int importedMemories,
                      GlobalType[] globalTypes, int importedGlobals, Global[] globals, Export[] exports,
                      int startFunction, ElementSegment[] elements, DataSegment[] datas, int dataCount,
                      FunctionBody[] bodies, CustomSection[] customSections, String[] functionNames) {
        this(bytes, types, imports, functionTypes, importedFunctions, tables, importedTables, memories, importedMemories,
                globalTypes, importedGlobals, globals, exports, startFunction, elements, datas, dataCount, bodies,
                customSections, functionNames, ModuleOffsets.NONE);
    }

    /** As the other constructor, with the byte offsets of module-level entities (the decoder's). */
    public WasmModule(byte[] bytes, FuncType[] types, Import[] imports, int[] functionTypes, int importedFunctions,
                      TableType[] tables, int importedTables, MemoryType[] memories, int importedMemories,
                      GlobalType[] globalTypes, int importedGlobals, Global[] globals, Export[] exports,
                      int startFunction, ElementSegment[] elements, DataSegment[] datas, int dataCount,
                      FunctionBody[] bodies, CustomSection[] customSections, String[] functionNames,
                      ModuleOffsets offsets) {
        this.bytes = bytes;
        this.types = types;
        this.imports = imports;
        this.functionTypes = functionTypes;
        this.importedFunctions = importedFunctions;
        this.tables = tables;
        this.importedTables = importedTables;
        this.memories = memories;
        this.importedMemories = importedMemories;
        this.globalTypes = globalTypes;
        this.importedGlobals = importedGlobals;
        this.globals = globals;
        this.exports = exports;
        this.startFunction = startFunction;
        this.elements = elements;
        this.datas = datas;
        this.dataCount = dataCount;
        this.bodies = bodies;
        this.customSections = customSections;
        this.functionNames = functionNames;
        this.offsets = offsets;
    }

    /** Sets the module's tags; the decoder's, once, before anyone reads the module. */
    public void setTags(int[] types, int imported, int[] offsets) {
        this.tagTypes = types;
        this.importedTags = imported;
        this.tagOffsets = offsets;
    }

    /** The function type index of each tag, imported ones first. */
    public int[] tagTypes() {
        return tagTypes;
    }

    public int importedTags() {
        return importedTags;
    }

    /** Where tag {@code t}'s type index is written, for errors (0 when unknown). */
    public int tagOffset(int t) {
        return t >= 0 && t < tagOffsets.length ? tagOffsets[t] : 0;
    }

    public FuncType functionType(int function) {
        return types[functionTypes[function]];
    }

    public int functionCount() {
        return functionTypes.length;
    }

    /** A readable name for function {@code index}: its name-section name, or {@code func[index]}. */
    public String functionName(int index) {
        String n = index < functionNames.length ? functionNames[index] : null;
        return n != null ? n : "func[" + index + "]";
    }
}
