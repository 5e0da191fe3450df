package dev.twill.wasm.runtime;

import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.vm.VmContextLayout;
import java.lang.foreign.MemorySegment;

/**
 * What the runtime keeps per instance besides its VM context: the objects behind the memories
 * and tables it defines or imports, its data and element segments (null once dropped), and the
 * Java targets of its host-function imports. Builtins and host calls find it from the vmctx
 * through {@link InstanceRegistry} (the vmctx holds the registry id at {@link
 * VmContextLayout#INSTANCE_ID}).
 */
public final class InstanceState {
    /** Registry id, stored at vmctx + INSTANCE_ID. */
    public final long id;
    public final WasmModule module;
    public final VmContextLayout layout;
    /** The VM context block. */
    public final MemorySegment vmctx;
    /** By memory index, imports first. */
    public final LinearMemory[] memories;
    /** By table index, imports first. */
    public final ReferenceTable[] tables;
    /** Data segment bytes by index; an empty array once dropped (dropped segments behave as empty). */
    public final byte[][] datas;
    /** Element segment references by index; an empty array once dropped. */
    public final long[][] elements;
    /** By function index, for imports bound to host functions; null elsewhere. */
    public final HostCall[] hostCalls;

    public InstanceState(long id, WasmModule module, VmContextLayout layout, MemorySegment vmctx) {
        this.id = id;
        this.module = module;
        this.layout = layout;
        this.vmctx = vmctx;
        this.memories = new LinearMemory[module.memories.length];
        this.tables = new ReferenceTable[module.tables.length];
        this.datas = new byte[module.datas.length][];
        this.elements = new long[module.elements.length][];
        this.hostCalls = new HostCall[module.importedFunctions];
    }

    /** The Java side of a host-function import: reads arguments from and writes results to {@code buffer}. */
    @FunctionalInterface
    public interface HostCall {
        void invoke(long buffer) throws Throwable;
    }
}
