package dev.twill.wasm.spectest;

import dev.twill.wasm.Engine;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;

import java.io.ByteArrayOutputStream;

/**
 * The {@code spectest} host module every spec script imports from (the reference interpreter's
 * {@code spectest.ml}): functions {@code print}, {@code print_i32}, {@code print_i64}, {@code
 * print_f32}, {@code print_f64}, {@code print_i32_f32}, {@code print_f64_f64} (no results; they
 * print nothing here, as nothing checks their output), immutable globals {@code global_i32} =
 * 666, {@code global_i64} = 666, {@code global_f32} = 666.6, {@code global_f64} = 666.6, a
 * {@code table} of 10 (max 20) funcref and a {@code memory} of 1 (max 2) pages.
 *
 * <p>The public API has no constructor for a free-standing memory, table or global, so those
 * come from a small module built here in the binary format (WebAssembly 2.0 §5.5) and
 * instantiated in each script's store; the print functions are {@link
 * Linker#defineFunction host functions}, so the host-call path is exercised as the scripts
 * intend (imports.wast calls them through tables and from start functions).
 */
public final class SpectestHost implements AutoCloseable {
    static final String MODULE = "spectest";

    private final Module module;

    /** Compiles the host module's table/memory/globals part once, for any number of stores. */
    public SpectestHost(Engine engine) {
        this.module = Module.compile(engine, binary());
    }

    /** Defines {@code spectest.*} in {@code linker}, with fresh memory, table and globals in {@code store}. */
    public void define(Linker linker, Store store) {
        Instance instance = linker.instantiate(store, module);
        linker.defineInstance(MODULE, instance);
        byte[] none = {};
        defineFunction(linker, "print", none);
        defineFunction(linker, "print_i32", new byte[] {ValType.I32});
        defineFunction(linker, "print_i64", new byte[] {ValType.I64});
        defineFunction(linker, "print_f32", new byte[] {ValType.F32});
        defineFunction(linker, "print_f64", new byte[] {ValType.F64});
        defineFunction(linker, "print_i32_f32", new byte[] {ValType.I32, ValType.F32});
        defineFunction(linker, "print_f64_f64", new byte[] {ValType.F64, ValType.F64});
    }

    private static void defineFunction(Linker linker, String name, byte[] params) {
        long[] noResults = {};
        linker.defineFunction(MODULE, name, new FuncType(params, new byte[0]), (caller, args) -> noResults);
    }

    @Override
    public void close() {
        module.close();
    }

    /** The module with the table, memory and globals, in the binary format. */
    static byte[] binary() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});

        ByteArrayOutputStream table = new ByteArrayOutputStream();
        table.write(1); // one table
        table.write(ValType.FUNCREF);
        table.write(0x01); // limits with a maximum
        unsigned(table, 10);
        unsigned(table, 20);
        section(out, 4, table);

        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        memory.write(1);
        memory.write(0x01);
        unsigned(memory, 1);
        unsigned(memory, 2);
        section(out, 5, memory);

        ByteArrayOutputStream globals = new ByteArrayOutputStream();
        globals.write(4);
        globals.write(ValType.I32);
        globals.write(0); // immutable
        globals.write(0x41); // i32.const
        signed(globals, 666);
        globals.write(0x0b);
        globals.write(ValType.I64);
        globals.write(0);
        globals.write(0x42); // i64.const
        signed(globals, 666);
        globals.write(0x0b);
        globals.write(ValType.F32);
        globals.write(0);
        globals.write(0x43); // f32.const
        littleEndian(globals, Float.floatToRawIntBits(666.6f), 4);
        globals.write(0x0b);
        globals.write(ValType.F64);
        globals.write(0);
        globals.write(0x44); // f64.const
        littleEndian(globals, Double.doubleToRawLongBits(666.6), 8);
        globals.write(0x0b);
        section(out, 6, globals);

        ByteArrayOutputStream exports = new ByteArrayOutputStream();
        exports.write(6);
        export(exports, "table", 1, 0);
        export(exports, "memory", 2, 0);
        export(exports, "global_i32", 3, 0);
        export(exports, "global_i64", 3, 1);
        export(exports, "global_f32", 3, 2);
        export(exports, "global_f64", 3, 3);
        section(out, 7, exports);
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, ByteArrayOutputStream content) {
        out.write(id);
        unsigned(out, content.size());
        out.writeBytes(content.toByteArray());
    }

    private static void export(ByteArrayOutputStream out, String name, int kind, int index) {
        byte[] utf8 = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        unsigned(out, utf8.length);
        out.writeBytes(utf8);
        out.write(kind);
        unsigned(out, index);
    }

    /** Unsigned LEB128 (§5.2.2). */
    static void unsigned(ByteArrayOutputStream out, long v) {
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            out.write(v == 0 ? b : b | 0x80);
        } while (v != 0);
    }

    /** Signed LEB128 (§5.2.2): stops when the remaining bits are all copies of the sign bit just written. */
    static void signed(ByteArrayOutputStream out, long v) {
        while (true) {
            int b = (int) (v & 0x7f);
            v >>= 7;
            boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            out.write(done ? b : b | 0x80);
            if (done) return;
        }
    }

    private static void littleEndian(ByteArrayOutputStream out, long v, int bytes) {
        for (int k = 0; k < bytes; k++) out.write((int) (v >>> (8 * k)));
    }
}
