package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import dev.twill.runtime.LinkError;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import org.junit.jupiter.api.Test;

/**
 * Exception tags (WebAssembly 3.0) as modules declare, export and import them, in modules
 * written byte by byte from the binary format (type, import, tag = section 13, export), and
 * {@link EngineConfig#tags(boolean)} off as 2.0 reads them.
 */
class TagTest {
    private static final byte[] HEADER = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

    private static byte[] module(byte[]... sections) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(HEADER);
        for (byte[] s : sections) out.writeBytes(s);
        return out.toByteArray();
    }

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int k = 0; k < b.length; k++) r[k] = (byte) b[k];
        return r;
    }

    /** One function type with the given parameter: (func (param t)). */
    private static byte[] typeSection(int param) {
        return bytes(0x01, 0x05, 0x01, 0x60, 0x01, param, 0x00);
    }

    /** (tag (type 0)) exported as "t". */
    private static final byte[] DEFINES = module(typeSection(0x7f), bytes(0x0d, 0x03, 0x01, 0x00, 0x00),
            bytes(0x07, 0x05, 0x01, 0x01, 't', 0x04, 0x00));

    /** (import "m" "t" (tag (type 0))) with type 0 taking {@code param}. */
    private static byte[] imports(int param) {
        return module(typeSection(param), bytes(0x02, 0x08, 0x01, 0x01, 'm', 0x01, 't', 0x04, 0x00, 0x00));
    }

    @Test
    void aTagIsExportedAndImportedByIdentityAndType() {
        try (Engine engine = new Engine(); Store store = new Store(engine);
                Module defining = Module.compile(engine, DEFINES);
                Module importing = Module.compile(engine, imports(0x7f));
                Module wrongType = Module.compile(engine, imports(0x7e))) {
            Instance a = new Linker(engine).instantiate(store, defining);
            WasmTag t = assertInstanceOf(WasmTag.class, a.export("t"));
            assertEquals(new FuncType(new byte[] {ValType.I32}, new byte[0]), t.type());
            // a second instance defines a new tag, not the same one
            Instance b = new Linker(engine).instantiate(store, defining);
            assertTrue(b.export("t") != t);
            Linker linker = new Linker(engine).defineInstance("m", a);
            Instance c = linker.instantiate(store, importing);
            assertEquals(0, c.exports().size());
            LinkError e = assertThrows(LinkError.class, () -> linker.instantiate(store, wrongType));
            assertTrue(e.getMessage().startsWith("incompatible import type"), e.getMessage());
            // a host tag links like a module's
            Linker host = new Linker(engine).define("m", "t", WasmTag.create(store, t.type()));
            assertSame(null, host.instantiate(store, importing).export("t"));
        }
    }

    @Test
    void tagsAreMalformedWhereTheyAreOff() {
        try (Engine engine = new Engine(new EngineConfig().tags(false))) {
            CompileError e = assertThrows(CompileError.class, () -> Module.compile(engine, DEFINES));
            assertTrue(e.getMessage().contains("malformed section id"), e.getMessage());
            e = assertThrows(CompileError.class, () -> Module.compile(engine, imports(0x7f)));
            assertTrue(e.getMessage().contains("malformed import kind"), e.getMessage());
        }
    }

    @Test
    void aTagTypeHasNoResultsAndAnIndexInRange() {
        try (Engine engine = new Engine()) {
            // (func (result i32)) as a tag type
            byte[] withResult = module(bytes(0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f), bytes(0x0d, 0x03, 0x01, 0x00, 0x00));
            CompileError e = assertThrows(CompileError.class, () -> Module.compile(engine, withResult));
            assertTrue(e.getMessage().contains("non-empty tag result type"), e.getMessage());
            byte[] unknownType = module(typeSection(0x7f), bytes(0x0d, 0x03, 0x01, 0x00, 0x05));
            e = assertThrows(CompileError.class, () -> Module.compile(engine, unknownType));
            assertTrue(e.getMessage().contains("unknown type"), e.getMessage());
            byte[] unknownExport = module(typeSection(0x7f), bytes(0x07, 0x05, 0x01, 0x01, 't', 0x04, 0x00));
            e = assertThrows(CompileError.class, () -> Module.compile(engine, unknownExport));
            assertTrue(e.getMessage().contains("unknown tag"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> WasmTag.create(null, new FuncType(new byte[0], new byte[] {ValType.I32})));
        }
    }
}
