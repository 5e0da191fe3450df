package dev.twill.wasm;

import dev.twill.runtime.JitModule;
import dev.twill.wasm.binary.DataSegment;
import dev.twill.wasm.binary.ElementSegment;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.SegmentMode;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.runtime.BuiltinFunctions;
import dev.twill.wasm.runtime.ConstExprEvaluator;
import dev.twill.wasm.runtime.InstanceRegistry;
import dev.twill.wasm.runtime.InstanceState;
import dev.twill.wasm.vm.FuncTypeIds;
import dev.twill.wasm.vm.VmContextLayout;
import dev.twill.wasm.vm.WasmAbi;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Module instantiation, WebAssembly 2.0 §4.5.4, with imports already resolved and checked by
 * the {@link Linker}:
 * <ol>
 *   <li>allocate the VM context ({@link VmContextLayout}) in the store and register the instance
 *       (its id goes at {@code INSTANCE_ID}; the store keeps the flag at {@code INTERRUPT_FLAG}
 *       in step with its own);
 *   <li>imports: a function bound to a host function gets this module's adapter {@code %f<i>}
 *       with this vmctx as its FuncRef record (and its Java target in {@link
 *       InstanceState#hostCalls}); a wasm function's record is copied from the exporter's
 *       (code, vmctx and canonical type id: {@link FuncTypeIds});
 *       memories and tables store the exporter's definition-record address, globals the
 *       exporter's cell address;
 *   <li>FuncRef records of the defined functions: {entry of {@code %f<i>}, this vmctx, type id};
 *   <li>defined memories (reserved at their maximum, see {@code LinearMemory}; the definition
 *       record inline in the vmctx), globals (cells
 *       inline in the vmctx, initialisers evaluated in order), tables (null-filled);
 *   <li>element segments' references and data segments' bytes, exports;
 *   <li>active element segments in order ({@code table.init} then {@code elem.drop}; declarative
 *       ones just dropped), then active data segments ({@code memory.init}, {@code data.drop}):
 *       each is bounds-checked when applied, so a trap leaves the earlier ones applied, as 2.0
 *       specifies; then the start function.
 * </ol>
 * A trap or error after registration leaves the partly initialised instance in the store (a
 * shared table may already hold references to its functions); the store frees it on close.
 *
 * <p>The caller ({@link Linker#instantiate}) has entered the store ({@link Store#enter}), so it
 * cannot be freed under the instantiation, and has retained the module's code for the store.
 * Every FuncRef record written here is registered with the store ({@link Store#addFuncRef}) as
 * soon as it is filled, before any wasm code or host function could hand it out.
 */
final class Instantiator {
    private Instantiator() {}

    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    static Instance instantiate(Store store, Module module, Object[] resolved) {
        WasmModule m = module.ir();
        VmContextLayout layout = module.layout();
        JitModule code = module.code();
        long id = InstanceRegistry.reserve();
        MemorySegment vmctx;
        InstanceState st;
        try {
            vmctx = store.allocate(layout.size());
            st = new InstanceState(id, m, layout, vmctx);
            // from here on the store frees the id and everything below; it also sets the
            // interrupt flag in the vmctx if an interrupt is pending
            store.track(st);
        } catch (RuntimeException | Error e) {
            InstanceRegistry.remove(id);
            throw e;
        }
        long vm = vmctx.address();
        vmctx.set(ValueLayout.JAVA_LONG, VmContextLayout.INSTANCE_ID, id);
        Instance inst = new Instance(store, module, st);

        WasmFunction[] functions = new WasmFunction[m.functionCount()];
        WasmMemory[] memories = new WasmMemory[m.memories.length];
        WasmTable[] tables = new WasmTable[m.tables.length];
        WasmGlobal[] globals = new WasmGlobal[m.globalTypes.length];
        WasmTag[] tags = new WasmTag[m.tagTypes().length];

        int nf = 0, nt = 0, nm = 0, ng = 0, ntag = 0;
        for (int k = 0; k < m.imports.length; k++) {
            Import im = m.imports[k];
            Object d = resolved[k];
            switch (im.kind()) {
                case ExternKind.FUNC -> {
                    long record = vm + layout.funcRefOffset(nf);
                    if (d instanceof Linker.HostDefinition h) {
                        st.hostCalls[nf] = hostCall(h, inst, store);
                        writeFuncRef(record, code.address(WasmAbi.functionName(nf)), vm, FuncTypeIds.idOf(h.type()));
                        functions[nf] = new WasmFunction(store, h.type(), module, nf, vm, record);
                    } else {
                        WasmFunction w = (WasmFunction) d;
                        writeFuncRef(record, EVERYTHING.get(ValueLayout.JAVA_LONG, w.funcRef + VmContextLayout.FUNCREF_CODE),
                                EVERYTHING.get(ValueLayout.JAVA_LONG, w.funcRef + VmContextLayout.FUNCREF_VMCTX),
                                EVERYTHING.get(ValueLayout.JAVA_INT, w.funcRef + VmContextLayout.FUNCREF_TYPE));
                        functions[nf] = w;
                    }
                    store.addFuncRef(record);
                    nf++;
                }
                case ExternKind.TABLE -> {
                    WasmTable t = (WasmTable) d;
                    st.tables[nt] = t.table;
                    vmctx.set(ValueLayout.JAVA_LONG, layout.tableOffset(nt), t.table.definitionAddress());
                    tables[nt++] = t;
                }
                case ExternKind.MEMORY -> {
                    WasmMemory w = (WasmMemory) d;
                    st.memories[nm] = w.memory;
                    vmctx.set(ValueLayout.JAVA_LONG, layout.memoryOffset(nm), w.memory.definitionAddress());
                    memories[nm++] = w;
                }
                case ExternKind.GLOBAL -> {
                    WasmGlobal g = (WasmGlobal) d;
                    vmctx.set(ValueLayout.JAVA_LONG, layout.globalOffset(ng), g.cell);
                    globals[ng++] = g;
                }
                case ExternKind.TAG -> tags[ntag++] = (WasmTag) d;
                default -> throw new IllegalStateException("import kind " + im.kind());
            }
        }

        for (int t = m.importedTags(); t < tags.length; t++) tags[t] = new WasmTag(store, m.types[m.tagTypes()[t]]);

        int[] typeIds = FuncTypeIds.ofModule(m);
        for (int t = 0; t < typeIds.length; t++) vmctx.set(ValueLayout.JAVA_INT, layout.typeIdOffset(t), typeIds[t]);
        for (int i = m.importedFunctions; i < functions.length; i++) {
            long record = vm + layout.funcRefOffset(i);
            writeFuncRef(record, code.address(WasmAbi.functionName(i)), vm, typeIds[m.functionTypes[i]]);
            store.addFuncRef(record);
            functions[i] = new WasmFunction(store, m.functionType(i), module, i, vm, record);
        }
        for (int i = m.importedMemories; i < memories.length; i++) {
            MemorySegment def = vmctx.asSlice(layout.memoryDefinitionOffset(i), VmContextLayout.MEMORY_DEFINITION_SIZE);
            WasmMemory w = new WasmMemory(store, store.newMemory(m.memories[i], def));
            st.memories[i] = w.memory;
            vmctx.set(ValueLayout.JAVA_LONG, layout.memoryOffset(i), w.memory.definitionAddress());
            memories[i] = w;
        }
        ConstExprEvaluator.Environment env = new ConstExprEvaluator.Environment() {
            @Override
            public long global(int index) {
                return globals[index].read();
            }

            @Override
            public long funcRef(int index) {
                return vm + layout.funcRefOffset(index);
            }
        };
        for (int i = m.importedGlobals; i < globals.length; i++) {
            WasmGlobal g = new WasmGlobal(store, m.globalTypes[i], vm + layout.globalOffset(i));
            g.write(ConstExprEvaluator.evaluate(m.globals[i - m.importedGlobals].init(), env));
            globals[i] = g;
        }
        for (int i = m.importedTables; i < tables.length; i++) {
            WasmTable t = new WasmTable(store, store.newTable(m.tables[i], 0));
            st.tables[i] = t.table;
            vmctx.set(ValueLayout.JAVA_LONG, layout.tableOffset(i), t.table.definitionAddress());
            tables[i] = t;
        }
        for (int s = 0; s < m.elements.length; s++) {
            ElementSegment e = m.elements[s];
            long[] refs = new long[e.count()];
            for (int k = 0; k < refs.length; k++) {
                refs[k] = e.functionIndices() != null ? env.funcRef(e.functionIndices()[k])
                        : ConstExprEvaluator.evaluate(e.items()[k], env);
            }
            st.elements[s] = refs;
        }
        for (int s = 0; s < m.datas.length; s++) st.datas[s] = m.datas[s].bytes();
        for (Export x : m.exports) {
            inst.exports.put(x.name(), switch (x.kind()) {
                case ExternKind.FUNC -> functions[x.index()];
                case ExternKind.TABLE -> tables[x.index()];
                case ExternKind.MEMORY -> memories[x.index()];
                case ExternKind.GLOBAL -> globals[x.index()];
                case ExternKind.TAG -> tags[x.index()];
                default -> throw new IllegalStateException("export kind " + x.kind());
            });
        }
        InstanceRegistry.publish(st);

        for (int s = 0; s < m.elements.length; s++) {
            ElementSegment e = m.elements[s];
            if (e.mode() == SegmentMode.ACTIVE) {
                long offset = Integer.toUnsignedLong((int) ConstExprEvaluator.evaluate(e.offset(), env));
                long[] refs = st.elements[s];
                st.tables[e.table()].init(refs, 0, offset, refs.length);
            }
            if (e.mode() != SegmentMode.PASSIVE) BuiltinFunctions.dropElements(st, s);
        }
        for (int s = 0; s < m.datas.length; s++) {
            DataSegment d = m.datas[s];
            if (d.mode() != SegmentMode.ACTIVE) continue;
            long value = ConstExprEvaluator.evaluate(d.offset(), env);
            // an i64 offset (64-bit memory) is unsigned: one of 2^63 or more reads negative and traps
            long offset = m.memories[d.memory()].is64() ? value : Integer.toUnsignedLong((int) value);
            st.memories[d.memory()].init(d.bytes(), 0, offset, d.bytes().length);
            BuiltinFunctions.dropData(st, s);
        }
        if (m.startFunction >= 0) functions[m.startFunction].call();
        return inst;
    }

    /** Fills a FuncRef record: every record the runtime writes goes through here. */
    private static void writeFuncRef(long record, long code, long vmctx, int typeId) {
        EVERYTHING.set(ValueLayout.JAVA_LONG, record + VmContextLayout.FUNCREF_CODE, code);
        EVERYTHING.set(ValueLayout.JAVA_LONG, record + VmContextLayout.FUNCREF_VMCTX, vmctx);
        EVERYTHING.set(ValueLayout.JAVA_INT, record + VmContextLayout.FUNCREF_TYPE, typeId);
    }

    /**
     * The Java side of a host import: arguments are 8-byte slots of the adapter's buffer (i32 and
     * f32 in the low 4 bytes, upper bytes undefined), results go back as 8-byte slots. Results are
     * checked as values coming from Java (32-bit values fit, references belong to the store, see
     * {@link WasmGlobal#check}): a bad one throws IllegalArgumentException to the Java caller of
     * the wasm code instead of reaching wasm. While the function runs the thread is marked as
     * inside a host call of the store ({@link Store#close} must not wait for its own caller).
     */
    private static InstanceState.HostCall hostCall(Linker.HostDefinition h, Instance caller, Store store) {
        FuncType type = h.type();
        byte[] params = type.params, results = type.results;
        HostFunction fn = h.function();
        return buffer -> {
            long[] args = new long[params.length];
            for (int k = 0; k < args.length; k++) {
                long at = buffer + 8L * k;
                args[k] = switch (params[k]) {
                    case ValType.I32 -> EVERYTHING.get(ValueLayout.JAVA_INT, at);
                    case ValType.F32 -> EVERYTHING.get(ValueLayout.JAVA_INT, at) & 0xFFFF_FFFFL;
                    default -> EVERYTHING.get(ValueLayout.JAVA_LONG, at);
                };
            }
            long[] r;
            store.enterHostCall();
            try {
                r = fn.call(caller, args);
                int n = r == null ? 0 : r.length;
                if (n != results.length) {
                    throw new IllegalStateException("host function \"" + h.module() + "\" \"" + h.name() + "\" returned " + n
                            + " results, its type " + type + " has " + results.length);
                }
                for (int k = 0; k < n; k++) {
                    byte t = results[k];
                    if (t == ValType.I64 || t == ValType.F64) continue;
                    try {
                        WasmGlobal.check(store, t, r[k]);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("host function \"" + h.module() + "\" \"" + h.name() + "\" result "
                                + k + ": " + e.getMessage(), e);
                    }
                }
            } catch (Throwable t) {
                // The exception goes to the Java caller; until the compiled caller notices it, the
                // result slots read as zeros (null references), never as what was refused.
                for (int k = 0; k < results.length; k++) EVERYTHING.set(ValueLayout.JAVA_LONG, buffer + 8L * k, 0L);
                throw t;
            } finally {
                store.leaveHostCall();
            }
            for (int k = 0; k < r.length; k++) EVERYTHING.set(ValueLayout.JAVA_LONG, buffer + 8L * k, r[k]);
        };
    }
}
