package dev.twill.wasm.validate;

import static dev.twill.wasm.binary.ByteReader.error;

import dev.twill.CompileError;
import dev.twill.wasm.binary.ByteReader;
import dev.twill.wasm.binary.ConstExpr;
import dev.twill.wasm.binary.DataSegment;
import dev.twill.wasm.binary.ElementSegment;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.FunctionBody;
import dev.twill.wasm.binary.Global;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.InstructionSkipper;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.ModuleOffsets;
import dev.twill.wasm.binary.Opcodes;
import dev.twill.wasm.binary.SegmentMode;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.binary.WasmModule;
import java.util.Arrays;
import java.util.HashSet;

/**
 * Validates a decoded module (WebAssembly 2.0 §3), decoding the function bodies as it goes:
 * the {@code ModuleDecoder} leaves instructions undecoded, so this is where a body's
 * instructions are first read, and both malformed encodings (§5.4) and ill-typed code (§3.3)
 * are rejected here, in one pass over each body.
 *
 * <p>Module level (§3.4): type indices, limits (memory at most 65536 pages, or 2^48 for a 64-bit one, min <= max), at
 * most one memory unless multi-memory is on, constant expressions (only {@code t.const}, {@code ref.null},
 * {@code ref.func} and {@code global.get} of an imported immutable global: in 2.0 every
 * constant expression is checked in a context that holds only the imported globals), element
 * and data segments, the start function's type {@code []->[]}, unique export names, and
 * C.refs: the functions a body may name with {@code ref.func} are those named in element
 * segments, global initializers and exports.
 *
 * <p>Function bodies use the operand-stack algorithm of the spec's appendix (§A.3 "Validation
 * Algorithm"): a value stack of types, where {@link #UNKNOWN} is the bottom type a polymorphic
 * stack yields below an {@code unreachable}/{@code br}/{@code return}; and a control stack of
 * frames (kind, block type, value-stack height at entry, unreachable flag). A block type is an
 * int: a type index when {@code >= 0}, else the negated encoding byte ({@code -0x40} empty,
 * {@code -0x7F} a single i32 result...), so frames need no objects. Both stacks are primitive
 * arrays owned by this object and reused for every function: validating an instruction
 * allocates nothing.
 *
 * <p>Error precedence follows the reference interpreter, which decodes the whole module
 * before validating it: when a module is found invalid, the bodies are scanned with {@link
 * InstructionSkipper} for a malformed instruction, which is then reported instead.
 *
 * <p>Multi-memory (WebAssembly 3.0, on by default): any number of memories, and every memory
 * instruction names its memory, which must exist ("unknown memory N"). Off, the 2.0 rules
 * hold: one memory at most ("multiple memories") and reserved zero bytes, where 2.0 calls
 * {@code memory.size 0x80 0x00} malformed; the 2.0 spec suite depends on that.
 *
 * <p>Memory64 (WebAssembly 3.0 §3.2.6, §3.3.7, on by default): a memory's address type is i32
 * or i64 (limits flag bit 2); a 64-bit memory declares at most 2^48 pages ("memory size"), and
 * its loads, stores, {@code memory.size/grow/fill}, the destination of {@code memory.init} and
 * its data segments' offsets take i64; {@code memory.copy} takes each memory's own address
 * type for its operand and the narrower of the two for the length. Memarg offsets are read as
 * u64s and must fit the address type ("offset out of range" above 2^32 - 1 for a 32-bit memory).
 *
 * <p>Not thread-safe; use one {@code Validator} per thread, or {@link #validate(WasmModule)}.
 */
public final class Validator {
    /** The bottom type of the polymorphic stack: matches every type. */
    private static final byte UNKNOWN = 0;

    private static final byte I32 = ValType.I32, I64 = ValType.I64, F32 = ValType.F32, F64 = ValType.F64;
    private static final byte FUNCREF = ValType.FUNCREF;

    /** Block type of a block without params or results. */
    private static final int EMPTY_BLOCK = -Opcodes.BLOCKTYPE_EMPTY;

    // ---- module context ----
    private WasmModule m;
    private FuncType[] types;
    /** C.refs as a bitset over the function index space. */
    private long[] declaredRefs = new long[1];
    private int functionCount;
    private int globalCount;
    private int tableCount;
    private int memoryCount;
    private ByteReader in;

    // ---- function context ----
    /** Types of the current function's locals, parameters first. */
    private byte[] localTypes = new byte[64];
    private int localCount;
    /** Type index of the current function. */
    private int functionType;

    // ---- value stack ----
    private byte[] vals = new byte[64];
    private int valCount;

    // ---- control stack (parallel arrays) ----
    /** Frame kind: the opcode that opened it (BLOCK for the function itself), ELSE after else. */
    private int[] ctrlKind = new int[16];
    private int[] ctrlBlockType = new int[16];
    private int[] ctrlHeight = new int[16];
    private boolean[] ctrlUnreachable = new boolean[16];
    private int ctrlCount;
    /** {@code ctrlHeight[ctrlCount - 1]}, cached: every pop compares against it. */
    private int topHeight;

    /** Offset of the instruction being validated, for errors. */
    private int at;

    /** Whether multi-memory (WebAssembly 3.0) is on. */
    private final boolean multiMemory;

    /** Whether memory64 (WebAssembly 3.0) is on: memarg offsets are read as u64s. */
    private final boolean memory64;

    /**
     * Whether WebAssembly 3.0's constant expressions are on: {@code i32/i64 add sub mul}
     * (extended constant expressions), and {@code global.get} of any immutable global defined
     * before (for a global's initializer) or in the module (for segment offsets), not only of
     * imported ones.
     */
    private final boolean extendedConst;

    /** Whether WebAssembly 3.0's tail calls ({@code return_call}, {@code return_call_indirect}) are on. */
    private final boolean tailCall;

    /** Per memory, its address type: {@code I64} for a 64-bit memory, else {@code I32}. */
    private byte[] addressTypes = new byte[0];

    /** A validator with multi-memory and memory64 on. */
    public Validator() {
        this(true, true);
    }

    public Validator(boolean multiMemory) {
        this(multiMemory, true);
    }

    public Validator(boolean multiMemory, boolean memory64) {
        this(multiMemory, memory64, true);
    }

    public Validator(boolean multiMemory, boolean memory64, boolean extendedConst) {
        this(multiMemory, memory64, extendedConst, true);
    }

    public Validator(boolean multiMemory, boolean memory64, boolean extendedConst, boolean tailCall) {
        this.multiMemory = multiMemory;
        this.memory64 = memory64;
        this.extendedConst = extendedConst;
        this.tailCall = tailCall;
    }

    /** Validates {@code m} with multi-memory on, throwing {@link CompileError} if it is malformed or invalid. */
    public static void validate(WasmModule m) {
        new Validator().validateModule(m);
    }

    /** Validates {@code m}, with multi-memory on or off. */
    public static void validate(WasmModule m, boolean multiMemory) {
        new Validator(multiMemory).validateModule(m);
    }

    /** Validates {@code m}, with multi-memory and memory64 each on or off. */
    public static void validate(WasmModule m, boolean multiMemory, boolean memory64) {
        new Validator(multiMemory, memory64).validateModule(m);
    }

    /** Validates {@code m}, with multi-memory, memory64 and 3.0's constant expressions each on or off. */
    public static void validate(WasmModule m, boolean multiMemory, boolean memory64, boolean extendedConst) {
        new Validator(multiMemory, memory64, extendedConst).validateModule(m);
    }

    /** Validates {@code m}, with multi-memory, memory64, 3.0's constant expressions and tail calls each on or off. */
    public static void validate(WasmModule m, boolean multiMemory, boolean memory64, boolean extendedConst, boolean tailCall) {
        new Validator(multiMemory, memory64, extendedConst, tailCall).validateModule(m);
    }

    /** Validates {@code m} reusing this validator's buffers. */
    public void validateModule(WasmModule m) {
        this.m = m;
        this.types = m.types;
        this.functionCount = m.functionCount();
        this.globalCount = m.globalTypes.length;
        this.tableCount = m.tables.length;
        this.memoryCount = m.memories.length;
        if (addressTypes.length < memoryCount) addressTypes = new byte[memoryCount];
        for (int k = 0; k < memoryCount; k++) addressTypes[k] = m.memories[k].is64() ? I64 : I32;
        this.in = new ByteReader(m.bytes);
        try {
            moduleLevel();
            for (int i = 0; i < m.bodies.length; i++) validateFunction(i);
            startAndExports();
        } catch (CompileError invalid) {
            CompileError malformed = firstMalformedBody();
            throw malformed != null ? malformed : invalid;
        } finally {
            this.m = null;
            this.types = null;
            this.in = null;
        }
    }

    // =====================================================================================
    // Module level (§3.4)
    // =====================================================================================

    private void moduleLevel() {
        ModuleOffsets at = m.offsets;
        for (int k = 0; k < m.imports.length; k++) {
            Import im = m.imports[k];
            switch (im.kind()) {
                case ExternKind.FUNC -> typeIndex(im.typeIndex(), at.importDescription(k));
                case ExternKind.TABLE -> tableType(im.table(), at.importDescription(k));
                case ExternKind.MEMORY -> memoryType(im.memory(), at.importDescription(k));
                default -> {}
            }
        }
        for (int f = m.importedFunctions; f < functionCount; f++) {
            typeIndex(m.functionTypes[f], at.functionType(f - m.importedFunctions));
        }
        for (int t = m.importedTables; t < tableCount; t++) tableType(m.tables[t], at.table(t));
        for (int i = m.importedMemories; i < memoryCount; i++) memoryType(m.memories[i], at.memory(i));
        if (memoryCount > 1 && !multiMemory) throw error(at.memory(1), "multiple memories");
        int[] tags = m.tagTypes();
        for (int t = 0; t < tags.length; t++) {
            typeIndex(tags[t], m.tagOffset(t));
            // an exception tag's type describes what is thrown: parameters only
            if (types[tags[t]].results.length != 0) throw error(m.tagOffset(t), "non-empty tag result type");
        }

        computeDeclaredRefs();
        for (int g = 0; g < m.globals.length; g++) {
            globalLimit = extendedConst ? m.importedGlobals + g : m.importedGlobals; // globals defined before
            constExpr(m.globals[g].init(), m.globals[g].type().valType());
        }
        globalLimit = extendedConst ? m.globalTypes.length : m.importedGlobals;
        for (int i = 0; i < m.elements.length; i++) elementSegment(i, m.elements[i]);
        for (int s = 0; s < m.datas.length; s++) {
            DataSegment d = m.datas[s];
            if (d.mode() == SegmentMode.ACTIVE) {
                if (d.memory() < 0 || d.memory() >= memoryCount) throw error(at.dataMemory(s), "unknown memory " + u(d.memory()));
                constExpr(d.offset(), addressTypes[d.memory()]);
            }
        }
    }

    private void startAndExports() {
        ModuleOffsets offsets = m.offsets;
        if (m.startFunction != -1) {
            int f = m.startFunction;
            int at = offsets.start();
            if (f < 0 || f >= functionCount) throw error(at, "unknown function " + u(f));
            FuncType t = m.functionType(f);
            if (t.params.length != 0 || t.results.length != 0) throw error(at, "start function must have type [] -> []");
        }
        HashSet<String> names = new HashSet<>();
        for (int k = 0; k < m.exports.length; k++) {
            Export e = m.exports[k];
            int x = e.index();
            int at = offsets.exportIndex(k);
            switch (e.kind()) {
                case ExternKind.FUNC -> { if (x < 0 || x >= functionCount) throw error(at, "unknown function " + u(x)); }
                case ExternKind.TABLE -> { if (x < 0 || x >= tableCount) throw error(at, "unknown table " + u(x)); }
                case ExternKind.MEMORY -> { if (x < 0 || x >= memoryCount) throw error(at, "unknown memory " + u(x)); }
                case ExternKind.TAG -> { if (x < 0 || x >= m.tagTypes().length) throw error(at, "unknown tag " + u(x)); }
                default -> { if (x < 0 || x >= globalCount) throw error(at, "unknown global " + u(x)); }
            }
            if (!names.add(e.name())) throw error(offsets.exportName(k), "duplicate export name \"" + e.name() + "\"");
        }
    }

    private void typeIndex(int t, int offset) {
        if (t < 0 || t >= types.length) throw error(offset, "unknown type " + u(t));
    }

    private static void tableType(TableType t, int offset) {
        limits(t.limits(), 0xFFFF_FFFFL, offset, "table size must be at most 2^32-1");
    }

    private static void memoryType(MemoryType t, int offset) {
        if (t.is64()) {
            limits(t.limits(), MemoryType.MAX_PAGES_64, offset, "memory size must be at most 2^48 pages");
        } else {
            limits(t.limits(), MemoryType.MAX_PAGES, offset, "memory size must be at most 65536 pages (4GiB)");
        }
    }

    private static void limits(Limits l, long range, int offset, String tooLarge) {
        // unsigned: a u64 limit of 2^63 or more reads as a negative long
        if (Long.compareUnsigned(l.min(), range) > 0 || (l.hasMax() && Long.compareUnsigned(l.max(), range) > 0)) {
            throw error(offset, tooLarge);
        }
        if (l.hasMax() && l.min() > l.max()) throw error(offset, "size minimum must not be greater than maximum");
    }

    /** C.refs (§3.4.10): functions named in element segments, global initializers and exports. */
    private void computeDeclaredRefs() {
        int words = (functionCount + 63) >>> 6;
        if (declaredRefs.length < words) declaredRefs = new long[words];
        else Arrays.fill(declaredRefs, 0, words, 0);
        for (Global g : m.globals) refsIn(g.init());
        for (ElementSegment e : m.elements) {
            if (e.functionIndices() != null) {
                for (int f : e.functionIndices()) declareRef(f);
            } else {
                for (ConstExpr c : e.items()) refsIn(c);
            }
        }
        for (Export e : m.exports) {
            if (e.kind() == ExternKind.FUNC) declareRef(e.index());
        }
    }

    private void declareRef(int f) {
        if (f >= 0 && f < functionCount) declaredRefs[f >>> 6] |= 1L << f;
    }

    private boolean isDeclaredRef(int f) {
        return (declaredRefs[f >>> 6] & 1L << f) != 0;
    }

    /** Records the {@code ref.func} operands of a constant expression (the decoder found its end). */
    private void refsIn(ConstExpr c) {
        ByteReader r = in;
        r.reset(c.offset(), m.bytes.length);
        while (true) {
            switch (r.u8()) {
                case Opcodes.REF_FUNC -> declareRef(r.u32());
                case Opcodes.I32_CONST -> r.s32();
                case Opcodes.I64_CONST -> r.s64();
                case Opcodes.F32_CONST -> r.skip(4);
                case Opcodes.F64_CONST -> r.skip(8);
                case Opcodes.GLOBAL_GET -> r.u32();
                case Opcodes.REF_NULL -> r.u8();
                case Opcodes.I32_ADD, Opcodes.I32_SUB, Opcodes.I32_MUL, Opcodes.I64_ADD, Opcodes.I64_SUB, Opcodes.I64_MUL -> { }
                default -> { return; } // end, or a non-constant instruction reported later
            }
        }
    }

    /** Offset of function index {@code k} of element segment {@code segment}: the items are u32s, re-read on error. */
    private int elementItemOffset(int segment, int k) {
        int first = m.offsets.elementItems(segment);
        if (first == 0) return 0; // a hand-built model
        ByteReader r = in;
        r.reset(first, m.bytes.length);
        for (int i = 0; i < k; i++) r.u32();
        return r.pos;
    }

    /**
     * A constant expression of result type {@code expected} (§3.3.10): every instruction
     * constant (checked first, as the reference interpreter does), then exactly one value of
     * the expected type. Globals: only the imported ones, and immutable.
     */
    private void constExpr(ConstExpr c, byte expected) {
        ByteReader r = in;
        r.reset(c.offset(), m.bytes.length);
        // the operand types: 2.0 allows one instruction, 3.0 a stack of them with add, sub, mul
        if (constStack.length < c.code().length) constStack = new byte[c.code().length];
        byte[] stack = constStack;
        int sp = 0;
        while (true) {
            int opAt = r.pos;
            int op = r.u8();
            if (op == Opcodes.END) break;
            byte type;
            switch (op) {
                case Opcodes.I32_CONST -> { r.s32(); type = I32; }
                case Opcodes.I64_CONST -> { r.s64(); type = I64; }
                case Opcodes.F32_CONST -> { r.skip(4); type = F32; }
                case Opcodes.F64_CONST -> { r.skip(8); type = F64; }
                case Opcodes.REF_NULL -> type = InstructionSkipper.refType(r);
                case Opcodes.REF_FUNC -> {
                    int f = r.u32();
                    if (f < 0 || f >= functionCount) throw error(opAt, "unknown function " + u(f));
                    type = FUNCREF;
                }
                case Opcodes.GLOBAL_GET -> {
                    int g = r.u32();
                    if (g < 0 || g >= globalLimit) throw error(opAt, "unknown global " + u(g));
                    GlobalType gt = m.globalTypes[g];
                    if (gt.mutable()) throw error(opAt, "constant expression required");
                    type = gt.valType();
                }
                case Opcodes.I32_ADD, Opcodes.I32_SUB, Opcodes.I32_MUL, Opcodes.I64_ADD, Opcodes.I64_SUB, Opcodes.I64_MUL -> {
                    if (!extendedConst) throw error(opAt, "constant expression required");
                    type = op <= Opcodes.I32_MUL ? I32 : I64;
                    if (sp < 2 || stack[sp - 1] != type || stack[sp - 2] != type) throw error(opAt, "type mismatch");
                    sp -= 2;
                }
                default -> throw error(opAt, "constant expression required");
            }
            stack[sp++] = type;
        }
        if (sp != 1 || stack[0] != expected) throw error(c.offset(), "type mismatch");
    }

    /** Scratch for {@link #constExpr}'s operand types. */
    private byte[] constStack = new byte[16];
    /** Globals a constant expression may read: those below this index (see {@link #extendedConst}). */
    private int globalLimit;

    private void elementSegment(int segment, ElementSegment e) {
        byte elemType = e.elemType();
        if (e.mode() == SegmentMode.ACTIVE) {
            int offset = e.offset().offset();
            if (e.table() < 0 || e.table() >= tableCount) throw error(offset, "unknown table " + u(e.table()));
            if (m.tables[e.table()].elemType() != elemType) throw error(offset, "type mismatch");
            constExpr(e.offset(), I32);
        }
        if (e.functionIndices() != null) {
            int[] fs = e.functionIndices();
            for (int k = 0; k < fs.length; k++) {
                if (fs[k] < 0 || fs[k] >= functionCount) throw error(elementItemOffset(segment, k), "unknown function " + u(fs[k]));
            }
        } else {
            for (ConstExpr c : e.items()) constExpr(c, elemType);
        }
    }

    /**
     * The malformed-body error the reference interpreter would report for this module, or
     * null: it decodes every body before validating anything, and checks for a missing data
     * count section last of all.
     */
    private CompileError firstMalformedBody() {
        if (m == null) return null;
        CompileError e = InstructionSkipper.firstMalformed(m.bytes, m.bodies, m.bodies.length, false, multiMemory, memory64);
        if (e == null && dataCountRequired()) e = InstructionSkipper.firstMalformed(m.bytes, m.bodies, m.bodies.length, true, multiMemory, memory64);
        return e;
    }

    /**
     * Whether {@code memory.init} and {@code data.drop} are malformed here for want of a data
     * count section (§5.5.13). Without data segments they are reported as naming an unknown
     * segment instead: wabt leaves the section out of such modules, and the spec suite (which
     * means them to be invalid) expects "unknown data segment" for them.
     */
    private boolean dataCountRequired() {
        return m.dataCount < 0 && m.datas.length > 0;
    }

    // =====================================================================================
    // Function bodies (§3.3, algorithm of §A.3)
    // =====================================================================================

    private void validateFunction(int definedIndex) {
        FunctionBody body = m.bodies[definedIndex];
        functionType = m.functionTypes[m.importedFunctions + definedIndex];
        FuncType ft = types[functionType];
        setUpLocals(ft, body);
        valCount = 0;
        ctrlCount = 0;
        pushCtrl(Opcodes.BLOCK, functionType);
        valCount = 0; // the parameters are locals, not operands
        topHeight = 0;
        ByteReader r = in;
        r.reset(body.codeStart(), body.end());
        body(r);
        if (r.pos != r.limit) throw error(r.pos, "section size mismatch");
    }

    private void setUpLocals(FuncType ft, FunctionBody body) {
        int n = ft.params.length + body.localCount();
        if (localTypes.length < n) localTypes = new byte[Math.max(n, localTypes.length * 2)];
        byte[] lt = localTypes;
        System.arraycopy(ft.params, 0, lt, 0, ft.params.length);
        int k = ft.params.length;
        int[] counts = body.localCounts();
        byte[] kinds = body.localTypes();
        for (int g = 0; g < counts.length; g++) {
            Arrays.fill(lt, k, k + counts[g], kinds[g]);
            k += counts[g];
        }
        localCount = n;
    }

    /** Validates instructions until the {@code end} that closes the function. */
    private void body(ByteReader r) {
        byte[] b = r.buf;
        while (true) {
            if (r.pos >= r.limit) throw error(r.limit, ByteReader.UNEXPECTED_END);
            at = r.pos;
            int op = b[r.pos++] & 0xFF;
            if (op >= Opcodes.I32_EQZ && op <= Opcodes.I64_EXTEND32_S) {
                numeric(NUMERIC[op - Opcodes.I32_EQZ]);
            } else if (op >= Opcodes.I32_LOAD && op <= Opcodes.MEMORY_GROW) {
                memory(r, op);
            } else if (op <= Opcodes.RETURN_CALL_INDIRECT) {
                if (control(r, op)) return;
            } else {
                other(r, op);
            }
        }
    }

    /** Control instructions (§3.3.8); returns true after the function's final {@code end}. */
    private boolean control(ByteReader r, int op) {
        switch (op) {
            case Opcodes.UNREACHABLE -> unreachable();
            case Opcodes.NOP -> {}
            case Opcodes.BLOCK, Opcodes.LOOP -> {
                int bt = blockType(r);
                popParams(bt);
                pushCtrl(op, bt);
            }
            case Opcodes.IF -> {
                int bt = blockType(r);
                popVal(I32);
                popParams(bt);
                pushCtrl(op, bt);
            }
            case Opcodes.ELSE -> {
                int top = ctrlCount - 1;
                if (ctrlKind[top] != Opcodes.IF) throw error(at, "END opcode expected");
                int bt = ctrlBlockType[top];
                popCtrl();
                pushCtrl(Opcodes.ELSE, bt);
            }
            case Opcodes.END -> {
                int top = ctrlCount - 1;
                int bt = ctrlBlockType[top];
                if (ctrlKind[top] == Opcodes.IF && !sameParamsAndResults(bt)) {
                    // An if without else has an empty else branch, which must map params to results.
                    throw error(at, "type mismatch");
                }
                popCtrl();
                if (ctrlCount == 0) return true;
                pushResults(bt);
            }
            case Opcodes.BR -> {
                int l = label(r);
                popLabel(l);
                unreachable();
            }
            case Opcodes.BR_IF -> {
                int l = label(r);
                popVal(I32);
                popLabel(l);
                pushLabel(l);
            }
            case Opcodes.BR_TABLE -> brTable(r);
            case Opcodes.RETURN -> {
                popResults(functionType);
                unreachable();
            }
            case Opcodes.CALL, Opcodes.RETURN_CALL -> {
                if (op == Opcodes.RETURN_CALL && !tailCall) throw error(at, InstructionSkipper.illegal(op));
                int f = r.u32();
                if (f < 0 || f >= functionCount) throw error(at, "unknown function " + u(f));
                int t = m.functionTypes[f];
                popParams(t);
                if (op == Opcodes.CALL) pushResults(t);
                else tailResults(t);
            }
            case Opcodes.CALL_INDIRECT, Opcodes.RETURN_CALL_INDIRECT -> {
                if (op == Opcodes.RETURN_CALL_INDIRECT && !tailCall) throw error(at, InstructionSkipper.illegal(op));
                int t = r.u32();
                int table = r.u32();
                if (table < 0 || table >= tableCount) throw error(at, "unknown table " + u(table));
                if (m.tables[table].elemType() != FUNCREF) throw error(at, "type mismatch");
                if (t < 0 || t >= types.length) throw error(at, "unknown type " + u(t));
                popVal(I32);
                popParams(t);
                if (op == Opcodes.CALL_INDIRECT) pushResults(t);
                else tailResults(t);
            }
            default -> throw error(at, InstructionSkipper.illegal(op));
        }
        return false;
    }

    /**
     * A tail call's callee returns straight to this function's caller, so its results must be
     * this function's (3.0 §3.3.8.13, without subtyping among these value types); what follows
     * is unreachable, as after {@code return}.
     */
    private void tailResults(int t) {
        if (!Arrays.equals(types[t].results, types[functionType].results)) throw error(at, "type mismatch");
        unreachable();
    }

    private void brTable(ByteReader r) {
        int n = r.count();
        int targets = r.pos;
        for (int i = 0; i < n; i++) r.u32();
        int defaultLabel = label(r);
        int end = r.pos;
        popVal(I32);
        int arity = labelArity(defaultLabel);
        r.pos = targets;
        for (int i = 0; i < n; i++) {
            int l = label(r);
            if (labelArity(l) != arity) throw error(at, "type mismatch");
            checkLabel(l);
        }
        r.pos = end;
        popLabel(defaultLabel);
        unreachable();
    }

    /** Memory instructions (§3.3.7) up to memory.grow. */
    private void memory(ByteReader r, int op) {
        if (op >= Opcodes.MEMORY_SIZE) {
            byte a = requireMemory(memoryIndex(r));
            if (op == Opcodes.MEMORY_GROW) popVal(a);
            pushVal(a);
            return;
        }
        int flags = InstructionSkipper.memargFlags(r, multiMemory);
        int memory = InstructionSkipper.memargMemory(r, flags);
        long offset = InstructionSkipper.memargOffset(r, memory64);
        int align = flags & InstructionSkipper.MEMARG_ALIGN;
        byte a = requireMemory(memory);
        int info = MEMORY[op - Opcodes.I32_LOAD];
        byte t = (byte) info;
        if (align > (info >> 8)) throw error(at, "alignment must not be larger than natural");
        // memory64: the offset is a u64 in the binary, but must fit the memory's address type
        if (a == I32 && Long.compareUnsigned(offset, 0xFFFF_FFFFL) > 0) throw error(at, "offset out of range");
        if (op >= Opcodes.I32_STORE) {
            popVal(t);
            popVal(a);
        } else {
            popVal(a);
            pushVal(t);
        }
    }

    /** Checks that memory {@code index} exists and returns its address type ({@code I32} or {@code I64}). */
    private byte requireMemory(int index) {
        if (Integer.compareUnsigned(index, memoryCount) >= 0) throw error(at, "unknown memory " + u(index));
        return addressTypes[index];
    }

    /** The memory index immediate of memory.size/grow/fill/copy/init. */
    private int memoryIndex(ByteReader r) {
        return InstructionSkipper.memoryIndex(r, multiMemory);
    }

    /** Everything else: parametric, variable, table, reference instructions, constants, 0xFC. */
    private void other(ByteReader r, int op) {
        switch (op) {
            case Opcodes.DROP -> popVal();
            case Opcodes.SELECT -> {
                popVal(I32);
                byte t1 = popVal();
                byte t2 = popVal();
                if (!(ValType.isNum(t1) || t1 == UNKNOWN) || !(ValType.isNum(t2) || t2 == UNKNOWN)) {
                    throw error(at, "type mismatch");
                }
                if (t1 != t2 && t1 != UNKNOWN && t2 != UNKNOWN) throw error(at, "type mismatch");
                pushVal(t1 == UNKNOWN ? t2 : t1);
            }
            case Opcodes.SELECT_T -> {
                int n = r.count();
                if (n != 1) {
                    for (int i = 0; i < n; i++) valType(r);
                    throw error(at, "invalid result arity");
                }
                byte t = valType(r);
                popVal(I32);
                popVal(t);
                popVal(t);
                pushVal(t);
            }
            case Opcodes.LOCAL_GET -> pushVal(local(r));
            case Opcodes.LOCAL_SET -> popVal(local(r));
            case Opcodes.LOCAL_TEE -> {
                byte t = local(r);
                popVal(t);
                pushVal(t);
            }
            case Opcodes.GLOBAL_GET -> pushVal(global(r).valType());
            case Opcodes.GLOBAL_SET -> {
                GlobalType g = global(r);
                if (!g.mutable()) throw error(at, "global is immutable");
                popVal(g.valType());
            }
            case Opcodes.TABLE_GET -> {
                byte t = table(r);
                popVal(I32);
                pushVal(t);
            }
            case Opcodes.TABLE_SET -> {
                byte t = table(r);
                popVal(t);
                popVal(I32);
            }
            case Opcodes.I32_CONST -> {
                r.s32();
                pushVal(I32);
            }
            case Opcodes.I64_CONST -> {
                r.s64();
                pushVal(I64);
            }
            case Opcodes.F32_CONST -> {
                r.skip(4);
                pushVal(F32);
            }
            case Opcodes.F64_CONST -> {
                r.skip(8);
                pushVal(F64);
            }
            case Opcodes.REF_NULL -> pushVal(InstructionSkipper.refType(r));
            case Opcodes.REF_IS_NULL -> {
                byte t = popVal();
                if (t != UNKNOWN && !ValType.isRef(t)) throw error(at, "type mismatch");
                pushVal(I32);
            }
            case Opcodes.REF_FUNC -> {
                int f = r.u32();
                if (f < 0 || f >= functionCount) throw error(at, "unknown function " + u(f));
                if (!isDeclaredRef(f)) throw error(at, "undeclared function reference");
                pushVal(FUNCREF);
            }
            case Opcodes.PREFIX_FC -> prefixFC(r);
            default -> throw error(at, InstructionSkipper.illegal(op));
        }
    }

    /** 0xFC-prefixed instructions: saturating truncations, bulk memory, table operations. */
    private void prefixFC(ByteReader r) {
        int sub = r.u32();
        switch (sub) {
            case 0, 1, 2, 3, 4, 5, 6, 7 -> numeric(TRUNC_SAT[sub]);
            case Opcodes.FC_MEMORY_INIT -> {
                requireDataCount();
                int d = r.u32();
                int memory = memoryIndex(r);
                byte a = requireMemory(memory);
                dataIndex(d);
                // [dst:address, src offset in the segment:i32, len:i32]
                popVal(I32);
                popVal(I32);
                popVal(a);
            }
            case Opcodes.FC_DATA_DROP -> {
                requireDataCount();
                dataIndex(r.u32());
            }
            case Opcodes.FC_MEMORY_COPY -> {
                int dst = memoryIndex(r);
                int src = memoryIndex(r);
                byte da = requireMemory(dst);
                byte sa = requireMemory(src);
                // [dst:da, src:sa, len]: the length has the narrower of the two address types
                popVal(da == I64 && sa == I64 ? I64 : I32);
                popVal(sa);
                popVal(da);
            }
            case Opcodes.FC_MEMORY_FILL -> {
                byte a = requireMemory(memoryIndex(r));
                // [dst:address, value:i32, len:address]
                popVal(a);
                popVal(I32);
                popVal(a);
            }
            case Opcodes.FC_TABLE_INIT -> {
                int e = r.u32();
                byte t = table(r);
                if (elemType(e) != t) throw error(at, "type mismatch");
                pop3xI32();
            }
            case Opcodes.FC_ELEM_DROP -> elemType(r.u32());
            case Opcodes.FC_TABLE_COPY -> {
                byte dst = table(r);
                byte src = table(r);
                if (dst != src) throw error(at, "type mismatch");
                pop3xI32();
            }
            case Opcodes.FC_TABLE_GROW -> {
                byte t = table(r);
                popVal(I32);
                popVal(t);
                pushVal(I32);
            }
            case Opcodes.FC_TABLE_SIZE -> {
                table(r);
                pushVal(I32);
            }
            case Opcodes.FC_TABLE_FILL -> {
                byte t = table(r);
                popVal(I32);
                popVal(t);
                popVal(I32);
            }
            default -> throw error(at, "illegal opcode fc " + Integer.toHexString(sub));
        }
    }

    private void requireDataCount() {
        if (dataCountRequired()) throw error(at, "data count section required");
    }

    private void dataIndex(int d) {
        if (d < 0 || d >= m.dataCount) throw error(at, "unknown data segment " + u(d));
    }

    /** The element type of element segment {@code e}. */
    private byte elemType(int e) {
        if (e < 0 || e >= m.elements.length) throw error(at, "unknown elem segment " + u(e));
        return m.elements[e].elemType();
    }

    private void pop3xI32() {
        popVal(I32);
        popVal(I32);
        popVal(I32);
    }

    private byte local(ByteReader r) {
        int x = r.u32();
        if (x < 0 || x >= localCount) throw error(at, "unknown local " + u(x));
        return localTypes[x];
    }

    private GlobalType global(ByteReader r) {
        int x = r.u32();
        if (x < 0 || x >= globalCount) throw error(at, "unknown global " + u(x));
        return m.globalTypes[x];
    }

    /** Reads a table index; returns the table's element type. */
    private byte table(ByteReader r) {
        int x = r.u32();
        if (x < 0 || x >= tableCount) throw error(at, "unknown table " + u(x));
        return m.tables[x].elemType();
    }

    private byte valType(ByteReader r) {
        int tAt = r.pos;
        int b = r.typeCode();
        if (b == (ValType.V128 & 0xFF)) throw error(tAt, "SIMD is not supported");
        if (!ValType.isValid((byte) b)) throw error(tAt, b > 0x70 ? "malformed value type" : "malformed reference type");
        return (byte) b;
    }

    /** Reads a block type (§5.4.1) and returns its int encoding (see the class comment). */
    private int blockType(ByteReader r) {
        int b = r.peek();
        if (b == Opcodes.BLOCKTYPE_EMPTY) {
            r.pos++;
            return EMPTY_BLOCK;
        }
        if (b >= 0 && (b & 0xC0) == 0x40) return -(valType(r) & 0xFF);
        long x = r.s33();
        if (x < 0 || x >= types.length) throw error(at, "unknown type " + x);
        return (int) x;
    }

    private int label(ByteReader r) {
        int l = r.u32();
        if (l < 0 || l >= ctrlCount) throw error(at, "unknown label " + u(l));
        return l;
    }

    // ---- block types ----

    private int paramCount(int bt) {
        return bt >= 0 ? types[bt].params.length : 0;
    }

    private int resultCount(int bt) {
        return bt >= 0 ? types[bt].results.length : bt == EMPTY_BLOCK ? 0 : 1;
    }

    private byte resultType(int bt, int i) {
        return bt >= 0 ? types[bt].results[i] : (byte) -bt;
    }

    private boolean sameParamsAndResults(int bt) {
        return bt >= 0 ? Arrays.equals(types[bt].params, types[bt].results) : bt == EMPTY_BLOCK;
    }

    // ---- the operand and control stacks (§A.3) ----

    private void pushVal(byte t) {
        if (valCount == vals.length) vals = Arrays.copyOf(vals, valCount * 2);
        vals[valCount++] = t;
    }

    private byte popVal() {
        if (valCount > topHeight) return vals[--valCount];
        if (ctrlUnreachable[ctrlCount - 1]) return UNKNOWN;
        throw error(at, "type mismatch");
    }

    private void popVal(byte expected) {
        // Fast path: a known value of the expected type above the frame's base.
        if (valCount > topHeight) {
            byte actual = vals[--valCount];
            if (actual == expected || actual == UNKNOWN) return;
            throw error(at, "type mismatch");
        }
        if (!ctrlUnreachable[ctrlCount - 1]) throw error(at, "type mismatch");
    }

    private void popParams(int bt) {
        if (bt < 0) return;
        byte[] ps = types[bt].params;
        for (int i = ps.length - 1; i >= 0; i--) popVal(ps[i]);
    }

    private void pushParams(int bt) {
        if (bt < 0) return;
        byte[] ps = types[bt].params;
        for (byte p : ps) pushVal(p);
    }

    private void popResults(int bt) {
        for (int i = resultCount(bt) - 1; i >= 0; i--) popVal(resultType(bt, i));
    }

    private void pushResults(int bt) {
        int n = resultCount(bt);
        for (int i = 0; i < n; i++) pushVal(resultType(bt, i));
    }

    private void pushCtrl(int kind, int bt) {
        if (ctrlCount == ctrlKind.length) {
            int n = ctrlCount * 2;
            ctrlKind = Arrays.copyOf(ctrlKind, n);
            ctrlBlockType = Arrays.copyOf(ctrlBlockType, n);
            ctrlHeight = Arrays.copyOf(ctrlHeight, n);
            ctrlUnreachable = Arrays.copyOf(ctrlUnreachable, n);
        }
        int i = ctrlCount++;
        ctrlKind[i] = kind;
        ctrlBlockType[i] = bt;
        ctrlHeight[i] = valCount;
        topHeight = valCount;
        ctrlUnreachable[i] = false;
        pushParams(bt);
    }

    private void popCtrl() {
        int top = ctrlCount - 1;
        popResults(ctrlBlockType[top]);
        if (valCount != ctrlHeight[top]) throw error(at, "type mismatch");
        ctrlCount = top;
        if (top > 0) topHeight = ctrlHeight[top - 1];
    }

    private void unreachable() {
        int top = ctrlCount - 1;
        valCount = ctrlHeight[top];
        ctrlUnreachable[top] = true;
    }

    /** Frame index of relative label {@code l}. */
    private int frameOf(int l) {
        return ctrlCount - 1 - l;
    }

    private int labelArity(int l) {
        int f = frameOf(l);
        int bt = ctrlBlockType[f];
        return ctrlKind[f] == Opcodes.LOOP ? paramCount(bt) : resultCount(bt);
    }

    private byte labelType(int f, int i) {
        int bt = ctrlBlockType[f];
        return ctrlKind[f] == Opcodes.LOOP ? types[bt].params[i] : resultType(bt, i);
    }

    private void popLabel(int l) {
        int f = frameOf(l);
        for (int i = labelArity(l) - 1; i >= 0; i--) popVal(labelType(f, i));
    }

    private void pushLabel(int l) {
        int f = frameOf(l);
        int n = labelArity(l);
        for (int i = 0; i < n; i++) pushVal(labelType(f, i));
    }

    /**
     * Checks that the stack top matches label {@code l}'s types without changing the stack:
     * the same as §A.3's {@code push_vals(pop_vals(label_types(...)))} for a br_table target.
     */
    private void checkLabel(int l) {
        int f = frameOf(l);
        int top = ctrlCount - 1;
        int height = ctrlHeight[top];
        int n = labelArity(l);
        for (int k = 0; k < n; k++) {
            int pos = valCount - 1 - k;
            byte expected = labelType(f, n - 1 - k);
            if (pos < height) {
                if (ctrlUnreachable[top]) continue;
                throw error(at, "type mismatch");
            }
            byte actual = vals[pos];
            if (actual != expected && actual != UNKNOWN) throw error(at, "type mismatch");
        }
    }

    /** A numeric instruction with signature {@code in1 | in2 << 8 | out << 16} (in2 = 0: unary). */
    private void numeric(int sig) {
        byte in2 = (byte) (sig >> 8);
        if (in2 != 0) popVal(in2);
        popVal((byte) sig);
        pushVal((byte) (sig >> 16));
    }

    private static String u(int x) {
        return Integer.toUnsignedString(x);
    }

    // ---- tables ----

    private static int sig(byte in1, byte in2, byte out) {
        return (in1 & 0xFF) | (in2 & 0xFF) << 8 | (out & 0xFF) << 16;
    }

    /** Signatures of opcodes 0x45 (i32.eqz) to 0xC4 (i64.extend32_s). */
    private static final int[] NUMERIC = new int[Opcodes.I64_EXTEND32_S - Opcodes.I32_EQZ + 1];

    /** Signatures of the 0xFC saturating truncations 0..7. */
    private static final int[] TRUNC_SAT = {
        sig(F32, UNKNOWN, I32), sig(F32, UNKNOWN, I32), sig(F64, UNKNOWN, I32), sig(F64, UNKNOWN, I32),
        sig(F32, UNKNOWN, I64), sig(F32, UNKNOWN, I64), sig(F64, UNKNOWN, I64), sig(F64, UNKNOWN, I64),
    };

    /** For loads and stores 0x28..0x3E: value type | max alignment exponent << 8. */
    private static final int[] MEMORY = {
        I32 & 0xFF | 2 << 8, I64 & 0xFF | 3 << 8, F32 & 0xFF | 2 << 8, F64 & 0xFF | 3 << 8, // i32/i64/f32/f64.load
        I32 & 0xFF, I32 & 0xFF, I32 & 0xFF | 1 << 8, I32 & 0xFF | 1 << 8, // i32.load8_s/u, load16_s/u
        I64 & 0xFF, I64 & 0xFF, I64 & 0xFF | 1 << 8, I64 & 0xFF | 1 << 8, // i64.load8_s/u, load16_s/u
        I64 & 0xFF | 2 << 8, I64 & 0xFF | 2 << 8, // i64.load32_s/u
        I32 & 0xFF | 2 << 8, I64 & 0xFF | 3 << 8, F32 & 0xFF | 2 << 8, F64 & 0xFF | 3 << 8, // stores
        I32 & 0xFF, I32 & 0xFF | 1 << 8, I64 & 0xFF, I64 & 0xFF | 1 << 8, I64 & 0xFF | 2 << 8, // store8/16, i64 store8/16/32
    };

    private static void range(int from, int to, int sig) {
        for (int op = from; op <= to; op++) NUMERIC[op - Opcodes.I32_EQZ] = sig;
    }

    static {
        byte x = UNKNOWN;
        range(0x45, 0x45, sig(I32, x, I32));
        range(0x46, 0x4F, sig(I32, I32, I32));
        range(0x50, 0x50, sig(I64, x, I32));
        range(0x51, 0x5A, sig(I64, I64, I32));
        range(0x5B, 0x60, sig(F32, F32, I32));
        range(0x61, 0x66, sig(F64, F64, I32));
        range(0x67, 0x69, sig(I32, x, I32));
        range(0x6A, 0x78, sig(I32, I32, I32));
        range(0x79, 0x7B, sig(I64, x, I64));
        range(0x7C, 0x8A, sig(I64, I64, I64));
        range(0x8B, 0x91, sig(F32, x, F32));
        range(0x92, 0x98, sig(F32, F32, F32));
        range(0x99, 0x9F, sig(F64, x, F64));
        range(0xA0, 0xA6, sig(F64, F64, F64));
        range(0xA7, 0xA7, sig(I64, x, I32));
        range(0xA8, 0xA9, sig(F32, x, I32));
        range(0xAA, 0xAB, sig(F64, x, I32));
        range(0xAC, 0xAD, sig(I32, x, I64));
        range(0xAE, 0xAF, sig(F32, x, I64));
        range(0xB0, 0xB1, sig(F64, x, I64));
        range(0xB2, 0xB3, sig(I32, x, F32));
        range(0xB4, 0xB5, sig(I64, x, F32));
        range(0xB6, 0xB6, sig(F64, x, F32));
        range(0xB7, 0xB8, sig(I32, x, F64));
        range(0xB9, 0xBA, sig(I64, x, F64));
        range(0xBB, 0xBB, sig(F32, x, F64));
        range(0xBC, 0xBC, sig(F32, x, I32));
        range(0xBD, 0xBD, sig(F64, x, I64));
        range(0xBE, 0xBE, sig(I32, x, F32));
        range(0xBF, 0xBF, sig(I64, x, F64));
        range(0xC0, 0xC1, sig(I32, x, I32));
        range(0xC2, 0xC4, sig(I64, x, I64));
    }
}
