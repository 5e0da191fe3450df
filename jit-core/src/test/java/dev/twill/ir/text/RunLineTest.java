package dev.twill.ir.text;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import dev.twill.ir.TrapCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunLineTest {
    static final String FILE = """
            test run
            function %f(i32, i8) -> i32 {
            block0(v0: i32, v1: i8):
                return v0
            }
            ; run: %f(1, 2) == 3
            ; run: %f(-1, 0x10) != 5
            ; run: %f(0, -128) traps int_divz
            ; run: %f(true, false) == true
            ; run: %f(7, 1)
            ; check: not a run line

            function %g() -> f32, f64 {
            block0:
                v0 = f32const 0.0
                v1 = f64const 0.0
                return v0, v1
            }
            ; run: %g() == [-0x1.8p2, -NaN:0x1]
            ; run: %g() == [+Inf, 2.5]

            function %t() -> i8 {
            block0:
                v0 = iconst.i8 1
                return v0
            }
            ; run
            ; run: %t() traps user(3)
            """;

    private static List<RunLine> runs(TestFile file, String fn) {
        TestFunction owner = file.function(fn);
        return owner.directives("run").stream().map(c -> RunLine.parse(file, owner, c)).toList();
    }

    @Test
    void integerArgumentsAreMaskedToTheirTypes() {
        TestFile file = Parser.parseFile(FILE, "run.clif");
        List<RunLine> f = runs(file, "%f");
        assertEquals(5, f.size());
        assertArrayEquals(new long[] {1, 2}, f.get(0).args);
        assertArrayEquals(new long[] {3}, f.get(0).expected);
        assertEquals(RunLine.Kind.EQUALS, f.get(0).kind);
        assertArrayEquals(new long[] {0xFFFF_FFFFL, 0x10}, f.get(1).args);
        assertEquals(RunLine.Kind.NOT_EQUALS, f.get(1).kind);
        assertArrayEquals(new long[] {5}, f.get(1).expected);
        assertArrayEquals(new long[] {0, 0x80}, f.get(2).args);
        assertEquals(RunLine.Kind.TRAPS, f.get(2).kind);
        assertEquals(TrapCode.INT_DIVZ, f.get(2).trapCode);
        assertArrayEquals(new long[] {1, 0}, f.get(3).args);
        assertArrayEquals(new long[] {1}, f.get(3).expected);
        assertEquals(RunLine.Kind.TRUE, f.get(4).kind);
        assertEquals(6, f.get(0).line);
        assertEquals(3, f.get(0).column);
        assertEquals("%f", f.get(0).function);
    }

    /** Twill's lines leave the vmctx out for the runner; Cranelift's pass it like any argument. */
    @Test
    void theVmctxArgumentMayBeLeftOutOrGiven() {
        TestFile file = Parser.parseFile("""
                test run
                function %v(i32, i64 vmctx, i8) -> i32 {
                block0(v0: i32, v1: i64, v2: i8):
                    return v0
                }
                ; run: %v(5, -1) == 5
                ; run: %v(5, 77, -1) == 5
                """, "vmctx.clif");
        List<RunLine> v = runs(file, "%v");
        assertFalse(v.get(0).vmctxGiven);
        assertArrayEquals(new long[] {5, 0, 0xFF}, v.get(0).args);
        assertTrue(v.get(1).vmctxGiven);
        assertArrayEquals(new long[] {5, 77, 0xFF}, v.get(1).args);
        TestFile bad = Parser.parseFile("""
                test run
                function %v(i64 vmctx, i32) -> i32 {
                block0(v0: i64, v1: i32):
                    return v1
                }
                ; run: %v(1, 2, 3) == 5
                ; run: %v() == 5
                """, "bad.clif");
        TestFunction owner = bad.function("%v");
        for (TestFile.Comment c : owner.directives("run")) {
            CompileError e = assertThrows(CompileError.class, () -> RunLine.parse(bad, owner, c));
            assertTrue(e.getMessage().contains("takes 1 (or, with the vmctx, 2) arguments"), e.getMessage());
        }
    }

    @Test
    void floatResultsAreRawBits() {
        TestFile file = Parser.parseFile(FILE, "run.clif");
        List<RunLine> g = runs(file, "%g");
        assertArrayEquals(new long[] {Float.floatToRawIntBits(-6.0f) & 0xFFFF_FFFFL, 0xFFF8_0000_0000_0001L}, g.get(0).expected);
        assertArrayEquals(new long[] {0x7F80_0000L, Double.doubleToRawLongBits(2.5)}, g.get(1).expected);
    }

    @Test
    void bareRunCallsTheOwner() {
        TestFile file = Parser.parseFile(FILE, "run.clif");
        List<RunLine> t = runs(file, "%t");
        assertEquals(RunLine.Kind.TRUE, t.get(0).kind);
        assertEquals("%t", t.get(0).function);
        assertEquals(0, t.get(0).args.length);
        assertEquals(TrapCode.user(3), t.get(1).trapCode);
        assertTrue(RunLine.isRunLine("run"));
        assertFalse(RunLine.isRunLine("running"));
    }

    private static void fails(String text, int column, String reasonPart) {
        TestFile file = Parser.parseFile(FILE, "run.clif");
        TestFunction owner = file.function("%f");
        CompileError e = assertThrows(CompileError.class,
                () -> RunLine.parse(file, owner, new TestFile.Comment(40, 3, text)));
        assertEquals(40, e.line);
        assertEquals(column, e.column, e.getMessage());
        assertTrue(e.reason.contains(reasonPart), e.reason);
    }

    @Test
    void errorsPointIntoTheComment() {
        // columns: the comment text starts at column 3
        fails("run: %f(1) == 3", 10, "takes 2 arguments, 1 given");
        fails("run: %f(1, 2, 3) == 3", 17, "takes 2 arguments");
        fails("run: %f(1, 256) == 3", 14, "out of range for 8 bits");
        fails("run: %h(1, 2) == 3", 8, "unknown function %h");
        fails("run: %f(1, 2) == [3, 4]", 24, "returns 1 values");
        fails("run: %f(1, 2) < 3", 17, "expected '==', '!=' or 'traps'");
        fails("run: %f(1, 2) traps oops", 23, "unknown trap code 'oops'");
        fails("run: %f(1, 2) == 3 4", 22, "unexpected '4'");
        fails("run", 3, "a bare 'run' needs a function without parameters");
        fails("run: %f(1.5, 2) == 3", 11, "bad digit");
    }
}
