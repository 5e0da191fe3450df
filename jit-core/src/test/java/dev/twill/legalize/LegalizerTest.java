package dev.twill.legalize;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.TableData;
import dev.twill.ir.Type;
import dev.twill.verify.Verifier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Legalizer output checked against IR text worked out by hand. Value numbers follow from the
 * order of creation: the function's own values first, then each instruction the legalizer
 * makes, in the order it makes them (for a heap access: the heap_addr, then its expansion).
 */
class LegalizerTest {
    static final int NA = MemFlags.NOTRAP | MemFlags.ALIGNED;

    static Signature sig(int[] params, int vmctxIndex, int[] returns) {
        int[] purposes = new int[params.length];
        if (vmctxIndex >= 0) purposes[vmctxIndex] = Signature.PURPOSE_VMCTX;
        return new Signature(params, purposes, new int[params.length], returns, new int[returns.length],
                new int[returns.length], null);
    }

    /** The text from the first block on. */
    static String body(Function f) {
        String s = f.toString();
        return s.substring(s.indexOf("\nblock") + 1);
    }

    static int entry(Function f) {
        int b = f.makeBlock();
        f.layout.appendBlock(b);
        return b;
    }

    static void assertNoSandboxLeft(Function f) {
        for (int b = f.layout.firstBlock(); b >= 0; b = f.layout.nextBlock(b)) {
            for (int i = f.layout.firstInst(b); i >= 0; i = f.layout.nextInst(i)) {
                Opcode op = f.dfg.opcode(i);
                assertNotEquals(Opcode.Level.SANDBOX, op.level, () -> op.text + " left in\n" + f);
                assertNotEquals(Opcode.HEAP_ADDR, op, () -> "heap_addr left in\n" + f);
            }
        }
    }

    // =====================================================================================
    // The issue's example

    /** vmctx, base = load vmctx+8, bound = load vmctx+16: a dynamic heap with an i32 index. */
    static Function issueExample() {
        Function f = new Function("%issue", sig(new int[] {Type.I64, Type.I32}, 0, new int[] {Type.I16}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I64, NA));
        int heap = f.addHeap(new HeapData(gv1, 0, HeapData.Style.DYNAMIC, 0, gv2, 0, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int v1 = f.dfg.appendBlockParam(b0, Type.I32);
        f.dfg.ensureValue(9); // so the load is v10, as in the issue
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int v10 = b.heapLoad(Opcode.HEAP_LOAD, Type.I16, heap, v1, 4);
        assertEquals(10, v10);
        b.ret(v10);
        return f;
    }

    static final String ISSUE_PREAMBLE = """
            function %issue(i64 vmctx, i32) -> i16 {
                gv0 = vmctx
                gv1 = load.i64 notrap aligned gv0+8
                gv2 = load.i64 notrap aligned gv0+16
                heap0 = dynamic gv1, min 0, bound gv2, offset_guard 0, index_type i32

            """;

    static final String ISSUE_FULL = ISSUE_PREAMBLE + """
            block0(v0: i64, v1: i32):
                v12 = uextend.i64 v1
                v13 = load.i64 notrap aligned v0+16
                v14 = iadd_imm v12, 6
                v15 = icmp ugt v14, v13
                trapnz v15, heap_oob
                v16 = load.i64 notrap aligned v0+8
                v11 = iadd v16, v12
                v10 = load.i16 notrap v11+4
                return v10
            }
            """;

    @Test
    void issueExampleLevelByLevel() {
        Function f = issueExample();
        Legalizer legalizer = new Legalizer();
        legalizer.legalizeSandbox(f);
        // heap_load.i16 at offset 4: 4 + 2 bytes from the index must be in bounds
        assertEquals(ISSUE_PREAMBLE + """
                block0(v0: i64, v1: i32):
                    v11 = heap_addr.i64 heap0, v1, 6
                    v10 = load.i16 notrap v11+4
                    return v10
                }
                """, f.toString());
        legalizer.legalize(f);
        assertEquals(ISSUE_FULL, f.toString());
        assertNoSandboxLeft(f);
    }

    @Test
    void issueExampleInOneGo() {
        Function f = issueExample();
        new Legalizer().legalize(f);
        assertEquals(ISSUE_FULL, f.toString());
    }

    // =====================================================================================
    // Every width and extension, on a static heap of 0x10000 bytes with offset 8

    static Stream<Arguments> widths() {
        // op, type, memory-level text, limit = 0x10000 - (8 + bytes) in hex, by hand
        return Stream.of(
                Arguments.of(Opcode.HEAP_LOAD, Type.I8, "load.i8", "0xfff7"),
                Arguments.of(Opcode.HEAP_LOAD, Type.I16, "load.i16", "0xfff6"),
                Arguments.of(Opcode.HEAP_LOAD, Type.I32, "load.i32", "0xfff4"),
                Arguments.of(Opcode.HEAP_LOAD, Type.I64, "load.i64", "0xfff0"),
                Arguments.of(Opcode.HEAP_LOAD, Type.F32, "load.f32", "0xfff4"),
                Arguments.of(Opcode.HEAP_LOAD, Type.F64, "load.f64", "0xfff0"),
                Arguments.of(Opcode.HEAP_ULOAD8, Type.I32, "uload8.i32", "0xfff7"),
                Arguments.of(Opcode.HEAP_SLOAD8, Type.I64, "sload8.i64", "0xfff7"),
                Arguments.of(Opcode.HEAP_ULOAD16, Type.I64, "uload16.i64", "0xfff6"),
                Arguments.of(Opcode.HEAP_SLOAD16, Type.I32, "sload16.i32", "0xfff6"),
                Arguments.of(Opcode.HEAP_ULOAD32, Type.I64, "uload32.i64", "0xfff4"),
                Arguments.of(Opcode.HEAP_SLOAD32, Type.I64, "sload32.i64", "0xfff4"),
                Arguments.of(Opcode.HEAP_STORE, Type.I8, "store", "0xfff7"),
                Arguments.of(Opcode.HEAP_STORE, Type.I16, "store", "0xfff6"),
                Arguments.of(Opcode.HEAP_STORE, Type.I32, "store", "0xfff4"),
                Arguments.of(Opcode.HEAP_STORE, Type.I64, "store", "0xfff0"),
                Arguments.of(Opcode.HEAP_STORE, Type.F32, "store", "0xfff4"),
                Arguments.of(Opcode.HEAP_STORE, Type.F64, "store", "0xfff0"),
                Arguments.of(Opcode.HEAP_ISTORE8, Type.I32, "istore8", "0xfff7"),
                Arguments.of(Opcode.HEAP_ISTORE16, Type.I64, "istore16", "0xfff6"),
                Arguments.of(Opcode.HEAP_ISTORE32, Type.I64, "istore32", "0xfff4"));
    }

    @ParameterizedTest
    @MethodSource("widths")
    void everyWidthAndExtension(Opcode op, int type, String memText, String limit) {
        boolean store = op.canStore();
        Function f = new Function("%w", sig(new int[] {Type.I64, Type.I32, type}, 0,
                store ? new int[0] : new int[] {type}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 0, Type.I64, NA));
        int heap = f.addHeap(new HeapData(gv1, 0, HeapData.Style.STATIC, 0x10000, -1, 0, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int index = f.dfg.appendBlockParam(b0, Type.I32);
        int value = f.dfg.appendBlockParam(b0, type);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        String expected;
        String t = Type.name(type);
        if (store) {
            b.heapStore(op, heap, value, index, 8);
            b.ret();
            expected = "block0(v0: i64, v1: i32, v2: " + t + "):\n"
                    + "    v4 = uextend.i64 v1\n"
                    + "    v5 = icmp_imm ugt v4, " + limit + "\n"
                    + "    trapnz v5, heap_oob\n"
                    + "    v6 = load.i64 notrap aligned v0\n"
                    + "    v3 = iadd v6, v4\n"
                    + "    " + memText + " notrap v2, v3+8\n"
                    + "    return\n}\n";
        } else {
            int r = b.heapLoad(op, type, heap, index, 8);
            b.ret(r);
            expected = "block0(v0: i64, v1: i32, v2: " + t + "):\n"
                    + "    v5 = uextend.i64 v1\n"
                    + "    v6 = icmp_imm ugt v5, " + limit + "\n"
                    + "    trapnz v6, heap_oob\n"
                    + "    v7 = load.i64 notrap aligned v0\n"
                    + "    v4 = iadd v7, v5\n"
                    + "    v3 = " + memText + " notrap v4+8\n"
                    + "    return v3\n}\n";
        }
        new Legalizer().legalize(f);
        assertEquals(expected, body(f));
        assertNoSandboxLeft(f);
    }

    // =====================================================================================
    // Static and dynamic heaps, i32 and i64 indices, impossible and negative offsets

    /** A function (i64 vmctx, idx) -> i32 doing one heap_load.i32 at {@code offset}. */
    static Function oneLoad(HeapData.Style style, long staticBound, int boundType, int indexType, long offset) {
        Function f = new Function("%h", sig(new int[] {Type.I64, indexType}, 0, new int[] {Type.I32}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, boundType, NA));
        int heap = style == HeapData.Style.STATIC
                ? f.addHeap(new HeapData(gv1, 0, style, staticBound, -1, 0, indexType))
                : f.addHeap(new HeapData(gv1, 0, style, 0, gv2, 0, indexType));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int index = f.dfg.appendBlockParam(b0, indexType);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        b.ret(b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, index, offset));
        return f;
    }

    @Test
    void staticHeapOf4GiBPlusNeedsNoCheckForAnI32Index() {
        // bound - size = 0x1_0000_1000 - 0x104 >= 0xffff_ffff: no i32 index can be out of bounds
        Function f = oneLoad(HeapData.Style.STATIC, 0x1_0000_1000L, Type.I64, Type.I32, 0x100);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v4 = uextend.i64 v1
                    v5 = load.i64 notrap aligned v0+8
                    v3 = iadd v5, v4
                    v2 = load.i32 notrap v3+256
                    return v2
                }
                """, body(f));
    }

    @Test
    void staticHeapWithI64IndexChecksWithoutExtending() {
        // 0x1_0000_1000 - (0x100 + 4) = 0x1_0000_0efc
        Function f = oneLoad(HeapData.Style.STATIC, 0x1_0000_1000L, Type.I64, Type.I64, 0x100);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i64):
                    v4 = icmp_imm ugt v1, 0x1_0000_0efc
                    trapnz v4, heap_oob
                    v5 = load.i64 notrap aligned v0+8
                    v3 = iadd v5, v1
                    v2 = load.i32 notrap v3+256
                    return v2
                }
                """, body(f));
    }

    @Test
    void staticallyImpossibleAccessTrapsUnconditionallyAndStaysWellFormed() {
        // 0x10000 + 4 > 0x10000: every index is out of bounds
        Function f = oneLoad(HeapData.Style.STATIC, 0x10000, Type.I64, Type.I32, 0x10000);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v4 = iconst.i8 1
                    trapnz v4, heap_oob
                    v3 = iconst.i64 0
                    v2 = load.i32 notrap v3+65536
                    return v2
                }
                """, body(f));
    }

    @Test
    void offsetBeyondAnI32BoundTrapsUnconditionally() {
        // the bound is an i32, so at most 0xffff_ffff; 0x1_0000_0000 + 4 exceeds it
        Function f = oneLoad(HeapData.Style.DYNAMIC, 0, Type.I32, Type.I32, 0x1_0000_0000L);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v4 = iconst.i8 1
                    trapnz v4, heap_oob
                    v3 = iconst.i64 0
                    v5 = iadd_imm v3, 0x1_0000_0000
                    v2 = load.i32 notrap v5
                    return v2
                }
                """, body(f));
    }

    @Test
    void dynamicHeapWithI32IndexAndOffsetOver32Bits() {
        // i32 index: idx + 0xffff_ffff + 4 cannot wrap 64 bits, so one compare is exact; the
        // offset does not fit the load's signed 32-bit offset, so it goes into the address
        Function f = oneLoad(HeapData.Style.DYNAMIC, 0, Type.I64, Type.I32, 0xFFFF_FFFFL);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v4 = uextend.i64 v1
                    v5 = load.i64 notrap aligned v0+16
                    v6 = iadd_imm v4, 0x1_0000_0003
                    v7 = icmp ugt v6, v5
                    trapnz v7, heap_oob
                    v8 = load.i64 notrap aligned v0+8
                    v3 = iadd v8, v4
                    v9 = iadd_imm v3, 0xffff_ffff
                    v2 = load.i32 notrap v9
                    return v2
                }
                """, body(f));
    }

    @Test
    void dynamicHeapWithI32BoundIsExtended() {
        Function f = oneLoad(HeapData.Style.DYNAMIC, 0, Type.I32, Type.I32, 8);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v4 = uextend.i64 v1
                    v5 = load.i32 notrap aligned v0+16
                    v6 = uextend.i64 v5
                    v7 = iadd_imm v4, 12
                    v8 = icmp ugt v7, v6
                    trapnz v8, heap_oob
                    v9 = load.i64 notrap aligned v0+8
                    v3 = iadd v9, v4
                    v2 = load.i32 notrap v3+8
                    return v2
                }
                """, body(f));
    }

    @Test
    void dynamicHeapWithI64IndexChecksBothWays() {
        // idx + 12 could wrap: trap iff (idx > bound - 12) | (bound < 12)
        Function f = oneLoad(HeapData.Style.DYNAMIC, 0, Type.I64, Type.I64, 8);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i64):
                    v4 = load.i64 notrap aligned v0+16
                    v5 = iadd_imm v4, -12
                    v6 = icmp ugt v1, v5
                    v7 = icmp_imm ult v4, 12
                    v8 = bor v6, v7
                    trapnz v8, heap_oob
                    v9 = load.i64 notrap aligned v0+8
                    v3 = iadd v9, v1
                    v2 = load.i32 notrap v3+8
                    return v2
                }
                """, body(f));
    }

    @Test
    void negativeOffsetIsCheckedAndFoldedIntoTheIndex() {
        Function f = oneLoad(HeapData.Style.STATIC, 0x10000, Type.I64, Type.I32, -4);
        new Legalizer().legalize(f);
        // idx >= 4, then heap_addr (idx - 4), 4 on a static heap: limit 0x10000 - 4 = 0xfffc
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v3 = uextend.i64 v1
                    v4 = icmp_imm ult v3, 4
                    trapnz v4, heap_oob
                    v5 = iadd_imm v3, -4
                    v7 = icmp_imm ugt v5, 0xfffc
                    trapnz v7, heap_oob
                    v8 = load.i64 notrap aligned v0+8
                    v6 = iadd v8, v5
                    v2 = load.i32 notrap v6
                    return v2
                }
                """, body(f));
    }

    @Test
    void heapAddrInTheInputIsExpandedToo() {
        Function f = new Function("%a", sig(new int[] {Type.I64, Type.I32}, 0, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int heap = f.addHeap(new HeapData(gv0, 0, HeapData.Style.STATIC, 0x1000, -1, 0, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int index = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        b.ret(b.heapAddr(Type.I64, heap, index, 0));
        new Legalizer().legalize(f);
        // the heap base is vmctx itself; size 0: trap iff idx > 0x1000
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v3 = uextend.i64 v1
                    v4 = icmp_imm ugt v3, 4096
                    trapnz v4, heap_oob
                    v2 = iadd v0, v3
                    return v2
                }
                """, body(f));
    }

    // =====================================================================================
    // Global values

    @Test
    void globalValueChains() {
        Function f = new Function("%g", sig(new int[] {Type.I32, Type.I64}, 1, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA | MemFlags.READONLY));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv1, 16, Type.I64, MemFlags.NOTRAP));
        int gv3 = f.addGlobalValue(GlobalValueData.iaddImm(gv2, 32, Type.I64));
        int gv4 = f.addGlobalValue(GlobalValueData.symbol("%table", 0, true));
        int gv5 = f.addGlobalValue(GlobalValueData.load(gv4, 4, Type.I32, MemFlags.NONE));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I32);
        f.dfg.appendBlockParam(b0, Type.I64); // v1: vmctx is parameter 1
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int v2 = b.globalValue(Type.I64, gv0);
        int v3 = b.globalValue(Type.I64, gv3);
        int v4 = b.globalValue(Type.I64, gv2);
        int v5 = b.globalValue(Type.I64, gv4);
        int v6 = b.globalValue(Type.I32, gv5);
        int v7 = b.iadd(v2, v3);
        int v8 = b.iadd(v7, v4);
        int v9 = b.iadd(v8, v5);
        int v10 = b.convert(Opcode.UEXTEND, Type.I64, v6);
        b.ret(b.iadd(v9, v10));
        new Legalizer().legalize(f);
        // gv3's chain loads gv1 (v12) and gv2 (v13); the later global_value gv2 reuses v13 (no
        // store in between) and becomes an alias, and gv5's base is the symbol_value v5 itself
        assertEquals("""
                block0(v0: i32, v1: i64):
                    v12 = load.i64 notrap aligned readonly v1+8
                    v13 = load.i64 notrap v12+16
                    v3 = iadd_imm v13, 32
                    v5 = symbol_value.i64 gv4
                    v6 = load.i32 v5+4
                    v2 -> v1
                    v7 = iadd v2, v3
                    v4 -> v13
                    v8 = iadd v7, v4
                    v9 = iadd v8, v5
                    v10 = uextend.i64 v6
                    v11 = iadd v9, v10
                    return v11
                }
                """, body(f));
        assertEquals(1, f.dfg.resolveAliases(v2));
        assertEquals(13, f.dfg.resolveAliases(v4));
        assertNoSandboxLeft(f);
    }

    @Test
    void vmctxGlobalWithoutVmctxParameterIsACompileError() {
        Function f = new Function("%novm", sig(new int[] {Type.I64}, -1, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 0, Type.I64, NA));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        b.ret(b.globalValue(Type.I64, gv1));
        CompileError e = assertThrows(CompileError.class, () -> new Legalizer().legalize(f));
        assertTrue(e.getMessage().startsWith("%novm, v1 = global_value.i64 gv1: "), e.getMessage());
        assertTrue(e.reason.contains("vmctx"), e.reason);
    }

    @Test
    void cyclicGlobalValueChainIsACompileError() {
        Function f = new Function("%cyc", sig(new int[] {Type.I64}, 0, new int[] {Type.I64}));
        f.addGlobalValue(GlobalValueData.load(1, 0, Type.I64, NA));
        f.addGlobalValue(GlobalValueData.load(0, 0, Type.I64, NA));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        b.ret(b.globalValue(Type.I64, 0));
        CompileError e = assertThrows(CompileError.class, () -> new Legalizer().legalize(f));
        assertTrue(e.reason.contains("cyclic"), e.reason);
    }

    @Test
    void unknownHeapIsACompileError() {
        Function f = new Function("%nh", sig(new int[] {Type.I64, Type.I32}, 0, new int[] {Type.I32}));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int index = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        b.ret(b.heapLoad(Opcode.HEAP_LOAD, Type.I32, 3, index, 0));
        CompileError e = assertThrows(CompileError.class, () -> new Legalizer().legalize(f));
        assertEquals("%nh, v2 = heap_load.i32 heap3 v1: unknown heap3", e.getMessage());
    }

    // =====================================================================================
    // Tables

    /** (i64 vmctx, i32 idx) -> i64 = table_addr of a table with the given element size. */
    static Function oneTableAddr(int elementSize, long offset) {
        Function f = new Function("%t", sig(new int[] {Type.I64, Type.I32}, 0, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I32, NA));
        int table = f.addTable(new TableData(gv1, 0, gv2, elementSize, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int index = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        b.ret(b.tableAddr(Type.I64, table, index, offset));
        return f;
    }

    @Test
    void tableAddrWithPowerOfTwoElementsAndOffset() {
        Function f = oneTableAddr(16, 8);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v3 = uextend.i64 v1
                    v4 = load.i32 notrap aligned v0+16
                    v5 = uextend.i64 v4
                    v6 = icmp uge v3, v5
                    trapnz v6, table_oob
                    v7 = load.i64 notrap aligned v0+8
                    v8 = ishl_imm v3, 4
                    v9 = iadd v7, v8
                    v2 = iadd_imm v9, 8
                    return v2
                }
                """, body(f));
        assertNoSandboxLeft(f);
    }

    @Test
    void tableAddrWithOtherElementSizes() {
        Function f = oneTableAddr(12, 0);
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32):
                    v3 = uextend.i64 v1
                    v4 = load.i32 notrap aligned v0+16
                    v5 = uextend.i64 v4
                    v6 = icmp uge v3, v5
                    trapnz v6, table_oob
                    v7 = load.i64 notrap aligned v0+8
                    v8 = imul_imm v3, 12
                    v2 = iadd v7, v8
                    return v2
                }
                """, body(f));
        Function g = oneTableAddr(1, 0);
        new Legalizer().legalize(g);
        assertTrue(body(g).contains("    v2 = iadd v7, v3\n"), body(g));
    }

    // =====================================================================================
    // Redundant bounds checks

    /** Checks of a heap over several accesses; returns the function after legalization. */
    /** What stands between two accesses in {@link #accesses} and {@link #twoAccesses}. */
    static final int NOTHING = 0, HEAP_STORE = 1, STORE = 2;

    /**
     * A store between the accesses: to the heap ({@code heap_store}, which cannot change the
     * VM context) or a memory-level {@code store} into the VM context (which may).
     */
    private static void storeBetween(InstBuilder b, int between, int heap, int value, int index) {
        if (between == HEAP_STORE) b.heapStore(Opcode.HEAP_STORE, heap, value, index, 0);
        if (between == STORE) b.store(Opcode.STORE, MemFlags.NOTRAP, value, b.function().dfg.blockParam(b.function().layout.firstBlock(), 0), 200);
    }

    static Function accesses(HeapData.Style style, int boundFlags, int between, boolean secondBlock) {
        Function f = new Function("%r", sig(new int[] {Type.I64, Type.I32, Type.I32}, 0, new int[] {Type.I32}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA | MemFlags.READONLY));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I64, NA | boundFlags));
        int heap = style == HeapData.Style.STATIC
                ? f.addHeap(new HeapData(gv1, 0, style, 0x10000, -1, 0, Type.I32))
                : f.addHeap(new HeapData(gv1, 0, style, 0, gv2, 0, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        int y = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int a = b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 8); // size 12
        storeBetween(b, between, heap, a, y);
        if (secondBlock) {
            int b1 = f.makeBlock();
            f.layout.appendBlock(b1);
            b.jump(b1);
            b.atEnd(b1);
        }
        b.ret(b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 4)); // size 8, covered by 12
        new Legalizer().legalize(f);
        return f;
    }

    @Test
    void coveredCheckOnStaticHeapIsDropped() {
        Function f = new Function("%r", sig(new int[] {Type.I64, Type.I32, Type.I32}, 0, new int[] {Type.I32}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int heap = f.addHeap(new HeapData(gv0, 0, HeapData.Style.STATIC, 0x10000, -1, 0, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        int y = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int v3 = b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 0);  // size 4: check
        int v4 = b.heapLoad(Opcode.HEAP_LOAD, Type.I64, heap, x, 8);  // size 16: larger, check again
        int v5 = b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 4);  // size 8: covered by 16
        int v6 = b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, y, 0);  // other index: check
        int v7 = b.heapLoad(Opcode.HEAP_LOAD, Type.I16, heap, x, 14); // size 16: covered
        b.heapStore(Opcode.HEAP_STORE, heap, v3, x, 12);              // size 16, static: covered after stores
        int s = b.iadd(v3, v5);
        s = b.iadd(s, v6);
        s = b.iadd(s, b.convert(Opcode.IREDUCE, Type.I32, v4));
        s = b.iadd(s, b.convert(Opcode.UEXTEND, Type.I32, v7));
        b.ret(s);
        new Legalizer().legalize(f);
        // values: v3..v7 loads, v8..v12 the sums and conversions, v13.. the legalizer's
        // the index is extended once (v15) and the address base + x computed once (v14)
        assertEquals("""
                block0(v0: i64, v1: i32, v2: i32):
                    v15 = uextend.i64 v1
                    v16 = icmp_imm ugt v15, 0xfffc
                    trapnz v16, heap_oob
                    v14 = iadd v0, v15
                    v3 = load.i32 notrap v14
                    v18 = icmp_imm ugt v15, 0xfff0
                    trapnz v18, heap_oob
                    v4 = load.i64 notrap v14+8
                    v5 = load.i32 notrap v14+4
                    v21 = uextend.i64 v2
                    v22 = icmp_imm ugt v21, 0xfffc
                    trapnz v22, heap_oob
                    v20 = iadd v0, v21
                    v6 = load.i32 notrap v20
                    v7 = load.i16 notrap v14+14
                    store notrap v3, v14+12
                    v8 = iadd v3, v5
                    v9 = iadd v8, v6
                    v10 = ireduce.i32 v4
                    v11 = iadd v9, v10
                    v12 = uextend.i32 v7
                    v13 = iadd v11, v12
                    return v13
                }
                """, body(f));
    }

    static int countTrapnz(Function f) {
        int n = 0;
        for (int b = f.layout.firstBlock(); b >= 0; b = f.layout.nextBlock(b)) {
            for (int i = f.layout.firstInst(b); i >= 0; i = f.layout.nextInst(i)) {
                if (f.dfg.opcode(i) == Opcode.TRAPNZ) n++;
            }
        }
        return n;
    }

    @Test
    void dynamicHeapChecksAreForgottenAtStoresUnlessTheBoundIsReadonly() {
        // load x (check), heap_store y (check), load x: covered, a heap store cannot move the bound
        assertEquals(2, countTrapnz(accesses(HeapData.Style.DYNAMIC, 0, HEAP_STORE, false)));
        // load x (check), store into the VM context, load x: re-checked, the store may have moved the bound
        assertEquals(2, countTrapnz(accesses(HeapData.Style.DYNAMIC, 0, STORE, false)));
        // readonly bound: the second load of x is covered
        assertEquals(1, countTrapnz(accesses(HeapData.Style.DYNAMIC, MemFlags.READONLY, STORE, false)));
        // no store: covered even when the bound is not readonly
        assertEquals(1, countTrapnz(accesses(HeapData.Style.DYNAMIC, 0, NOTHING, false)));
        // static heaps never change their bound
        assertEquals(1, countTrapnz(accesses(HeapData.Style.STATIC, 0, STORE, false)));
    }

    @Test
    void checksAreNotCarriedAcrossBlocks() {
        assertEquals(2, countTrapnz(accesses(HeapData.Style.STATIC, 0, NOTHING, true)));
        assertEquals(2, countTrapnz(accesses(HeapData.Style.DYNAMIC, MemFlags.READONLY, NOTHING, true)));
    }

    // =====================================================================================
    // Global values reused within a block

    /**
     * (i64 vmctx, i32 x, i32 y) -> i32 with heap0 dynamic: base gv1 = load vmctx+8 (readonly if
     * {@code baseReadonly}), bound gv2 = load vmctx+16 (not readonly).
     */
    static Function twoAccesses(boolean baseReadonly, int between) {
        Function f = new Function("%two", sig(new int[] {Type.I64, Type.I32, Type.I32}, 0, new int[] {Type.I32}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA | (baseReadonly ? MemFlags.READONLY : 0)));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I64, NA));
        int heap = f.addHeap(new HeapData(gv1, 0, HeapData.Style.DYNAMIC, 0, gv2, 0, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        int y = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int v3 = b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 0);  // size 4
        if (between != NOTHING) {
            storeBetween(b, between, heap, v3, y);                   // heap_store: size 4
            b.ret(b.iadd(v3, b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 4))); // size 8
        } else {
            b.ret(b.iadd(v3, b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, y, 4))); // size 8
        }
        new Legalizer().legalize(f);
        return f;
    }

    @Test
    void heapBaseAndBoundAreLoadedOncePerBlock() {
        // v3, v4 the loads, v5 the sum; then per access: heap_addr value, uextend, [bound load],
        // iadd_imm, icmp, [base load]; the second access reuses the bound v8 and the base v11
        assertEquals("""
                block0(v0: i64, v1: i32, v2: i32):
                    v7 = uextend.i64 v1
                    v8 = load.i64 notrap aligned v0+16
                    v9 = iadd_imm v7, 4
                    v10 = icmp ugt v9, v8
                    trapnz v10, heap_oob
                    v11 = load.i64 notrap aligned v0+8
                    v6 = iadd v11, v7
                    v3 = load.i32 notrap v6
                    v13 = uextend.i64 v2
                    v14 = iadd_imm v13, 8
                    v15 = icmp ugt v14, v8
                    trapnz v15, heap_oob
                    v12 = iadd v11, v13
                    v4 = load.i32 notrap v12+4
                    v5 = iadd v3, v4
                    return v5
                }
                """, body(twoAccesses(false, NOTHING)));
    }

    @Test
    void aStoreMakesNonReadonlyGlobalValuesBeReadAgain() {
        // a store into the VM context may change what non-readonly global values read: after it
        // the bound (not readonly) is loaded again as v13; the readonly base v11 (loaded once at
        // entry: its chain is readonly and notrap) stays, and with it the address v6 = base + x
        Function f = twoAccesses(true, STORE);
        assertEquals("""
                block0(v0: i64, v1: i32, v2: i32):
                    v11 = load.i64 notrap aligned readonly v0+8
                    v7 = uextend.i64 v1
                    v8 = load.i64 notrap aligned v0+16
                    v9 = iadd_imm v7, 4
                    v10 = icmp ugt v9, v8
                    trapnz v10, heap_oob
                    v6 = iadd v11, v7
                    v3 = load.i32 notrap v6
                    store notrap v3, v0+200
                    v13 = load.i64 notrap aligned v0+16
                    v14 = iadd_imm v7, 8
                    v15 = icmp ugt v14, v13
                    trapnz v15, heap_oob
                    v4 = load.i32 notrap v6+4
                    v5 = iadd v3, v4
                    return v5
                }
                """, body(f));
        // a base without readonly is loaded again too
        String plain = body(twoAccesses(false, STORE));
        assertTrue(plain.contains("""
                    trapnz v15, heap_oob
                    v16 = load.i64 notrap aligned v0+8
                    v12 = iadd v16, v7
                    v4 = load.i32 notrap v12+4
                """), plain);
    }

    @Test
    void aHeapStoreLeavesBaseBoundAndChecksAlone() {
        // a heap_store writes the heap's memory only, which is not where the base and the bound
        // live: the bound (not readonly) and the base (not readonly) are each loaded once, and
        // the second load of x, at offset 4 (8 bytes), is checked against the same bound v8
        String body = body(twoAccesses(false, HEAP_STORE));
        assertEquals(1, body.split("load.i64 notrap aligned v0\\+16", -1).length - 1, body);
        assertEquals(1, body.split("load.i64 notrap aligned v0\\+8", -1).length - 1, body);
        assertEquals(3, body.split("icmp ugt .*, v8\\n", -1).length - 1, body);
    }

    @Test
    void readonlyNotrapChainsAreLoadedAtEntryOthersWhereUsed() {
        // the only access is in the second block: a readonly notrap base is still loaded in the
        // entry block (it is the same value everywhere and reading it cannot trap); a readonly
        // base whose load may trap stays in the block that uses it, so no trap is added to
        // paths that never access the heap
        for (boolean notrap : new boolean[] {true, false}) {
            Function f = new Function("%r", sig(new int[] {Type.I64, Type.I32}, 0, new int[] {Type.I32}));
            int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
            int baseFlags = MemFlags.READONLY | MemFlags.ALIGNED | (notrap ? MemFlags.NOTRAP : 0);
            int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, baseFlags));
            int heap = f.addHeap(new HeapData(gv1, 0, HeapData.Style.STATIC, 0x10000, -1, 0, Type.I32));
            int b0 = entry(f);
            f.dfg.appendBlockParam(b0, Type.I64);
            int x = f.dfg.appendBlockParam(b0, Type.I32);
            InstBuilder b = new InstBuilder(f).atEnd(b0);
            int b1 = f.makeBlock();
            f.layout.appendBlock(b1);
            b.jump(b1);
            b.atEnd(b1);
            b.ret(b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, x, 0));
            new Legalizer().legalize(f);
            assertTrue(Verifier.verify(f).isEmpty(), () -> Verifier.verify(f).toString());
            int baseLoad = -1;
            for (int blk = f.layout.firstBlock(); blk >= 0; blk = f.layout.nextBlock(blk)) {
                for (int i = f.layout.firstInst(blk); i >= 0; i = f.layout.nextInst(i)) {
                    if (f.dfg.opcode(i) == Opcode.LOAD && f.dfg.imm(i) == 8 && f.dfg.arg(i, 0) == 0) baseLoad = i;
                }
            }
            assertTrue(baseLoad >= 0, "the base is loaded");
            assertEquals(notrap ? b0 : b1, f.layout.instBlock(baseLoad), "notrap=" + notrap);
            if (notrap) assertEquals(f.layout.firstInst(b0), baseLoad, "first in the entry block");
        }
    }

    static int countOpcode(Function f, Opcode op) {
        int n = 0;
        for (int b = f.layout.firstBlock(); b >= 0; b = f.layout.nextBlock(b)) {
            for (int i = f.layout.firstInst(b); i >= 0; i = f.layout.nextInst(i)) {
                if (f.dfg.opcode(i) == op) n++;
            }
        }
        return n;
    }

    @Test
    void globalValuesAreNotCarriedAcrossBlocks() {
        // static heap, readonly base: one block loads the base once (1 + 2 heap loads); with two
        // blocks too, since a readonly notrap chain is loaded once at function entry (1 + 2)
        assertEquals(3, countOpcode(accesses(HeapData.Style.STATIC, 0, NOTHING, false), Opcode.LOAD));
        assertEquals(3, countOpcode(accesses(HeapData.Style.STATIC, 0, NOTHING, true), Opcode.LOAD));
        // the readonly base survives a store into the VM context between the two loads: still 1 + 2
        assertEquals(3, countOpcode(accesses(HeapData.Style.STATIC, 0, STORE, false), Opcode.LOAD));
    }

    @Test
    void aGlobalValueWhoseResultIsAlreadyAnAliasIsNotReused() {
        // an earlier pass redirected the uses of v2 (global_value gv1) to the parameter v1 and
        // left the instruction behind. Its load then produces a dead value, so the later
        // global_value gv1 (v3) must read gv1 itself, not v2 (which reads v1); and v2 must keep
        // reading v1. Oracle: v2 -> v1 by construction; v3 is gv1, a load of vmctx+8.
        Function f = new Function("%dead_gv", sig(new int[] {Type.I64, Type.I64}, 0, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA | MemFlags.READONLY));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int v1 = f.dfg.appendBlockParam(b0, Type.I64);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int v2 = b.globalValue(Type.I64, gv1);
        f.dfg.changeToAlias(v2, v1);
        int v3 = b.globalValue(Type.I64, gv1);
        b.ret(b.iadd(v2, v3));
        new Legalizer().legalize(f);
        assertEquals(v1, f.dfg.resolveAliases(v2));
        int r3 = f.dfg.resolveAliases(v3);
        assertEquals(DataFlowGraph.DEF_RESULT, f.dfg.valueKind(r3));
        int load = f.dfg.valueDef(r3);
        assertEquals(Opcode.LOAD, f.dfg.opcode(load));
        assertEquals(0, f.dfg.arg(load, 0)); // the vmctx parameter v0
        assertEquals(8, f.dfg.imm(load));
        assertTrue(Verifier.verify(f).isEmpty(), () -> Verifier.verify(f).toString());
    }

    @Test
    void tableBoundExtensionAndBaseAreReused() {
        // two table_addr of an i32-bound table in one block: one bound load, one uextend of it,
        // one base load
        Function f = new Function("%t2", sig(new int[] {Type.I64, Type.I32, Type.I32}, 0, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I32, NA));
        int table = f.addTable(new TableData(gv1, 0, gv2, 8, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        int y = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int v3 = b.tableAddr(Type.I64, table, x, 0);
        int v4 = b.tableAddr(Type.I64, table, y, 0);
        b.ret(b.iadd(v3, v4));
        new Legalizer().legalize(f);
        assertEquals("""
                block0(v0: i64, v1: i32, v2: i32):
                    v6 = uextend.i64 v1
                    v7 = load.i32 notrap aligned v0+16
                    v8 = uextend.i64 v7
                    v9 = icmp uge v6, v8
                    trapnz v9, table_oob
                    v10 = load.i64 notrap aligned v0+8
                    v11 = ishl_imm v6, 3
                    v3 = iadd v10, v11
                    v12 = uextend.i64 v2
                    v13 = icmp uge v12, v8
                    trapnz v13, table_oob
                    v14 = ishl_imm v12, 3
                    v4 = iadd v10, v14
                    v5 = iadd v3, v4
                    return v5
                }
                """, body(f));
    }

    // =====================================================================================
    // Everything at once

    @Test
    void noSandboxLevelInstructionIsLeft() {
        Function f = new Function("%all", sig(new int[] {Type.I64, Type.I32, Type.I64}, 0, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I64, NA));
        int gv3 = f.addGlobalValue(GlobalValueData.iaddImm(gv1, 64, Type.I64));
        int h0 = f.addHeap(new HeapData(gv1, 0, HeapData.Style.DYNAMIC, 0, gv2, 0, Type.I32));
        int h1 = f.addHeap(new HeapData(gv3, 0, HeapData.Style.STATIC, 0x8000, -1, 0, Type.I64));
        int t0 = f.addTable(new TableData(gv1, 0, gv2, 8, Type.I32));
        int b0 = entry(f), b1 = f.makeBlock();
        f.layout.appendBlock(b1);
        f.dfg.appendBlockParam(b0, Type.I64);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        int y = f.dfg.appendBlockParam(b0, Type.I64);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int l = b.heapLoad(Opcode.HEAP_SLOAD8, Type.I64, h0, x, 3);
        b.heapStore(Opcode.HEAP_ISTORE16, h1, l, y, 0x7000);
        b.branch(Opcode.BRZ, l, b1, new int[0], 0);
        int t = b.tableAddr(Type.I64, t0, x, 0);
        int g = b.globalValue(Type.I64, gv3);
        b.heapStore(Opcode.HEAP_STORE, h1, t, y, -8);
        b.ret(b.iadd(t, g));
        b.atEnd(b1);
        b.ret(b.heapLoad(Opcode.HEAP_LOAD, Type.I64, h0, x, 0x1_0000_0000L));
        new Legalizer().legalize(f);
        assertNoSandboxLeft(f);
    }

    @Test
    void reusedContextGivesTheSameOutput() {
        Legalizer legalizer = new Legalizer();
        for (int k = 0; k < 3; k++) {
            Function f = issueExample();
            legalizer.legalize(f);
            assertEquals(ISSUE_FULL, f.toString());
        }
    }

    /** Builds into {@code f} a body of {@code n} heap loads of a dynamic heap, summed up. */
    static void manyAccesses(Function f, int n) {
        f.clear("%many", sig(new int[] {Type.I64, Type.I32}, 0, new int[] {Type.I32}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I64, NA));
        int gv3 = f.addGlobalValue(GlobalValueData.load(gv0, 24, Type.I64, NA));
        int heap = f.addHeap(new HeapData(gv1, 0, HeapData.Style.DYNAMIC, 0, gv2, 0, Type.I32));
        int table = f.addTable(new TableData(gv3, 0, gv2, 16, Type.I32));
        int b0 = entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        int sum = x;
        for (int k = 0; k < n; k++) {
            int v = b.heapLoad(Opcode.HEAP_LOAD, Type.I32, heap, sum, 4 * k);
            b.heapStore(Opcode.HEAP_ISTORE8, heap, v, x, k);
            int t = b.tableAddr(Type.I64, table, v, 8);
            sum = b.iadd(v, b.convert(Opcode.IREDUCE, Type.I32, t));
        }
        b.ret(sum);
    }

    @Test
    void steadyStateAllocatesNothingPerInstruction() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        Function f = new Function("%many", null);
        Legalizer legalizer = new Legalizer();
        long allocated = 0;
        for (int round = 0; round < 5; round++) {
            manyAccesses(f, 2000);
            long before = threads.getThreadAllocatedBytes(self);
            legalizer.legalize(f);
            allocated = threads.getThreadAllocatedBytes(self) - before;
        }
        assertNoSandboxLeft(f);
        // 2000 x (load, store, table_addr) expand to ~40,000 instructions; allow a few objects
        assertTrue(allocated < 4096, "legalize allocated " + allocated + " bytes in steady state");
    }
}
