package dev.twill.wasm.binary;

import static dev.twill.wasm.binary.ByteReader.error;

import dev.twill.CompileError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes a WebAssembly 2.0 binary module (WebAssembly 2.0 §5.5) into a {@link WasmModule}, in
 * one pass over the bytes, rejecting everything §5 calls malformed. SIMD (the {@code v128}
 * type) is rejected with "SIMD is not supported".
 *
 * <p>Sections come in the order of §5.5.2 (the data count section between element and code),
 * each at most once; custom sections may appear anywhere and are kept. A known section out of
 * order ends the module: what follows is "unexpected content after last section", as the
 * reference interpreter says. Every section is read against the whole binary and then checked
 * to end exactly where its size said ("section size mismatch"), so errors match the reference
 * interpreter's. Function bodies are not decoded here: their locals are read (at most 50,000
 * in total per function, "too many locals") and their instruction range recorded; the
 * {@code Validator} decodes the instructions, checking both well-formedness and validity.
 *
 * <p>Untrusted sizes never drive allocation beyond the input: section and body sizes and name
 * lengths are checked against the bytes that remain ("length out of bounds"), and so are
 * vector counts (every element takes at least one byte, so a larger count could only end in
 * "unexpected end", which is reported at once). Memory use is linear in the input.
 *
 * <p>Error precedence follows the reference interpreter, which decodes each function body as
 * it reads the code section: when decoding fails after some bodies were read, those bodies
 * are checked for malformed instructions first ({@link InstructionSkipper#firstMalformed}).
 *
 * <p>Checks that need the whole module, done after the last section: the function and code
 * sections have the same count; the data count, when present, equals the number of data
 * segments. (Whether a body uses {@code memory.init} or {@code data.drop} without a data count
 * section is checked by the validator while it reads the body.)
 *
 * <p>Memory64 (WebAssembly 3.0, on unless {@link #decode(byte[], boolean)} turns it off): limits
 * are u64s behind a flag byte whose bit 2 makes a memory 64-bit ({@link MemoryType#is64()});
 * off, they are the 2.0 u32s behind a 1-bit flag.
 */
public final class ModuleDecoder {
    private static final int MAGIC = 0x6D736100; // "\0asm" read little-endian
    private static final int VERSION = 1;

    /** Upper bound on the locals (parameters excluded) of one function. */
    public static final int MAX_LOCALS = 50_000;

    private static final byte[] NO_TYPES = new byte[0];

    private final ByteReader in;

    private final List<FuncType> types = new ArrayList<>();
    private final List<Import> imports = new ArrayList<>();
    private int[] functionTypes = new int[0];
    private int importedFunctions;
    private int definedFunctionCount = -1; // -1: no function section
    private final List<TableType> tables = new ArrayList<>();
    private int importedTables;
    private final List<MemoryType> memories = new ArrayList<>();
    private int importedMemories;
    private final List<GlobalType> globalTypes = new ArrayList<>();
    private int importedGlobals;
    /** Each tag's type index, imported tags first, and where it is written (for the validator's errors). */
    private final Offsets tagTypes = new Offsets(), tagOffsets = new Offsets();
    private int importedTags;
    private final List<Global> globals = new ArrayList<>();
    private final List<Export> exports = new ArrayList<>();
    private int startFunction = -1;
    private final List<ElementSegment> elements = new ArrayList<>();
    private final List<DataSegment> datas = new ArrayList<>();
    /** The data count section's value as unsigned, or -1 when absent. */
    private long dataCount = -1;
    private FunctionBody[] bodies;
    /** Bodies completely read so far (for error precedence). */
    private int bodiesRead;
    private final List<CustomSection> customs = new ArrayList<>();

    // Offsets of module-level entities, for the validator's errors (see ModuleOffsets).
    private final Offsets importDescriptions = new Offsets(), tableOffsets = new Offsets(), memoryOffsets = new Offsets(),
            exportNames = new Offsets(), exportIndices = new Offsets(), elementItems = new Offsets(),
            dataSegments = new Offsets(), dataMemories = new Offsets();
    private int[] functionTypeOffsets = new int[0];
    private int startOffset = -1;

    /** A growable int array. */
    private static final class Offsets {
        int[] a = new int[8];
        int n;

        void add(int offset) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = offset;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Whether memory64 (WebAssembly 3.0) encodings are accepted: u64 limits and memarg offsets. */
    private final boolean memory64;
    /** Whether WebAssembly 3.0's exception tags (section 13, extern kind 4) are accepted. */
    private final boolean tags;

    private ModuleDecoder(byte[] bytes, boolean memory64, boolean tags) {
        this.in = new ByteReader(bytes);
        this.memory64 = memory64;
        this.tags = tags;
    }

    /** Decodes {@code bytes} with memory64 on; throws {@link CompileError} (with a byte offset) if malformed. */
    public static WasmModule decode(byte[] bytes) {
        return decode(bytes, true);
    }

    /**
     * Decodes {@code bytes}, with memory64 on (WebAssembly 3.0 limits and memarg offsets) or off
     * (the 2.0 encodings, whose tests call a u32 overflow there "integer too large").
     */
    public static WasmModule decode(byte[] bytes, boolean memory64) {
        return decode(bytes, memory64, memory64);
    }

    /** As {@link #decode(byte[], boolean)}, with exception tags accepted or not on their own. */
    public static WasmModule decode(byte[] bytes, boolean memory64, boolean tags) {
        return new ModuleDecoder(bytes, memory64, tags).module();
    }

    // Section ids (§5.5.2).
    private static final int CUSTOM = 0, TYPE = 1, IMPORT = 2, FUNCTION = 3, TABLE = 4, MEMORY = 5, GLOBAL = 6,
        EXPORT = 7, START = 8, ELEMENT = 9, CODE = 10, DATA = 11, DATA_COUNT = 12, TAG = 13;

    /**
     * Position of each section id in the required order: the data count section sits before
     * code, the tag section (3.0) between memory and global.
     */
    private static int rank(int id) {
        return switch (id) {
            case DATA_COUNT -> 2 * ELEMENT + 1;
            case TAG -> 2 * MEMORY + 1;
            default -> 2 * id;
        };
    }

    private WasmModule module() {
        try {
            return sections();
        } catch (CompileError e) {
            // The reference decoder decodes each body's instructions as it reads the code
            // section, so a malformed body read before the failure point is what it reports.
            if (bodiesRead > 0) {
                CompileError inBody = InstructionSkipper.firstMalformed(in.buf, bodies, bodiesRead, false, true, memory64);
                if (inBody != null) throw inBody;
            }
            throw e;
        }
    }

    private WasmModule sections() {
        if (in.fixed32() != MAGIC) throw error(0, "magic header not detected");
        if (in.fixed32() != VERSION) throw error(4, "unknown binary version");
        int lastRank = 0;
        while (!in.atEnd()) {
            int idAt = in.pos;
            int id = in.u8();
            if (id > DATA_COUNT && !(id == TAG && tags)) throw error(idAt, "malformed section id");
            if (id != CUSTOM) {
                // A section out of order or repeated is where the reference decoder stops reading
                // sections; the bytes left over are then junk.
                if (rank(id) <= lastRank) throw error(idAt, "unexpected content after last section");
                lastRank = rank(id);
            }
            int size = in.len32();
            int start = in.pos;
            int end = start + size;
            switch (id) {
                case CUSTOM -> customSection(end);
                case TYPE -> typeSection();
                case IMPORT -> importSection();
                case FUNCTION -> functionSection();
                case TABLE -> tableSection();
                case MEMORY -> memorySection();
                case GLOBAL -> globalSection();
                case EXPORT -> exportSection();
                case START -> {
                    // -1 means "no start function" in WasmModule; index 2^32-1 can never exist anyway.
                    startOffset = in.pos;
                    int f = in.u32();
                    startFunction = f == -1 ? Integer.MIN_VALUE : f;
                }
                case ELEMENT -> elementSection();
                case DATA_COUNT -> dataCount = Integer.toUnsignedLong(in.u32());
                case CODE -> codeSection();
                case DATA -> dataSection();
                case TAG -> tagSection();
                default -> throw new AssertionError(id);
            }
            if (in.pos != end) throw error(start, "section size mismatch");
        }
        int defined = Math.max(definedFunctionCount, 0);
        int bodyCount = bodies == null ? 0 : bodies.length;
        if (defined != bodyCount) throw error(in.pos, "function and code section have inconsistent lengths");
        if (dataCount >= 0 && dataCount != datas.size()) {
            throw error(in.pos, "data count and data section have inconsistent lengths");
        }
        if (bodies == null) bodies = new FunctionBody[0];
        if (definedFunctionCount < 0) functionTypes = importedFunctionTypes();

        String[] names = new String[functionTypes.length];
        for (CustomSection c : customs) {
            if (c.name().equals("name")) NameSection.functionNames(c, names);
        }
        WasmModule module = new WasmModule(in.buf, types.toArray(new FuncType[0]), imports.toArray(new Import[0]),
            functionTypes, importedFunctions, tables.toArray(new TableType[0]), importedTables,
            memories.toArray(new MemoryType[0]), importedMemories, globalTypes.toArray(new GlobalType[0]),
            importedGlobals, globals.toArray(new Global[0]), exports.toArray(new Export[0]), startFunction,
            elements.toArray(new ElementSegment[0]), datas.toArray(new DataSegment[0]), (int) dataCount, bodies,
            customs.toArray(new CustomSection[0]), names,
            new ModuleOffsets(importDescriptions.toArray(), functionTypeOffsets, tableOffsets.toArray(),
                memoryOffsets.toArray(), exportNames.toArray(), exportIndices.toArray(), startOffset,
                elementItems.toArray(), dataSegments.toArray(), dataMemories.toArray()));
        module.setTags(tagTypes.toArray(), importedTags, tagOffsets.toArray());
        return module;
    }

    private void customSection(int end) {
        int nameAt = in.pos;
        String name = in.name();
        if (in.pos > end) throw error(nameAt, ByteReader.UNEXPECTED_END);
        int contents = in.pos;
        in.pos = end;
        customs.add(new CustomSection(name, contents, Arrays.copyOfRange(in.buf, contents, end)));
    }

    // ---- types ----

    /** A value type byte (§5.3.1); v128 is refused, as is anything unknown. */
    private byte valType() {
        int at = in.pos;
        int b = in.typeCode();
        if (b == (ValType.V128 & 0xFF)) throw error(at, "SIMD is not supported");
        if (!ValType.isValid((byte) b)) {
            // The reference decoder reads a byte above 0x70 as a number type, anything else as a reference type.
            throw error(at, b > 0x70 ? "malformed value type" : "malformed reference type");
        }
        return (byte) b;
    }

    private byte refType() {
        int at = in.pos;
        int b = in.u8();
        if (b != (ValType.FUNCREF & 0xFF) && b != (ValType.EXTERNREF & 0xFF)) throw error(at, "malformed reference type");
        return (byte) b;
    }

    private byte[] valTypes() {
        int n = in.count();
        if (n == 0) return NO_TYPES;
        byte[] ts = new byte[n];
        for (int i = 0; i < n; i++) ts[i] = valType();
        return ts;
    }

    private void typeSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) {
            int at = in.pos;
            if (in.typeCode() != 0x60) throw error(at, "malformed function type");
            byte[] params = valTypes();
            byte[] results = valTypes();
            types.add(new FuncType(params, results));
        }
    }

    /**
     * Limits (§5.3.7): a flag, then min, then max if the flag is 1. The reference decoder reads
     * the flag as a 1-bit LEB128 integer, hence its messages. With memory64 (WebAssembly 3.0
     * §5.3.8) the flag is a byte whose bit 0 says a maximum follows and, for a memory, bit 2
     * says i64 addresses; min and max are u64s (the validator bounds them); any other flag is
     * "malformed limits flags" (bit 1, shared memory, belongs to threads, which Twill lacks).
     */
    private Limits limits() {
        return limits(false);
    }

    /** Limits of a memory ({@code memory} true) or table; sets {@link #limitsIs64}. */
    private Limits limits(boolean memory) {
        int at = in.pos;
        int flag = in.u8();
        limitsIs64 = false;
        if (memory64) {
            int allowed = memory ? 0x05 : 0x01;
            if ((flag & ~allowed) != 0) throw error(at, "malformed limits flags");
            limitsIs64 = (flag & 0x04) != 0;
            long min = in.u64();
            long max = (flag & 1) != 0 ? in.u64() : -1;
            return new Limits(min, max);
        }
        if ((flag & 0x7F) > 1) throw error(at, "integer too large");
        if ((flag & 0x80) != 0) throw error(at + 1, "integer representation too long");
        long min = Integer.toUnsignedLong(in.u32());
        long max = flag == 1 ? Integer.toUnsignedLong(in.u32()) : -1;
        return new Limits(min, max);
    }

    /** Whether the last limits read had the i64 address flag. */
    private boolean limitsIs64;

    private MemoryType memoryType() {
        Limits l = limits(true);
        return new MemoryType(l, limitsIs64);
    }

    private TableType tableType() {
        byte elem = refType();
        return new TableType(elem, limits());
    }

    private GlobalType globalType() {
        byte t = valType();
        int at = in.pos;
        int mut = in.u8();
        if (mut > 1) throw error(at, "malformed mutability");
        return new GlobalType(t, mut == 1);
    }

    // ---- imports, functions, tables, memories, globals, exports ----

    private void importSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) {
            String module = in.name();
            String name = in.name();
            int at = in.pos;
            int kind = in.u8();
            importDescriptions.add(in.pos);
            switch (kind) {
                case ExternKind.FUNC -> {
                    int type = in.u32();
                    imports.add(new Import(module, name, kind, type, null, null, null));
                    importedFunctions++;
                }
                case ExternKind.TABLE -> {
                    tableOffsets.add(in.pos);
                    TableType t = tableType();
                    imports.add(new Import(module, name, kind, -1, t, null, null));
                    tables.add(t);
                    importedTables++;
                }
                case ExternKind.MEMORY -> {
                    memoryOffsets.add(in.pos);
                    MemoryType m = memoryType();
                    imports.add(new Import(module, name, kind, -1, null, m, null));
                    memories.add(m);
                    importedMemories++;
                }
                case ExternKind.GLOBAL -> {
                    GlobalType g = globalType();
                    imports.add(new Import(module, name, kind, -1, null, null, g));
                    globalTypes.add(g);
                    importedGlobals++;
                }
                case ExternKind.TAG -> {
                    if (!tags) throw error(at, "malformed import kind");
                    int type = tagType();
                    imports.add(new Import(module, name, kind, type, null, null, null));
                    importedTags++;
                }
                default -> throw error(at, "malformed import kind");
            }
        }
    }

    /** A tag type (3.0 §5.3.10): attribute 0 (an exception), then the index of its function type. */
    private int tagType() {
        int at = in.pos;
        if (in.u8() != 0) throw error(at, "malformed tag attribute");
        tagOffsets.add(in.pos);
        int type = in.u32();
        tagTypes.add(type);
        return type;
    }

    private void tagSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) tagType();
    }

    private int[] importedFunctionTypes() {
        int[] ft = new int[importedFunctions];
        int k = 0;
        for (Import im : imports) {
            if (im.kind() == ExternKind.FUNC) ft[k++] = im.typeIndex();
        }
        return ft;
    }

    private void functionSection() {
        int n = in.count();
        int[] ft = Arrays.copyOf(importedFunctionTypes(), importedFunctions + n);
        functionTypeOffsets = new int[n];
        for (int i = 0; i < n; i++) {
            functionTypeOffsets[i] = in.pos;
            ft[importedFunctions + i] = in.u32();
        }
        functionTypes = ft;
        definedFunctionCount = n;
    }

    private void tableSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) {
            tableOffsets.add(in.pos);
            tables.add(tableType());
        }
    }

    private void memorySection() {
        int n = in.count();
        for (int i = 0; i < n; i++) {
            memoryOffsets.add(in.pos);
            memories.add(memoryType());
        }
    }

    private void globalSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) {
            GlobalType t = globalType();
            globalTypes.add(t);
            globals.add(new Global(t, constExpr()));
        }
    }

    private void exportSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) {
            exportNames.add(in.pos);
            String name = in.name();
            int at = in.pos;
            int kind = in.u8();
            if (kind > ExternKind.GLOBAL && !(kind == ExternKind.TAG && tags)) throw error(at, "malformed export kind");
            exportIndices.add(in.pos);
            exports.add(new Export(name, kind, in.u32()));
        }
    }

    /**
     * A constant expression, up to and including its {@code end}. The binary format allows any
     * instruction here (the validator rejects non-constant ones), so nested blocks are skipped
     * with {@link InstructionSkipper} to find the {@code end} that closes the expression.
     */
    private ConstExpr constExpr() {
        int start = in.pos;
        InstructionSkipper.skipExpression(in, false, true, memory64);
        return new ConstExpr(Arrays.copyOfRange(in.buf, start, in.pos), start);
    }

    // ---- element segments (§5.5.12) ----

    private void elementSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) elements.add(elementSegment());
    }

    private ElementSegment elementSegment() {
        int at = in.pos;
        int flags = in.u32();
        if (Integer.compareUnsigned(flags, 7) > 0) throw error(at, "malformed elements segment kind");
        // Bit 0: passive or declarative (else active); bit 1: explicit table index (active) or
        // declarative (passive); bit 2: items are expressions (else function indices).
        int mode = (flags & 1) == 0 ? SegmentMode.ACTIVE : (flags & 2) == 0 ? SegmentMode.PASSIVE : SegmentMode.DECLARATIVE;
        int table = 0;
        ConstExpr offset = null;
        if (mode == SegmentMode.ACTIVE) {
            if ((flags & 2) != 0) table = in.u32();
            offset = constExpr();
        }
        boolean exprs = (flags & 4) != 0;
        byte elemType = ValType.FUNCREF;
        if ((flags & 3) != 0) {
            if (exprs) {
                elemType = refType();
            } else {
                int kindAt = in.pos;
                if (in.u8() != 0x00) throw error(kindAt, "malformed element kind");
            }
        }
        int count = in.count();
        elementItems.add(in.pos);
        if (exprs) {
            ConstExpr[] items = new ConstExpr[count];
            for (int k = 0; k < count; k++) items[k] = constExpr();
            return new ElementSegment(mode, table, offset, elemType, null, items);
        }
        int[] funcs = new int[count];
        for (int k = 0; k < count; k++) funcs[k] = in.u32();
        return new ElementSegment(mode, table, offset, elemType, funcs, null);
    }

    // ---- code (§5.5.13) ----

    private void codeSection() {
        int n = in.count();
        FunctionBody[] bs = new FunctionBody[n];
        bodies = bs;
        int[] counts = new int[8];
        byte[] kinds = new byte[8];
        for (int i = 0; i < n; i++) {
            int size = in.len32();
            int start = in.pos;
            int end = start + size;
            int groupsAt = in.pos;
            int groups = in.count();
            if (groups > counts.length) {
                counts = new int[groups];
                kinds = new byte[groups];
            }
            long total = 0;
            for (int g = 0; g < groups; g++) {
                int countAt = in.pos;
                int c = in.u32();
                total += Integer.toUnsignedLong(c);
                if (total > MAX_LOCALS) throw error(countAt, "too many locals");
                counts[g] = c;
                kinds[g] = valType();
            }
            if (in.pos > end) throw error(groupsAt, "section size mismatch");
            bs[i] = new FunctionBody(Arrays.copyOf(counts, groups), Arrays.copyOf(kinds, groups), (int) total, in.pos, end);
            in.pos = end;
            bodiesRead = i + 1;
        }
    }

    // ---- data (§5.5.14) ----

    private void dataSection() {
        int n = in.count();
        for (int i = 0; i < n; i++) {
            int at = in.pos;
            int flags = in.u32();
            int mode = SegmentMode.ACTIVE;
            int memory = 0;
            ConstExpr offset = null;
            dataSegments.add(at);
            int memoryAt = at;
            switch (flags) {
                case 0 -> offset = constExpr();
                case 1 -> mode = SegmentMode.PASSIVE;
                case 2 -> {
                    memoryAt = in.pos;
                    memory = in.u32();
                    offset = constExpr();
                }
                default -> throw error(at, "malformed data segment kind");
            }
            // Unlike names, the reference decoder reads segment bytes without a length check,
            // so too long a segment is an "unexpected end".
            int len = in.count();
            byte[] bytes = Arrays.copyOfRange(in.buf, in.pos, in.pos + len);
            in.pos += len;
            datas.add(new DataSegment(mode, memory, offset, bytes));
            dataMemories.add(memoryAt);
        }
    }
}
