package dev.twill.wasm;

import dev.twill.frontend.FunctionBuilder;
import dev.twill.frontend.FunctionBuilderContext;
import dev.twill.ir.Function;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.wasm.binary.ConstExpr;
import dev.twill.wasm.binary.CustomSection;
import dev.twill.wasm.binary.DataSegment;
import dev.twill.wasm.binary.ElementSegment;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.FunctionBody;
import dev.twill.wasm.binary.Global;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.vm.VmContextLayout;
import dev.twill.wasm.vm.WasmAbi;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds a WasmModule model and hand-written IR bodies (in the shapes the translator emits:
 * FuncRef calls, vmctx-relative state), so the runtime can be tested without the decoder and
 * translator. Imports must be added before definitions of the same kind.
 */
final class TestModule {
    final List<FuncType> types = new ArrayList<>();
    final List<Import> imports = new ArrayList<>();
    final List<Integer> functionTypes = new ArrayList<>();
    int importedFunctions, importedTables, importedMemories, importedGlobals;
    final List<TableType> tables = new ArrayList<>();
    final List<MemoryType> memories = new ArrayList<>();
    final List<GlobalType> globalTypes = new ArrayList<>();
    final List<Global> globals = new ArrayList<>();
    final List<Export> exports = new ArrayList<>();
    final List<ElementSegment> elements = new ArrayList<>();
    final List<DataSegment> datas = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<Consumer<Body>> bodies = new ArrayList<>();
    int start = -1;
    private WasmModule built;

    /** A function body under construction: its builder, entry block and the module layout. */
    static final class Body {
        final Function f;
        final FunctionBuilder b;
        final int entry;
        final VmContextLayout layout;
        final WasmModule module;

        Body(Function f, FunctionBuilder b, int entry, VmContextLayout layout, WasmModule module) {
            this.f = f;
            this.b = b;
            this.entry = entry;
            this.layout = layout;
            this.module = module;
        }

        int vmctx() {
            return f.dfg.blockParam(entry, 0);
        }

        int param(int k) {
            return f.dfg.blockParam(entry, k + 1);
        }

        int load(int type, int addr, long offset) {
            return b.ins().load(Opcode.LOAD, type, MemFlags.NOTRAP | MemFlags.ALIGNED, addr, offset);
        }

        /** Calls function {@code fn} through its FuncRef record, as the translator calls imports. */
        int[] callThroughFuncRef(int fn, int... args) {
            FuncType t = module.functionType(fn);
            int sig = f.addSignature(WasmAbi.signature(t));
            int off = layout.funcRefOffset(fn);
            int code = load(Type.I64, vmctx(), off + VmContextLayout.FUNCREF_CODE);
            int calleeVm = load(Type.I64, vmctx(), off + VmContextLayout.FUNCREF_VMCTX);
            int[] all = new int[args.length + 1];
            all[0] = calleeVm;
            System.arraycopy(args, 0, all, 1, args.length);
            int call = b.ins().callIndirect(sig, code, all, all.length);
            int[] r = new int[f.dfg.numResults(call)];
            for (int k = 0; k < r.length; k++) r[k] = f.dfg.result(call, k);
            return r;
        }

        /** Calls builtin {@code b} (a non-colocated host function) with the vmctx prepended. */
        int[] callBuiltin(dev.twill.wasm.vm.Builtins builtin, int... args) {
            int sig = f.addSignature(builtin.signature());
            int fn = f.addExtFunc(new dev.twill.ir.ExtFuncData("%" + builtin.symbol, sig, false));
            // a builtin that may trap takes the calling function's index last (here: parsed from %f<i>)
            int extra = builtin.takesCaller() ? 1 : 0;
            int[] all = new int[args.length + 1 + extra];
            all[0] = vmctx();
            System.arraycopy(args, 0, all, 1, args.length);
            if (extra != 0) all[all.length - 1] = b.ins().iconst(dev.twill.ir.Type.I32, Integer.parseInt(f.name.substring(2)));
            int call = b.ins().call(fn, all, all.length);
            int[] r = new int[f.dfg.numResults(call)];
            for (int k = 0; k < r.length; k++) r[k] = f.dfg.result(call, k);
            return r;
        }

        /** Calls defined function {@code fn} of this module directly ({@code colocated %f<fn>}). */
        int[] callDirect(int fn, int... args) {
            int sig = f.addSignature(WasmAbi.signature(module.functionType(fn)));
            int ext = f.addExtFunc(new dev.twill.ir.ExtFuncData(WasmAbi.functionName(fn), sig, true));
            int[] all = new int[args.length + 1];
            all[0] = vmctx();
            System.arraycopy(args, 0, all, 1, args.length);
            int call = b.ins().call(ext, all, all.length);
            int[] r = new int[f.dfg.numResults(call)];
            for (int k = 0; k < r.length; k++) r[k] = f.dfg.result(call, k);
            return r;
        }

        /** The address of byte {@code index} (i32) of memory {@code mem}, unchecked. */
        int memoryAddress(int mem, int index) {
            int def = load(Type.I64, vmctx(), layout.memoryOffset(mem));
            int base = load(Type.I64, def, VmContextLayout.MEMORY_BASE);
            return b.ins().iadd(base, b.ins().convert(Opcode.UEXTEND, Type.I64, index));
        }
    }

    int type(FuncType t) {
        int i = types.indexOf(t);
        if (i >= 0) return i;
        types.add(t);
        return types.size() - 1;
    }

    int importFunction(String module, String name, FuncType t) {
        int ti = type(t);
        imports.add(new Import(module, name, ExternKind.FUNC, ti, null, null, null));
        functionTypes.add(ti);
        names.add(null);
        return importedFunctions++;
    }

    int importMemory(String module, String name, MemoryType t) {
        imports.add(new Import(module, name, ExternKind.MEMORY, -1, null, t, null));
        memories.add(t);
        return importedMemories++;
    }

    int importTable(String module, String name, TableType t) {
        imports.add(new Import(module, name, ExternKind.TABLE, -1, t, null, null));
        tables.add(t);
        return importedTables++;
    }

    int importGlobal(String module, String name, GlobalType t) {
        imports.add(new Import(module, name, ExternKind.GLOBAL, -1, null, null, t));
        globalTypes.add(t);
        return importedGlobals++;
    }

    int function(String name, FuncType t, Consumer<Body> body) {
        functionTypes.add(type(t));
        names.add(name);
        bodies.add(body);
        return functionTypes.size() - 1;
    }

    int memory(MemoryType t) {
        memories.add(t);
        return memories.size() - 1;
    }

    int table(TableType t) {
        tables.add(t);
        return tables.size() - 1;
    }

    int global(GlobalType t, ConstExpr init) {
        globalTypes.add(t);
        globals.add(new Global(t, init));
        return globalTypes.size() - 1;
    }

    TestModule export(String name, int kind, int index) {
        exports.add(new Export(name, kind, index));
        return this;
    }

    WasmModule model() {
        if (built != null) return built;
        int defined = functionTypes.size() - importedFunctions;
        FunctionBody[] fb = new FunctionBody[defined];
        for (int i = 0; i < defined; i++) fb[i] = new FunctionBody(new int[0], new byte[0], 0, 0, 0);
        int[] ft = new int[functionTypes.size()];
        for (int i = 0; i < ft.length; i++) ft[i] = functionTypes.get(i);
        return built = new WasmModule(new byte[0], types.toArray(new FuncType[0]), imports.toArray(new Import[0]), ft,
                importedFunctions, tables.toArray(new TableType[0]), importedTables, memories.toArray(new MemoryType[0]),
                importedMemories, globalTypes.toArray(new GlobalType[0]), importedGlobals, globals.toArray(new Global[0]),
                exports.toArray(new Export[0]), start, elements.toArray(new ElementSegment[0]),
                datas.toArray(new DataSegment[0]), -1, fb, new CustomSection[0], names.toArray(new String[0]));
    }

    /** Compiles the hand-written bodies and links the module. */
    Module link(Engine engine) {
        WasmModule m = model();
        VmContextLayout layout = VmContextLayout.of(m);
        TargetIsa isa = TargetIsa.host();
        FunctionBuilderContext ctx = new FunctionBuilderContext();
        CompiledCode[] code = new CompiledCode[bodies.size()];
        for (int k = 0; k < code.length; k++) {
            int index = importedFunctions + k;
            Function f = new Function(WasmAbi.functionName(index), WasmAbi.signature(m.functionType(index)));
            FunctionBuilder b = new FunctionBuilder(f, ctx);
            int entry = b.createBlock();
            b.appendBlockParamsForFunctionParams(entry);
            b.switchToBlock(entry);
            bodies.get(k).accept(new Body(f, b, entry, layout, m));
            b.sealAllBlocks();
            b.finalizeFunction();
            new Legalizer().legalize(f);
            code[k] = isa.compile(f, TargetIsa.Settings.DEFAULT);
        }
        return Module.link(engine, m, code);
    }

    // ---- constant expressions

    static ConstExpr i32(int v) {
        return new ConstExpr(concat(new byte[] {0x41}, sleb(v), new byte[] {0x0B}), 0);
    }

    static ConstExpr i64(long v) {
        return new ConstExpr(concat(new byte[] {0x42}, sleb(v), new byte[] {0x0B}), 0);
    }

    static ConstExpr globalGet(int g) {
        return new ConstExpr(concat(new byte[] {0x23}, sleb(g), new byte[] {0x0B}), 0);
    }

    static ConstExpr refFunc(int f) {
        return new ConstExpr(concat(new byte[] {(byte) 0xD2}, sleb(f), new byte[] {0x0B}), 0);
    }

    static byte[] sleb(long v) {
        byte[] out = new byte[10];
        int n = 0;
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            out[n++] = (byte) (done ? b : b | 0x80);
            if (done) break;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int k = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    static FuncType ft(byte[] params, byte... results) {
        return new FuncType(params, results);
    }

    static byte[] p(byte... types) {
        return types;
    }
}
