package dev.twill.isa.x64.lower;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.interp.Interpreter;
import dev.twill.ir.Function;
import dev.twill.ir.TrapCode;
import dev.twill.ir.text.Parser;
import dev.twill.isa.x64.X64Features;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.verify.Verifier;
import org.junit.jupiter.api.Test;

/**
 * Lowers and emits tiny functions with a hand-made allocation ({@link HandAllocation}) and runs
 * the machine code for real; expected values are worked out with Java's arithmetic, and the
 * interpreter must agree.
 */
class X64ExecutionTest {
    private static long[] run(X64Features features, String clif, long... args) throws Throwable {
        Function f = Parser.parseFunction(clif);
        Verifier.verifyOrThrow(f);
        new Legalizer().legalize(f);
        CompiledCode cc = new X64Isa(features).compile(f, new HandAllocation());
        try (NativeRunner r = new NativeRunner()) {
            r.load(new String[] {f.name}, new CompiledCode[] {cc});
            long[] got = r.call(f.name, f.signature, args);
            InterpResult want = new Interpreter(new InterpModule().add(Parser.parseFunction(clif))).call(f.name, args);
            assertTrue(want.returned(), "interpreter: " + want);
            assertArrayEquals(want.values(), got, "native differs from the interpreter");
            return got;
        }
    }

    private static long[] run(String clif, long... args) throws Throwable {
        return run(X64Features.host(), clif, args);
    }

    private static int trap(String clif, long... args) throws Throwable {
        Function f = Parser.parseFunction(clif);
        new Legalizer().legalize(f);
        CompiledCode cc = new X64Isa().compile(f, new HandAllocation());
        try (NativeRunner r = new NativeRunner()) {
            r.load(new String[] {f.name}, new CompiledCode[] {cc});
            try {
                r.call(f.name, f.signature, args);
            } catch (NativeRunner.Trap t) {
                InterpResult want = new Interpreter(new InterpModule().add(Parser.parseFunction(clif))).call(f.name, args);
                assertTrue(want.trapped() && want.trapCode() == t.code, "interpreter: " + want);
                return t.code;
            }
            return fail("no trap");
        }
    }

    @Test
    void addsTwoArguments() throws Throwable {
        String f = "function %f(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = iadd v0, v1\n    return v2\n}";
        assertEquals(5_000_000_007L, run(f, 5_000_000_000L, 7)[0]);
        assertEquals(-1L, run(f, 0, -1)[0]);
    }

    @Test
    void arithmeticChainWithImmediates() throws Throwable {
        String f = """
            function %f(i32, i32, i32) -> i32 {
            block0(v0: i32, v1: i32, v2: i32):
                v3 = imul v0, v1
                v4 = iadd_imm v3, 7
                v5 = bxor v4, v2
                v6 = isub v5, v0
                return v6
            }""";
        int a = 123456, b = -77, c = 0x5A5A5A5A;
        assertEquals(((a * b + 7) ^ c) - a, (int) run(f, a, b, c)[0]);
    }

    @Test
    void divisionChecksAndSignedRemainder() throws Throwable {
        String sdiv = "function %f(i32, i32) -> i32 {\nblock0(v0: i32, v1: i32):\n    v2 = sdiv v0, v1\n    return v2\n}";
        String srem = "function %f(i32, i32) -> i32 {\nblock0(v0: i32, v1: i32):\n    v2 = srem v0, v1\n    return v2\n}";
        String udiv = "function %f(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = udiv v0, v1\n    return v2\n}";
        assertEquals(-7 / 2, (int) run(sdiv, -7, 2)[0]);
        assertEquals(TrapCode.INT_DIVZ, trap(sdiv, 1, 0));
        assertEquals(TrapCode.INT_OVF, trap(sdiv, Integer.MIN_VALUE, -1));
        assertEquals(0, (int) run(srem, Integer.MIN_VALUE, -1)[0]);
        assertEquals(-7 % 3, (int) run(srem, -7, 3)[0]);
        assertEquals(Long.divideUnsigned(-10L, 3), run(udiv, -10, 3)[0]);
        assertEquals(TrapCode.INT_DIVZ, trap(udiv, 5, 0));
    }

    @Test
    void narrowSignedDivisionOverflowsAtItsWidth() throws Throwable {
        String sdiv = "function %f(i8, i8) -> i8 {\nblock0(v0: i8, v1: i8):\n    v2 = sdiv v0, v1\n    return v2\n}";
        assertEquals(TrapCode.INT_OVF, trap(sdiv, -128, -1));
        assertEquals((byte) (-100 / 7) & 0xFF, run(sdiv, -100, 7)[0]);
    }

    @Test
    void narrowShiftsTakeTheAmountModuloTheWidth() throws Throwable {
        String shl = "function %f(i8, i8) -> i8 {\nblock0(v0: i8, v1: i8):\n    v2 = ishl v0, v1\n    return v2\n}";
        assertEquals(0x06, run(shl, 3, 9)[0]); // 9 mod 8 = 1
        String ushr = "function %f(i16, i32) -> i16 {\nblock0(v0: i16, v1: i32):\n    v2 = ushr v0, v1\n    return v2\n}";
        assertEquals(0x8000 >>> 1, run(ushr, 0x8000, 17)[0]);
        String rotl = "function %f(i32, i32) -> i32 {\nblock0(v0: i32, v1: i32):\n    v2 = rotl v0, v1\n    return v2\n}";
        assertEquals(Integer.rotateLeft(0x80000001, 33) & 0xFFFF_FFFFL, run(rotl, 0x80000001L, 33)[0]);
    }

    @Test
    void compareAndBranch() throws Throwable {
        String f = """
            function %f(i64, i64) -> i32 {
            block0(v0: i64, v1: i64):
                v2 = icmp slt v0, v1
                brif v2, block1, block2
            block1:
                v3 = iconst.i32 10
                return v3
            block2:
                v4 = iconst.i32 20
                return v4
            }""";
        assertEquals(10, run(f, -5, 3)[0]);
        assertEquals(20, run(f, 3, -5)[0]);
    }

    @Test
    void selectOnFloatCompareAndCmovMinMax() throws Throwable {
        String f = """
            function %f(f64, f64, i64, i64) -> i64 {
            block0(v0: f64, v1: f64, v2: i64, v3: i64):
                v4 = fcmp eq v0, v1
                v5 = select v4, v2, v3
                return v5
            }""";
        long nan = Double.doubleToRawLongBits(Double.NaN);
        assertEquals(1, run(f, Double.doubleToRawLongBits(2.0), Double.doubleToRawLongBits(2.0), 1, 2)[0]);
        assertEquals(2, run(f, nan, nan, 1, 2)[0]);
        assertEquals(2, run(f, Double.doubleToRawLongBits(2.0), Double.doubleToRawLongBits(3.0), 1, 2)[0]);
        String umin = "function %f(i32, i32) -> i32 {\nblock0(v0: i32, v1: i32):\n    v2 = umin v0, v1\n    return v2\n}";
        assertEquals(5, run(umin, -1, 5)[0]);
    }

    @Test
    void fminFmaxFollowWasm() throws Throwable {
        String min = "function %f(f32, f32) -> f32 {\nblock0(v0: f32, v1: f32):\n    v2 = fmin v0, v1\n    return v2\n}";
        String max = "function %f(f64, f64) -> f64 {\nblock0(v0: f64, v1: f64):\n    v2 = fmax v0, v1\n    return v2\n}";
        long p0 = Float.floatToRawIntBits(0f), m0 = Float.floatToRawIntBits(-0f) & 0xFFFF_FFFFL;
        assertEquals(m0, run(min, p0, m0)[0]);
        assertEquals(m0, run(min, m0, p0)[0]);
        assertTrue(Float.isNaN(Float.intBitsToFloat((int) run(min, Float.floatToRawIntBits(1f), Float.floatToRawIntBits(Float.NaN))[0])));
        assertEquals(Double.doubleToRawLongBits(0.0), run(max, Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(0.0))[0]);
        assertEquals(Double.doubleToRawLongBits(3.5), run(max, Double.doubleToRawLongBits(-1.0), Double.doubleToRawLongBits(3.5))[0]);
    }

    @Test
    void floatToIntTrapsAndSaturates() throws Throwable {
        String t = "function %f(f64) -> i32 {\nblock0(v0: f64):\n    v1 = fcvt_to_sint.i32 v0\n    return v1\n}";
        assertEquals(-2147483648L & 0xFFFF_FFFFL, run(t, Double.doubleToRawLongBits(-2147483648.9))[0]);
        assertEquals(TrapCode.INT_OVF, trap(t, Double.doubleToRawLongBits(-2147483649.0)));
        assertEquals(TrapCode.INT_OVF, trap(t, Double.doubleToRawLongBits(2147483648.0)));
        assertEquals(TrapCode.BAD_TOINT, trap(t, Double.doubleToRawLongBits(Double.NaN)));
        String u = "function %f(f32) -> i64 {\nblock0(v0: f32):\n    v1 = fcvt_to_uint_sat.i64 v0\n    return v1\n}";
        assertEquals(-1L, run(u, Float.floatToRawIntBits(1e30f))[0]);
        assertEquals(0L, run(u, Float.floatToRawIntBits(-5f))[0]);
        assertEquals(1L << 63, run(u, Float.floatToRawIntBits(9.223372e18f))[0]);
        String uu = "function %f(f64) -> i64 {\nblock0(v0: f64):\n    v1 = fcvt_to_uint.i64 v0\n    return v1\n}";
        assertEquals(-2048L, run(uu, Double.doubleToRawLongBits(18446744073709549568.0))[0]);
        assertEquals(TrapCode.INT_OVF, trap(uu, Double.doubleToRawLongBits(-1.0)));
    }

    @Test
    void bitCountsWithAndWithoutTheExtensions() throws Throwable {
        String f = """
            function %f(i64, i16) -> i64, i64, i64, i16 {
            block0(v0: i64, v1: i16):
                v2 = clz v0
                v3 = ctz v0
                v4 = popcnt v0
                v5 = clz v1
                return v2, v3, v4, v5
            }""";
        for (X64Features feat : new X64Features[] {X64Features.BASELINE, X64Features.host()}) {
            long x = 0x0000_0F00_0000_1000L;
            assertArrayEquals(new long[] {Long.numberOfLeadingZeros(x), Long.numberOfTrailingZeros(x), Long.bitCount(x), 16},
                    run(feat, f, x, 0), feat.toString());
        }
    }

    @Test
    void roundingWithAndWithoutSse41() throws Throwable {
        String f = """
            function %f(f64) -> f64, f64, f64, f64 {
            block0(v0: f64):
                v1 = ceil v0
                v2 = floor v0
                v3 = trunc v0
                v4 = nearest v0
                return v1, v2, v3, v4
            }""";
        for (X64Features feat : new X64Features[] {X64Features.BASELINE, X64Features.host()}) {
            for (double x : new double[] {-0.5, 2.5, -3.7, 1e300, -0.0}) {
                long[] got = run(feat, f, Double.doubleToRawLongBits(x));
                assertEquals(Double.doubleToRawLongBits(Math.ceil(x)), got[0], feat + " ceil " + x);
                assertEquals(Double.doubleToRawLongBits(Math.floor(x)), got[1], feat + " floor " + x);
                assertEquals(Double.doubleToRawLongBits(x < 0 ? Math.ceil(x) : Math.floor(x)), got[2], feat + " trunc " + x);
                assertEquals(Double.doubleToRawLongBits(Math.rint(x)), got[3], feat + " nearest " + x);
            }
        }
    }

    @Test
    void stackSlotsAndLoadsStores() throws Throwable {
        String f = """
            function %f(i32, i64) -> i64 {
                ss0 = explicit_slot 16
            block0(v0: i32, v1: i64):
                stack_store v1, ss0+8
                v2 = stack_addr.i64 ss0
                istore8 v0, v2+1
                v3 = uload8.i64 v2+1
                v4 = load.i64 v2+8
                v5 = iadd v3, v4
                return v5
            }""";
        assertEquals(0xAB + 1000L, run(f, 0x12AB, 1000)[0]);
    }

    @Test
    void trapsAndStackLimit() throws Throwable {
        String f = "function %f(i32) -> i32 {\nblock0(v0: i32):\n    trapz v0, user(7)\n    return v0\n}";
        assertEquals(TrapCode.user(7), trap(f, 0));
        assertEquals(5, run(f, 5)[0]);
        // a leaf with a frame of at most a page checks no stack limit (it cannot recurse, and the
        // reserve below the limit holds it); a larger frame is checked against the limit
        String big = "function %g(i32) -> i32 {\n    ss0 = explicit_slot 8192\nblock0(v0: i32):\n"
                + "    stack_store v0, ss0+8000\n    v1 = stack_load.i32 ss0+8000\n    return v1\n}";
        Function fn = Parser.parseFunction(f), g = Parser.parseFunction(big);
        CompiledCode cf = new X64Isa().compile(fn, new HandAllocation()), cg = new X64Isa().compile(g, new HandAllocation());
        try (NativeRunner r = new NativeRunner()) {
            r.load(new String[] {fn.name, g.name}, new CompiledCode[] {cf, cg});
            r.setStackLimit(Long.MAX_VALUE);
            assertEquals(5, r.call(fn.name, fn.signature, 5)[0]);
            NativeRunner.Trap t = assertThrows(NativeRunner.Trap.class, () -> r.call(g.name, g.signature, 5));
            assertEquals(TrapCode.STK_OVF, t.code);
        }
        assertEquals(9, run(big, 9)[0]);
    }

    /**
     * A loop with the shapes wasm code has at every loop header and heap access, compiled by both
     * tiers' allocators: the flag load folds into {@code cmp dword ptr [mem], 0}, the bound load
     * into {@code cmp reg, dword ptr [mem]}, and {@code uextend.i64} of the i32 counter costs
     * nothing, its upper half being zero already; the loop's back edge is one conditional jump.
     * Sum of (n-1) + (n-2) + ... while the counter
     * stays above the bound, all unsigned: worked out by hand below.
     */
    @Test
    void foldedLoadsInComparesAndFreeZeroExtension() throws Throwable {
        String clif = """
            function %f(i32, i32, i32) -> i64 {
                ss0 = explicit_slot 16
            block0(v0: i32, v1: i32, v2: i32):
                v3 = stack_addr.i64 ss0
                store v2, v3
                store v1, v3+8
                v4 = iconst.i64 0
                jump block1(v0, v4)
            block1(v5: i32, v6: i64):
                v7 = load.i32 notrap aligned v3
                trapnz v7, user(3)
                v8 = iadd_imm v5, -1
                v9 = uextend.i64 v8
                v10 = iadd v6, v9
                v11 = load.i32 notrap aligned v3+8
                v12 = icmp ugt v8, v11
                brnz v12, block1(v8, v10)
                return v10
            }""";
        for (dev.twill.machinst.TargetIsa.Settings settings : new dev.twill.machinst.TargetIsa.Settings[] {
                dev.twill.machinst.TargetIsa.Settings.DEFAULT, dev.twill.machinst.TargetIsa.Settings.FAST}) {
            Function f = Parser.parseFunction(clif);
            new Legalizer().legalize(f);
            CompiledCode cc = new X64Isa().compile(f, settings);
            String text = X64Isa.listing(cc).text();
            assertTrue(text.matches("(?s).*cmp dword ptr \\[[a-z0-9]+( \\+ \\d+)?\\], 0.*"), text);
            assertTrue(text.matches("(?s).*cmp e[a-z0-9]+, dword ptr \\[[a-z0-9]+ \\+ \\d+\\].*"), text);
            assertFalse(text.matches("(?s).*mov (e[a-z0-9]+), \\1\\n.*"), text);
            if (settings == dev.twill.machinst.TargetIsa.Settings.DEFAULT) {
                // the back edge needs no moves: its edge block is threaded away, so the loop
                // ends in one conditional jump to its header and the body has no jmp at all
                assertFalse(text.substring(0, text.indexOf("\nret")).contains("\njmp"), text);
            }
            try (NativeRunner r = new NativeRunner()) {
                r.load(new String[] {f.name}, new CompiledCode[] {cc});
                // 9 + 8 + ... + 3
                assertEquals(42, r.call(f.name, f.signature, 10, 3, 0)[0]);
                // 0 - 1 wraps to 0xFFFF_FFFF, which must be zero-extended: 0xFFFF_FFFF + 0xFFFF_FFFE
                assertEquals(0xFFFF_FFFFL + 0xFFFF_FFFEL, r.call(f.name, f.signature, 0, -2, 0)[0]);
                NativeRunner.Trap t = assertThrows(NativeRunner.Trap.class, () -> r.call(f.name, f.signature, 10, 3, 1));
                assertEquals(TrapCode.user(3), t.code);
            }
        }
        // and the interpreter agrees with the hand-worked values
        Interpreter interp = new Interpreter(new InterpModule().add(Parser.parseFunction(clif)));
        assertArrayEquals(new long[] {42}, interp.call("%f", 10, 3, 0).values());
        assertArrayEquals(new long[] {0xFFFF_FFFFL + 0xFFFF_FFFEL}, interp.call("%f", 0, -2, 0).values());
    }

    /**
     * A comparison widened to i32 (as wasm keeps booleans in locals) and branched on after other
     * work: the widening is free and the compare fuses into the branch (no setcc), while a
     * widened compare that is also used as a value is still materialized, once.
     */
    @Test
    void branchOnAWidenedCompareFuses() throws Throwable {
        String clif = """
            function %f(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = icmp ugt v0, v1
                v3 = uextend.i32 v2
                v4 = iadd_imm v0, 100
                brnz v3, block1
                v5 = icmp slt v0, v1
                v6 = uextend.i32 v5
                v7 = iadd v4, v6
                return v7
            block1:
                return v4
            }""";
        Function f = Parser.parseFunction(clif);
        new Legalizer().legalize(f);
        CompiledCode cc = new X64Isa().compile(f, dev.twill.machinst.TargetIsa.Settings.DEFAULT);
        String text = X64Isa.listing(cc).text();
        assertEquals(1, text.split("\nset").length - 1, text); // only v5 is materialized
        assertEquals(1, text.split("movzx e").length - 1, text); // the setcc's own, no second one for the uextend
        Interpreter interp = new Interpreter(new InterpModule().add(Parser.parseFunction(clif)));
        try (NativeRunner r = new NativeRunner()) {
            r.load(new String[] {f.name}, new CompiledCode[] {cc});
            // 5 > 3 unsigned: 105; 3 vs 5: not above, below signed: 103 + 1; -1 vs 5: above unsigned: 99
            long[][] cases = {{5, 3, 105}, {3, 5, 104}, {-1, 5, 99}, {5, 5, 105}};
            for (long[] c : cases) {
                long want = c[2];
                assertEquals(want, (int) r.call(f.name, f.signature, c[0], c[1])[0], c[0] + ", " + c[1]);
                assertEquals(want, (int) interp.call("%f", c[0], c[1]).values()[0]);
            }
        }
    }

    @Test
    void disassemblyListsTheInstructions() throws Throwable {
        Function f = Parser.parseFunction("function %f(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = iadd v0, v1\n    return v2\n}");
        CompiledCode cc = new X64Isa().compile(f, new HandAllocation());
        X64Isa.Listing l = X64Isa.listing(cc);
        assertEquals(cc.code().length, l.size());
        assertTrue(l.text().contains("lea rax, [rdi + rsi]"), l.text());
        assertTrue(l.text().contains("push rbp") && l.text().contains("ret"), l.text());
    }
}
