package dev.twill.ir.text;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import org.junit.jupiter.api.Test;

/** CLIF written the way Cranelift's own tests write it parses, with the meaning Cranelift gives it. */
class CraneliftSyntaxTest {
    static final String SAMPLE = """
            test interpret
            test run
            ; a comment among the header lines
            target x86_64
            target aarch64 has_lse
            set opt_level=speed
            set enable_verifier=false enable_probestack

            function %add(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = iadd v0, v1
                return v2
            }
            ; run: %add(1, 2) == 3
            ; run: %add(-1, 1) == 0

            function %sum_loop(i32) -> i32 fast {
                ss0 = explicit_slot 8, align = 4
                sig0 = (i32) -> i32 tail
                fn0 = %callee(i32) -> i32
                fn1 = colocated %other sig0
                jt0 = jump_table [block2, block3]

            block0(v0: i32):
                v1 = iconst.i32 0
                jump block1(v0, v1)

            block1(v2: i32, v3: i32):  ; loop header
                v4 = iadd.i32 v3, v2
                v5 = iadd_imm v2, -1
                brif v5, block1(v5, v4), block2

            block2:
                br_table v5, block3, jt0

            block3:
                v6 = call fn0(v4)
                v7 = call fn1(v6)
                return v7
            }
            ; run: %sum_loop(3) == 6

            function u0:1(i64 vmctx, i32) -> i64 wasmtime_system_v {
                gv0 = vmctx
                gv1 = load.i64 notrap aligned readonly gv0+8
                heap0 = dynamic gv0, bound gv1, offset_guard 0, index_type i32

            block0(v0: i64, v1: i32):
                v2 = heap_load.i32 heap0 v1+8
                v3 = uextend.i64 v2
                v4 = iconst.i64 0x7fff_ffff
                v5 = icmp ugt v3, v4
                brz v5, block1
                trap user1

            block1:
                v6 = f64const 0x1.0p1
                v7 = f32const 0.5
                v8 = f64const -2.5e3
                v9 = iconst.i8 -1
                return v3
            }
            """;

    @Test
    void headerIsRead() {
        TestFile file = Parser.parseFile(SAMPLE, "sample.clif");
        assertEquals(2, file.commands().size());
        assertEquals("interpret", file.commands().get(0).name());
        assertTrue(file.hasCommand("run"));
        assertEquals("aarch64", file.targets().get(1).isa());
        assertEquals("has_lse", file.targets().get(1).flags());
        assertEquals("speed", file.setting("opt_level"));
        assertEquals("false", file.setting("enable_verifier"));
        assertEquals("true", file.setting("enable_probestack"));
        assertEquals(3, file.functions().size());
    }

    @Test
    void commentsBelongToTheFunctionTheyFollow() {
        TestFile file = Parser.parseFile(SAMPLE, "sample.clif");
        TestFunction add = file.function("%add");
        assertEquals(9, add.firstLine());
        assertEquals(13, add.lastLine());
        // the header comment (first function only) and the two run lines after the function
        assertEquals(3, add.comments().size());
        assertEquals("a comment among the header lines", add.comments().get(0).text());
        assertEquals(2, add.directives("run").size());
        TestFile.Comment run = add.directives("run").get(1);
        assertEquals(15, run.line());
        assertEquals(3, run.column());
        assertEquals("run: %add(-1, 1) == 0", run.text());
        TestFunction loop = file.function("%sum_loop");
        assertEquals(2, loop.comments().size());
        assertEquals("loop header", loop.comments().get(0).text());
        assertEquals(0, file.function("u0:1").comments().size());
        assertEquals(5, file.comments().size());
    }

    @Test
    void inlineSignaturesBecomeAnonymousSignatures() {
        Function f = Parser.parseFile(SAMPLE, "sample.clif").function("%sum_loop").function();
        assertEquals("fast", f.signature.callConv);
        assertEquals(2, f.signatures.size());
        assertEquals("tail", f.signatures.get(0).callConv);
        assertEquals(1, f.extFuncs.get(0).signature);
        assertEquals(0, f.extFuncs.get(1).signature);
        String printed = Printer.print(f);
        assertTrue(printed.contains("    sig1 = (i32) -> i32\n    fn0 = %callee sig1\n    fn1 = colocated %other sig0\n"), printed);
        // the old jump table became the br_table's own list
        assertTrue(printed.contains("br_table v5, block3, [block2, block3]"), printed);
        assertTrue(printed.contains("v4 = iadd v3, v2"), printed);
        assertEquals(4, f.stackSlots.get(0).align);
    }

    @Test
    void literalsAndHeapDefaults() {
        Function f = Parser.parseFile(SAMPLE, "sample.clif").function("u0:1").function();
        DataFlowGraph dfg = f.dfg;
        assertEquals(0, f.heaps.get(0).min);
        assertEquals(Type.I32, f.heaps.get(0).indexType);
        assertEquals(Double.doubleToRawLongBits(2.0), dfg.imm(dfg.valueDef(6)));
        assertEquals(Float.floatToRawIntBits(0.5f), (int) dfg.imm(dfg.valueDef(7)));
        assertEquals(Double.doubleToRawLongBits(-2500.0), dfg.imm(dfg.valueDef(8)));
        assertEquals(0xFF, dfg.imm(dfg.valueDef(9)));
        assertEquals(0x7FFF_FFFFL, dfg.imm(dfg.valueDef(4)));
        int trap = -1;
        for (int i = 0; i < dfg.numInsts(); i++) if (dfg.opcode(i) == Opcode.TRAP) trap = i;
        assertEquals(dev.twill.ir.TrapCode.user(1), dfg.aux(trap));
        // canonical output parses back to the same text
        String printed = Printer.print(f);
        assertEquals(printed, Printer.print(Parser.parseFunction(printed)));
        assertTrue(printed.contains("v6 = f64const 0x1.0000000000000p1\n"), printed);
        assertTrue(printed.contains("v7 = f32const 0x1.000000p-1\n"), printed);
        assertTrue(printed.contains("trap user(1)\n"), printed);
    }

    @Test
    void oldStyleBranchesAndCrlfLineEnds() {
        String text = "function %old(i32) -> i32 {\r\n"
                + "block0(v0: i32):\r\n"
                + "    brz v0, block2\r\n"
                + "    jump block1\r\n"
                + "block1:\r\n"
                + "    v1 = iconst.i32 1 ; one\r\n"
                + "    return v1\r\n"
                + "block2:\r\n"
                + "    return v0\r\n"
                + "}\r\n";
        TestFile file = Parser.parseFile(text, "crlf.clif");
        assertEquals("one", file.functions().get(0).comments().get(0).text());
        String printed = Printer.print(file.functions().get(0).function());
        assertEquals("""
                function %old(i32) -> i32 {
                block0(v0: i32):
                    brz v0, block2
                    jump block1

                block1:
                    v1 = iconst.i32 1
                    return v1

                block2:
                    return v0
                }
                """, printed);
    }
}
