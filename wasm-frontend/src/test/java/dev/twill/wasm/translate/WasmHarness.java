package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.interp.InterpMemory;
import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.interp.Interpreter;
import dev.twill.ir.Function;
import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.ir.text.Printer;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.Trap;
import dev.twill.verify.Verifier;
import dev.twill.wasm.binary.DataSegment;
import dev.twill.wasm.binary.ElementSegment;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.SegmentMode;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.vm.Builtins;
import dev.twill.wasm.vm.FuncTypeIds;
import dev.twill.wasm.vm.VmContextLayout;
import dev.twill.wasm.vm.WasmAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a translated module three ways and insists they agree: the IR interpreter on the
 * sandbox-level IR the translator produced, the interpreter on the legalized IR, and native
 * code through {@link ModuleCompiler} and a {@link JitModule}. Each way has its own instance
 * (vmctx, memory, tables, globals laid out as {@link VmContextLayout} says, and the builtins
 * implemented here in Java), driven by the same calls in the same order.
 *
 * <p>Values are raw bits: i32 and f32 zero-extended to 64 bits, i64 and f64 as they are.
 * Function imports are host functions given by the test (interpreter only: a native host
 * import would need a code header with its signature id, which is the runtime's business).
 */
final class WasmHarness implements AutoCloseable {
    /** Pages reserved per memory when the module gives no maximum. */
    static final long DEFAULT_RESERVE_PAGES = 4;
    static final long DEFAULT_RESERVE_ELEMENTS = 64;

    /** A host import for the interpreter: raw args (after the vmctx) to raw results. */
    interface HostImport {
        long[] call(long[] args);
    }

    final WasmModule module;
    final VmContextLayout layout;
    final Function[] sandbox;
    final Function[] legalized;
    private final Map<String, Integer> exportsByName = new HashMap<>();
    private final Instance interpSandbox, interpLegal, nativeInst;
    private final Interpreter sandboxInterp, legalInterp;
    private final JitModule jit;
    private final Arena arena = Arena.ofShared();

    static WasmHarness of(String watResource) {
        return new WasmHarness(TestDecoder.decode(TestDecoder.wat(watResource)), Map.of(), true);
    }

    static WasmHarness of(String watResource, Map<String, HostImport> imports, boolean runNative) {
        return new WasmHarness(TestDecoder.decode(TestDecoder.wat(watResource)), imports, runNative);
    }

    WasmHarness(WasmModule m, Map<String, HostImport> imports, boolean runNative) {
        this.module = m;
        this.layout = VmContextLayout.of(m);
        for (Export e : m.exports) if (e.kind() == ExternKind.FUNC) exportsByName.put(e.name(), e.index());
        int n = m.bodies.length;
        sandbox = new Function[n];
        legalized = new Function[n];
        FunctionTranslator t = new FunctionTranslator();
        Legalizer legalizer = new Legalizer();
        for (int k = 0; k < n; k++) {
            int fi = m.importedFunctions + k;
            sandbox[k] = t.translate(m, layout, fi);
            verify(sandbox[k]);
            legalized[k] = t.translate(m, layout, fi);
            legalizer.legalize(legalized[k]);
            verify(legalized[k]);
            assertEquals(Printer.print(sandbox[k]), Printer.print(t.translate(m, layout, fi)), "translation is deterministic");
        }

        InterpModule sm = new InterpModule().add(sandbox);
        InterpModule lm = new InterpModule().add(legalized);
        sandboxInterp = new Interpreter(sm, new InterpMemory());
        legalInterp = new Interpreter(lm, new InterpMemory());
        interpSandbox = new Instance(new InterpMem(sandboxInterp.memory()));
        interpLegal = new Instance(new InterpMem(legalInterp.memory()));
        addInterpHosts(sm, interpSandbox, imports);
        addInterpHosts(lm, interpLegal, imports);
        interpSandbox.init(f -> sm.functionAddress(codeName(f)));
        interpLegal.init(f -> lm.functionAddress(codeName(f)));

        if (runNative) {
            TargetIsa isa = TargetIsa.host();
            if (isa == null) throw new IllegalStateException("no host back end");
            CompiledCode[] codes = ModuleCompiler.compile(m, isa, TargetIsa.Settings.DEFAULT, 2, true);
            jit = new JitModule();
            for (int k = 0; k < n; k++) jit.declareFunction(WasmAbi.functionName(m.importedFunctions + k), sandbox[k].signature);
            for (int k = 0; k < n; k++) jit.defineFunction(WasmAbi.functionName(m.importedFunctions + k), codes[k]);
            nativeInst = new Instance(new NativeMem(arena));
            defineNativeBuiltins(nativeInst);
            jit.finalizeDefinitions();
            nativeInst.init(f -> f < m.importedFunctions ? 0 : jit.address(WasmAbi.functionName(f)));
        } else {
            jit = null;
            nativeInst = null;
        }
    }

    private String codeName(int f) {
        return f < module.importedFunctions ? "%import" + f : WasmAbi.functionName(f);
    }

    private static void verify(Function f) {
        List<dev.twill.verify.VerifierError> errors = Verifier.verify(f);
        if (!errors.isEmpty()) fail("verifier: " + errors + "\n" + Printer.print(f));
    }

    /** The sandbox IR of an exported function, for failure messages and shape tests. */
    String ir(String export) {
        return Printer.print(sandbox[funcIndex(export) - module.importedFunctions]);
    }

    int funcIndex(String export) {
        Integer f = exportsByName.get(export);
        if (f == null) throw new IllegalArgumentException("no exported function " + export);
        return f;
    }

    // =====================================================================================
    // Calls

    /** The outcome of a call: values, or a trap code. */
    record Outcome(long[] values, int trap) {
        @Override
        public String toString() {
            return trap >= 0 ? "trap " + TrapCode.name(trap) : java.util.Arrays.toString(values);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome x && x.trap == trap && java.util.Arrays.equals(x.values, values);
        }

        @Override
        public int hashCode() {
            return trap;
        }
    }

    /** Calls {@code export} every way; they must agree; returns the outcome. */
    Outcome call(String export, long... args) {
        int f = funcIndex(export);
        FuncType type = module.functionType(f);
        Outcome a = callInterp(sandboxInterp, interpSandbox, f, type, args);
        Outcome b = callInterp(legalInterp, interpLegal, f, type, args);
        if (!agree(type, a, b)) fail(export + java.util.Arrays.toString(args) + ": sandbox IR gives " + a + ", legalized IR " + b + "\n" + ir(export));
        if (jit != null) {
            Outcome c = callNative(f, type, args);
            if (!agree(type, a, c)) fail(export + java.util.Arrays.toString(args) + ": interpreter gives " + a + ", native code " + c + "\n" + ir(export));
        }
        return a;
    }

    /** Equal outcomes, where any two NaNs of a float result are equal (their payload is unspecified). */
    static boolean agree(FuncType type, Outcome a, Outcome b) {
        if (a.trap != b.trap) return false;
        if (a.trap >= 0) return true;
        for (int k = 0; k < a.values.length; k++) {
            if (a.values[k] == b.values[k]) continue;
            if (!isNaN(type.results[k], a.values[k]) || !isNaN(type.results[k], b.values[k])) return false;
        }
        return true;
    }

    static boolean isNaN(byte t, long bits) {
        if (t == ValType.F32) return Float.isNaN(Float.intBitsToFloat((int) bits));
        if (t == ValType.F64) return Double.isNaN(Double.longBitsToDouble(bits));
        return false;
    }

    /** Asserts {@code export(args)} returns {@code expected} (raw bits, see the class comment). */
    void expect(String export, long[] expected, long... args) {
        Outcome o = call(export, args);
        if (o.trap >= 0) fail(export + " trapped " + TrapCode.name(o.trap) + ", expected " + java.util.Arrays.toString(expected) + "\n" + ir(export));
        FuncType type = module.functionType(funcIndex(export));
        if (!agree(type, new Outcome(expected, -1), o)) {
            assertArrayEquals(expected, o.values, export + java.util.Arrays.toString(args) + "\n" + ir(export));
        }
    }

    /** As {@link #expect}, bit for bit even for NaNs (for operations that only move bits). */
    void expectBits(String export, long expected, long... args) {
        Outcome o = call(export, args);
        if (o.trap >= 0) fail(export + " trapped " + TrapCode.name(o.trap) + "\n" + ir(export));
        assertEquals(expected, o.values[0], export + java.util.Arrays.toString(args) + "\n" + ir(export));
    }

    void expect1(String export, long expected, long... args) {
        expect(export, new long[] {expected}, args);
    }

    void expectI32(String export, int expected, long... args) {
        expect1(export, expected & 0xFFFF_FFFFL, args);
    }

    /**
     * Asserts a trap raised inside a builtin, in the interpreter only: native code needs the
     * runtime's trap check after host calls for that (back end branch x64run).
     */
    void expectBuiltinTrap(String export, int trap, long... args) {
        int f = funcIndex(export);
        FuncType type = module.functionType(f);
        Outcome a = callInterp(sandboxInterp, interpSandbox, f, type, args);
        Outcome b = callInterp(legalInterp, interpLegal, f, type, args);
        assertEquals(trap, a.trap, export + " (sandbox IR)");
        assertEquals(trap, b.trap, export + " (legalized IR)");
    }

    void expectTrap(String export, int trap, long... args) {
        Outcome o = call(export, args);
        assertEquals(trap, o.trap, export + java.util.Arrays.toString(args) + " -> " + o + "\n" + ir(export));
    }

    private Outcome callInterp(Interpreter in, Instance inst, int f, FuncType type, long[] args) {
        long[] full = new long[args.length + 1];
        full[0] = inst.vmctx;
        System.arraycopy(args, 0, full, 1, args.length);
        InterpResult r = in.call(WasmAbi.functionName(f), full);
        if (r.trapped()) return new Outcome(null, r.trapCode());
        if (!r.returned()) fail("out of fuel");
        long[] v = r.values();
        for (int k = 0; k < v.length; k++) v[k] = normalize(type.results[k], v[k]);
        return new Outcome(v, -1);
    }

    private Outcome callNative(int f, FuncType type, long[] args) {
        MethodHandle h = jit.handle(WasmAbi.functionName(f));
        Object[] a = new Object[args.length + 1];
        a[0] = nativeInst.vmctx;
        for (int k = 0; k < args.length; k++) {
            a[k + 1] = switch (type.params[k]) {
                case ValType.I32 -> (int) args[k];
                case ValType.F32 -> Float.intBitsToFloat((int) args[k]);
                case ValType.F64 -> Double.longBitsToDouble(args[k]);
                default -> args[k];
            };
        }
        Object r;
        try {
            r = h.invokeWithArguments(a);
        } catch (Trap t) {
            return new Outcome(null, t.code());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        long[] v = new long[type.results.length];
        if (v.length == 1) {
            v[0] = switch (r) {
                case Integer i -> i;
                case Float x -> Float.floatToRawIntBits(x);
                case Double d -> Double.doubleToRawLongBits(d);
                case Long l -> l;
                default -> throw new AssertionError(r);
            };
        } else if (v.length > 1) {
            System.arraycopy((long[]) r, 0, v, 0, v.length);
        }
        for (int k = 0; k < v.length; k++) v[k] = normalize(type.results[k], v[k]);
        return new Outcome(v, -1);
    }

    private static long normalize(byte t, long v) {
        return t == ValType.I32 || t == ValType.F32 ? v & 0xFFFF_FFFFL : v;
    }

    /** The sandbox-level IR of an exported defined function. */
    Function sandboxOf(String export) {
        return sandbox[exportsByName.get(export) - module.importedFunctions];
    }

        /** Sets the interrupt flag of every instance. */
    void setInterrupt(boolean on) {
        for (Instance i : instances()) i.mem.write(i.interruptFlag, 4, on ? 1 : 0);
    }

    /** Reads {@code n} bytes of memory 0 at {@code addr} in every instance; they must agree. */
    long readMemory(long addr, int n) {
        long v = interpSandbox.mem.read(interpSandbox.memBase(0) + addr, n);
        for (Instance i : instances()) assertEquals(v, i.mem.read(i.memBase(0) + addr, n), "memory differs at " + addr);
        return v;
    }

    long readGlobal(int g) {
        long v = interpSandbox.globalValue(g);
        for (Instance i : instances()) assertEquals(v, i.globalValue(g), "global " + g + " differs");
        return v;
    }

    /** The funcref of function {@code f} in each instance differs (it is an address), so compare by resolving. */
    private List<Instance> instances() {
        List<Instance> l = new ArrayList<>(List.of(interpSandbox, interpLegal));
        if (nativeInst != null) l.add(nativeInst);
        return l;
    }

    @Override
    public void close() {
        if (jit != null) jit.close();
        arena.close();
    }

    // =====================================================================================
    // Memory access for both worlds

    interface Mem {
        long alloc(long size);

        long read(long addr, int n);

        void write(long addr, int n, long v);
    }

    static final class InterpMem implements Mem {
        final InterpMemory m;

        InterpMem(InterpMemory m) {
            this.m = m;
        }

        public long alloc(long size) {
            return m.allocate(size, 16);
        }

        public long read(long addr, int n) {
            return m.read(addr, n);
        }

        public void write(long addr, int n, long v) {
            m.write(addr, n, v);
        }
    }

    static final class NativeMem implements Mem {
        static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
        final Arena arena;

        NativeMem(Arena arena) {
            this.arena = arena;
        }

        public long alloc(long size) {
            return arena.allocate(Math.max(size, 8), 16).fill((byte) 0).address();
        }

        public long read(long addr, int n) {
            return switch (n) {
                case 1 -> ALL.get(ValueLayout.JAVA_BYTE, addr) & 0xFFL;
                case 2 -> ALL.get(ValueLayout.JAVA_SHORT_UNALIGNED, addr) & 0xFFFFL;
                case 4 -> ALL.get(ValueLayout.JAVA_INT_UNALIGNED, addr) & 0xFFFF_FFFFL;
                default -> ALL.get(ValueLayout.JAVA_LONG_UNALIGNED, addr);
            };
        }

        public void write(long addr, int n, long v) {
            switch (n) {
                case 1 -> ALL.set(ValueLayout.JAVA_BYTE, addr, (byte) v);
                case 2 -> ALL.set(ValueLayout.JAVA_SHORT_UNALIGNED, addr, (short) v);
                case 4 -> ALL.set(ValueLayout.JAVA_INT_UNALIGNED, addr, (int) v);
                default -> ALL.set(ValueLayout.JAVA_LONG_UNALIGNED, addr, v);
            }
        }
    }

    // =====================================================================================
    // An instance: the vmctx and everything it points to, and the builtins

    /** A builtin failed: the trap code. */
    static final class BuiltinTrap extends RuntimeException {
        final int code;

        BuiltinTrap(int code) {
            super(TrapCode.name(code), null, false, false);
            this.code = code;
        }
    }

    final class Instance {
        final Mem mem;
        long vmctx;
        long interruptFlag;
        long[] memDef, memReservePages, tableDef, tableReserve;
        long[] globalCell;
        boolean[] dataDropped, elemDropped;

        Instance(Mem mem) {
            this.mem = mem;
        }

        void init(java.util.function.IntToLongFunction codeOf) {
            WasmModule m = module;
            vmctx = mem.alloc(layout.size());
            interruptFlag = vmctx + VmContextLayout.INTERRUPT_FLAG; // inline, as the runtime lays it out
            int nm = m.memories.length;
            memDef = new long[nm];
            memReservePages = new long[nm];
            for (int k = 0; k < nm; k++) {
                MemoryType t = m.memories[k];
                long reserve = t.limits().hasMax() ? t.limits().max() : t.limits().min() + DEFAULT_RESERVE_PAGES;
                memReservePages[k] = reserve;
                long base = mem.alloc(reserve * MemoryType.PAGE_SIZE);
                memDef[k] = layout.hasInlineMemoryDefinition(k) ? vmctx + layout.memoryDefinitionOffset(k)
                        : mem.alloc(VmContextLayout.MEMORY_DEFINITION_SIZE);
                mem.write(memDef[k] + VmContextLayout.MEMORY_BASE, 8, base);
                mem.write(memDef[k] + VmContextLayout.MEMORY_LENGTH, 8, t.limits().min() * MemoryType.PAGE_SIZE);
                mem.write(vmctx + layout.memoryOffset(k), 8, memDef[k]);
            }
            int nt = m.tables.length;
            tableDef = new long[nt];
            tableReserve = new long[nt];
            for (int k = 0; k < nt; k++) {
                long min = m.tables[k].limits().min();
                long reserve = m.tables[k].limits().hasMax() ? m.tables[k].limits().max() : min + DEFAULT_RESERVE_ELEMENTS;
                tableReserve[k] = reserve;
                long base = mem.alloc(reserve * VmContextLayout.TABLE_ELEMENT_SIZE);
                tableDef[k] = mem.alloc(VmContextLayout.TABLE_DEFINITION_SIZE);
                mem.write(tableDef[k] + VmContextLayout.TABLE_BASE, 8, base);
                mem.write(tableDef[k] + VmContextLayout.TABLE_LENGTH, 8, min);
                mem.write(vmctx + layout.tableOffset(k), 8, tableDef[k]);
            }
            for (int f = 0; f < m.functionCount(); f++) {
                long rec = vmctx + layout.funcRefOffset(f);
                mem.write(rec + VmContextLayout.FUNCREF_CODE, 8, codeOf.applyAsLong(f));
                mem.write(rec + VmContextLayout.FUNCREF_VMCTX, 8, vmctx);
                mem.write(rec + VmContextLayout.FUNCREF_TYPE, 4, FuncTypeIds.idOf(m.functionType(f)));
            }
            for (int t = 0; t < m.types.length; t++) mem.write(vmctx + layout.typeIdOffset(t), 4, FuncTypeIds.idOf(m.types[t]));
            int ng = m.globalTypes.length;
            globalCell = new long[ng];
            long[] values = new long[ng];
            for (int g = 0; g < ng; g++) {
                if (g < m.importedGlobals) {
                    globalCell[g] = mem.alloc(8);
                    mem.write(vmctx + layout.globalOffset(g), 8, globalCell[g]);
                    values[g] = importedGlobalValue(g);
                    mem.write(globalCell[g], 8, values[g]);
                } else {
                    globalCell[g] = vmctx + layout.globalOffset(g);
                    values[g] = TestDecoder.evalConst(m.globals[g - m.importedGlobals].init(), vmctx, layout, values);
                    mem.write(globalCell[g], 8, values[g]);
                }
            }
            dataDropped = new boolean[m.datas.length];
            elemDropped = new boolean[m.elements.length];
            for (int k = 0; k < m.elements.length; k++) {
                ElementSegment e = m.elements[k];
                if (e.mode() == SegmentMode.ACTIVE) {
                    int off = (int) TestDecoder.evalConst(e.offset(), vmctx, layout, values);
                    tableInit(e.table(), k, off, 0, e.count());
                }
                if (e.mode() != SegmentMode.PASSIVE) elemDropped[k] = true;
            }
            for (int k = 0; k < m.datas.length; k++) {
                DataSegment d = m.datas[k];
                if (d.mode() == SegmentMode.ACTIVE) {
                    int off = (int) TestDecoder.evalConst(d.offset(), vmctx, layout, values);
                    memoryInit(d.memory(), k, off, 0, d.bytes().length);
                    dataDropped[k] = true;
                }
            }
        }

        /** Imported globals in the tests: "env"."g_<value>" of their declared type, holding that value. */
        private long importedGlobalValue(int g) {
            int seen = 0;
            for (Import i : module.imports) {
                if (i.kind() != ExternKind.GLOBAL) continue;
                if (seen++ == g) {
                    String v = i.name().startsWith("g_") ? i.name().substring(2) : "0";
                    return Long.parseLong(v);
                }
            }
            return 0;
        }

        long memBase(int k) {
            return mem.read(memDef[k] + VmContextLayout.MEMORY_BASE, 8);
        }

        long memLength(int k) {
            return mem.read(memDef[k] + VmContextLayout.MEMORY_LENGTH, 8);
        }

        long globalValue(int g) {
            long v = mem.read(globalCell[g], 8);
            byte t = module.globalTypes[g].valType();
            return t == ValType.I32 || t == ValType.F32 ? v & 0xFFFF_FFFFL : v;
        }

        long tableBase(int t) {
            return mem.read(tableDef[t] + VmContextLayout.TABLE_BASE, 8);
        }

        long tableLength(int t) {
            return mem.read(tableDef[t] + VmContextLayout.TABLE_LENGTH, 8);
        }

        // ---- builtins (WebAssembly 2.0 §4.4.7, §4.4.6), unsigned i32 arguments

        int memoryGrow(int m, int delta) {
            long pages = memLength(m) >>> 16;
            long want = pages + Integer.toUnsignedLong(delta);
            if (want > memReservePages[m] || want > MemoryType.MAX_PAGES) return -1;
            mem.write(memDef[m] + VmContextLayout.MEMORY_LENGTH, 8, want << 16);
            return (int) pages;
        }

        void memoryFill(int m, int d, int val, int n) {
            long dd = Integer.toUnsignedLong(d), nn = Integer.toUnsignedLong(n);
            if (dd + nn > memLength(m)) throw new BuiltinTrap(TrapCode.HEAP_OOB);
            long base = memBase(m);
            for (long k = 0; k < nn; k++) mem.write(base + dd + k, 1, val);
        }

        void memoryCopy(int dm, int sm, int d, int s, int n) {
            long dd = Integer.toUnsignedLong(d), ss = Integer.toUnsignedLong(s), nn = Integer.toUnsignedLong(n);
            if (dd + nn > memLength(dm) || ss + nn > memLength(sm)) throw new BuiltinTrap(TrapCode.HEAP_OOB);
            byte[] tmp = new byte[(int) nn];
            long sb = memBase(sm), db = memBase(dm);
            for (int k = 0; k < nn; k++) tmp[k] = (byte) mem.read(sb + ss + k, 1);
            for (int k = 0; k < nn; k++) mem.write(db + dd + k, 1, tmp[k]);
        }

        void memoryInit(int m, int seg, int d, int s, int n) {
            byte[] bytes = dataDropped[seg] ? new byte[0] : module.datas[seg].bytes();
            long dd = Integer.toUnsignedLong(d), ss = Integer.toUnsignedLong(s), nn = Integer.toUnsignedLong(n);
            if (ss + nn > bytes.length || dd + nn > memLength(m)) throw new BuiltinTrap(TrapCode.HEAP_OOB);
            long base = memBase(m);
            for (int k = 0; k < nn; k++) mem.write(base + dd + k, 1, bytes[(int) ss + k]);
        }

        void dataDrop(int seg) {
            dataDropped[seg] = true;
        }

        int tableGrow(int t, long init, int delta) {
            long len = tableLength(t);
            long want = len + Integer.toUnsignedLong(delta);
            if (want > tableReserve[t]) return -1;
            long base = tableBase(t);
            for (long k = len; k < want; k++) mem.write(base + 8 * k, 8, init);
            mem.write(tableDef[t] + VmContextLayout.TABLE_LENGTH, 8, want);
            return (int) len;
        }

        void tableFill(int t, int d, long ref, int n) {
            long dd = Integer.toUnsignedLong(d), nn = Integer.toUnsignedLong(n);
            if (dd + nn > tableLength(t)) throw new BuiltinTrap(TrapCode.TABLE_OOB);
            long base = tableBase(t);
            for (long k = 0; k < nn; k++) mem.write(base + 8 * (dd + k), 8, ref);
        }

        void tableCopy(int dt, int st, int d, int s, int n) {
            long dd = Integer.toUnsignedLong(d), ss = Integer.toUnsignedLong(s), nn = Integer.toUnsignedLong(n);
            if (dd + nn > tableLength(dt) || ss + nn > tableLength(st)) throw new BuiltinTrap(TrapCode.TABLE_OOB);
            long[] tmp = new long[(int) nn];
            for (int k = 0; k < nn; k++) tmp[k] = mem.read(tableBase(st) + 8 * (ss + k), 8);
            for (int k = 0; k < nn; k++) mem.write(tableBase(dt) + 8 * (dd + k), 8, tmp[k]);
        }

        void tableInit(int t, int seg, int d, int s, int n) {
            ElementSegment e = module.elements[seg];
            int count = elemDropped[seg] ? 0 : e.count();
            long dd = Integer.toUnsignedLong(d), ss = Integer.toUnsignedLong(s), nn = Integer.toUnsignedLong(n);
            if (ss + nn > count || dd + nn > tableLength(t)) throw new BuiltinTrap(TrapCode.TABLE_OOB);
            for (int k = 0; k < nn; k++) {
                int item = (int) ss + k;
                long ref = e.functionIndices() != null ? vmctx + layout.funcRefOffset(e.functionIndices()[item])
                        : TestDecoder.evalConst(e.items()[item], vmctx, layout, new long[0]);
                mem.write(tableBase(t) + 8 * (dd + k), 8, ref);
            }
        }

        void elemDrop(int seg) {
            elemDropped[seg] = true;
        }

        /** Dispatches a builtin call with raw interpreter arguments (vmctx first). */
        long[] builtin(Builtins b, long[] a) {
            switch (b) {
                case MEMORY_GROW: return new long[] {a[2] >>> 32 != 0 ? -1 : memoryGrow((int) a[1], (int) a[2])}; // i64 delta and result
                case MEMORY_FILL: memoryFill((int) a[1], (int) a[2], (int) a[3], (int) a[4]); break;
                case MEMORY_COPY: memoryCopy((int) a[1], (int) a[2], (int) a[3], (int) a[4], (int) a[5]); break;
                case MEMORY_INIT: memoryInit((int) a[1], (int) a[2], (int) a[3], (int) a[4], (int) a[5]); break;
                case DATA_DROP: dataDrop((int) a[1]); break;
                case TABLE_GROW: return new long[] {tableGrow((int) a[1], a[2], (int) a[3]) & 0xFFFF_FFFFL};
                case TABLE_FILL: tableFill((int) a[1], (int) a[2], a[3], (int) a[4]); break;
                case TABLE_COPY: tableCopy((int) a[1], (int) a[2], (int) a[3], (int) a[4], (int) a[5]); break;
                case TABLE_INIT: tableInit((int) a[1], (int) a[2], (int) a[3], (int) a[4], (int) a[5]); break;
                case ELEM_DROP: elemDrop((int) a[1]); break;
            }
            return new long[0];
        }
    }

    private void addInterpHosts(InterpModule im, Instance inst, Map<String, HostImport> imports) {
        for (Builtins b : Builtins.values()) {
            im.addHost("%" + b.symbol, b.signature(), (in, a) -> {
                try {
                    return InterpResult.returning(inst.builtin(b, a));
                } catch (BuiltinTrap t) {
                    return InterpResult.trap(t.code);
                }
            });
        }
        int f = 0;
        for (Import i : module.imports) {
            if (i.kind() != ExternKind.FUNC) continue;
            FuncType type = module.types[i.typeIndex()];
            HostImport h = imports.get(i.module() + "." + i.name());
            int index = f++;
            im.addHost("%import" + index, WasmAbi.signature(type), (in, a) -> {
                if (h == null) throw new IllegalStateException("no host import " + i.module() + "." + i.name());
                long[] rest = new long[a.length - 1];
                System.arraycopy(a, 1, rest, 0, rest.length);
                if (a[0] != inst.vmctx) return InterpResult.trap(TrapCode.user(99)); // the callee vmctx must be passed
                return InterpResult.returning(h.call(rest));
            });
        }
    }

    // ---- native builtins: typed entry points bound to the native instance

    private void defineNativeBuiltins(Instance inst) {
        MethodHandles.Lookup l = MethodHandles.lookup();
        try {
            for (Builtins b : Builtins.values()) {
                Signature sig = b.signature();
                MethodType mt = JitModule.methodType(sig);
                MethodHandle h = l.findVirtual(NativeBuiltins.class, camel(b.symbol), mt).bindTo(new NativeBuiltins(inst));
                jit.defineHostFunction("%" + b.symbol, sig, h);
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static String camel(String symbol) {
        String s = symbol.substring("wasm_".length());
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char c : s.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }

    /** Native builtins; a trap here would need the runtime's trap-after-host-call check, so tests keep them in bounds. */
    public static final class NativeBuiltins {
        final Instance inst;

        NativeBuiltins(Instance inst) {
            this.inst = inst;
        }

        // memory operands are i64 (zero-extended i32s of the harness's 32-bit memories)
        public long memoryGrow(long vmctx, int m, long delta) {
            return delta >>> 32 != 0 ? -1 : inst.memoryGrow(m, (int) delta);
        }

        public void memoryFill(long vmctx, int m, long d, int v, long n, int caller) {
            inst.memoryFill(m, (int) d, v, (int) n);
        }

        public void memoryCopy(long vmctx, int dm, int sm, long d, long s, long n, int caller) {
            inst.memoryCopy(dm, sm, (int) d, (int) s, (int) n);
        }

        public void memoryInit(long vmctx, int m, int seg, long d, int s, int n, int caller) {
            inst.memoryInit(m, seg, (int) d, s, n);
        }

        public void dataDrop(long vmctx, int seg) {
            inst.dataDrop(seg);
        }

        public int tableGrow(long vmctx, int t, long init, int delta) {
            return inst.tableGrow(t, init, delta);
        }

        public void tableFill(long vmctx, int t, int d, long ref, int n, int caller) {
            inst.tableFill(t, d, ref, n);
        }

        public void tableCopy(long vmctx, int dt, int st, int d, int s, int n, int caller) {
            inst.tableCopy(dt, st, d, s, n);
        }

        public void tableInit(long vmctx, int t, int seg, int d, int s, int n, int caller) {
            inst.tableInit(t, seg, d, s, n);
        }

        public void elemDrop(long vmctx, int seg) {
            inst.elemDrop(seg);
        }
    }
}
