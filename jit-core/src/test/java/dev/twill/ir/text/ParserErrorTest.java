package dev.twill.ir.text;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import org.junit.jupiter.api.Test;

/** Errors name what is wrong and point at it: line and column counted by hand from the text. */
class ParserErrorTest {
    private static void fails(String text, int line, int column, String reasonPart) {
        CompileError e = assertThrows(CompileError.class, () -> Parser.parseFile(text, "e.clif"));
        assertEquals("e.clif", e.source);
        assertTrue(e.reason.contains(reasonPart), "reason: " + e.reason);
        assertEquals(line + ":" + column, e.line + ":" + e.column, e.getMessage());
        assertTrue(e.getMessage().startsWith("e.clif:" + line + ":" + column + ": "), e.getMessage());
    }

    /** A one-block function around {@code body} lines; the body starts on line 3. */
    private static String fn(String... body) {
        return "function %f(i32) -> i32 {\nblock0(v0: i32):\n" + String.join("\n", body) + "\n}\n";
    }

    @Test
    void undefinedNames() {
        fails(fn("    v1 = iadd v0, v9", "    return v1"), 3, 19, "undefined value v9");
        fails(fn("    jump block7"), 3, 10, "undefined block block7");
        fails(fn("    v1 = stack_load.i32 ss0", "    return v1"), 3, 25, "undefined stack slot ss0");
        fails(fn("    v1 = call fn2(v0)", "    return v1"), 3, 15, "undefined function reference fn2");
        fails(fn("    v1 = global_value.i64 gv0", "    return v0"), 3, 27, "undefined global value gv0");
        // the earliest use is reported, not the lowest number
        fails(fn("    v1 = iadd v0, v8", "    v2 = iadd v1, v3", "    return v2"), 3, 19, "undefined value v8");
    }

    @Test
    void unknownWords() {
        fails(fn("    v1 = iaddd v0, v0", "    return v1"), 3, 10, "unknown opcode 'iaddd'");
        fails("function %f(i33) {\nblock0:\n    return\n}\n", 1, 13, "unknown or unsupported type 'i33'");
        fails("function %f(i32 zext) {\nblock0:\n    return\n}\n", 1, 17, "unknown parameter attribute 'zext'");
        fails("function %f() fastest {\nblock0:\n    return\n}\n", 1, 15, "unknown calling convention 'fastest'");
        fails(fn("    v1 = icmp less v0, v0", "    return v1"), 3, 15, "integer condition code");
        fails(fn("    trap int_div"), 3, 10, "unknown trap code 'int_div'");
        fails(fn("    v1 = load.i32 nontrap v0", "    return v1"), 3, 19, "unknown memory flag 'nontrap'");
        fails("tset run\nfunction %f() {\n}\n", 1, 1, "expected 'test', 'target', 'set' or 'function'");
        fails("test run\n\n  fnction %f() {\n}\n", 3, 3, "found 'fnction'");
    }

    @Test
    void duplicatesAndCounts() {
        fails(fn("    v1 = iconst.i32 1", "    v1 = iconst.i32 2", "    return v1"), 4, 5, "v1 is defined twice");
        fails(fn("    v0 = iconst.i32 1", "    return v0"), 3, 5, "v0 is defined twice");
        fails(fn("    return v0", "", "block0:", "    return v0"), 5, 1, "block0 is defined twice");
        fails("function %f() {\n    ss0 = explicit_slot 4\n    ss0 = explicit_slot 8\nblock0:\n    return\n}\n", 3, 5, "ss0 is declared twice");
        fails("function %f() {\n    gv1 = vmctx\nblock0:\n    return\n}\n", 2, 5, "gv1 is declared but gv0 is not");
        fails("function %f() {\n    gv0 = load.i64 gv3\nblock0:\n    return\n}\n", 2, 20, "undefined global value gv3");
        fails(fn("    v1, v2 = iadd v0, v0", "    return v1"), 3, 14, "iadd produces 1 result but 2 are named");
        fails(fn("    v1 = store v0, v0", "    return v0"), 3, 10, "store produces 0 results but 1 is named");
        fails(fn("    iadd v0, v0", "    return v0"), 3, 5, "iadd produces 1 result but 0 are named");
        fails(fn("    v1 = iadd v0", "    return v1"), 4, 5, "expected ','");
    }

    @Test
    void typeSuffixes() {
        fails(fn("    v1 = iconst 5", "    return v1"), 3, 10, "iconst needs a type suffix");
        fails(fn("    v1 = iadd.i64 v0, v0", "    return v1"), 3, 10, "does not match the type i32 of v0");
        fails(fn("    v1 = iconst.i64 1", "    return.i32 v1"), 4, 5, "return does not take the type suffix .i32");
        fails(fn("    v1 = iconst.i8 256", "    return v1"), 3, 20, "out of range for 8 bits");
        fails(fn("    v1 = iconst.i8 -129", "    return v1"), 3, 20, "out of range for 8 bits");
        fails(fn("    v1 = f32const 0x1.000001p0", "    return v0"), 3, 19, "not exactly representable as f32");
        fails(fn("    v1 = f64const 0x1p1024", "    return v0"), 3, 19, "too large for f64");
        fails(fn("    v1 = f32const -sNaN:0x0", "    return v0"), 3, 19, "signalling NaN needs a non-zero payload");
    }

    @Test
    void cyclesAndStructure() {
        fails(fn("    v1 = iadd v2, v2", "    v2 = iadd v1, v1", "    return v1"), 4, 10,
                "cannot infer the type of v1: its definition depends on itself");
        fails(fn("    v1 -> v2", "    v2 -> v1", "    return v1"), 3, 5, "alias cycle");
        fails("function %f() {\n    v0 = iconst.i32 1\n}\n", 2, 5, "expected a block header");
        fails(fn("    return v0") + "    v1 = iconst.i32 0\n", 5, 5, "expected 'function', found 'v1'");
        fails("function %f() {\nblock0:\n    return\n", 4, 1, "expected '}'");
        fails("", 1, 1, "expected a function");
        fails("; only a comment\n", 2, 1, "expected a function");
        fails(fn("    v99999999999 = iconst.i32 1", "    return v0"), 3, 5, "too large");
        fails(fn("    v1 = iadd v0, v0 $", "    return v1"), 3, 22, "'$'");
        fails(fn("    br_table v0, block0, jt0"), 3, 26, "undefined jump table jt0");
    }

    @Test
    void locationsCountCommentsAndBlankLines() {
        String text = "; header comment\n\ntest cat\n\nfunction %f(i32) -> i32 {\n"
                + "    ; a comment inside\n\nblock0(v0: i32):\t; tab before comment\n"
                + "\tv1 = iadd v0, v7\n    return v1\n}\n";
        fails(text, 9, 16, "undefined value v7");
    }

    @Test
    void parseFunctionWantsExactlyOne() {
        String two = "function %a() {\nblock0:\n    return\n}\nfunction %b() {\nblock0:\n    return\n}\n";
        CompileError e = assertThrows(CompileError.class, () -> Parser.parseFunction(two));
        assertEquals(5, e.line);
        assertEquals("%a", Parser.parseFunction("function %a() {\nblock0:\n    return\n}\n").name);
    }
}
