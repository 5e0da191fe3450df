package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.Trap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Self-contained code (no call, trap site, loop or relocation) is called from Java directly,
 * without the entry trampoline; everything else keeps the trampoline and its stack check.
 */
class DirectCallTest {
    private static final String IR = """
            function %add(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = iadd v0, v1
                return v2
            }
            function %mix(f64, i64, i8) -> f64 {
            block0(v0: f64, v1: i64, v2: i8):
                v3 = fcvt_from_sint.f64 v1
                v4 = fmul v0, v3
                v5 = sextend.i64 v2
                v6 = icmp_imm slt v5, 0
                brif v6, block1, block2(v4)
            block1:
                v7 = fneg v4
                jump block2(v7)
            block2(v8: f64):
                return v8
            }
            function %narrow(i8) -> i8 {
            block0(v0: i8):
                v1 = iadd_imm v0, 1
                return v1
            }
            function %div(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = udiv v0, v1
                return v2
            }
            function %count(i32) -> i32 {
            block0(v0: i32):
                v1 = iconst.i32 0
                jump block1(v0, v1)
            block1(v2: i32, v3: i32):
                brz v2, block2(v3)
                v4 = iadd_imm v2, -1
                v5 = iadd_imm v3, 2
                jump block1(v4, v5)
            block2(v6: i32):
                return v6
            }
            function %calls(i32, i32) -> i32 {
                fn0 = %add(i32, i32) -> i32
            block0(v0: i32, v1: i32):
                v2 = call fn0(v0, v1)
                return v2
            }
            function %spin(i64) -> i64 {
                ss0 = explicit_slot 8
            block0(v0: i64):
                v1 = stack_addr.i64 ss0
                store v0, v1
                v2 = iconst.i64 6
                v3 = atomic_rmw.i64 or v1, v2
                v4 = load.i64 v1
                v5 = iadd v3, v4
                return v5
            }
            function %pair(i32) -> i32, i32 {
            block0(v0: i32):
                v1 = iadd_imm v0, 1
                return v0, v1
            }
            """;

    private static Map<String, CompiledCode> compile(JitModule m, String opt) {
        X64Isa isa = new X64Isa();
        Map<String, CompiledCode> out = new LinkedHashMap<>();
        for (TestFunction tf : Parser.parseFile(IR, "direct").functions()) {
            Function f = tf.function();
            new Legalizer().legalize(f);
            m.declareFunction(f.name, f.signature);
            out.put(f.name, isa.compile(f, new TargetIsa.Settings(opt)));
        }
        out.forEach(m::defineFunction);
        m.finalizeDefinitions();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void onlyBoundedCodeThatCannotTrapOrCallOutIsSelfContained(String opt) throws Exception {
        try (JitModule m = new JitModule()) {
            Map<String, CompiledCode> code = compile(m, opt);
            assertTrue(code.get("%add").selfContained());
            assertTrue(code.get("%mix").selfContained());       // forward branches only
            assertTrue(code.get("%narrow").selfContained());
            assertTrue(code.get("%pair").selfContained());      // but two results: the trampoline returns them
            assertFalse(code.get("%div").selfContained());      // int_divz
            assertFalse(code.get("%count").selfContained());    // a loop: unbounded time
            assertFalse(code.get("%calls").selfContained());    // a call
            assertFalse(code.get("%spin").selfContained());     // a lock cmpxchg retry loop inside one instruction
            // a leaf's prologue checks no stack limit (it never touches r15); a caller's does
            assertFalse(X64Isa.listing(code.get("%add")).text().contains("r15"), X64Isa.listing(code.get("%add")).text());
            assertTrue(X64Isa.listing(code.get("%calls")).text().contains("r15"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void directAndTrampolineCallsComputeTheSame(String opt) throws Throwable {
        try (JitModule m = new JitModule()) {
            compile(m, opt);
            assertEquals(Integer.MIN_VALUE, (int) m.handle("%add").invokeExact(Integer.MAX_VALUE, 1));
            assertEquals(-7.5, (double) m.handle("%mix").invokeExact(2.5, 3L, (byte) -1));
            assertEquals(7.5, (double) m.handle("%mix").invokeExact(2.5, 3L, (byte) 1));
            assertEquals((byte) -128, (byte) m.handle("%narrow").invokeExact((byte) 127));
            assertEquals(42, (int) m.handle("%calls").invokeExact(40, 2));
            assertEquals(10, (int) m.handle("%count").invokeExact(5));
            assertArrayEquals(new long[] {5, 6}, (long[]) m.handle("%pair").invokeExact(5));
            assertEquals(9L + (9 | 6), (long) m.handle("%spin").invokeExact(9L));   // old value 9, then 9 | 6
            assertEquals(3, (int) m.handle("%div").invokeExact(7, 2));
            Trap t = assertThrows(Trap.class, () -> {
                int unused = (int) m.handle("%div").invokeExact(7, 0);
            });
            assertEquals("int_divz", t.codeName());
            assertEquals(5, (int) m.leafHandle("%add").invokeExact(2, 3));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void aDirectHandleOfAClosedModuleThrows(String opt) throws Throwable {
        JitModule m = new JitModule();
        compile(m, opt);
        var add = m.handle("%add");
        assertEquals(3, (int) add.invokeExact(1, 2));
        m.close();
        assertThrows(IllegalStateException.class, () -> {
            int unused = (int) add.invokeExact(1, 2);
        });
    }
}
