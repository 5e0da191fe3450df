package dev.twill.frontend;

import static dev.twill.frontend.IrChecks.checkSsa;
import static dev.twill.frontend.IrChecks.count;
import static dev.twill.frontend.IrChecks.eval;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import dev.twill.ir.Function;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each case block returns its case number and the default returns -1; the oracle is a Java map
 * from the case value (taken modulo the index width) to that number.
 */
class SwitchTest {
    private static Function build(int type, long[] cases) {
        Function f = new Function("%sw", Signature.of(new int[] {type}, new int[] {Type.I32}));
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int entry = fb.createBlock(), dflt = fb.createBlock();
        int[] blocks = new int[cases.length];
        Switch sw = new Switch();
        for (int k = 0; k < cases.length; k++) {
            blocks[k] = fb.createBlock();
            sw.addCase(cases[k], blocks[k]);
        }
        fb.appendBlockParamsForFunctionParams(entry);
        fb.switchToBlock(entry);
        fb.sealBlock(entry);
        sw.emit(fb, f.dfg.blockParam(entry, 0), dflt);
        assertTrue(fb.isFilled());
        for (int k = 0; k < cases.length; k++) {
            fb.switchToBlock(blocks[k]);
            fb.sealBlock(blocks[k]);
            fb.ret(fb.ins().iconst(Type.I32, k));
        }
        fb.switchToBlock(dflt);
        fb.sealBlock(dflt);
        fb.ret(fb.ins().iconst(Type.I32, -1));
        fb.finalizeFunction();
        checkSsa(f, true);
        return f;
    }

    /** Runs every probe and compares with the map; exhaustive for i8 and i16. */
    private static void checkAll(Function f, int type, long[] cases, long... extraProbes) {
        long mask = Type.mask(type);
        Map<Long, Integer> oracle = new HashMap<>();
        for (int k = 0; k < cases.length; k++) oracle.put(cases[k] & mask, k);
        java.util.List<Long> probes = new java.util.ArrayList<>();
        if (Type.bits(type) <= 16) {
            for (long x = 0; x <= mask; x++) probes.add(x);
        } else {
            for (long c : cases) for (long d = -2; d <= 2; d++) probes.add(c + d);
            long min = type == Type.I64 ? Long.MIN_VALUE : Integer.MIN_VALUE;
            long max = type == Type.I64 ? Long.MAX_VALUE : Integer.MAX_VALUE;
            for (long x : new long[] {0, 1, -1, min, min + 1, max, max - 1}) probes.add(x);
            Random r = new Random(42);
            for (int k = 0; k < 300; k++) probes.add(r.nextLong());
            for (long x : extraProbes) probes.add(x);
        }
        for (long x : probes) {
            long want = oracle.getOrDefault(x & mask, -1) & 0xFFFF_FFFFL;
            assertEquals(want, eval(f, x)[0], () -> "index " + x + " (" + Type.name(type) + ")\n" + f);
        }
    }

    private static long[] range(long from, int n) {
        long[] r = new long[n];
        for (int k = 0; k < n; k++) r[k] = from + k;
        return r;
    }

    @Test
    void denseCasesBecomeOneTable() {
        long[] cases = {3, 0, 9, 1, 2, 4, 8, 7, 6, 5};
        Function f = build(Type.I32, cases);
        assertEquals(1, count(f, Opcode.BR_TABLE));
        assertEquals(0, count(f, Opcode.BR_ICMP));
        assertEquals(0, count(f, Opcode.IADD_IMM), "a run starting at 0 needs no offset");
        checkAll(f, Type.I32, cases);
    }

    @Test
    void sparseCasesBecomeComparisons() {
        long[] cases = {0, 100, 1000, 10000, 100000, -7, 5_000_000};
        Function f = build(Type.I32, cases);
        assertEquals(0, count(f, Opcode.BR_TABLE));
        assertTrue(count(f, Opcode.BR_ICMP) >= cases.length);
        checkAll(f, Type.I32, cases);
    }

    @Test
    void negativeRunIsOffsetByItsMinimum() {
        long[] cases = range(-3, 7);
        Function f = build(Type.I32, cases);
        assertEquals(1, count(f, Opcode.BR_TABLE));
        assertEquals(1, count(f, Opcode.IADD_IMM));
        checkAll(f, Type.I32, cases);
    }

    @Test
    void extremesOfI64DoNotOverflow() {
        long[] cases = {Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE + 2, Long.MIN_VALUE + 3,
            Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 2, Long.MAX_VALUE - 3, 0, Long.MAX_VALUE / 2};
        Function f = build(Type.I64, cases);
        assertEquals(2, count(f, Opcode.BR_TABLE));
        checkAll(f, Type.I64, cases, Long.MIN_VALUE + 4, Long.MAX_VALUE - 4, Long.MAX_VALUE / 2 + 1);
        // singles at both ends
        long[] ends = {Long.MIN_VALUE, Long.MAX_VALUE, -1, 1};
        checkAll(build(Type.I64, ends), Type.I64, ends);
    }

    @Test
    void extremesOfI8AndUnsignedSpelling() {
        long[] cases = {-128, -127, -126, -125, 127, 126, 125, 124, 255, 0, 1};
        Function f = build(Type.I8, cases);
        checkAll(f, Type.I8, cases);
        long[] all = range(-128, 256);
        Function g = build(Type.I8, all);
        assertEquals(1, count(g, Opcode.BR_TABLE));
        checkAll(g, Type.I8, all);
    }

    @Test
    void manyClustersAndSinglesSplitByBinarySearch() {
        long[] cases = new long[0];
        java.util.List<Long> l = new java.util.ArrayList<>();
        for (long v : range(-1000, 12)) l.add(v);
        for (long v : range(50, 20)) l.add(v);
        for (int k = 0; k < 10; k++) l.add(7000L + 13 * k * k);
        for (long v : range(30000, 6)) l.add(v);
        for (long v : new long[] {-40000, 123456789, Integer.MIN_VALUE, Integer.MAX_VALUE, 0xFFFF_FFFEL}) l.add(v);
        cases = l.stream().mapToLong(Long::longValue).toArray();
        Function f = build(Type.I32, cases);
        assertEquals(3, count(f, Opcode.BR_TABLE));
        checkAll(f, Type.I32, cases);
    }

    @Test
    void randomCaseSetsOnI16Exhaustively() {
        Random r = new Random(7);
        for (int round = 0; round < 12; round++) {
            int spread = 1 << (2 + r.nextInt(15));
            int n = 1 + r.nextInt(Math.min(60, spread / 2));
            java.util.Set<Long> set = new java.util.LinkedHashSet<>();
            int base = r.nextInt(65536) - 32768;
            while (set.size() < n) {
                long v = base + r.nextInt(spread);
                set.add((long) (short) v);
            }
            long[] cases = set.stream().mapToLong(Long::longValue).toArray();
            checkAll(build(Type.I16, cases), Type.I16, cases);
        }
    }

    @Test
    void noCasesJumpsToTheDefault() {
        Function f = build(Type.I32, new long[0]);
        assertEquals(1, count(f, Opcode.JUMP));
        assertEquals(0xFFFF_FFFFL, eval(f, 5)[0]);
    }

    @Test
    void variablesFlowIntoCaseBlocks() {
        Function f = new Function("%v", Signature.of(new int[] {Type.I32}, new int[] {Type.I32}));
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int v = fb.declareVar(Type.I32);
        int entry = fb.createBlock(), a = fb.createBlock(), d = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(entry);
        fb.switchToBlock(entry);
        fb.sealBlock(entry);
        int p = f.dfg.blockParam(entry, 0);
        fb.defVar(v, fb.ins().imul(p, p));
        Switch sw = new Switch();
        for (long c : new long[] {1, 20, 300, 4000, 50000, 600000}) sw.addCase(c, a); // all to one block
        sw.emit(fb, p, d);
        fb.switchToBlock(a);
        fb.sealBlock(a);
        fb.ret(fb.useVar(v));
        fb.switchToBlock(d);
        fb.sealBlock(d);
        fb.ret(fb.ins().iaddImm(fb.useVar(v), 1));
        fb.finalizeFunction();
        checkSsa(f, true);
        assertEquals(0, f.dfg.numBlockParams(a));
        assertEquals(400, eval(f, 20)[0]);
        assertEquals(50, eval(f, 7)[0]);
    }

    @Test
    void badCasesAreCompileErrors() {
        assertThrows(CompileError.class, () -> build(Type.I8, new long[] {255, -1}));
        assertThrows(CompileError.class, () -> build(Type.I8, new long[] {300}));
        assertThrows(CompileError.class, () -> build(Type.I32, new long[] {5, 5}));
        assertThrows(CompileError.class, () -> build(Type.F64, new long[] {5}));
    }
}
