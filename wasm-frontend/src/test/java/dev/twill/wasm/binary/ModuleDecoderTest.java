package dev.twill.wasm.binary;

import static dev.twill.wasm.binary.WasmBytes.b;
import static dev.twill.wasm.binary.WasmBytes.body;
import static dev.twill.wasm.binary.WasmBytes.functype;
import static dev.twill.wasm.binary.WasmBytes.module;
import static dev.twill.wasm.binary.WasmBytes.section;
import static dev.twill.wasm.binary.WasmBytes.u;
import static dev.twill.wasm.binary.WasmBytes.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.twill.CompileError;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hand-assembled modules: what the decoder reads, and what it rejects as malformed. */
class ModuleDecoderTest {
    private static final int I32 = 0x7F, I64 = 0x7E, FUNCREF = 0x70, EXTERNREF = 0x6F;

    private static CompileError malformed(byte[] bytes, String reason) {
        CompileError e = assertThrows(CompileError.class, () -> ModuleDecoder.decode(bytes));
        assertEquals(reason, e.reason, e.getMessage());
        return e;
    }

    /** (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add), named "add". */
    private static byte[] addModule() {
        return module(
            section(1, vec(functype(b(I32, I32), b(I32)))),
            section(3, vec(u(0))),
            section(7, vec(b("add", 0x00, u(0)))),
            section(10, vec(body(vec(), 0x20, 0, 0x20, 1, 0x6A, 0x0B))),
            section(0, "name", b(1, u(6), vec(b(u(0), "add")))));
    }

    @Test
    void decodesAFunctionModule() {
        byte[] bytes = addModule();
        WasmModule m = ModuleDecoder.decode(bytes);
        assertEquals(1, m.types.length);
        assertArrayEquals(new byte[] {ValType.I32, ValType.I32}, m.types[0].params);
        assertArrayEquals(new byte[] {ValType.I32}, m.types[0].results);
        assertEquals(1, m.functionCount());
        assertEquals(0, m.importedFunctions);
        assertEquals("add", m.exports[0].name());
        assertEquals(ExternKind.FUNC, m.exports[0].kind());
        assertEquals("add", m.functionNames[0]);
        assertEquals(-1, m.startFunction);
        assertEquals(-1, m.dataCount);
        FunctionBody fb = m.bodies[0];
        assertEquals(0, fb.localCount());
        // The code range holds the six instruction bytes, end included.
        assertEquals(6, fb.end() - fb.codeStart());
        assertEquals(0x20, bytes[fb.codeStart()]);
        assertEquals(0x0B, bytes[fb.end() - 1]);
        assertEquals(1, m.customSections.length);
        assertEquals("name", m.customSections[0].name());
    }

    @Test
    void emptyModuleAndHeader() {
        WasmModule m = ModuleDecoder.decode(module());
        assertEquals(0, m.functionCount());
        malformed(new byte[0], ByteReader.UNEXPECTED_END);
        malformed(b(0x00, 0x61, 0x73, 0x6D, 0x01), ByteReader.UNEXPECTED_END);
        malformed(b(0x00, 0x61, 0x73, 0x6E, 0x01, 0, 0, 0), "magic header not detected");
        malformed(b(0x00, 0x61, 0x73, 0x6D, 0x02, 0, 0, 0), "unknown binary version");
    }

    @Test
    void sectionsInOrderOnce() {
        byte[] types = section(1, vec(functype(b(), b())));
        byte[] funcs = section(3, vec(u(0)));
        byte[] code = section(10, vec(body(vec(), 0x0B)));
        malformed(module(funcs, types, code), "unexpected content after last section");
        malformed(module(types, types), "unexpected content after last section");
        malformed(module(section(14)), "malformed section id");
        // 13 is 3.0's tag section; without tags (as in 2.0) it is malformed too
        CompileError noTags = assertThrows(CompileError.class, () -> ModuleDecoder.decode(module(section(13, vec())), true, false));
        assertEquals("malformed section id", noTags.reason);
        // The data count section goes between element and code.
        ModuleDecoder.decode(module(types, funcs, section(12, u(0)), code, section(11, vec())));
        malformed(module(types, funcs, code, section(12, u(0))), "unexpected content after last section");
        // Custom sections anywhere.
        WasmModule m = ModuleDecoder.decode(module(section(0, "a"), types, section(0, "b", 1, 2), funcs, code,
            section(0, "c")));
        assertEquals(3, m.customSections.length);
        assertArrayEquals(new byte[] {1, 2}, m.customSections[1].contents());
    }

    @Test
    void sizesAndCounts() {
        byte[] types = section(1, vec(functype(b(), b())));
        malformed(module(section(1, vec(functype(b(), b())), 0x00)), "section size mismatch");
        malformed(module(b(1, u(100), 0)), "length out of bounds");
        malformed(module(types, section(3, vec(u(0)))), "function and code section have inconsistent lengths");
        malformed(module(types, section(10, vec(body(vec(), 0x0B)))), "function and code section have inconsistent lengths");
        malformed(module(section(12, u(2)), section(11, vec(b(1, u(0))))), "data count and data section have inconsistent lengths");
        malformed(module(section(12, u(1))), "data count and data section have inconsistent lengths");
        // A count of 2^32-1 items is refused before anything is allocated for them.
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            malformed(module(b(1, u(5), u(0xFFFF_FFFFL))), ByteReader.UNEXPECTED_END);
            malformed(module(types, b(3, u(5), u(0xFFFF_FFFFL))), ByteReader.UNEXPECTED_END);
        });
    }

    @Test
    void locals() {
        byte[] types = section(1, vec(functype(b(), b())));
        byte[] funcs = section(3, vec(u(0)));
        WasmModule m = ModuleDecoder.decode(module(types, funcs,
            section(10, vec(body(vec(b(u(2), I32), b(u(3), I64)), 0x0B)))));
        FunctionBody fb = m.bodies[0];
        assertEquals(5, fb.localCount());
        assertArrayEquals(new int[] {2, 3}, fb.localCounts());
        assertArrayEquals(new byte[] {ValType.I32, ValType.I64}, fb.localTypes());
        ModuleDecoder.decode(module(types, funcs,
            section(10, vec(body(vec(b(u(25_000), I32), b(u(25_000), I64)), 0x0B)))));
        malformed(module(types, funcs, section(10, vec(body(vec(b(u(25_000), I32), b(u(25_001), I64)), 0x0B)))),
            "too many locals");
        malformed(module(types, funcs, section(10, vec(body(vec(b(u(0xFFFF_FFFFL), I32)), 0x0B)))), "too many locals");
    }

    @Test
    void typesAndSimd() {
        malformed(module(section(1, vec(b(0x61, 0, 0)))), "malformed function type");
        malformed(module(section(1, vec(functype(b(0x7B), b())))), "SIMD is not supported");
        malformed(module(section(1, vec(functype(b(0x7A), b())))), "malformed value type");
        malformed(module(section(1, vec(functype(b(0x40), b())))), "malformed reference type");
        malformed(module(section(4, vec(b(I32, 0, 0)))), "malformed reference type");
        malformed(module(section(6, vec(b(I32, 2, 0x41, 0, 0x0B)))), "malformed mutability");
        // limits flag 2 (shared memory, threads): a 1-bit LEB128 in 2.0, a flag byte with memory64 (3.0)
        CompileError e = assertThrows(CompileError.class, () -> ModuleDecoder.decode(module(section(5, vec(b(2, 0)))), false));
        assertEquals("integer too large", e.reason);
        malformed(module(section(5, vec(b(2, 0)))), "malformed limits flags");
        malformed(module(section(4, vec(b(FUNCREF, 4, 0)))), "malformed limits flags"); // table64 is not supported
        malformed(module(section(2, vec(b("m", "n", 5, 0)))), "malformed import kind");
        malformed(module(section(7, vec(b("e", 5, 0)))), "malformed export kind");
        // kind 4 is a tag (3.0): malformed without tags
        e = assertThrows(CompileError.class, () -> ModuleDecoder.decode(module(section(2, vec(b("m", "n", 4, 0, 0)))), true, false));
        assertEquals("malformed import kind", e.reason);
        e = assertThrows(CompileError.class, () -> ModuleDecoder.decode(module(section(7, vec(b("e", 4, 0)))), true, false));
        assertEquals("malformed export kind", e.reason);
    }

    @Test
    void importsTablesMemoriesGlobals() {
        WasmModule m = ModuleDecoder.decode(module(
            section(1, vec(functype(b(), b()))),
            section(2, vec(b("env", "f", 0, u(0)), b("env", "t", 1, EXTERNREF, 1, u(1), u(10)),
                b("env", "mem", 2, 0, u(1)), b("env", "g", 3, I64, 1))),
            section(4, vec(b(FUNCREF, 0, u(3)))),
            section(6, vec(b(I32, 0, 0x41, 0x2A, 0x0B)))));
        assertEquals(1, m.importedFunctions);
        assertEquals(2, m.tables.length);
        assertEquals(1, m.importedTables);
        assertEquals(ValType.EXTERNREF, m.tables[0].elemType());
        assertEquals(new Limits(1, 10), m.tables[0].limits());
        assertEquals(new Limits(3, -1), m.tables[1].limits());
        assertEquals(new Limits(1, -1), m.memories[0].limits());
        assertEquals(2, m.globalTypes.length);
        assertEquals(new GlobalType(ValType.I64, true), m.globalTypes[0]);
        assertArrayEquals(new byte[] {0x41, 0x2A, 0x0B}, m.globals[0].init().code());
        assertEquals("mem", m.imports[2].name());
        assertEquals(1, m.functionTypes.length);
    }

    @Test
    void elementSegmentEncodings() {
        byte[] off = b(0x41, 0x00, 0x0B);
        byte[] refNull = b(0xD0, FUNCREF, 0x0B);
        byte[] refFunc = b(0xD2, u(0), 0x0B);
        WasmModule m = ModuleDecoder.decode(module(
            section(1, vec(functype(b(), b()))), section(3, vec(u(0))), section(4, vec(b(FUNCREF, 0, u(1)), b(EXTERNREF, 0, u(1)))),
            section(9, vec(
                b(u(0), off, vec(u(0))),                          // 0: active table 0, indices
                b(u(1), 0x00, vec(u(0), u(0))),                   // 1: passive, elemkind, indices
                b(u(2), u(1), off, 0x00, vec()),                  // 2: active table 1, elemkind, indices
                b(u(3), 0x00, vec(u(0))),                         // 3: declarative, indices
                b(u(4), off, vec(refNull, refFunc)),              // 4: active table 0, expressions
                b(u(5), EXTERNREF, vec(b(0xD0, EXTERNREF, 0x0B))), // 5: passive, reftype, expressions
                b(u(6), u(1), off, FUNCREF, vec(refFunc)),        // 6: active table 1, reftype, expressions
                b(u(7), FUNCREF, vec(refNull)))),                 // 7: declarative, reftype, expressions
            section(10, vec(body(vec(), 0x0B)))));
        ElementSegment[] e = m.elements;
        int[] modes = {SegmentMode.ACTIVE, SegmentMode.PASSIVE, SegmentMode.ACTIVE, SegmentMode.DECLARATIVE,
            SegmentMode.ACTIVE, SegmentMode.PASSIVE, SegmentMode.ACTIVE, SegmentMode.DECLARATIVE};
        int[] tables = {0, 0, 1, 0, 0, 0, 1, 0};
        int[] counts = {1, 2, 0, 1, 2, 1, 1, 1};
        for (int i = 0; i < 8; i++) {
            assertEquals(modes[i], e[i].mode(), "segment " + i);
            assertEquals(tables[i], e[i].table(), "segment " + i);
            assertEquals(counts[i], e[i].count(), "segment " + i);
            assertEquals(i < 4, e[i].functionIndices() != null, "segment " + i);
            assertEquals(modes[i] == SegmentMode.ACTIVE, e[i].offset() != null, "segment " + i);
        }
        assertEquals(ValType.EXTERNREF, e[5].elemType());
        assertEquals(ValType.FUNCREF, e[0].elemType());
        assertArrayEquals(refFunc, e[4].items()[1].code());
        malformed(module(section(9, vec(b(u(8))))), "malformed elements segment kind");
        malformed(module(section(9, vec(b(u(1), 0x01, vec())))), "malformed element kind");
        malformed(module(section(9, vec(b(u(5), I32, vec())))), "malformed reference type");
    }

    @Test
    void dataSegmentEncodings() {
        WasmModule m = ModuleDecoder.decode(module(section(5, vec(b(0, u(1)))),
            section(11, vec(b(u(0), 0x41, 0x08, 0x0B, vec(1, 2, 3)), b(u(1), vec(4)), b(u(2), u(0), 0x41, 0x00, 0x0B, vec())))));
        DataSegment[] d = m.datas;
        assertEquals(SegmentMode.ACTIVE, d[0].mode());
        assertArrayEquals(new byte[] {1, 2, 3}, d[0].bytes());
        assertArrayEquals(new byte[] {0x41, 0x08, 0x0B}, d[0].offset().code());
        assertEquals(SegmentMode.PASSIVE, d[1].mode());
        assertNull(d[1].offset());
        assertArrayEquals(new byte[] {4}, d[1].bytes());
        assertEquals(SegmentMode.ACTIVE, d[2].mode());
        malformed(module(section(11, vec(b(u(3))))), "malformed data segment kind");
    }

    @Test
    void constantExpressionsNeedTheirEnd() {
        // The expression may hold any instruction (validation rejects non-constant ones), nested blocks included.
        ModuleDecoder.decode(module(section(6, vec(b(I32, 0, 0x02, 0x40, 0x0B, 0x41, 0x00, 0x0B)))));
        malformed(module(section(6, vec(b(I32, 0, 0x41, 0x00)))), ByteReader.UNEXPECTED_END);
        malformed(module(section(6, vec(b(I32, 0, 0x06, 0x0B)))), "illegal opcode 06");
        malformed(module(section(6, vec(b(I32, 0, 0xFD, 0x0C, 0x0B)))), "SIMD is not supported");
    }

    @Test
    void nameSectionIsLenient() {
        byte[] types = section(1, vec(functype(b(), b())));
        byte[] funcs = section(3, vec(u(0), u(0)));
        byte[] code = section(10, vec(body(vec(), 0x0B), body(vec(), 0x0B)));
        WasmModule m = ModuleDecoder.decode(module(types, funcs, code,
            section(0, "name", b(1, u(9), vec(b(u(1), "second"))))));
        assertNull(m.functionNames[0]);
        assertEquals("second", m.functionNames[1]);
        assertEquals("func[0]", m.functionName(0));
        // Broken name sections do not make the module malformed.
        m = ModuleDecoder.decode(module(types, funcs, code, section(0, "name", b(1, u(50), 7))));
        assertNull(m.functionNames[1]);
        m = ModuleDecoder.decode(module(types, funcs, code, section(0, "name", b(1, u(4), vec(b(u(9), "x"))))));
        assertEquals(2, m.functionNames.length);
    }
}
