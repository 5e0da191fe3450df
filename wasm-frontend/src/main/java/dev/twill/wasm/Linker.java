package dev.twill.wasm;

import dev.twill.runtime.LinkError;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.Limits;
import dev.twill.wasm.binary.WasmModule;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves a module's imports by {@code module.name} and instantiates it. Definitions are
 * externs ({@link #define}), Java host functions ({@link #defineFunction}) or all exports of an
 * instance ({@link #defineInstance}); a later definition of the same name replaces an earlier
 * one.
 *
 * <p>Import matching follows WebAssembly 2.0 §4.5.2 (external types): a function's type must be
 * equal; a table's element type equal and a memory's or table's limits a subset of the import's
 * (current size at least the import's minimum; if the import has a maximum, the extern has one
 * no larger); a global's value type and mutability equal. A failure is a {@link LinkError} whose
 * message starts with {@code unknown import} or {@code incompatible import type} (the spec
 * suite's wording) and names the import.
 *
 * <p>Thread safety: definitions and lookups are synchronized, so one linker may be shared by
 * threads that define and instantiate concurrently; an instantiation resolves every import
 * before it allocates anything, so a LinkError leaves nothing behind.
 */
public final class Linker {
    private final Engine engine;
    private final HashMap<String, Object> definitions = new HashMap<>();

    public Linker(Engine engine) {
        this.engine = engine;
    }

    /** A Java host function with its type, before it is bound to an instance. */
    record HostDefinition(FuncType type, HostFunction function, String module, String name) {}

    public Engine engine() {
        return engine;
    }

    public synchronized Linker define(String module, String name, Extern e) {
        definitions.put(key(module, name), e);
        return this;
    }

    public synchronized Linker defineFunction(String module, String name, FuncType type, HostFunction f) {
        definitions.put(key(module, name), new HostDefinition(type, f, module, name));
        return this;
    }

    /** Defines every export of {@code instance} under {@code module}. */
    public synchronized Linker defineInstance(String module, Instance instance) {
        for (Map.Entry<String, Extern> e : instance.exports().entrySet()) define(module, e.getKey(), e.getValue());
        return this;
    }

    /**
     * Instantiates {@code module} in {@code store}: resolves imports (LinkError), allocates and
     * initialises the instance, applies element and data segments (a {@link dev.twill.runtime.Trap}
     * if one is out of bounds; earlier segments stay applied) and runs the start function.
     * IllegalStateException if the store, the module or its engine is closed; OutOfMemoryError
     * (saying which limit) past the {@link dev.twill.wasm.runtime.ResourceBudget}.
     */
    public Instance instantiate(Store store, Module module) {
        module.engine().checkOpen();
        module.checkOpen();
        store.enter(); // the store cannot be freed while the instance is built and its start function runs
        try {
            WasmModule m = module.ir();
            Object[] resolved = new Object[m.imports.length];
            synchronized (this) {
                for (int k = 0; k < m.imports.length; k++) resolved[k] = resolve(store, m, m.imports[k]);
            }
            store.retain(module); // IllegalStateException if the module was closed meanwhile
            return Instantiator.instantiate(store, module, resolved);
        } finally {
            store.leave();
        }
    }

    private Object resolve(Store store, WasmModule m, Import im) {
        Object d = definitions.get(key(im.module(), im.name()));
        String what = "\"" + im.module() + "\" \"" + im.name() + "\"";
        if (d == null) throw new LinkError("unknown import: " + what + " (" + ExternKind.name(im.kind()) + ")");
        int kind = kindOf(d);
        if (kind != im.kind()) {
            throw new LinkError("incompatible import type: " + what + " is a " + ExternKind.name(kind)
                    + ", the module imports a " + ExternKind.name(im.kind()));
        }
        Store owner = switch (d) {
            case WasmFunction f -> f.store();
            case WasmMemory mem -> mem.store();
            case WasmTable t -> t.store();
            case WasmGlobal g -> g.store();
            case WasmTag t -> t.store();
            default -> store;
        };
        if (owner != store) throw new LinkError("incompatible import type: " + what + " belongs to another store");
        switch (d) {
            case HostDefinition h -> checkFunction(what, m.types[im.typeIndex()], h.type());
            case WasmFunction f -> checkFunction(what, m.types[im.typeIndex()], f.type());
            case WasmMemory mem -> {
                if (mem.type().is64() != im.memory().is64()) {
                    throw new LinkError("incompatible import type: " + what + ": a " + (mem.type().is64() ? "64" : "32")
                            + "-bit memory where a " + (im.memory().is64() ? "64" : "32") + "-bit one is imported");
                }
                if (!subset(mem.type().limits(), im.memory().limits())) {
                    throw new LinkError("incompatible import type: " + what + ": memory limits " + mem.type().limits()
                            + " not a subset of " + im.memory().limits());
                }
            }
            case WasmTable t -> {
                if (t.type().elemType() != im.table().elemType()) {
                    throw new LinkError("incompatible import type: " + what + ": table of " + name(t.type().elemType())
                            + ", the module imports a table of " + name(im.table().elemType()));
                }
                if (!subset(t.type().limits(), im.table().limits())) {
                    throw new LinkError("incompatible import type: " + what + ": table limits " + t.type().limits()
                            + " not a subset of " + im.table().limits());
                }
            }
            case WasmTag t -> {
                if (!t.type().equals(m.types[im.typeIndex()])) {
                    throw new LinkError("incompatible import type: " + what + ": tag type mismatch: " + t.type()
                            + ", the module imports " + m.types[im.typeIndex()]);
                }
            }
            case WasmGlobal g -> {
                if (g.type().valType() != im.global().valType() || g.type().mutable() != im.global().mutable()) {
                    throw new LinkError("incompatible import type: " + what + ": global type mismatch: "
                            + describe(g.type()) + ", the module imports " + describe(im.global()));
                }
            }
            default -> throw new IllegalStateException();
        }
        return d;
    }

    private static void checkFunction(String what, FuncType expected, FuncType actual) {
        if (!expected.equals(actual)) {
            throw new LinkError("incompatible import type: " + what + ": function type mismatch: " + actual
                    + ", the module imports " + expected);
        }
    }

    /** WebAssembly 2.0 §4.5.2.2: limits {@code actual} match {@code expected}. */
    static boolean subset(Limits actual, Limits expected) {
        if (actual.min() < expected.min()) return false;
        if (!expected.hasMax()) return true;
        return actual.hasMax() && actual.max() <= expected.max();
    }

    private static String describe(dev.twill.wasm.binary.GlobalType t) {
        return (t.mutable() ? "mut " : "const ") + name(t.valType());
    }

    private static String name(byte t) {
        return dev.twill.wasm.binary.ValType.name(t);
    }

    private static int kindOf(Object d) {
        return switch (d) {
            case HostDefinition h -> ExternKind.FUNC;
            case WasmFunction f -> ExternKind.FUNC;
            case WasmTable t -> ExternKind.TABLE;
            case WasmMemory m -> ExternKind.MEMORY;
            case WasmGlobal g -> ExternKind.GLOBAL;
            case WasmTag t -> ExternKind.TAG;
            default -> -1;
        };
    }

    private static String key(String module, String name) {
        return module + '\0' + name;
    }
}
