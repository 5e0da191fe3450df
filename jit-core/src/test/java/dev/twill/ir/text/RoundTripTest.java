package dev.twill.ir.text;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.HeapData;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Canonical texts written by hand: print(parse(text)) must be text, and every opcode must appear. */
class RoundTripTest {
    static final List<String> FILES = List.of("arith.clif", "float.clif", "memory.clif", "control.clif", "clif_compat.clif");

    static String resource(String name) {
        try (InputStream in = RoundTripTest.class.getResourceAsStream("/text/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String printAll(TestFile file) {
        StringBuilder sb = new StringBuilder();
        for (TestFunction tf : file.functions()) {
            if (sb.length() > 0) sb.append('\n');
            Printer.print(tf.function(), sb);
        }
        return sb.toString();
    }

    @TestFactory
    List<DynamicTest> canonicalTextPrintsBackIdentically() {
        return FILES.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            String text = resource(name);
            TestFile file = Parser.parseFile(text, name);
            assertEquals(text, printAll(file));
            // and once more through the printer's own output
            assertEquals(text, printAll(Parser.parseFile(printAll(file), name)));
        })).toList();
    }

    @Test
    void everyOpcodeIsCovered() {
        Set<Opcode> seen = EnumSet.noneOf(Opcode.class);
        for (String name : FILES) {
            for (TestFunction tf : Parser.parseFile(resource(name), name).functions()) {
                DataFlowGraph dfg = tf.function().dfg;
                for (int i = 0; i < dfg.numInsts(); i++) seen.add(dfg.opcode(i));
            }
        }
        Set<Opcode> missing = EnumSet.allOf(Opcode.class);
        missing.removeAll(seen);
        assertEquals(Set.of(), missing);
    }

    private static Function fn(String file, String name) {
        return Parser.parseFile(resource(file), file).function(name).function();
    }

    @Test
    void resultTypesFollowTheOpcode() {
        Function f = fn("arith.clif", "%int_arith");
        DataFlowGraph dfg = f.dfg;
        assertEquals(Type.I32, dfg.valueType(7));   // iadd of i32 params
        assertEquals(Type.I8, dfg.valueType(53));   // icmp
        assertEquals(Type.I8, dfg.valueType(54));   // icmp_imm
        assertEquals(Type.I64, dfg.valueType(56));  // uextend.i64
        assertEquals(Type.I16, dfg.valueType(58));  // ireduce.i16
        assertEquals(Type.F64, dfg.valueType(60));  // bitcast.f64
        assertEquals(Type.I32, dfg.ctrlType(dfg.valueDef(53))); // icmp is controlled by its operand type
        assertEquals(0xFFL, dfg.imm(dfg.valueDef(5)));
        assertEquals(0xD8F1L, dfg.imm(dfg.valueDef(6)));
        assertEquals(-10000L, dfg.imm(dfg.valueDef(4)));

        Function m = fn("memory.clif", "%memory");
        assertEquals(Type.I32, m.dfg.valueType(24)); // first return of sig1
        assertEquals(Type.I64, m.dfg.valueType(25)); // second return of sig1
        assertEquals(Type.I64, m.dfg.valueType(4));  // heap_sload8.i64
        assertEquals(4294967295L, m.dfg.imm(m.dfg.valueDef(8)));
        assertEquals(-1L, m.dfg.imm(m.dfg.valueDef(14)));

        Function c = fn("control.clif", "%control");
        // v3 = iadd v20, v0 where v20 is defined later in the text by a chain of forward references
        assertEquals(Type.I32, c.dfg.valueType(3));
        assertEquals(Type.I32, c.dfg.valueType(20));
        assertEquals(Type.I8, c.dfg.valueType(4));
        assertEquals(DataFlowGraph.DEF_ALIAS, c.dfg.valueKind(7));
        assertEquals(5, c.dfg.valueDef(7));
        assertEquals(Type.I32, c.dfg.valueType(10));
    }

    @Test
    void entitiesKeepTheirFields() {
        Function m = fn("memory.clif", "%memory");
        HeapData h0 = m.heaps.get(0);
        assertEquals(HeapData.Style.STATIC, h0.style);
        assertEquals(0x1_0000L, h0.min);
        assertEquals(0x1_0000_0000L, h0.bound);
        assertEquals(0x8000_0000L, h0.offsetGuard);
        HeapData h1 = m.heaps.get(1);
        assertEquals(HeapData.Style.DYNAMIC, h1.style);
        assertEquals(2, h1.boundGv);
        assertEquals(Type.I64, h1.indexType);
        assertEquals(16, m.tables.get(0).elementSize);
        assertEquals(8, m.stackSlots.get(1).align);
        assertEquals(-4, m.globalValues.get(6).offset);
        assertEquals("%table_base", m.globalValues.get(4).symbol);
        assertTrue(m.globalValues.get(4).colocated);
        Signature s1 = m.signatures.get(1);
        assertEquals("system_v", s1.callConv);
        assertEquals(Signature.PURPOSE_VMCTX, s1.paramPurposes[0]);
        assertArrayEquals(new int[] {Signature.EXT_NONE, Signature.EXT_UEXT, Signature.EXT_SEXT}, s1.paramExts);
        assertArrayEquals(new int[] {Signature.EXT_SEXT, Signature.EXT_NONE}, s1.returnExts);
        assertEquals("u0:1", m.extFuncs.get(1).name);
        assertTrue(m.extFuncs.get(0).colocated);
        assertEquals("u0:5", fn("control.clif", "u0:5").name);
    }
}
