package dev.twill.wasm.translate;

import dev.twill.CompileError;
import dev.twill.frontend.FunctionBuilder;
import dev.twill.frontend.FunctionBuilderContext;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.wasm.binary.ByteReader;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.FunctionBody;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.InstructionSkipper;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.Opcodes;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.runtime.LinearMemory;
import dev.twill.wasm.vm.Builtins;
import dev.twill.wasm.vm.FuncTypeIds;
import dev.twill.wasm.vm.VmContextLayout;
import dev.twill.wasm.vm.WasmAbi;
import java.util.Arrays;

/**
 * Translates the body of one validated WebAssembly function into sandbox-level Twill IR, in a
 * single streaming pass over its bytes (WebAssembly 2.0 §5.4 for the encoding, §4.4 for the
 * semantics), driving a {@link FunctionBuilder}.
 *
 * <p><b>Model.</b> Wasm locals are builder variables (their zero initialization is the builder's
 * rule that an undefined variable reads zero); the operand stack holds IR values; a control
 * frame per {@code block loop if} records its branch target and stack height. Values cross
 * block boundaries as IR block parameters: a {@code block} or {@code if} gets an <i>end</i>
 * block whose parameters are its results, a {@code loop} a <i>header</i> block whose
 * parameters are its parameters (multi-value), and a branch passes the top {@code arity}
 * operands. Code that follows a block in the same EBB stays in it: {@code br_if} is a mid-EBB
 * {@code brnz} that falls through, an {@code if} is a {@code brz} to its else block with the
 * then arm falling through, and a {@code block} that nothing branches to continues in place
 * (its end block is never laid out).
 *
 * <p><b>Unreachable code</b> (after {@code br br_table return unreachable}, or after an end that
 * nothing reaches) is skipped as the validator's polymorphic stack allows: its instructions are
 * stepped over with the decoder's {@link InstructionSkipper}, structured instructions inside it
 * are counted, and translation resumes at the {@code else} or {@code end} of the innermost live
 * frame. So every
 * IR block emitted is reachable from the entry, which the SSA construction needs (see {@link
 * FunctionBuilder}, unreachable cycles).
 *
 * <p><b>Memory and instance state</b> (see {@link VmContextLayout}): every memory instruction
 * names its memory (multi-memory; memory 0 when a memarg has no index), and memory {@code m} is a
 * dynamic heap of its own, declared on first use, whose base and bound are loaded from its MemoryDefinition record, inline in the
 * vmctx for a defined memory, through the pointer in the vmctx for an imported one (the base and the pointer {@code readonly}, the bound not, since {@code memory.grow}
 * changes it); a wasm access at {@code index + offset} is a {@code heap_load}/{@code heap_store}
 * with the memarg offset as its immediate, checked in 64-bit arithmetic by the heap's
 * semantics (no wrap). A 64-bit memory (memory64) is a heap of index type i64: its address
 * is used as it is (no zero-extension), its u64 offset passes through up to 2^63 - 1 (the
 * legalizer checks {@code index + offset + size <= bound} exactly), and a larger one, which no
 * memory can reach, becomes 2^63 - 1 so that it traps ({@link #heapOffset64}); {@code
 * memory.size/grow} are i64, and the memory builtins take i64 operands for both address types.
 * Tables are IR tables of 8-byte references reached through the
 * TableDefinition pointer; globals are loads and stores in the vmctx (defined) or through the
 * cell pointer (imported). Calls to defined functions are direct colocated calls with the same
 * vmctx; imported functions and {@code call_indirect} go through FuncRef records {code, vmctx}
 * and {@code call_indirect}; an indirect call first compares the record's canonical wasm type id
 * ({@link FuncTypeIds}) with the expected type's, read from the vmctx, and traps {@code bad_sig} on a mismatch, since
 * the IR signature check alone cannot tell {@code funcref}, {@code externref} and {@code i64}
 * apart. The rare and large
 * operations ({@code memory.grow/fill/copy/init}, {@code data.drop}, {@code table.grow/fill/
 * copy/init}, {@code elem.drop}) call the {@link Builtins}.
 *
 * <p><b>Traps</b>: {@code unreachable} -> {@code unreachable}; integer division by zero ->
 * {@code int_divz}; {@code div_s} overflow and float-to-int overflow -> {@code int_ovf}; NaN to
 * int -> {@code bad_toint}; memory out of bounds -> {@code heap_oob}; table index out of bounds
 * ({@code table.get/set}, {@code call_indirect}) -> {@code table_oob}; {@code call_indirect} of
 * a null element (wasm's "uninitialized element") -> {@code null_reference}, checked by a
 * {@code trapz} before the FuncRef record is read; a type mismatch -> {@code bad_sig}; an
 * interrupt request seen at function entry or a loop header -> {@code interrupt}.
 *
 * <p><b>Conditions.</b> A comparison, {@code eqz} or {@code ref.is_null} is left <i>pending</i>
 * on the operand stack (its i8, or the eqz operand, flagged) and only widened to wasm's i32 0/1
 * when used as a value, so {@code br_if}, {@code if} and {@code select} branch on the i8
 * directly and an {@code eqz} before them just flips the branch. A {@code br_table} whose
 * entries all name the default label is a plain branch.
 *
 * <p><b>Cost.</b> One translator per thread; the control and operand stacks are {@code int[]}
 * that keep their capacity, per-function entity maps (signature, callee, heap, table) use
 * generation stamps instead of clearing, numeric instructions are dispatched through static
 * tables, and nothing is allocated per wasm instruction once the arrays have grown (the IR
 * itself aside). Opcodes are {@link Opcodes} constants and immediates are read by the decoder's
 * {@link ByteReader} (LEB128 with one-byte fast paths), so the translator shares the binary
 * format's one definition. Input must be validated: malformed bytes give a {@link CompileError} or
 * undefined IR, never a hang.
 */
public final class FunctionTranslator {
    // ---- instruction kinds of the dispatch table (one per numeric family)
    private static final byte K_OTHER = 0, K_BIN = 1, K_UN = 2, K_ICMP = 3, K_EQZ = 4, K_FCMP = 5, K_CVT = 6,
            K_SEXT = 7, K_LOAD = 8, K_STORE = 9;
    /** Kind of each one-byte opcode. */
    private static final byte[] KIND = new byte[256];
    /** The IR opcode for BIN, UN, CVT, LOAD, STORE. */
    private static final Opcode[] IR_OP = new Opcode[256];
    /** CVT, LOAD: result type; SEXT: the full type; EQZ: operand type. */
    private static final int[] TYPE = new int[256];
    /** ICMP, FCMP: condition-code ordinal; SEXT: the narrow type. */
    private static final int[] AUX = new int[256];
    /** LOAD, STORE: the bytes accessed. */
    private static final int[] ACCESS_BYTES = new int[256];
    /** The IR opcode and result type of the 0xFC 0..7 saturating truncations. */
    private static final Opcode[] SAT_OP = new Opcode[8];
    private static final int[] SAT_TYPE = new int[8];

    static {
        int[] ints = {Type.I32, Type.I64};
        // from i32.eqz and i64.eqz: eqz, eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
        IntCC[] ccs = {IntCC.EQ, IntCC.NE, IntCC.SLT, IntCC.ULT, IntCC.SGT, IntCC.UGT, IntCC.SLE, IntCC.ULE, IntCC.SGE, IntCC.UGE};
        for (int w = 0; w < 2; w++) {
            int base = w == 0 ? Opcodes.I32_EQZ : Opcodes.I64_EQZ;
            KIND[base] = K_EQZ;
            TYPE[base] = ints[w];
            for (int k = 0; k < ccs.length; k++) {
                KIND[base + 1 + k] = K_ICMP;
                AUX[base + 1 + k] = ccs[k].ordinal();
            }
        }
        FloatCC[] fccs = {FloatCC.EQ, FloatCC.NE, FloatCC.LT, FloatCC.GT, FloatCC.LE, FloatCC.GE};
        for (int w = 0; w < 2; w++) {
            for (int k = 0; k < fccs.length; k++) {
                int op = (w == 0 ? Opcodes.F32_EQ : Opcodes.F64_EQ) + k;
                KIND[op] = K_FCMP;
                AUX[op] = fccs[k].ordinal();
            }
        }
        // integer arithmetic from i32.clz and i64.clz: clz ctz popcnt, then the binary operators
        Opcode[] intUn = {Opcode.CLZ, Opcode.CTZ, Opcode.POPCNT};
        Opcode[] intBin = {Opcode.IADD, Opcode.ISUB, Opcode.IMUL, Opcode.SDIV, Opcode.UDIV, Opcode.SREM, Opcode.UREM,
            Opcode.BAND, Opcode.BOR, Opcode.BXOR, Opcode.ISHL, Opcode.SSHR, Opcode.USHR, Opcode.ROTL, Opcode.ROTR};
        for (int w = 0; w < 2; w++) {
            int base = w == 0 ? Opcodes.I32_CLZ : Opcodes.I64_CLZ;
            for (int k = 0; k < intUn.length; k++) un(base + k, intUn[k]);
            for (int k = 0; k < intBin.length; k++) bin(base + 3 + k, intBin[k]);
        }
        // float arithmetic from f32.abs and f64.abs: seven unary, then seven binary operators
        Opcode[] fUn = {Opcode.FABS, Opcode.FNEG, Opcode.CEIL, Opcode.FLOOR, Opcode.TRUNC, Opcode.NEAREST, Opcode.SQRT};
        Opcode[] fBin = {Opcode.FADD, Opcode.FSUB, Opcode.FMUL, Opcode.FDIV, Opcode.FMIN, Opcode.FMAX, Opcode.FCOPYSIGN};
        for (int w = 0; w < 2; w++) {
            int base = w == 0 ? Opcodes.F32_ABS : Opcodes.F64_ABS;
            for (int k = 0; k < fUn.length; k++) un(base + k, fUn[k]);
            for (int k = 0; k < fBin.length; k++) bin(base + 7 + k, fBin[k]);
        }
        // conversions
        cvt(Opcodes.I32_WRAP_I64, Opcode.IREDUCE, Type.I32);
        cvt(Opcodes.I32_TRUNC_F32_S, Opcode.FCVT_TO_SINT, Type.I32);
        cvt(Opcodes.I32_TRUNC_F32_U, Opcode.FCVT_TO_UINT, Type.I32);
        cvt(Opcodes.I32_TRUNC_F64_S, Opcode.FCVT_TO_SINT, Type.I32);
        cvt(Opcodes.I32_TRUNC_F64_U, Opcode.FCVT_TO_UINT, Type.I32);
        cvt(Opcodes.I64_EXTEND_I32_S, Opcode.SEXTEND, Type.I64);
        cvt(Opcodes.I64_EXTEND_I32_U, Opcode.UEXTEND, Type.I64);
        cvt(Opcodes.I64_TRUNC_F32_S, Opcode.FCVT_TO_SINT, Type.I64);
        cvt(Opcodes.I64_TRUNC_F32_U, Opcode.FCVT_TO_UINT, Type.I64);
        cvt(Opcodes.I64_TRUNC_F64_S, Opcode.FCVT_TO_SINT, Type.I64);
        cvt(Opcodes.I64_TRUNC_F64_U, Opcode.FCVT_TO_UINT, Type.I64);
        cvt(Opcodes.F32_CONVERT_I32_S, Opcode.FCVT_FROM_SINT, Type.F32);
        cvt(Opcodes.F32_CONVERT_I32_U, Opcode.FCVT_FROM_UINT, Type.F32);
        cvt(Opcodes.F32_CONVERT_I64_S, Opcode.FCVT_FROM_SINT, Type.F32);
        cvt(Opcodes.F32_CONVERT_I64_U, Opcode.FCVT_FROM_UINT, Type.F32);
        cvt(Opcodes.F32_DEMOTE_F64, Opcode.FDEMOTE, Type.F32);
        cvt(Opcodes.F64_CONVERT_I32_S, Opcode.FCVT_FROM_SINT, Type.F64);
        cvt(Opcodes.F64_CONVERT_I32_U, Opcode.FCVT_FROM_UINT, Type.F64);
        cvt(Opcodes.F64_CONVERT_I64_S, Opcode.FCVT_FROM_SINT, Type.F64);
        cvt(Opcodes.F64_CONVERT_I64_U, Opcode.FCVT_FROM_UINT, Type.F64);
        cvt(Opcodes.F64_PROMOTE_F32, Opcode.FPROMOTE, Type.F64);
        cvt(Opcodes.I32_REINTERPRET_F32, Opcode.BITCAST, Type.I32);
        cvt(Opcodes.I64_REINTERPRET_F64, Opcode.BITCAST, Type.I64);
        cvt(Opcodes.F32_REINTERPRET_I32, Opcode.BITCAST, Type.F32);
        cvt(Opcodes.F64_REINTERPRET_I64, Opcode.BITCAST, Type.F64);
        // sign extension
        sext(Opcodes.I32_EXTEND8_S, Type.I32, Type.I8);
        sext(Opcodes.I32_EXTEND16_S, Type.I32, Type.I16);
        sext(Opcodes.I64_EXTEND8_S, Type.I64, Type.I8);
        sext(Opcodes.I64_EXTEND16_S, Type.I64, Type.I16);
        sext(Opcodes.I64_EXTEND32_S, Type.I64, Type.I32);
        // loads and stores
        load(Opcodes.I32_LOAD, Opcode.HEAP_LOAD, Type.I32);
        load(Opcodes.I64_LOAD, Opcode.HEAP_LOAD, Type.I64);
        load(Opcodes.F32_LOAD, Opcode.HEAP_LOAD, Type.F32);
        load(Opcodes.F64_LOAD, Opcode.HEAP_LOAD, Type.F64);
        load(Opcodes.I32_LOAD8_S, Opcode.HEAP_SLOAD8, Type.I32);
        load(Opcodes.I32_LOAD8_U, Opcode.HEAP_ULOAD8, Type.I32);
        load(Opcodes.I32_LOAD16_S, Opcode.HEAP_SLOAD16, Type.I32);
        load(Opcodes.I32_LOAD16_U, Opcode.HEAP_ULOAD16, Type.I32);
        load(Opcodes.I64_LOAD8_S, Opcode.HEAP_SLOAD8, Type.I64);
        load(Opcodes.I64_LOAD8_U, Opcode.HEAP_ULOAD8, Type.I64);
        load(Opcodes.I64_LOAD16_S, Opcode.HEAP_SLOAD16, Type.I64);
        load(Opcodes.I64_LOAD16_U, Opcode.HEAP_ULOAD16, Type.I64);
        load(Opcodes.I64_LOAD32_S, Opcode.HEAP_SLOAD32, Type.I64);
        load(Opcodes.I64_LOAD32_U, Opcode.HEAP_ULOAD32, Type.I64);
        store(Opcodes.I32_STORE, Opcode.HEAP_STORE, Type.I32);
        store(Opcodes.I64_STORE, Opcode.HEAP_STORE, Type.I64);
        store(Opcodes.F32_STORE, Opcode.HEAP_STORE, Type.F32);
        store(Opcodes.F64_STORE, Opcode.HEAP_STORE, Type.F64);
        store(Opcodes.I32_STORE8, Opcode.HEAP_ISTORE8, Type.I32);
        store(Opcodes.I32_STORE16, Opcode.HEAP_ISTORE16, Type.I32);
        store(Opcodes.I64_STORE8, Opcode.HEAP_ISTORE8, Type.I64);
        store(Opcodes.I64_STORE16, Opcode.HEAP_ISTORE16, Type.I64);
        store(Opcodes.I64_STORE32, Opcode.HEAP_ISTORE32, Type.I64);
        // FC 0..7: i32.trunc_sat_f32_s/u, i32.trunc_sat_f64_s/u, then the same for i64
        for (int k = 0; k < 8; k++) {
            SAT_OP[k] = (k & 1) == 0 ? Opcode.FCVT_TO_SINT_SAT : Opcode.FCVT_TO_UINT_SAT;
            SAT_TYPE[k] = k < 4 ? Type.I32 : Type.I64;
        }
    }

    private static void un(int op, Opcode ir) {
        KIND[op] = K_UN;
        IR_OP[op] = ir;
    }

    private static void bin(int op, Opcode ir) {
        KIND[op] = K_BIN;
        IR_OP[op] = ir;
    }

    private static void cvt(int op, Opcode ir, int to) {
        KIND[op] = K_CVT;
        IR_OP[op] = ir;
        TYPE[op] = to;
    }

    private static void sext(int op, int type, int narrow) {
        KIND[op] = K_SEXT;
        TYPE[op] = type;
        AUX[op] = narrow;
    }

    private static void load(int op, Opcode ir, int type) {
        KIND[op] = K_LOAD;
        IR_OP[op] = ir;
        TYPE[op] = type;
        ACCESS_BYTES[op] = ir.accessBytes(type);
    }

    /** A store of a value of {@code type} (validated, so the operand has it). */
    private static void store(int op, Opcode ir, int type) {
        KIND[op] = K_STORE;
        IR_OP[op] = ir;
        ACCESS_BYTES[op] = ir.accessBytes(type);
    }

    /** The builtins' IR signatures, built once. */
    private static final Builtins[] BUILTINS = Builtins.values();
    private static final Signature[] BUILTIN_SIGS = new Signature[BUILTINS.length];

    static {
        for (int k = 0; k < BUILTINS.length; k++) BUILTIN_SIGS[k] = BUILTINS[k].signature();
    }

    /** Flags of loads of the vmctx and the definitions it points to, which never change. */
    private static final int FIXED = MemFlags.NOTRAP | MemFlags.ALIGNED | MemFlags.READONLY;
    /** Flags of loads and stores of mutable instance state (globals, bounds, table elements). */
    private static final int MUTABLE = MemFlags.NOTRAP | MemFlags.ALIGNED;

    // ---- control frames
    private static final int FRAME_BLOCK = 0, FRAME_LOOP = 1, FRAME_IF = 2, FRAME_ELSE = 3, FRAME_FUNC = 4;

    private final FunctionBuilderContext builderContext = new FunctionBuilderContext();

    /** Frame kind. */
    private int[] frameKind = new int[16];
    /** Where branches to the frame go: the end block, or the loop header. */
    private int[] frameTarget = new int[16];
    /** The else block of an IF frame; -1 otherwise. */
    private int[] frameElse = new int[16];
    /** Operand stack height below the frame's parameters. */
    private int[] frameBase = new int[16];
    private int[] frameParams = new int[16];
    private int[] frameResults = new int[16];
    private int depth;

    /**
     * The operand stack: IR values, or pending booleans flagged {@link #CMP} (the i8 of a
     * comparison, to be widened to i32 only if used as a value) or {@link #EQZ} (the operand of
     * an {@code eqz} or {@code ref.is_null}), so that a comparison feeding {@code br_if}, {@code
     * if} or {@code select} costs no extension and {@code eqz} no instruction at all. Entries
     * below the innermost frame are never pending.
     */
    private int[] stack = new int[64];
    private int sp;
    /** No pending entry lies below this index. */
    private int pendingLow = Integer.MAX_VALUE;
    private static final int CMP = 1 << 29, EQZ = 1 << 28, PENDING = CMP | EQZ, VALUE = EQZ - 1;

    /** False in code no path reaches; {@link #deadDepth} counts structured instructions opened there. */
    private boolean reachable;
    private int deadDepth;

    /** Scratch arrays for argument lists and br_table targets. */
    private int[] args = new int[16];
    private int[] slice = new int[16];
    private int[] tableTargets = new int[16];

    // ---- per-function entity maps, valid when their stamp equals {@link #stamp}
    private int stamp;
    private int[] sigRefOfType = new int[0], sigStamp = new int[0];
    private int[] fnRefOfFunc = new int[0], fnStamp = new int[0];
    private int[] heapOfMemory = new int[0], heapStamp = new int[0];
    private int[] wideHeapOfMemory = new int[0], wideHeapStamp = new int[0];
    private int[] tableOfTable = new int[0], tableStamp = new int[0];
    private final int[] builtinRef = new int[BUILTINS.length];

    // ---- per-module caches
    private WasmModule cachedModule;
    private Signature[] typeSigs;
    /**
     * {@link WasmAbi#functionName} of each function of {@link #cachedModule}, made on first use:
     * every function that calls {@code f} names it, and building the string each time cost
     * about 1% of translating a large module.
     */
    private String[] functionNames;

    // ---- the function being translated
    private WasmModule module;
    private VmContextLayout layout;
    private Function func;
    private FunctionBuilder fb;
    /** {@link FunctionBuilder#ins()}, fetched once per function: it follows the current block. */
    private InstBuilder cursor;
    private DataFlowGraph dfg;
    /**
     * Reads the body being translated ({@code [codeStart, end)} of the module's bytes); one per
     * module, so that immediates are read by the decoder's own LEB128 code with its fast paths.
     */
    private ByteReader in;
    private int vmctx;
    private int gvVmctx;
    /** Wasm local k is builder variable k (declared in order). */
    private int numLocals;
    private int funcIndex;

    /** Whether 32-bit memories' heaps declare the guarded reservation ({@link #setGuardedMemories}). */
    private boolean guardedMemories;

    /**
     * Whether the code will run on memories reserved with guard pages ({@link
     * LinearMemory#guarded()}): then each 32-bit memory's heap declares {@link
     * LinearMemory#GUARDED_RESERVATION} reserved bytes, which lets a legalizer with fault traps
     * leave out bounds checks. Off by default (the heap promises nothing).
     */
    public void setGuardedMemories(boolean on) {
        guardedMemories = on;
    }

    /**
     * Translates defined function {@code funcIndex} of the validated module {@code m} into a new
     * IR function named {@link WasmAbi#functionName}, with signature {@link WasmAbi#signature}.
     */
    public Function translate(WasmModule m, VmContextLayout layout, int funcIndex) {
        checkDefined(m, funcIndex);
        Function f = new Function(irFunctionName(funcIndex), signatureOfType(m.functionTypes[funcIndex]));
        translateInto(f, m, layout, funcIndex);
        return f;
    }

    /**
     * As {@link #translate(WasmModule, VmContextLayout, int)}, into {@code into}, which is
     * cleared first and keeps its array capacity: a compilation loop that reuses one Function
     * per thread allocates next to nothing per function in steady state.
     */
    public void translate(WasmModule m, VmContextLayout layout, int funcIndex, Function into) {
        checkDefined(m, funcIndex);
        into.clear(irFunctionName(funcIndex), signatureOfType(m.functionTypes[funcIndex]));
        translateInto(into, m, layout, funcIndex);
    }

    private void checkDefined(WasmModule m, int funcIndex) {
        if (funcIndex < m.importedFunctions || funcIndex >= m.functionCount()) {
            throw new IllegalArgumentException("function " + funcIndex + " is not a defined function of the module");
        }
        if (m != cachedModule) {
            cachedModule = m;
            in = new ByteReader(m.bytes);
            typeSigs = new Signature[m.types.length];
            functionNames = new String[m.functionCount()];
        }
    }

    private String irFunctionName(int funcIndex) {
        String name = functionNames[funcIndex];
        if (name == null) functionNames[funcIndex] = name = WasmAbi.functionName(funcIndex);
        return name;
    }

    /** The IR signature of wasm type {@code typeIndex}, shared by every function this translator makes. */
    private Signature signatureOfType(int typeIndex) {
        Signature s = typeSigs[typeIndex];
        if (s == null) typeSigs[typeIndex] = s = WasmAbi.signature(cachedModule.types[typeIndex]);
        return s;
    }

    private void translateInto(Function f, WasmModule m, VmContextLayout layout, int funcIndex) {
        this.module = m;
        this.layout = layout;
        this.func = f;
        this.funcIndex = funcIndex;
        this.dfg = f.dfg;
        this.fb = new FunctionBuilder(f, builderContext);
        FunctionBody body = m.bodies[funcIndex - m.importedFunctions];
        in.reset(body.codeStart(), body.end());
        beginEntities(m);
        try {
            translateBody(body, m.functionType(funcIndex));
        } catch (ArrayIndexOutOfBoundsException e) {
            throw CompileError.atOffset(m.functionName(funcIndex), in.pos, "malformed function body (was it validated?)");
        } finally {
            this.module = null;
            this.func = null;
            this.fb = null;
            this.cursor = null;
            this.dfg = null;
        }
    }

    private void beginEntities(WasmModule m) {
        stamp++;
        if (stamp == Integer.MAX_VALUE) { // wrap: forget every stamp
            stamp = 1;
            Arrays.fill(sigStamp, 0);
            Arrays.fill(fnStamp, 0);
            Arrays.fill(heapStamp, 0);
            Arrays.fill(wideHeapStamp, 0);
            Arrays.fill(tableStamp, 0);
        }
        if (sigStamp.length < m.types.length) {
            sigRefOfType = new int[m.types.length];
            sigStamp = new int[m.types.length];
        }
        if (fnStamp.length < m.functionCount()) {
            fnRefOfFunc = new int[m.functionCount()];
            fnStamp = new int[m.functionCount()];
        }
        if (heapStamp.length < m.memories.length) {
            heapOfMemory = new int[m.memories.length];
            heapStamp = new int[m.memories.length];
            wideHeapOfMemory = new int[m.memories.length];
            wideHeapStamp = new int[m.memories.length];
        }
        if (tableStamp.length < m.tables.length) {
            tableOfTable = new int[m.tables.length];
            tableStamp = new int[m.tables.length];
        }
        Arrays.fill(builtinRef, -1);
    }

    // =====================================================================================
    // Function structure

    private void translateBody(FunctionBody body, FuncType type) {
        int entry = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(entry);
        fb.switchToBlock(entry);
        fb.sealBlock(entry);
        cursor = fb.ins();
        vmctx = dfg.blockParam(entry, 0);
        gvVmctx = func.addGlobalValue(GlobalValueData.vmctx());

        numLocals = 0;
        for (int k = 0; k < type.params.length; k++) {
            int var = fb.declareVar(ValType.irType(type.params[k]));
            fb.defVar(var, dfg.blockParam(entry, k + 1));
            numLocals++;
        }
        int[] counts = body.localCounts();
        byte[] types = body.localTypes();
        for (int r = 0; r < counts.length; r++) {
            int t = ValType.irType(types[r]);
            // no defVar: an undefined variable reads zero, which is wasm's initial value
            for (int k = 0; k < counts[r]; k++) fb.declareVar(t);
            numLocals += counts[r];
        }

        interruptCheck();

        sp = 0;
        pendingLow = Integer.MAX_VALUE;
        depth = 0;
        reachable = true;
        deadDepth = 0;
        int exit = fb.createBlock();
        for (byte r : type.results) fb.appendBlockParam(exit, ValType.irType(r));
        pushFrame(FRAME_FUNC, exit, -1, 0, type.results.length);

        while (depth > 0) {
            if (in.pos >= in.limit) {
                throw CompileError.atOffset(module.functionName(funcIndex), in.pos, "function body ends inside a block");
            }
            int op = in.u8();
            if (!reachable && !deadInstruction(op)) continue;
            instruction(op);
        }
        fb.sealAllBlocks();
        fb.finalizeFunction();
    }

    /**
     * In unreachable code: skips {@code op} with its immediates and returns false, or returns
     * true for the {@code else} or {@code end} that closes the innermost live frame.
     */
    private boolean deadInstruction(int op) {
        switch (op) {
            case Opcodes.BLOCK: case Opcodes.LOOP: case Opcodes.IF:
                InstructionSkipper.blockType(in);
                deadDepth++;
                return false;
            case Opcodes.ELSE:
                return deadDepth == 0;
            case Opcodes.END:
                if (deadDepth == 0) return true;
                deadDepth--;
                return false;
            default:
                InstructionSkipper.skipImmediates(in, op);
                return false;
        }
    }

    private void instruction(int op) {
        switch (KIND[op]) {
            case K_BIN: {
                int b = pop(), a = pop();
                push(ins().binary(IR_OP[op], a, b));
                return;
            }
            case K_UN: {
                int a = pop();
                push(ins().unary(IR_OP[op], dfg.valueType(a), a));
                return;
            }
            case K_ICMP: {
                int b = pop(), a = pop();
                pushPending(ins().icmp(IntCC.of(AUX[op]), a, b), CMP);
                return;
            }
            case K_EQZ:
                pushPending(pop(), EQZ);
                return;
            case K_FCMP: {
                int b = pop(), a = pop();
                pushPending(ins().fcmp(FloatCC.of(AUX[op]), a, b), CMP);
                return;
            }
            case K_CVT:
                push(ins().convert(IR_OP[op], TYPE[op], pop()));
                return;
            case K_SEXT: {
                InstBuilder b = ins();
                int narrow = b.convert(Opcode.IREDUCE, AUX[op], pop());
                push(b.convert(Opcode.SEXTEND, TYPE[op], narrow));
                return;
            }
            case K_LOAD: {
                int memory = memargMemory();
                long offset = in.u64();
                int index = pop();
                if (module.memories[memory].is64()) {
                    int addr = provenAddress64(memory, index, offset, ACCESS_BYTES[op]);
                    if (addr >= 0) {
                        push(ins().load(IR_OP[op].memoryForm(), TYPE[op], MemFlags.NOTRAP, addr, 0));
                        return;
                    }
                    push(ins().heapLoad(IR_OP[op], TYPE[op], heap(memory), index, heapOffset64(offset)));
                    return;
                }
                if (offset > Integer.MAX_VALUE) {
                    push(ins().heapLoad(IR_OP[op], TYPE[op], wideHeap(memory), wideIndex(index, offset), 0));
                    return;
                }
                int addr = provenAddress(memory, index, offset, ACCESS_BYTES[op]);
                if (addr >= 0) {
                    push(ins().load(IR_OP[op].memoryForm(), TYPE[op], MemFlags.NOTRAP, addr, offset + provenConstant));
                    return;
                }
                push(ins().heapLoad(IR_OP[op], TYPE[op], heap(memory), index, offset));
                return;
            }
            case K_STORE: {
                int memory = memargMemory();
                long offset = in.u64();
                int value = pop(), index = pop();
                if (module.memories[memory].is64()) {
                    int addr = provenAddress64(memory, index, offset, ACCESS_BYTES[op]);
                    if (addr >= 0) {
                        ins().store(IR_OP[op].memoryForm(), MemFlags.NOTRAP, value, addr, 0);
                        return;
                    }
                    ins().heapStore(IR_OP[op], heap(memory), value, index, heapOffset64(offset));
                    return;
                }
                if (offset > Integer.MAX_VALUE) {
                    ins().heapStore(IR_OP[op], wideHeap(memory), value, wideIndex(index, offset), 0);
                    return;
                }
                int addr = provenAddress(memory, index, offset, ACCESS_BYTES[op]);
                if (addr >= 0) {
                    ins().store(IR_OP[op].memoryForm(), MemFlags.NOTRAP, value, addr, offset + provenConstant);
                    return;
                }
                ins().heapStore(IR_OP[op], heap(memory), value, index, offset);
                return;
            }
            default:
                other(op);
        }
    }

    private void other(int op) {
        switch (op) {
            case Opcodes.UNREACHABLE:
                fb.trap(TrapCode.UNREACHABLE);
                markDead();
                return;
            case Opcodes.NOP:
                return;
            case Opcodes.BLOCK: opBlock(); return;
            case Opcodes.LOOP: opLoop(); return;
            case Opcodes.IF: opIf(); return;
            case Opcodes.ELSE: opElse(); return;
            case Opcodes.END: opEnd(); return;
            case Opcodes.BR: opBr(in.u32()); return;
            case Opcodes.BR_IF: opBrIf(in.u32()); return;
            case Opcodes.BR_TABLE: opBrTable(); return;
            case Opcodes.RETURN: opReturn(); return;
            case Opcodes.CALL: opCall(in.u32()); return;
            case Opcodes.CALL_INDIRECT: {
                int typeIndex = in.u32();
                opCallIndirect(typeIndex, in.u32());
                return;
            }
            case Opcodes.RETURN_CALL: opReturnCall(in.u32()); return;
            case Opcodes.RETURN_CALL_INDIRECT: {
                int typeIndex = in.u32();
                opReturnCallIndirect(typeIndex, in.u32());
                return;
            }
            case Opcodes.DROP: // a pending comparison is never materialized
                sp--;
                return;
            case Opcodes.SELECT_T: // the type vector has one entry (validated)
                for (int n = in.u32(); n > 0; n--) in.u32();
                // fall through
            case Opcodes.SELECT: {
                int c = stack[--sp], y = pop(), x = pop();
                int cv = c & VALUE;
                // select on eqz(v) is select on v with the operands swapped
                push((c & EQZ) != 0 ? ins().select(cv, y, x) : ins().select(cv, x, y));
                return;
            }
            case Opcodes.LOCAL_GET: push(fb.useVar(in.u32())); return;
            case Opcodes.LOCAL_SET: fb.defVar(in.u32(), pop()); return;
            case Opcodes.LOCAL_TEE: {
                int v = pop();
                fb.defVar(in.u32(), v);
                push(v);
                return;
            }
            case Opcodes.GLOBAL_GET: opGlobalGet(in.u32()); return;
            case Opcodes.GLOBAL_SET: opGlobalSet(in.u32()); return;
            case Opcodes.TABLE_GET: opTableGet(in.u32()); return;
            case Opcodes.TABLE_SET: opTableSet(in.u32()); return;
            case Opcodes.MEMORY_SIZE: // memory index (a reserved zero byte in 2.0)
                push(memorySize(in.u32()));
                return;
            case Opcodes.MEMORY_GROW: { // memory index
                int memory = in.u32();
                int delta = toI64(pop());
                int old = callBuiltin(Builtins.MEMORY_GROW, ins().iconst(Type.I32, memory), delta, -1, -1, -1);
                // a 32-bit memory's result is the low half: the old size (below 2^16), or -1
                push(module.memories[memory].is64() ? old : ins().convert(Opcode.IREDUCE, Type.I32, old));
                return;
            }
            case Opcodes.I32_CONST: push(ins().iconst(Type.I32, in.s32())); return;
            case Opcodes.I64_CONST: push(ins().iconst(Type.I64, in.s64())); return;
            case Opcodes.F32_CONST: push(ins().f32constBits(in.fixed32())); return;
            case Opcodes.F64_CONST: push(ins().f64constBits(in.fixed64())); return;
            case Opcodes.REF_NULL: // the reference type follows
                in.u32();
                push(ins().iconst(Type.I64, 0));
                return;
            case Opcodes.REF_IS_NULL:
                pushPending(pop(), EQZ);
                return;
            case Opcodes.REF_FUNC: // the address of its FuncRef record
                push(ins().iaddImm(vmctx, layout.funcRefOffset(in.u32())));
                return;
            case Opcodes.PREFIX_FC:
                prefixed(in.u32());
                return;
            default:
                throw CompileError.atOffset(module.functionName(funcIndex), in.pos - 1,
                        "unknown opcode 0x" + Integer.toHexString(op) + " (was the module validated?)");
        }
    }

    /** The 0xFC-prefixed instructions. */
    private void prefixed(int sub) {
        if (sub <= Opcodes.FC_I64_TRUNC_SAT_F64_U) {
            push(ins().convert(SAT_OP[sub], SAT_TYPE[sub], pop()));
            return;
        }
        switch (sub) {
            case Opcodes.FC_MEMORY_INIT: { // data index, memory index: [d s n]
                int data = in.u32();
                int memory = in.u32();
                int n = pop(), s = pop(), d = toI64(pop());
                InstBuilder b = ins();
                callBuiltin(Builtins.MEMORY_INIT, b.iconst(Type.I32, memory), b.iconst(Type.I32, data), d, s, n);
                return;
            }
            case Opcodes.FC_DATA_DROP:
                callBuiltin(Builtins.DATA_DROP, ins().iconst(Type.I32, in.u32()), -1, -1, -1, -1);
                return;
            case Opcodes.FC_MEMORY_COPY: { // dst and src memory: [d s n]
                int dst = in.u32(), src = in.u32();
                int n = toI64(pop()), s = toI64(pop()), d = toI64(pop());
                InstBuilder b = ins();
                callBuiltin(Builtins.MEMORY_COPY, b.iconst(Type.I32, dst), b.iconst(Type.I32, src), d, s, n);
                return;
            }
            case Opcodes.FC_MEMORY_FILL: { // memory index: [d val n]
                int mem = in.u32();
                int n = toI64(pop()), val = pop(), d = toI64(pop());
                callBuiltin(Builtins.MEMORY_FILL, ins().iconst(Type.I32, mem), d, val, n, -1);
                return;
            }
            case Opcodes.FC_TABLE_INIT: { // elem, table: [d s n]
                int elem = in.u32(), table = in.u32();
                builtin5(Builtins.TABLE_INIT, table, elem);
                return;
            }
            case Opcodes.FC_ELEM_DROP:
                callBuiltin(Builtins.ELEM_DROP, ins().iconst(Type.I32, in.u32()), -1, -1, -1, -1);
                return;
            case Opcodes.FC_TABLE_COPY: { // dst and src table: [d s n]
                int dst = in.u32(), src = in.u32();
                builtin5(Builtins.TABLE_COPY, dst, src);
                return;
            }
            case Opcodes.FC_TABLE_GROW: { // [init n] -> [old]
                int table = in.u32();
                int n = pop(), init = pop();
                push(callBuiltin(Builtins.TABLE_GROW, ins().iconst(Type.I32, table), init, n, -1, -1));
                return;
            }
            case Opcodes.FC_TABLE_SIZE: {
                int table = in.u32();
                int t = table(table);
                InstBuilder b = ins();
                int length = b.globalValue(Type.I64, func.tables.get(t).boundGv);
                push(b.convert(Opcode.IREDUCE, Type.I32, length));
                return;
            }
            case Opcodes.FC_TABLE_FILL: { // [i ref n]
                int table = in.u32();
                int n = pop(), ref = pop(), i = pop();
                callBuiltin(Builtins.TABLE_FILL, ins().iconst(Type.I32, table), i, ref, n, -1);
                return;
            }
            default:
                throw CompileError.atOffset(module.functionName(funcIndex), in.pos - 1, "unknown opcode 0xfc " + sub);
        }
    }

    // =====================================================================================
    // Control

    /**
     * Opens a block. Here and at {@code loop} and {@code if}, pending booleans on the stack are
     * materialized first: entries below a frame may be used after it, so they must be defined
     * where they dominate every arm.
     */
    private void opBlock() {
        int bt = readBlockType();
        int nParams = blockParamCount(bt), nResults = blockResultCount(bt);
        int endBlock = fb.createBlock();
        appendResultParams(endBlock, bt);
        materialize(0);
        pushFrame(FRAME_BLOCK, endBlock, -1, nParams, nResults);
    }

    private void opLoop() {
        int bt = readBlockType();
        int nParams = blockParamCount(bt), nResults = blockResultCount(bt);
        int header = fb.createBlock();
        appendParamParams(header, bt);
        materialize(0);
        fb.jump(header, argsAt(sp - nParams, nParams), nParams);
        fb.switchToBlock(header);
        for (int k = 0; k < nParams; k++) stack[sp - nParams + k] = dfg.blockParam(header, k);
        interruptCheck();
        pushFrame(FRAME_LOOP, header, -1, nParams, nResults);
    }

    private void opIf() {
        int bt = readBlockType();
        int nParams = blockParamCount(bt), nResults = blockResultCount(bt);
        int cond = stack[--sp];
        // entries below the frame are used after it: materialize them here, before both arms
        materialize(0);
        int elseBlock = fb.createBlock();
        appendParamParams(elseBlock, bt);
        int endBlock = fb.createBlock();
        appendResultParams(endBlock, bt);
        // the then arm falls through in this EBB; the parameters flow to the else arm as arguments
        branch(cond, false, elseBlock, sp - nParams, nParams);
        fb.sealBlock(elseBlock);
        pushFrame(FRAME_IF, endBlock, elseBlock, nParams, nResults);
    }

    private void opElse() {
        int f = depth - 1;
        int n = frameResults[f];
        if (reachable) fb.jump(frameTarget[f], argsAt(sp - n, n), n);
        sp = frameBase[f];
        int elseBlock = frameElse[f];
        fb.switchToBlock(elseBlock);
        int np = frameParams[f];
        for (int k = 0; k < np; k++) push(dfg.blockParam(elseBlock, k));
        frameKind[f] = FRAME_ELSE;
        reachable = true;
        deadDepth = 0;
    }

    private void opEnd() {
        int f = depth - 1;
        int kind = frameKind[f];
        int target = frameTarget[f];
        int n = frameResults[f];
        deadDepth = 0;
        if (kind == FRAME_LOOP) {
            // the results are on the stack already; branches went to the header, now complete
            fb.sealBlock(target);
            depth--;
            return;
        }
        if (kind == FRAME_FUNC) {
            if (reachable) fb.ret(argsAt(sp - n, n), n);
            fb.sealBlock(target);
            if (fb.numPredecessors(target) > 0) {
                fb.switchToBlock(target);
                fb.ret(paramsOf(target, n), n);
            }
            depth--;
            sp = 0;
            return;
        }
        if (kind == FRAME_BLOCK && reachable && fb.numPredecessors(target) == 0) {
            // nothing branches out of the block: continue in place, the end block stays unused
            fb.sealBlock(target);
            depth--;
            return;
        }
        if (reachable) fb.jump(target, argsAt(sp - n, n), n);
        if (kind == FRAME_IF) {
            // no else arm: it passes the parameters (which equal the results) to the end
            int elseBlock = frameElse[f];
            fb.switchToBlock(elseBlock);
            fb.jump(target, paramsOf(elseBlock, n), n);
        }
        sp = frameBase[f];
        depth--;
        fb.sealBlock(target);
        if (fb.numPredecessors(target) > 0) {
            fb.switchToBlock(target);
            for (int k = 0; k < n; k++) push(dfg.blockParam(target, k));
            reachable = true;
        } else {
            reachable = false;
        }
    }

    private void opBr(int label) {
        int f = depth - 1 - label;
        if (frameKind[f] == FRAME_FUNC) {
            opReturn();
            return;
        }
        int n = arity(f);
        fb.jump(frameTarget[f], argsAt(sp - n, n), n);
        markDead();
    }

    private void opBrIf(int label) {
        int cond = stack[--sp];
        int f = depth - 1 - label;
        int n = arity(f);
        branch(cond, true, frameTarget[f], sp - n, n);
    }

    private void opBrTable() {
        int count = in.u32();
        if (tableTargets.length < count + 1) tableTargets = new int[Math.max(count + 1, tableTargets.length * 2)];
        for (int k = 0; k < count; k++) tableTargets[k] = in.u32();
        int defaultLabel = in.u32();
        int index = pop();
        int fd = depth - 1 - defaultLabel;
        int n = arity(fd);
        int from = sp - n;
        boolean oneTarget = true;
        for (int k = 0; k < count && oneTarget; k++) oneTarget = tableTargets[k] == defaultLabel;
        if (oneTarget) { // every entry goes where the default goes: a plain branch
            opBr(defaultLabel);
            return;
        }
        int[] calls = args(count + 1);
        calls[0] = dfg.makeBlockCall(frameTarget[fd], argsAt(from, n), n);
        for (int k = 0; k < count; k++) {
            int f = depth - 1 - tableTargets[k];
            calls[k + 1] = dfg.makeBlockCall(frameTarget[f], argsAt(from, n), n);
        }
        ins().brTable(index, calls, count + 1);
        markDead();
    }

    /**
     * The stack slice {@code [from, from + n)} at the start of an array, as the builder's
     * argument lists want it (they copy); a scratch distinct from {@link #args}.
     */
    private int[] argsAt(int from, int n) {
        materialize(from);
        if (from == 0) return stack;
        if (slice.length < n) slice = new int[Math.max(n, slice.length * 2)];
        System.arraycopy(stack, from, slice, 0, n);
        return slice;
    }

    private void opReturn() {
        int n = frameResults[0];
        fb.ret(argsAt(sp - n, n), n);
        markDead();
    }

    /** The parameters of {@code block} in a scratch array. */
    private int[] paramsOf(int block, int n) {
        int[] a = args(n);
        for (int k = 0; k < n; k++) a[k] = dfg.blockParam(block, k);
        return a;
    }

    /**
     * A conditional branch to {@code target} with the stack slice {@code [from, from + n)} as
     * arguments, taken when the wasm condition {@code cond} (a stack entry, maybe pending) is
     * non-zero ({@code ifNonZero}) or zero. A pending comparison is branched on as its i8, a
     * pending eqz as its operand with the sense flipped.
     */
    private void branch(int cond, boolean ifNonZero, int target, int from, int n) {
        int c = cond & VALUE;
        if ((cond & EQZ) != 0) ifNonZero = !ifNonZero;
        int[] a = argsAt(from, n);
        if (ifNonZero) fb.brnz(c, target, a, n);
        else fb.brz(c, target, a, n);
    }

    private int arity(int frame) {
        return frameKind[frame] == FRAME_LOOP ? frameParams[frame] : frameResults[frame];
    }

    private void markDead() {
        reachable = false;
        deadDepth = 0;
    }

    private void pushFrame(int kind, int target, int elseBlock, int nParams, int nResults) {
        if (depth == frameKind.length) {
            int n = depth * 2;
            frameKind = Arrays.copyOf(frameKind, n);
            frameTarget = Arrays.copyOf(frameTarget, n);
            frameElse = Arrays.copyOf(frameElse, n);
            frameBase = Arrays.copyOf(frameBase, n);
            frameParams = Arrays.copyOf(frameParams, n);
            frameResults = Arrays.copyOf(frameResults, n);
        }
        frameKind[depth] = kind;
        frameTarget[depth] = target;
        frameElse[depth] = elseBlock;
        frameBase[depth] = sp - nParams;
        frameParams[depth] = nParams;
        frameResults[depth] = nResults;
        depth++;
    }

    // ---- block types: -1 empty, -2 - valtype for one result (valtype as an unsigned byte), else a type index

    private static final int BT_EMPTY = -1;

    private int readBlockType() {
        int b = in.peek();
        if (b == Opcodes.BLOCKTYPE_EMPTY) {
            in.pos++;
            return BT_EMPTY;
        }
        if ((b & 0xC0) == 0x40) { // a one-byte negative LEB: a value type
            in.pos++;
            return -2 - b;
        }
        return (int) in.s33();
    }

    private int blockParamCount(int bt) {
        return bt >= 0 ? module.types[bt].params.length : 0;
    }

    private int blockResultCount(int bt) {
        return bt >= 0 ? module.types[bt].results.length : bt == BT_EMPTY ? 0 : 1;
    }

    private void appendResultParams(int block, int bt) {
        if (bt >= 0) {
            for (byte t : module.types[bt].results) fb.appendBlockParam(block, ValType.irType(t));
        } else if (bt != BT_EMPTY) {
            fb.appendBlockParam(block, ValType.irType((byte) (-2 - bt)));
        }
    }

    private void appendParamParams(int block, int bt) {
        if (bt >= 0) {
            for (byte t : module.types[bt].params) fb.appendBlockParam(block, ValType.irType(t));
        }
    }

    /** Traps {@code interrupt} when the host has raised the flag in the vmctx. */
    private void interruptCheck() {
        InstBuilder b = ins();
        int flag = b.load(Opcode.LOAD, Type.I32, MUTABLE, vmctx, VmContextLayout.INTERRUPT_FLAG);
        b.condTrap(Opcode.TRAPNZ, flag, TrapCode.INTERRUPT);
    }

    // =====================================================================================
    // Calls

    private void opCall(int callee) {
        int typeIndex = module.functionTypes[callee];
        FuncType type = module.types[typeIndex];
        int np = type.params.length;
        materialize(sp - np);
        int[] a = args(np + 1);
        System.arraycopy(stack, sp - np, a, 1, np);
        sp -= np;
        InstBuilder b = ins();
        int inst;
        if (callee >= module.importedFunctions) {
            a[0] = vmctx;
            inst = b.call(calleeRef(callee), a, np + 1);
        } else {
            int record = layout.funcRefOffset(callee);
            int codeAddr = b.load(Opcode.LOAD, Type.I64, FIXED, vmctx, record + VmContextLayout.FUNCREF_CODE);
            a[0] = b.load(Opcode.LOAD, Type.I64, FIXED, vmctx, record + VmContextLayout.FUNCREF_VMCTX);
            inst = b.callIndirect(sigRef(typeIndex), codeAddr, a, np + 1);
        }
        pushResults(inst);
    }

    private void opCallIndirect(int typeIndex, int tableIndex) {
        FuncType type = module.types[typeIndex];
        int np = type.params.length;
        int codeAddr = tableCallee(typeIndex, tableIndex, pop());
        int calleeVmctx = tableCalleeVmctx;
        materialize(sp - np);
        int[] a = args(np + 1);
        a[0] = calleeVmctx;
        System.arraycopy(stack, sp - np, a, 1, np);
        sp -= np;
        int inst = ins().callIndirect(sigRef(typeIndex), codeAddr, a, np + 1);
        pushResults(inst);
    }

    /** The callee's vmctx found by the last {@link #tableCallee}. */
    private int tableCalleeVmctx;

    /**
     * call_indirect's checks on element {@code index} of table {@code tableIndex}: the code
     * address of its function, which has wasm type {@code typeIndex} exactly; the function's
     * vmctx goes to {@link #tableCalleeVmctx}.
     */
    private int tableCallee(int typeIndex, int tableIndex, int index) {
        int t = table(tableIndex);
        InstBuilder b = ins();
        int slot = b.tableAddr(Type.I64, t, index, 0);
        int ref = b.load(Opcode.LOAD, Type.I64, MUTABLE, slot, 0);
        // a null element is wasm's "uninitialized element"; test it before reading the record
        b.condTrap(Opcode.TRAPZ, ref, TrapCode.NULL_REFERENCE);
        // exact wasm type equality: the header's IR signature id cannot tell funcref, externref
        // and i64 apart, the record's canonical type id can
        int actualType = b.load(Opcode.LOAD, Type.I32, FIXED, ref, VmContextLayout.FUNCREF_TYPE);
        // the expected id from the vmctx, not a constant: ids are per process (see VmContextLayout)
        int expectedType = b.load(Opcode.LOAD, Type.I32, FIXED, vmctx, layout.typeIdOffset(typeIndex));
        b.condTrap(Opcode.TRAPNZ, b.icmp(IntCC.NE, actualType, expectedType), TrapCode.BAD_SIG);
        tableCalleeVmctx = b.load(Opcode.LOAD, Type.I64, FIXED, ref, VmContextLayout.FUNCREF_VMCTX);
        return b.load(Opcode.LOAD, Type.I64, FIXED, ref, VmContextLayout.FUNCREF_CODE);
    }

    /**
     * {@code return_call}: the IR's guaranteed tail call. A defined callee is named directly; an
     * imported one is reached through its FuncRef record like {@code call} does, with a tail
     * {@code return_call_indirect}, which is a real tail call too: a host import's target is its
     * compiled adapter ({@code HostAdapters}), an ordinary wasm-convention frame. A chain of tail
     * calls has no loop header, so each checks the interrupt flag, as loops do, to stay stoppable.
     */
    private void opReturnCall(int callee) {
        int typeIndex = module.functionTypes[callee];
        int np = module.types[typeIndex].params.length;
        materialize(sp - np);
        interruptCheck();
        int[] a = args(np + 1);
        System.arraycopy(stack, sp - np, a, 1, np);
        sp -= np;
        InstBuilder b = ins();
        if (callee >= module.importedFunctions) {
            a[0] = vmctx;
            b.returnCall(calleeRef(callee), a, np + 1);
        } else {
            int record = layout.funcRefOffset(callee);
            int codeAddr = b.load(Opcode.LOAD, Type.I64, FIXED, vmctx, record + VmContextLayout.FUNCREF_CODE);
            a[0] = b.load(Opcode.LOAD, Type.I64, FIXED, vmctx, record + VmContextLayout.FUNCREF_VMCTX);
            b.returnCallIndirect(sigRef(typeIndex), codeAddr, a, np + 1);
        }
        markDead();
    }

    /** {@code return_call_indirect}: {@code call_indirect}'s table, null and type checks, then a tail call. */
    private void opReturnCallIndirect(int typeIndex, int tableIndex) {
        int np = module.types[typeIndex].params.length;
        int codeAddr = tableCallee(typeIndex, tableIndex, pop());
        int calleeVmctx = tableCalleeVmctx;
        materialize(sp - np);
        interruptCheck();
        int[] a = args(np + 1);
        a[0] = calleeVmctx;
        System.arraycopy(stack, sp - np, a, 1, np);
        sp -= np;
        ins().returnCallIndirect(sigRef(typeIndex), codeAddr, a, np + 1);
        markDead();
    }

    private void pushResults(int inst) {
        int n = dfg.numResults(inst);
        for (int k = 0; k < n; k++) push(dfg.result(inst, k));
    }

    /** {@code builtin(vmctx, imm0, imm1, d, s, n)} with d s n popped: the five-argument bulk operations. */
    private void builtin5(Builtins which, int imm0, int imm1) {
        int n = pop(), s = pop(), d = pop();
        InstBuilder b = ins();
        int x = b.iconst(Type.I32, imm0);
        int y = b.iconst(Type.I32, imm1);
        callBuiltin(which, x, y, d, s, n);
    }

    /**
     * Calls builtin {@code which} with the vmctx and its first arguments of {@code x0..x4} (unused
     * ones are -1), plus, for a builtin that may trap, this function's index, which names it in
     * the trap ({@link Builtins#takesCaller}); returns its result or -1.
     */
    private int callBuiltin(Builtins which, int x0, int x1, int x2, int x3, int x4) {
        int k = which.ordinal();
        int n = BUILTIN_SIGS[k].params.length;
        int[] a = args(7);
        a[0] = vmctx;
        a[1] = x0;
        a[2] = x1;
        a[3] = x2;
        a[4] = x3;
        a[5] = x4;
        if (which.takesCaller()) a[n - 1] = ins().iconst(Type.I32, funcIndex);
        int inst = ins().call(builtinRef(which), a, n);
        return dfg.numResults(inst) > 0 ? dfg.result(inst, 0) : -1;
    }

    private int builtinRef(Builtins which) {
        int k = which.ordinal();
        if (builtinRef[k] < 0) {
            int sig = func.addSignature(BUILTIN_SIGS[k]);
            builtinRef[k] = func.addExtFunc(new ExtFuncData("%" + which.symbol, sig, false));
        }
        return builtinRef[k];
    }

    private int calleeRef(int callee) {
        if (fnStamp[callee] != stamp) {
            int sig = sigRef(module.functionTypes[callee]);
            fnRefOfFunc[callee] = func.addExtFunc(new ExtFuncData(irFunctionName(callee), sig, true));
            fnStamp[callee] = stamp;
        }
        return fnRefOfFunc[callee];
    }

    private int sigRef(int typeIndex) {
        if (sigStamp[typeIndex] != stamp) {
            sigRefOfType[typeIndex] = func.addSignature(signatureOfType(typeIndex));
            sigStamp[typeIndex] = stamp;
        }
        return sigRefOfType[typeIndex];
    }

    // =====================================================================================
    // Globals, memories, tables

    private void opGlobalGet(int g) {
        GlobalType gt = module.globalTypes[g];
        int type = ValType.irType(gt.valType());
        InstBuilder b = ins();
        int flags = gt.mutable() ? MUTABLE : FIXED;
        if (g < module.importedGlobals) {
            int cell = b.load(Opcode.LOAD, Type.I64, FIXED, vmctx, layout.globalOffset(g));
            push(b.load(Opcode.LOAD, type, flags, cell, 0));
        } else {
            push(b.load(Opcode.LOAD, type, flags, vmctx, layout.globalOffset(g)));
        }
    }

    private void opGlobalSet(int g) {
        int v = pop();
        InstBuilder b = ins();
        if (g < module.importedGlobals) {
            int cell = b.load(Opcode.LOAD, Type.I64, FIXED, vmctx, layout.globalOffset(g));
            b.store(Opcode.STORE, MUTABLE, v, cell, 0);
        } else {
            b.store(Opcode.STORE, MUTABLE, v, vmctx, layout.globalOffset(g));
        }
    }

    private void opTableGet(int table) {
        int t = table(table);
        int index = pop();
        InstBuilder b = ins();
        int slot = b.tableAddr(Type.I64, t, index, 0);
        push(b.load(Opcode.LOAD, Type.I64, MUTABLE, slot, 0));
    }

    private void opTableSet(int table) {
        int t = table(table);
        int ref = pop(), index = pop();
        InstBuilder b = ins();
        int slot = b.tableAddr(Type.I64, t, index, 0);
        b.store(Opcode.STORE, MUTABLE, ref, slot, 0);
    }

    private int memorySize(int memory) {
        InstBuilder b = ins();
        int length = b.globalValue(Type.I64, func.heaps.get(heap(memory)).boundGv);
        int pages = b.binaryImm(Opcode.USHR_IMM, length, 16);
        return module.memories[memory].is64() ? pages : b.convert(Opcode.IREDUCE, Type.I32, pages);
    }

    /**
     * A 64-bit memory's address operand for a builtin, whose memory operands are all i64: an
     * i32 (32-bit memory, or a length narrowed by memory.copy between address types) is
     * zero-extended, since wasm reads it unsigned.
     */
    private int toI64(int v) {
        return dfg.valueType(dfg.resolveAliases(v)) == Type.I64 ? v : ins().convert(Opcode.UEXTEND, Type.I64, v);
    }

    /**
     * The heap offset of a 64-bit memory's access at memarg offset {@code offset} (a u64). The
     * legalizer takes heap offsets as signed 64-bit and checks {@code index + offset + size <=
     * bound} exactly (64-bit indices: without wrap-around) for any offset from 0 to 2^63 - 1. A
     * larger offset cannot be in bounds: no memory reaches 2^63 bytes (its reservation is capped,
     * see {@code LinearMemory}), so it becomes 2^63 - 1, which traps heap_oob just the same
     * whatever the index, where a negative heap offset would mean something else.
     */
    private static long heapOffset64(long offset) {
        return offset < 0 ? Long.MAX_VALUE : offset;
    }

    /**
     * The IR heap of wasm memory {@code memory}, declared on first use. Its MemoryDefinition
     * record is {@code vmctx+memoryDefinitionOffset} for a defined memory, else {@code gvDef =
     * load.i64 notrap aligned readonly vmctx+memoryOffset}; base {@code load readonly
     * def+MEMORY_BASE} (memory never moves), bound {@code load def+MEMORY_LENGTH} (grows).
     */
    private int heap(int memory) {
        if (heapStamp[memory] != stamp) {
            int def, at;
            if (layout.hasInlineMemoryDefinition(memory)) {
                def = gvVmctx;
                at = layout.memoryDefinitionOffset(memory);
            } else {
                def = func.addGlobalValue(GlobalValueData.load(gvVmctx, layout.memoryOffset(memory), Type.I64, FIXED));
                at = 0;
            }
            int base = func.addGlobalValue(GlobalValueData.load(def, at + VmContextLayout.MEMORY_BASE, Type.I64, FIXED));
            int bound = func.addGlobalValue(GlobalValueData.load(def, at + VmContextLayout.MEMORY_LENGTH, Type.I64, MUTABLE));
            long min = minBytes(memory);
            int indexType = module.memories[memory].is64() ? Type.I64 : Type.I32;
            long reserved = guardedMemories && indexType == Type.I32 ? LinearMemory.GUARDED_RESERVATION : 0;
            heapOfMemory[memory] = func.addHeap(new HeapData(base, min, HeapData.Style.DYNAMIC, 0, bound, 0, indexType, reserved));
            heapStamp[memory] = stamp;
        }
        return heapOfMemory[memory];
    }

    /**
     * An i64-indexed view of memory {@code memory} (same base and bound) for accesses whose
     * memarg offset does not fit a signed 32-bit immediate (memory-level offsets are 32-bit):
     * the index is then {@code zext(index) + offset}, exact in 64 bits.
     */
    private int wideHeap(int memory) {
        if (wideHeapStamp[memory] != stamp) {
            HeapData h = func.heaps.get(heap(memory));
            wideHeapOfMemory[memory] = func.addHeap(new HeapData(h.base, h.min, HeapData.Style.DYNAMIC, 0, h.boundGv, 0, Type.I64));
            wideHeapStamp[memory] = stamp;
        }
        return wideHeapOfMemory[memory];
    }

    /**
     * Reads a memarg's flags (validated: the alignment hint, and bit 6 for an explicit memory)
     * and returns the memory it names; the offset follows.
     */
    private int memargMemory() {
        return InstructionSkipper.memargMemory(in, in.u32());
    }

    /**
     * The address of an access of {@code bytes} bytes at {@code index + offset} in {@code memory}
     * when it provably lies within the memory's declared minimum size, else -1. Memory never shrinks,
     * and an imported memory is at least as large as the import declares, so such an access
     * can never be out of bounds: it needs no check, only {@code base + zext(index)} (the
     * sandbox stays exact). The proof is an unsigned upper bound of the i32 index from the few
     * instructions that define it ({@link #upperBound}), as for table lookups like {@code
     * table[(x ^ y) & 0xff]} in C code compiled to wasm.
     */
    private int provenAddress(int memory, int index, long offset, int bytes) {
        long minBytes = minBytes(memory);
        long max = upperBound(index, 4);
        if (max + offset + bytes > minBytes) return -1;
        InstBuilder b = ins();
        int base = b.globalValue(Type.I64, func.heaps.get(heap(memory)).base);
        // zext(y + c) = zext(y) + c and zext(z << k) = zext(z) << k when the i32 operation cannot
        // wrap (checked here on its own: the bound above may be 2^32 - 1 for a 4 GiB memory):
        // then the constant and the scale go into the access's address mode instead of i32
        // instructions before it. provenConstant is added to the access's offset by the caller.
        provenConstant = 0;
        int idx = dfg.resolveAliases(index);
        int d = dfg.valueKind(idx) == DataFlowGraph.DEF_RESULT ? dfg.valueDef(idx) : -1;
        if (d >= 0 && dfg.opcode(d) == Opcode.IADD) {
            for (int k = 0; k < 2; k++) {
                long c = constantOf(dfg.arg(d, k));
                int y = dfg.arg(d, 1 - k);
                if (c >= 0 && upperBound(y, 3) + c <= U32 && offset + c <= Integer.MAX_VALUE) {
                    provenConstant = c;
                    idx = dfg.resolveAliases(y);
                    break;
                }
            }
        }
        d = dfg.valueKind(idx) == DataFlowGraph.DEF_RESULT ? dfg.valueDef(idx) : -1;
        if (d >= 0 && dfg.opcode(d) == Opcode.ISHL) {
            long amount = constantOf(dfg.arg(d, 1));
            int k = (int) (amount & 31);
            if (amount >= 0 && k >= 1 && k <= 3 && upperBound(dfg.arg(d, 0), 2) << k <= U32) {
                int z64 = b.convert(Opcode.UEXTEND, Type.I64, dfg.arg(d, 0));
                return b.iadd(base, b.binaryImm(Opcode.ISHL_IMM, z64, k));
            }
        }
        return b.iadd(base, b.convert(Opcode.UEXTEND, Type.I64, idx));
    }

    /**
     * The declared minimum size of memory {@code memory} in bytes: a lower bound of its size
     * whenever code runs. A 64-bit memory may declare up to 2^48 pages, whose byte count
     * overflows a long; such a memory cannot be instantiated, and any smaller lower bound is
     * still true, so the pages are capped at 2^32 (256 TiB).
     */
    private long minBytes(int memory) {
        return Math.min(module.memories[memory].limits().min(), 1L << 32) * MemoryType.PAGE_SIZE;
    }

    /**
     * For a 64-bit memory, the address of an access of {@code bytes} bytes at the constant i64
     * address {@code index} plus {@code offset}, when it lies within the memory's declared minimum
     * (so it can never be out of bounds, as in {@link #provenAddress}), else -1. Both are u64s:
     * anything of 2^63 or more (negative here) is left to the bounds check, and below that the
     * sum cannot overflow.
     */
    private int provenAddress64(int memory, int index, long offset, int bytes) {
        int v = dfg.resolveAliases(index);
        if (dfg.valueKind(v) != DataFlowGraph.DEF_RESULT || dfg.opcode(dfg.valueDef(v)) != Opcode.ICONST) return -1;
        long c = dfg.imm(dfg.valueDef(v));
        long minBytes = minBytes(memory);
        // c + offset + bytes <= minBytes, shaped so that nothing overflows
        if (c < 0 || offset < 0 || c > minBytes || offset > minBytes - c || bytes > minBytes - c - offset) return -1;
        InstBuilder b = ins();
        int base = b.globalValue(Type.I64, func.heaps.get(heap(memory)).base);
        return b.iaddImm(base, c + offset);
    }

    /** The constant folded out of the index by the last {@link #provenAddress}, for the access's offset. */
    private long provenConstant;

    /** The value of {@code v} as an unsigned i32 if an {@code iconst} defines it, else -1. */
    private long constantOf(int v) {
        v = dfg.resolveAliases(v);
        if (dfg.valueKind(v) != DataFlowGraph.DEF_RESULT || dfg.opcode(dfg.valueDef(v)) != Opcode.ICONST) return -1;
        return dfg.imm(dfg.valueDef(v)) & U32;
    }

    private static final long U32 = 0xFFFF_FFFFL;

    /**
     * An unsigned upper bound of i32 value {@code v}, looking {@code depth} definitions deep:
     * constants, {@code band}, {@code bor} and {@code bxor} (no bit above the operands' highest
     * possible bit), shifts by constants, additions that cannot wrap,
     * zero-extending narrow loads; anything else may be as large as 2^32 - 1. Every rule is
     * exact for wrapping i32 arithmetic: a sum or left shift whose bound would pass 2^32 - 1
     * might wrap, so it is unbounded.
     */
    private long upperBound(int v, int depth) {
        v = dfg.resolveAliases(v);
        if (dfg.valueType(v) != Type.I32 || dfg.valueKind(v) != DataFlowGraph.DEF_RESULT) return U32;
        int d = dfg.valueDef(v);
        Opcode op = dfg.opcode(d);
        switch (op) {
            case ICONST:
                return dfg.imm(d) & U32;
            case ULOAD8: case HEAP_ULOAD8:
                return 0xFF;
            case ULOAD16: case HEAP_ULOAD16:
                return 0xFFFF;
            default:
                break;
        }
        if (depth == 0) return U32;
        switch (op) {
            case BAND:
                return Math.min(upperBound(dfg.arg(d, 0), depth - 1), upperBound(dfg.arg(d, 1), depth - 1));
            case BAND_IMM:
                return Math.min(upperBound(dfg.arg(d, 0), depth - 1), dfg.imm(d) & U32);
            case BOR: case BXOR: {
                // no bit above the highest bit either operand may have
                long m = Math.max(upperBound(dfg.arg(d, 0), depth - 1), upperBound(dfg.arg(d, 1), depth - 1));
                return m == 0 ? 0 : Math.min((Long.highestOneBit(m) << 1) - 1, U32);
            }
            case IADD: {
                long sum = upperBound(dfg.arg(d, 0), depth - 1) + upperBound(dfg.arg(d, 1), depth - 1);
                return sum <= U32 ? sum : U32;
            }
            case USHR: case ISHL: {
                int amount = dfg.resolveAliases(dfg.arg(d, 1));
                if (dfg.valueKind(amount) != DataFlowGraph.DEF_RESULT || dfg.opcode(dfg.valueDef(amount)) != Opcode.ICONST) return U32;
                int k = (int) (dfg.imm(dfg.valueDef(amount)) & 31); // wasm shifts take the amount modulo 32
                long x = upperBound(dfg.arg(d, 0), depth - 1);
                if (op == Opcode.USHR) return x >>> k;
                long shifted = x << k;
                return shifted <= U32 ? shifted : U32;
            }
            default:
                return U32;
        }
    }

    private int wideIndex(int index, long offset) {
        InstBuilder b = ins();
        return b.iaddImm(b.convert(Opcode.UEXTEND, Type.I64, index), offset);
    }

    /**
     * The IR table of wasm table {@code table}, declared on first use, through its
     * TableDefinition pointer; neither the element base nor the length is readonly, since
     * {@code table.grow} may move and lengthen the table.
     */
    private int table(int table) {
        if (tableStamp[table] != stamp) {
            int def = func.addGlobalValue(GlobalValueData.load(gvVmctx, layout.tableOffset(table), Type.I64, FIXED));
            int base = func.addGlobalValue(GlobalValueData.load(def, VmContextLayout.TABLE_BASE, Type.I64, MUTABLE));
            int bound = func.addGlobalValue(GlobalValueData.load(def, VmContextLayout.TABLE_LENGTH, Type.I64, MUTABLE));
            long min = module.tables[table].limits().min();
            tableOfTable[table] = func.addTable(new TableData(base, min, bound, VmContextLayout.TABLE_ELEMENT_SIZE, Type.I32));
            tableStamp[table] = stamp;
        }
        return tableOfTable[table];
    }

    // =====================================================================================
    // Helpers

    /** The builder's cursor at the end of the current block ({@link FunctionBuilder#ins}, kept). */
    private InstBuilder ins() {
        return cursor;
    }

    private void push(int v) {
        if (sp == stack.length) stack = Arrays.copyOf(stack, sp * 2);
        stack[sp++] = v;
    }

    /** Pushes a wasm boolean not yet computed as an i32: a comparison's i8 ({@link #CMP}) or an eqz operand ({@link #EQZ}). */
    private void pushPending(int v, int flag) {
        if (sp < pendingLow) pendingLow = sp;
        push(v | flag);
    }

    /** Pops an operand as an IR value, materializing a pending boolean. */
    private int pop() {
        int e = stack[--sp];
        return (e & PENDING) == 0 ? e : materializeEntry(e);
    }

    /** The i32 0 or 1 of a pending boolean, emitted here (where it is used; the operands dominate). */
    private int materializeEntry(int e) {
        InstBuilder b = ins();
        int v = e & VALUE;
        int i8 = (e & EQZ) != 0 ? b.icmpImm(IntCC.EQ, v, 0) : v;
        return b.convert(Opcode.UEXTEND, Type.I32, i8);
    }

    /** Materializes the pending booleans in {@code stack[from, sp)} in place. */
    private void materialize(int from) {
        int k = Math.max(from, pendingLow);
        if (k >= sp) return;
        for (; k < sp; k++) {
            int e = stack[k];
            if ((e & PENDING) != 0) stack[k] = materializeEntry(e);
        }
        if (from <= pendingLow) pendingLow = Integer.MAX_VALUE;
    }

    private int[] args(int n) {
        if (args.length < n) args = new int[Math.max(n, args.length * 2)];
        return args;
    }
}
