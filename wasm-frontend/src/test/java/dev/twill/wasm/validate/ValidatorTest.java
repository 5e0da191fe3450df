package dev.twill.wasm.validate;

import static dev.twill.wasm.binary.WasmBytes.b;
import static dev.twill.wasm.binary.WasmBytes.body;
import static dev.twill.wasm.binary.WasmBytes.functype;
import static dev.twill.wasm.binary.WasmBytes.module;
import static dev.twill.wasm.binary.WasmBytes.section;
import static dev.twill.wasm.binary.WasmBytes.u;
import static dev.twill.wasm.binary.WasmBytes.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.WasmModule;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Hand-assembled function bodies and module-level rules (WebAssembly 2.0 §3). */
class ValidatorTest {
    private static final int I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, FUNCREF = 0x70, EXTERNREF = 0x6F;
    private static final int END = 0x0B;

    /** Type 0 = ()->(); type 1 = ()->(i32); type 2 = (i32 i32)->(i32); type 3 = (i32)->(i32). */
    private static final byte[] TYPES = section(1, vec(functype(b(), b()), functype(b(), b(I32)),
        functype(b(I32, I32), b(I32)), functype(b(I32), b(I32))));

    /** A module of one function of type {@code type} with {@code code}; {@code extra} sections go between function and code. */
    private static byte[] fn(int type, byte[] locals, Object[] code, Object... extra) {
        return module(TYPES, section(3, vec(u(type))), b(extra), section(10, vec(body(locals, code))));
    }

    private static byte[] fn(int type, Object... code) {
        return fn(type, vec(), code);
    }

    private static void valid(byte[] bytes) {
        Validator.validate(ModuleDecoder.decode(bytes));
    }

    private static void invalid(byte[] bytes, String reason) {
        invalid(bytes, reason, true);
    }

    /** Invalid by the WebAssembly 2.0 rules (multi-memory, memory64 and 3.0's constant expressions off). */
    private static void invalid20(byte[] bytes, String reason) {
        invalid(bytes, reason, false);
    }

    private static void invalid(byte[] bytes, String reason, boolean wasm30) {
        WasmModule m = ModuleDecoder.decode(bytes);
        CompileError e = assertThrows(CompileError.class, () -> Validator.validate(m, wasm30, true, wasm30));
        assertTrue(e.reason.startsWith(reason), "expected \"" + reason + "\", got " + e.getMessage());
    }

    private static final byte[] MEMORY = section(5, vec(b(0, u(1))));

    @Test
    void operandTypes() {
        valid(fn(2, 0x20, 0, 0x20, 1, 0x6A, END));
        invalid(fn(2, 0x20, 0, 0x20, 1, 0x7C, END), "type mismatch"); // i64.add on i32s
        invalid(fn(1, 0x41, 1, 0x41, 2, END), "type mismatch"); // one value too many
        invalid(fn(1, END), "type mismatch"); // none
        invalid(fn(0, 0x6A, 0x1A, END), "type mismatch"); // i32.add on an empty stack
        valid(fn(0, vec(b(u(1), F32)), new Object[] {0x20, 0, 0x8C, 0x21, 0, END})); // f32.neg of a local
        invalid(fn(0, 0x20, 0, 0x1A, END), "unknown local 0");
        invalid(fn(0, 0x41, 0, 0x45, 0x50, 0x1A, END), "type mismatch"); // i64.eqz of i32
    }

    @Test
    void polymorphicStack() {
        valid(fn(0, 0x00, 0x6A, 0x1A, END)); // unreachable; i32.add; drop
        valid(fn(1, 0x00, END));
        valid(fn(1, 0x41, 0, 0x0F, 0x6A, END)); // i32.const; return; then i32.add of unknowns
        invalid(fn(1, 0x42, 0, 0x0F, 0x6A, END), "type mismatch"); // return still needs an i32
        invalid(fn(1, 0x41, 0, 0x0F, 0x7C, END), "type mismatch"); // i64.add leaves an i64
        invalid(fn(1, 0x00, 0x42, 0, END), "type mismatch"); // a known i64 is still an i64
        valid(fn(1, 0x02, 0x7F, 0x41, 1, 0x0C, 0, 0x6A, END, END)); // block(i32): br 0; i32.add unreachable
        invalid(fn(1, 0x02, 0x7F, 0x41, 1, 0x0C, 0, 0x7C, END, END), "type mismatch"); // i64.add makes an i64
        // select after unreachable takes its type from the one known operand.
        valid(fn(1, 0x00, 0x41, 1, 0x1B, END));
        invalid(fn(1, 0x00, 0x42, 1, 0x41, 0, 0x1B, END), "type mismatch");
    }

    @Test
    void blocksAndBranches() {
        // Multi-value: (i32 i32) -> (i32) block by type index.
        valid(fn(1, 0x41, 1, 0x41, 2, 0x02, 2, 0x6A, END, END));
        invalid(fn(1, 0x41, 1, 0x02, 2, 0x6A, END, END), "type mismatch");
        // A loop's label takes its params.
        valid(fn(1, 0x41, 0, 0x03, 3, 0x0C, 0, END, END));
        invalid(fn(1, 0x41, 0, 0x03, 1, 0x0C, 0, END, END), "type mismatch");
        // if without else must map params to results.
        invalid(fn(1, 0x41, 1, 0x04, I32, 0x41, 2, END, END), "type mismatch");
        valid(fn(1, 0x41, 1, 0x04, I32, 0x41, 2, 0x05, 0x41, 3, END, END));
        valid(fn(1, 0x41, 7, 0x41, 1, 0x04, 3, END, END)); // if (i32)->(i32) without else: identity
        invalid(fn(0, 0x02, 0x40, 0x05, END, END), "END opcode expected"); // else in a block
        invalid(fn(0, 0x0C, 1, END), "unknown label");
        valid(fn(0, 0x0C, 0, END));
        invalid(fn(0, 0x02, u(9), END, END), "unknown type");
        // br_if keeps the label's values.
        valid(fn(1, 0x02, I32, 0x41, 1, 0x41, 0, 0x0D, 0, END, END));
        invalid(fn(1, 0x02, I32, 0x41, 0, 0x0D, 0, END, END), "type mismatch");
    }

    @Test
    void brTable() {
        // block(i32) block(i32) i32.const 0 i32.const 0 br_table [0 1] end end
        valid(fn(1, 0x02, I32, 0x02, I32, 0x41, 0, 0x41, 0, 0x0E, vec(u(0)), u(1), END, END, END));
        // Arities differ: the inner block has none.
        invalid(fn(1, 0x02, I32, 0x02, 0x40, 0x41, 0, 0x41, 0, 0x0E, vec(u(0)), u(2), END, END, END), "type mismatch");
        invalid(fn(0, 0x41, 0, 0x0E, vec(u(0)), u(3), END), "unknown label");
        // Unreachable: operand types come from the labels, which must still agree in arity.
        valid(fn(1, 0x02, I32, 0x00, 0x0E, vec(u(0)), u(1), END, END));
    }

    @Test
    void selectAndReferences() {
        byte[] table = section(4, vec(b(FUNCREF, 0, u(1))));
        // select on funcref needs the typed form.
        invalid(fn(0, 0xD0, FUNCREF, 0xD0, FUNCREF, 0x41, 0, 0x1B, 0x1A, END), "type mismatch");
        valid(fn(0, 0xD0, FUNCREF, 0xD0, FUNCREF, 0x41, 0, 0x1C, vec(FUNCREF), 0x1A, END));
        invalid(fn(0, 0x41, 0, 0x41, 0, 0x41, 0, 0x1C, vec(I32, I32), 0x1A, END), "invalid result arity");
        valid(fn(1, 0xD0, EXTERNREF, 0xD1, END));
        invalid(fn(1, 0x41, 0, 0xD1, END), "type mismatch");
        // ref.func needs the function to be declared (C.refs): here by an export or an element segment.
        invalid(fn(0, 0xD2, 0, 0x1A, END), "undeclared function reference");
        valid(fn(0, vec(), new Object[] {0xD2, 0, 0x1A, END}, section(7, vec(b("f", 0, u(0))))));
        valid(fn(0, vec(), new Object[] {0xD2, 0, 0x1A, END}, table,
            section(9, vec(b(u(3), 0x00, vec(u(0)))))));
        invalid(fn(0, 0xD2, 1, 0x1A, END), "unknown function 1");
        // Tables.
        valid(fn(0, vec(), new Object[] {0x41, 0, 0x25, 0, 0x1A, END}, table));
        invalid(fn(0, vec(), new Object[] {0x41, 0, 0xD0, EXTERNREF, 0x26, 0, END}, table), "type mismatch");
        invalid(fn(0, 0x41, 0, 0x25, 0, 0x1A, END), "unknown table 0");
        valid(fn(1, vec(), new Object[] {0xD0, FUNCREF, 0x41, 1, 0xFC, u(15), 0, END}, table));
        valid(fn(1, vec(), new Object[] {0x41, 0, 0x11, u(1), 0, END}, table)); // call_indirect type 1
        invalid(fn(1, vec(), new Object[] {0x41, 0, 0x11, u(7), 0, END}, table), "unknown type");
    }

    @Test
    void globals() {
        byte[] globals = section(6, vec(b(I32, 0, 0x41, 5, END), b(I64, 1, 0x42, 5, END)));
        valid(fn(0, vec(), new Object[] {0x23, 0, 0x1A, 0x42, 1, 0x24, 1, END}, globals));
        invalid(fn(0, vec(), new Object[] {0x41, 1, 0x24, 0, END}, globals), "global is immutable");
        invalid(fn(0, vec(), new Object[] {0x41, 1, 0x24, 1, END}, globals), "type mismatch");
        invalid(fn(0, 0x23, 0, 0x1A, END), "unknown global 0");
    }

    @Test
    void constantExpressions() {
        byte[] imports = section(2, vec(b("m", "g", 3, I32, 0), b("m", "mg", 3, I32, 1)));
        valid(module(imports, section(6, vec(b(I32, 0, 0x23, 0, END)))));
        // 2.0: only imported globals, and only immutable ones; no arithmetic
        invalid20(module(imports, section(6, vec(b(I32, 0, 0x41, 0, END), b(I32, 0, 0x23, 2, END)))), "unknown global 2");
        invalid(module(imports, section(6, vec(b(I32, 0, 0x23, 1, END)))), "constant expression required");
        invalid20(module(section(6, vec(b(I32, 0, 0x41, 1, 0x41, 2, 0x6A, END)))), "constant expression required");
        // 3.0: also globals defined before, and i32/i64 add, sub, mul
        valid(module(imports, section(6, vec(b(I32, 0, 0x41, 0, END), b(I32, 0, 0x23, 2, END)))));
        invalid(module(imports, section(6, vec(b(I32, 0, 0x23, 3, END), b(I32, 0, 0x41, 0, END)))), "unknown global 3");
        valid(module(section(6, vec(b(I32, 0, 0x41, 1, 0x41, 2, 0x6A, END)))));
        invalid(module(section(6, vec(b(I32, 0, 0x41, 1, 0x42, 2, 0x6A, END)))), "type mismatch");
        invalid(module(section(6, vec(b(I32, 0, 0x42, 1, END)))), "type mismatch");
        invalid(module(section(6, vec(b(I32, 0, END)))), "type mismatch");
        invalid(module(section(6, vec(b(I32, 0, 0x41, 0, 0x41, 0, END)))), "type mismatch");
        valid(module(MEMORY, section(11, vec(b(u(0), 0x41, 0, END, vec(1))))));
        invalid(module(MEMORY, section(11, vec(b(u(0), 0x42, 0, END, vec(1))))), "type mismatch");
        invalid(module(section(11, vec(b(u(0), 0x41, 0, END, vec(1))))), "unknown memory 0");
    }

    @Test
    void memoryInstructions() {
        valid(fn(1, vec(), new Object[] {0x41, 0, 0x28, 2, 0, END}, MEMORY));
        invalid(fn(1, vec(), new Object[] {0x41, 0, 0x28, 3, 0, END}, MEMORY), "alignment must not be larger than natural");
        invalid(fn(1, vec(), new Object[] {0x41, 0, 0x2D, 1, 0, END}, MEMORY), "alignment must not be larger than natural");
        valid(fn(0, vec(), new Object[] {0x41, 0, 0x42, 0, 0x37, 3, 0, END}, MEMORY));
        invalid(fn(0, vec(), new Object[] {0x41, 0, 0x41, 0, 0x37, 3, 0, END}, MEMORY), "type mismatch");
        invalid(fn(1, 0x41, 0, 0x28, 2, 0, END), "unknown memory 0");
        valid(fn(1, vec(), new Object[] {0x41, 1, 0x40, 0, END}, MEMORY));
        valid(fn(0, vec(), new Object[] {0x41, 0, 0x41, 0, 0x41, 0, 0xFC, u(11), 0, END}, MEMORY));
        invalid(fn(0, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, u(10), 0, 0, END), "unknown memory 0");
    }

    /** Two memories (1 page, then 2): every memory instruction names one (WebAssembly 3.0 §5.4.6). */
    private static final byte[] TWO_MEMORIES = section(5, vec(b(0, u(1)), b(0, u(2))));

    @Test
    void multiMemory() {
        // i32.load with flags 0x42 (bit 6: a memory index follows; align 2), memory 1, offset 0
        valid(fn(1, vec(), new Object[] {0x41, 0, 0x28, 0x42, 1, 0, END}, TWO_MEMORIES));
        valid(fn(1, vec(), new Object[] {0x41, 0, 0x28, 0x42, 0x81, 0, 0, END}, TWO_MEMORIES)); // index 1 as a long LEB
        invalid(fn(1, vec(), new Object[] {0x41, 0, 0x28, 0x42, 2, 0, END}, TWO_MEMORIES), "unknown memory 2");
        invalid(fn(1, vec(), new Object[] {0x41, 0, 0x28, 0x43, 1, 0, END}, TWO_MEMORIES), "alignment must not be larger than natural");
        // i64.store8 into memory 1
        valid(fn(0, vec(), new Object[] {0x41, 0, 0x42, 7, 0x3C, 0x40, 1, 3, END}, TWO_MEMORIES));
        valid(fn(1, vec(), new Object[] {0x3F, 1, END}, TWO_MEMORIES)); // memory.size 1
        valid(fn(1, vec(), new Object[] {0x3F, 0x80, 0, END}, TWO_MEMORIES)); // memory.size 0, a long LEB
        invalid(fn(1, vec(), new Object[] {0x3F, 2, END}, TWO_MEMORIES), "unknown memory 2");
        valid(fn(1, vec(), new Object[] {0x41, 1, 0x40, 1, END}, TWO_MEMORIES)); // memory.grow 1
        invalid(fn(1, vec(), new Object[] {0x41, 1, 0x40, 5, END}, TWO_MEMORIES), "unknown memory 5");
        byte[] three = b(0x41, 0, 0x41, 0, 0x41, 0);
        valid(fn(0, vec(), new Object[] {three, 0xFC, u(10), 1, 0, END}, TWO_MEMORIES)); // memory.copy 1 0
        invalid(fn(0, vec(), new Object[] {three, 0xFC, u(10), 0, 2, END}, TWO_MEMORIES), "unknown memory 2");
        invalid(fn(0, vec(), new Object[] {three, 0xFC, u(10), 2, 0, END}, TWO_MEMORIES), "unknown memory 2");
        valid(fn(0, vec(), new Object[] {three, 0xFC, u(11), 1, END}, TWO_MEMORIES)); // memory.fill 1
        invalid(fn(0, vec(), new Object[] {three, 0xFC, u(11), 3, END}, TWO_MEMORIES), "unknown memory 3");
        byte[] passive = section(11, vec(b(u(1), vec(7))));
        valid(module(TYPES, section(3, vec(u(0))), TWO_MEMORIES, section(12, u(1)),
            section(10, vec(body(vec(), three, 0xFC, u(8), 0, 1, END))), passive)); // memory.init data 0, memory 1
        invalid(module(TYPES, section(3, vec(u(0))), TWO_MEMORIES, section(12, u(1)),
            section(10, vec(body(vec(), three, 0xFC, u(8), 0, 2, END))), passive), "unknown memory 2");
        // an active data segment of memory 1 (flags 2, memory index, offset, bytes)
        valid(module(TWO_MEMORIES, section(11, vec(b(u(2), u(1), 0x41, 0, END, vec(7))))));
        invalid(module(TWO_MEMORIES, section(11, vec(b(u(2), u(2), 0x41, 0, END, vec(7))))), "unknown memory 2");
        // an imported memory and a defined one: indices 0 and 1
        valid(module(TYPES, section(2, vec(b("m", "mem", 2, 0, u(1)))), section(3, vec(u(1))), MEMORY,
            section(10, vec(body(vec(), 0x41, 0, 0x28, 0x40, 1, 0, END)))));
    }

    @Test
    void dataCount() {
        byte[] init = b(0x41, 0, 0x41, 0, 0x41, 0, 0xFC, u(8), 0, 0);
        byte[] passive = section(11, vec(b(u(1), vec(7))));
        byte[] ok = module(TYPES, section(3, vec(u(0))), MEMORY, section(12, u(1)),
            section(10, vec(body(vec(), init, 0xFC, u(9), 0, END))), passive);
        valid(ok);
        byte[] noCount = module(TYPES, section(3, vec(u(0))), MEMORY, section(10, vec(body(vec(), init, END))), passive);
        invalid(noCount, "data count section required");
        byte[] unknown = module(TYPES, section(3, vec(u(0))), MEMORY, section(12, u(1)),
            section(10, vec(body(vec(), 0xFC, u(9), 1, END))), passive);
        invalid(unknown, "unknown data segment 1");
    }

    @Test
    void moduleLevel() {
        invalid(module(section(5, vec(b(0, u(65537))))), "memory size must be at most 65536 pages");
        invalid(module(section(5, vec(b(1, u(2), u(1))))), "size minimum must not be greater than maximum");
        valid(module(section(5, vec(b(1, u(0), u(65536))))));
        invalid20(module(section(5, vec(b(0, u(1)), b(0, u(1))))), "multiple memories");
        valid(module(section(5, vec(b(0, u(1)), b(0, u(1)))))); // multi-memory (3.0)
        invalid(module(section(4, vec(b(FUNCREF, 1, u(3), u(2))))), "size minimum must not be greater than maximum");
        valid(module(section(4, vec(b(FUNCREF, 0, u(1)), b(EXTERNREF, 0, u(1)))))); // several tables are fine in 2.0
        invalid(module(TYPES, section(2, vec(b("m", "f", 0, u(9))))), "unknown type 9");
        byte[] twoExports = fn(0, vec(), new Object[] {END}, section(7, vec(b("a", 0, u(0)), b("a", 0, u(0)))));
        invalid(twoExports, "duplicate export name");
        invalid(fn(0, vec(), new Object[] {END}, section(7, vec(b("a", 2, u(0))))), "unknown memory 0");
        valid(fn(0, vec(), new Object[] {END}, section(8, u(0))));
        invalid(fn(1, vec(), new Object[] {0x41, 0, END}, section(8, u(0))), "start function");
        invalid(fn(0, vec(), new Object[] {END}, section(8, u(1))), "unknown function 1");
        // Element segments: table type and items.
        byte[] table = section(4, vec(b(FUNCREF, 0, u(1))));
        invalid(fn(0, vec(), new Object[] {END}, table, section(9, vec(b(u(0), 0x41, 0, END, vec(u(5)))))), "unknown function 5");
        invalid(fn(0, vec(), new Object[] {END}, table, section(9, vec(b(u(6), u(0), 0x41, 0, END, EXTERNREF, vec())))), "type mismatch");
        invalid(fn(0, vec(), new Object[] {END}, table, section(9, vec(b(u(2), u(1), 0x41, 0, END, 0, vec())))), "unknown table 1");
    }

    /**
     * Module-level errors point at the offending byte. Each expected offset is found by searching
     * the hand-assembled bytes for the entry's distinctive byte pattern.
     */
    @Test
    void moduleLevelErrorsPointAtTheirByte() {
        byte[] bytes = fn(0, vec(), new Object[] {END}, section(7, vec(b("a", 0, u(9)))));
        at(bytes, "unknown function 9", find(bytes, 1, 'a', 0, 9) + 3); // the export's index
        bytes = fn(0, vec(), new Object[] {END}, section(7, vec(b("a", 3, u(4)))));
        at(bytes, "unknown global 4", find(bytes, 1, 'a', 3, 4) + 3);
        bytes = fn(0, vec(), new Object[] {END}, section(7, vec(b("a", 0, u(0)), b("a", 0, u(0)))));
        at(bytes, "duplicate export name", find(bytes, 1, 'a', 0, 0, 1, 'a', 0, 0) + 4); // the second name
        bytes = fn(0, vec(), new Object[] {END}, section(8, u(7)));
        at(bytes, "unknown function 7", find(bytes, 8, 1, 7) + 2); // start section id, size, index
        bytes = fn(1, vec(), new Object[] {0x41, 0, END}, section(8, u(0)));
        at(bytes, "start function", find(bytes, 8, 1, 0) + 2);
        byte[] table = section(4, vec(b(FUNCREF, 0, u(1))));
        bytes = fn(0, vec(), new Object[] {END}, table, section(9, vec(b(u(0), 0x41, 0, END, vec(u(0), u(200), u(5))))));
        at(bytes, "unknown function 200", find(bytes, END, 3, 0, 0xC8, 0x01, 5) + 3); // item 1 of 3, a two-byte LEB
        bytes = fn(0, vec(), new Object[] {END}, table, section(9, vec(b(u(0), 0x41, 0, END, vec(u(0), u(0), u(5))))));
        at(bytes, "unknown function 5", find(bytes, END, 3, 0, 0, 5) + 4); // item 2 of 3
        bytes = module(TYPES, section(2, vec(b("m", "f", 0, u(9)))));
        at(bytes, "unknown type 9", find(bytes, 1, 'm', 1, 'f', 0, 9) + 5); // the import's type index
        bytes = module(TYPES, section(3, vec(u(0), u(9))), section(10, vec(body(vec(), END), body(vec(), END))));
        at(bytes, "unknown type 9", find(bytes, 3, 3, 2, 0, 9) + 4); // the second function's type index
        bytes = module(section(5, vec(b(0, u(1)), b(0, u(2)))));
        at(bytes, "multiple memories", find(bytes, 5, 5, 2, 0, 1, 0, 2) + 5, false); // the second memory, by the 2.0 rules
        bytes = module(section(5, vec(b(0, u(65537)))));
        at(bytes, "memory size must be at most 65536 pages", find(bytes, 5, 5, 1, 0) + 3);
        bytes = module(section(4, vec(b(FUNCREF, 0, u(1)), b(FUNCREF, 1, u(3), u(2)))));
        at(bytes, "size minimum must not be greater than maximum", find(bytes, FUNCREF, 1, 3, 2)); // the second table
        bytes = module(section(2, vec(b("m", "t", 1, FUNCREF, 1, u(3), u(2)))));
        at(bytes, "size minimum must not be greater than maximum", find(bytes, 't', 1, FUNCREF) + 2); // an imported table
        bytes = module(MEMORY, section(11, vec(b(u(2), u(1), 0x41, 0, END, vec()))));
        at(bytes, "unknown memory 1", find(bytes, 2, 1, 0x41, 0, END) + 1); // the data segment's memory index
        bytes = module(section(11, vec(b(u(0), 0x41, 0, END, vec()))));
        at(bytes, "unknown memory 0", find(bytes, 1, 0, 0x41, 0, END) + 1); // implicit memory 0: the segment
    }

    private static void at(byte[] bytes, String reason, int offset) {
        at(bytes, reason, offset, true);
    }

    private static void at(byte[] bytes, String reason, int offset, boolean multiMemory) {
        WasmModule m = ModuleDecoder.decode(bytes);
        CompileError e = assertThrows(CompileError.class, () -> Validator.validate(m, multiMemory));
        assertTrue(e.reason.startsWith(reason), "expected \"" + reason + "\", got " + e.getMessage());
        assertEquals(offset, e.offset, e.getMessage());
    }

    /** The offset of the only occurrence of {@code pattern} in {@code bytes}. */
    private static int find(byte[] bytes, int... pattern) {
        int found = -1;
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            boolean match = true;
            for (int k = 0; k < pattern.length && match; k++) match = bytes[i + k] == (byte) pattern[k];
            if (match) {
                assertEquals(-1, found, "pattern occurs twice");
                found = i;
            }
        }
        assertTrue(found >= 0, "pattern not found");
        return found;
    }

    @Test
    void malformedBodiesTakePrecedence() {
        // Body 0 is ill-typed, body 1 has an illegal opcode: the reference decodes all bodies first.
        byte[] bytes = module(TYPES, section(3, vec(u(0), u(0))),
            section(10, vec(body(vec(), 0x6A, END), body(vec(), 0x06, END))));
        invalid(bytes, "illegal opcode 06");
        invalid(fn(0, 0xFD, 0x0C, END), "SIMD is not supported");
        invalid20(fn(0, 0x3F, 1, 0x1A, END), "zero byte expected");
        invalid20(fn(0, vec(), new Object[] {0x3F, 0x80, 0, 0x1A, END}, MEMORY), "zero byte expected"); // a long 0
        invalid20(fn(0, 0x41, 0, 0x28, 0x20, 0, 0x1A, END), "malformed memop flags");
        invalid(fn(0, 0x41, 0, 0x28, 0x80, 1, 0, 0x1A, END), "malformed memop flags"); // 128: above bit 6
        invalid(fn(0, 0xFC, u(18), END), "illegal opcode fc 12");
        invalid(fn(0, 0x01), "unexpected end");
        invalid(module(TYPES, section(3, vec(u(0))), section(10, vec(body(vec(), END, 0x01)))), "section size mismatch");
    }

    @Test
    void validatesWithoutAllocatingPerInstruction() {
        // One function of ~300,000 instructions: blocks, locals, arithmetic, branches.
        int reps = 20_000;
        byte[][] code = new byte[reps + 1][];
        for (int i = 0; i < reps; i++) {
            code[i] = b(0x02, 0x40, 0x20, 0, 0x20, 1, 0x6A, 0x21, 0, 0x20, 0, 0x0D, 0, 0x41, 3, 0x1A, 0x01, END);
        }
        code[reps] = b(0x20, 0, END);
        WasmModule m = ModuleDecoder.decode(module(TYPES, section(3, vec(u(2))),
            section(10, vec(body(vec(), (Object[]) code)))));
        Validator v = new Validator();
        v.validateModule(m); // warm up, grow the stacks
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        v.validateModule(m);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 16_384, "validation allocated " + allocated + " bytes for " + reps * 12 + " instructions");
    }
}
