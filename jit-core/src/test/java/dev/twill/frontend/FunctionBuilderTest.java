package dev.twill.frontend;

import static dev.twill.frontend.IrChecks.checkSsa;
import static dev.twill.frontend.IrChecks.eval;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import org.junit.jupiter.api.Test;

/**
 * SSA construction checked against parameters and arguments worked out by hand (the reasoning
 * is in each test's comments), plus the independent checks of {@link IrChecks}.
 */
class FunctionBuilderTest {
    private static final int I32 = Type.I32;

    private static Function fn(int nparams, int nreturns) {
        int[] p = new int[nparams], r = new int[nreturns];
        java.util.Arrays.fill(p, I32);
        java.util.Arrays.fill(r, I32);
        return new Function("%t", Signature.of(p, r));
    }

    private static int arg(Function f, int inst, int call, int n) {
        return f.dfg.resolveAliases(f.dfg.blockCallArg(f.dfg.blockCall(inst, call), n));
    }

    private static int nargs(Function f, int inst, int call) {
        return f.dfg.blockCallNumArgs(f.dfg.blockCall(inst, call));
    }

    /**
     * A chain of 20 if/else diamonds that change nothing, then a read of 30 variables at the end:
     * every merge block's predecessors agree, so SSA needs no block parameter, and the builder
     * makes none even temporarily (Braun et al.'s marker variant): the function's values are
     * exactly its 2 parameters, the 30 definitions and the return's sum chain, counted by hand.
     */
    @Test
    void mergesWhosePredecessorsAgreeMakeNoParameterNotEvenTemporarily() {
        Function f = fn(2, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int[] vars = new int[30];
        for (int k = 0; k < vars.length; k++) vars[k] = fb.declareVar(I32);
        int entry = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(entry);
        fb.switchToBlock(entry);
        fb.sealBlock(entry);
        int cond = f.dfg.blockParam(entry, 1);
        for (int k = 0; k < vars.length; k++) fb.defVar(vars[k], fb.ins().iconst(I32, k));
        for (int d = 0; d < 20; d++) {
            int then = fb.createBlock(), other = fb.createBlock(), merge = fb.createBlock();
            fb.brif(cond, then, other);
            fb.switchToBlock(then);
            fb.sealBlock(then);
            fb.jump(merge);
            fb.switchToBlock(other);
            fb.sealBlock(other);
            fb.jump(merge);
            fb.switchToBlock(merge);
            fb.sealBlock(merge);
        }
        int sum = fb.useVar(vars[0]);
        for (int k = 1; k < vars.length; k++) sum = fb.ins().iadd(sum, fb.useVar(vars[k]));
        fb.ret(sum);
        fb.finalizeFunction();
        checkSsa(f, true);
        // 2 parameters + 30 constants + 29 adds; no block parameter was ever made
        assertEquals(2 + 30 + 29, f.dfg.numValues(), f.toString());
        assertArrayEquals(new long[] {29 * 30 / 2}, eval(f, 0, 1));
    }

    @Test
    void loopThatDoesNotChangeXGetsNoParameter() {
        Function f = fn(2, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32), i = fb.declareVar(I32);
        int entry = fb.createBlock(), header = fb.createBlock(), body = fb.createBlock(), exit = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(entry);
        fb.switchToBlock(entry);
        fb.sealBlock(entry);
        int v0 = f.dfg.blockParam(entry, 0), v1 = f.dfg.blockParam(entry, 1);
        fb.defVar(x, v0);
        fb.defVar(i, v1);
        int j0 = fb.jump(header);
        fb.switchToBlock(header);
        int c = fb.ins().icmpImm(IntCC.SLT, fb.useVar(i), 10);
        fb.brif(c, body, exit);
        fb.switchToBlock(body);
        fb.sealBlock(body);
        int xi = fb.ins().iadd(fb.useVar(i), fb.useVar(x)); // reads x in the loop, never writes it
        fb.defVar(i, xi);
        int back = fb.jump(header);
        fb.sealBlock(header);
        fb.switchToBlock(exit);
        fb.sealBlock(exit);
        fb.ret(fb.useVar(x));
        fb.finalizeFunction();
        checkSsa(f, true);
        // only i changes in the loop: header(p_i), entry passes v1, the latch passes i + x
        assertEquals(1, f.dfg.numBlockParams(header), f.toString());
        int pi = f.dfg.blockParam(header, 0);
        assertEquals(v1, arg(f, j0, 0, 0));
        assertEquals(xi, arg(f, back, 0, 0));
        assertEquals(v0, f.dfg.arg(f.dfg.valueDef(xi), 1), "x inside the loop is the entry's v0");
        assertEquals(pi, f.dfg.arg(f.dfg.valueDef(xi), 0));
        assertArrayEquals(new long[] {7}, eval(f, 7, 0));
    }

    @Test
    void diamondWithTheSameValueOnBothArmsNeedsNoParameter() {
        Function f = fn(1, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32);
        int e = fb.createBlock(), a = fb.createBlock(), b = fb.createBlock(), j = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        int k = fb.ins().iconst(I32, 5);
        fb.brif(f.dfg.blockParam(e, 0), a, b);
        fb.sealBlock(a);
        fb.sealBlock(b);
        fb.switchToBlock(a);
        fb.defVar(x, k);
        int ja = fb.jump(j);
        fb.switchToBlock(b);
        fb.defVar(x, k);
        int jb = fb.jump(j);
        fb.sealBlock(j);
        fb.switchToBlock(j);
        int r = fb.useVar(x);
        fb.ret(r);
        fb.finalizeFunction();
        checkSsa(f, true);
        assertEquals(k, r);
        assertEquals(0, f.dfg.numBlockParams(j));
        assertEquals(0, nargs(f, ja, 0));
        assertEquals(0, nargs(f, jb, 0));
    }

    @Test
    void diamondWithDifferentValuesGetsOneParameter() {
        Function f = fn(1, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32);
        int e = fb.createBlock(), a = fb.createBlock(), b = fb.createBlock(), j = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        fb.brif(f.dfg.blockParam(e, 0), a, b);
        fb.sealBlock(a);
        fb.sealBlock(b);
        fb.switchToBlock(a);
        int one = fb.ins().iconst(I32, 1);
        fb.defVar(x, one);
        int ja = fb.jump(j);
        fb.switchToBlock(b);
        int two = fb.ins().iconst(I32, 2);
        fb.defVar(x, two);
        int jb = fb.jump(j);
        fb.switchToBlock(j);
        fb.sealBlock(j);
        int r = fb.useVar(x);
        fb.ret(r);
        fb.finalizeFunction();
        checkSsa(f, true);
        assertEquals(1, f.dfg.numBlockParams(j));
        assertEquals(f.dfg.blockParam(j, 0), r);
        assertEquals(one, arg(f, ja, 0, 0));
        assertEquals(two, arg(f, jb, 0, 0));
        assertArrayEquals(new long[] {1}, eval(f, 3));
        assertArrayEquals(new long[] {2}, eval(f, 0));
    }

    /**
     * Nested loops; {@code early} seals each block as soon as its predecessors are known,
     * otherwise everything is sealed at the end. Java computes the same loops as the oracle.
     *
     * <pre>
     *   entry(k, n): i = 0; s = 0; jump OH
     *   OH: brif i < n, OB, EXIT
     *   OB: j = 0; jump IH
     *   IH: brif j < 5, IB, OL
     *   IB: s = s + k; j = j + 1; jump IH
     *   OL: i = i + 1; jump OH
     *   EXIT: return s, k
     * </pre>
     *
     * By hand: OH needs i and s (changed inside), not k (never written) nor j (never read
     * there); IH needs j and s, not i (read only after IH, unchanged inside the inner loop) nor k.
     */
    static Function nestedLoops(boolean early, FunctionBuilderContext ctx) {
        Function f = new Function("%nested", Signature.of(new int[] {I32, I32}, new int[] {I32, I32}));
        FunctionBuilder fb = new FunctionBuilder(f, ctx);
        int k = fb.declareVar(I32), n = fb.declareVar(I32), i = fb.declareVar(I32), s = fb.declareVar(I32), j = fb.declareVar(I32);
        int entry = fb.createBlock(), oh = fb.createBlock(), ob = fb.createBlock(), ih = fb.createBlock();
        int ib = fb.createBlock(), ol = fb.createBlock(), exit = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(entry);
        fb.switchToBlock(entry);
        if (early) fb.sealBlock(entry);
        fb.defVar(k, f.dfg.blockParam(entry, 0));
        fb.defVar(n, f.dfg.blockParam(entry, 1));
        fb.defVar(i, fb.ins().iconst(I32, 0));
        fb.defVar(s, fb.ins().iconst(I32, 0));
        fb.jump(oh);

        fb.switchToBlock(oh);
        fb.brif(fb.ins().icmp(IntCC.SLT, fb.useVar(i), fb.useVar(n)), ob, exit);
        if (early) {
            fb.sealBlock(ob);
            fb.sealBlock(exit);
        }
        fb.switchToBlock(ob);
        fb.defVar(j, fb.ins().iconst(I32, 0));
        fb.jump(ih);

        fb.switchToBlock(ih);
        fb.brif(fb.ins().icmpImm(IntCC.SLT, fb.useVar(j), 5), ib, ol);
        if (early) {
            fb.sealBlock(ib);
            fb.sealBlock(ol);
        }
        fb.switchToBlock(ib);
        fb.defVar(s, fb.ins().iadd(fb.useVar(s), fb.useVar(k)));
        fb.defVar(j, fb.ins().iaddImm(fb.useVar(j), 1));
        fb.jump(ih);
        if (early) fb.sealBlock(ih);

        fb.switchToBlock(ol);
        fb.defVar(i, fb.ins().iaddImm(fb.useVar(i), 1));
        fb.jump(oh);
        if (early) fb.sealBlock(oh);

        fb.switchToBlock(exit);
        fb.ret(fb.useVar(s), fb.useVar(k));
        if (!early) fb.sealAllBlocks();
        fb.finalizeFunction();
        return f;
    }

    @Test
    void nestedLoopsGetExactlyTheNeededParameters() {
        for (boolean early : new boolean[] {true, false}) {
            Function f = nestedLoops(early, new FunctionBuilderContext());
            checkSsa(f, true);
            // blocks: entry 0, OH 1, OB 2, IH 3, IB 4, OL 5, EXIT 6
            int[] expected = {2, 2, 0, 2, 0, 0, 0};
            for (int b = 0; b < expected.length; b++) {
                assertEquals(expected[b], f.dfg.numBlockParams(b), "early=" + early + " block" + b + "\n" + f);
            }
            for (int kk : new int[] {0, 1, -3, 100}) {
                for (int nn : new int[] {0, 1, 4}) {
                    int s = 0;
                    for (int ii = 0; ii < nn; ii++) for (int jj = 0; jj < 5; jj++) s += kk;
                    assertArrayEquals(new long[] {s & 0xFFFF_FFFFL, kk & 0xFFFF_FFFFL}, eval(f, kk, nn), "early=" + early);
                }
            }
        }
    }

    @Test
    void sealingEarlyOrLateGivesTheSameFunctionUpToNumbering() {
        String early = canonical(nestedLoops(true, new FunctionBuilderContext()));
        String late = canonical(nestedLoops(false, new FunctionBuilderContext()));
        // same instructions, same parameters in the same order, same arguments; only value numbers differ
        assertEquals(early, late);
    }

    /** The printed function with values renamed in order of first appearance. */
    private static String canonical(Function f) {
        String text = f.toString();
        java.util.Map<String, String> names = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("v\\d+").matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String n = names.computeIfAbsent(m.group(), g -> "v" + names.size());
            m.appendReplacement(sb, n);
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Braun's cascade: with every block sealed at the end, the reads create parameters in
     * B2 and X; sealing B2 (block 3) creates p_H2 = (p_H1, p_B2) and p_H1 = (v0, p_L1); p_B2 is
     * trivial, which makes p_H2 = (p_H1, p_H2) trivial; sealing L1 makes p_L1 = p_H1, which
     * makes p_H1 = (v0, p_H1) trivial only when it is revisited as a user. In the end no block
     * has a parameter and both uses read v0.
     *
     * <pre>
     *   E: x = v0; jump H1
     *   H1: brif c, H2, X
     *   H2: brif c, B2, L1
     *   B2: t = x; jump H2
     *   L1: jump H1
     *   X: return x
     * </pre>
     */
    @Test
    void trivialParameterRemovalCascades() {
        Function f = fn(2, 2);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32), c = fb.declareVar(I32);
        int e = fb.createBlock(), h1 = fb.createBlock(), h2 = fb.createBlock(), b2 = fb.createBlock();
        int l1 = fb.createBlock(), xb = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        int v0 = f.dfg.blockParam(e, 0);
        fb.defVar(x, v0);
        fb.defVar(c, f.dfg.blockParam(e, 1));
        int je = fb.jump(h1);
        fb.switchToBlock(h1);
        int bh1 = fb.brif(fb.useVar(c), h2, xb);
        fb.switchToBlock(h2);
        int bh2 = fb.brif(fb.useVar(c), b2, l1);
        fb.switchToBlock(b2);
        int t = fb.useVar(x);
        assertEquals(1, f.dfg.numBlockParams(b2), "an unsealed block gets a placeholder");
        int s = fb.ins().iadd(t, t);
        int jb2 = fb.jump(h2);
        fb.switchToBlock(l1);
        int jl1 = fb.jump(h1);
        fb.switchToBlock(xb);
        int r = fb.useVar(x);
        fb.ret(r, fb.useVar(c));
        fb.sealAllBlocks();
        fb.finalizeFunction();
        checkSsa(f, true);
        for (int b = 0; b < 6; b++) {
            int want = b == e ? 2 : 0; // c is never written after the entry either
            assertEquals(want, f.dfg.numBlockParams(b), "block" + b + "\n" + f);
        }
        assertEquals(v0, f.dfg.resolveAliases(r));
        assertEquals(v0, f.dfg.arg(f.dfg.valueDef(s), 0));
        for (int br : new int[] {je, jb2, jl1}) assertEquals(0, nargs(f, br, 0));
        for (int br : new int[] {bh1, bh2}) {
            assertEquals(0, nargs(f, br, 0));
            assertEquals(0, nargs(f, br, 1));
        }
    }

    /** The EBB example: {@code x = 1; brz c, B; x = 2; jump B} passes 1 on the brz edge, 2 on the jump. */
    @Test
    void midBlockBranchPassesTheValueAtTheBranch() {
        for (boolean viaIns : new boolean[] {false, true}) {
            Function f = fn(1, 1);
            FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
            int x = fb.declareVar(I32);
            int e = fb.createBlock(), b = fb.createBlock();
            fb.appendBlockParamsForFunctionParams(e);
            fb.switchToBlock(e);
            fb.sealBlock(e);
            int one = fb.ins().iconst(I32, 1);
            fb.defVar(x, one);
            int cond = f.dfg.blockParam(e, 0);
            int brz = viaIns ? fb.ins().branch(Opcode.BRZ, cond, b, new int[0], 0) : fb.brz(cond, b);
            int two = fb.ins().iconst(I32, 2);
            fb.defVar(x, two);
            assertEquals(two, fb.useVar(x), "after the branch x is 2");
            int jump = viaIns ? fb.ins().jump(b) : fb.jump(b);
            fb.switchToBlock(b);
            fb.sealBlock(b);
            int r = fb.useVar(x);
            fb.ret(r);
            fb.finalizeFunction();
            checkSsa(f, true);
            assertEquals(1, f.dfg.numBlockParams(b), f.toString());
            assertEquals(one, arg(f, brz, 0, 0), f.toString());
            assertEquals(two, arg(f, jump, 0, 0), f.toString());
            assertArrayEquals(new long[] {1}, eval(f, 0));
            assertArrayEquals(new long[] {2}, eval(f, 1));
        }
    }

    @Test
    void midBlockBranchWithTheSameValueOnBothEdgesNeedsNoParameter() {
        Function f = fn(1, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32), y = fb.declareVar(I32);
        int e = fb.createBlock(), b = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        int one = fb.ins().iconst(I32, 1);
        fb.defVar(x, one);
        fb.defVar(y, one);
        fb.brnz(f.dfg.blockParam(e, 0), b);
        int three = fb.ins().iconst(I32, 3);
        fb.defVar(y, three); // y changes after the branch, x does not
        fb.brIcmp(IntCC.EQ, f.dfg.blockParam(e, 0), three, b);
        fb.jump(b);
        fb.switchToBlock(b);
        fb.sealBlock(b);
        int sum = fb.ins().iadd(fb.useVar(x), fb.useVar(y));
        fb.ret(sum);
        fb.finalizeFunction();
        checkSsa(f, true);
        assertEquals(1, f.dfg.numBlockParams(b), f.toString());
        assertEquals(one, f.dfg.arg(f.dfg.valueDef(sum), 0));
        assertArrayEquals(new long[] {2}, eval(f, 5)); // brnz taken: y = 1
        assertArrayEquals(new long[] {4}, eval(f, 0)); // falls through: y = 3
    }

    @Test
    void brifToTheSameBlockTwiceAndBrTableDuplicatesGetArgumentsEverywhere() {
        Function f = fn(1, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32);
        int e = fb.createBlock(), m = fb.createBlock(), j = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        int p = f.dfg.blockParam(e, 0);
        int one = fb.ins().iconst(I32, 1);
        fb.defVar(x, one);
        int br = fb.brTable(p, j, new int[] {m, j, m, j}, 4);
        fb.switchToBlock(m);
        fb.sealBlock(m);
        int two = fb.ins().iconst(I32, 2);
        fb.defVar(x, two);
        int bi = fb.brif(p, j, j);
        fb.switchToBlock(j);
        fb.sealBlock(j);
        assertEquals(2, fb.numPredecessors(j));
        fb.ret(fb.useVar(x));
        fb.finalizeFunction();
        checkSsa(f, true);
        assertEquals(1, f.dfg.numBlockParams(j));
        assertEquals(one, arg(f, br, 0, 0));
        assertEquals(one, arg(f, br, 2, 0));
        assertEquals(one, arg(f, br, 4, 0));
        assertEquals(0, nargs(f, br, 1));
        assertEquals(two, arg(f, bi, 0, 0));
        assertEquals(two, arg(f, bi, 1, 0));
        assertArrayEquals(new long[] {2}, eval(f, 0));
        assertArrayEquals(new long[] {1}, eval(f, 1));
        assertArrayEquals(new long[] {1}, eval(f, 9));
    }

    @Test
    void undefinedVariablesReadZeroFromTheEntryBlock() {
        Function f = new Function("%u", Signature.of(new int[] {I32}, new int[] {Type.I64, Type.F32, Type.F64, I32}));
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int a = fb.declareVar(Type.I64), b = fb.declareVar(Type.F32), c = fb.declareVar(Type.F64), d = fb.declareVar(I32);
        int e = fb.createBlock(), h = fb.createBlock(), body = fb.createBlock(), x = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        fb.jump(h);
        fb.switchToBlock(h);
        fb.brif(f.dfg.blockParam(e, 0), body, x);
        fb.switchToBlock(body);
        fb.sealBlock(body);
        fb.defVar(d, fb.ins().iconst(I32, 9)); // d is undefined on entry, 9 around the loop
        fb.jump(h);
        fb.sealBlock(h);
        fb.switchToBlock(x);
        fb.sealBlock(x);
        int va = fb.useVar(a), vb = fb.useVar(b), vc = fb.useVar(c), vd = fb.useVar(d);
        fb.ret(va, vb, vc, vd);
        fb.finalizeFunction();
        checkSsa(f, true);
        assertEquals(Opcode.ICONST, f.dfg.opcode(f.dfg.valueDef(va)));
        assertEquals(0, f.dfg.imm(f.dfg.valueDef(va)));
        assertEquals(Type.I64, f.dfg.valueType(va));
        assertEquals(Opcode.F32CONST, f.dfg.opcode(f.dfg.valueDef(vb)));
        assertEquals(Opcode.F64CONST, f.dfg.opcode(f.dfg.valueDef(vc)));
        for (int v : new int[] {va, vb, vc}) assertEquals(e, f.layout.instBlock(f.dfg.valueDef(v)));
        // d: h(p) with 0 from the entry, 9 from the body
        assertEquals(1, f.dfg.numBlockParams(h));
        assertEquals(f.dfg.blockParam(h, 0), vd);
        int entryJump = f.layout.lastInst(e);
        int z = arg(f, entryJump, 0, 0);
        assertEquals(Opcode.ICONST, f.dfg.opcode(f.dfg.valueDef(z)));
        assertEquals(0, f.dfg.imm(f.dfg.valueDef(z)));
        assertEquals(e, f.layout.instBlock(f.dfg.valueDef(z)));
    }

    @Test
    void flagsReportFilledAndUnreachable() {
        Function f = fn(0, 0);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int e = fb.createBlock(), dead = fb.createBlock();
        fb.switchToBlock(e);
        fb.sealBlock(e);
        assertFalse(fb.isFilled());
        assertFalse(fb.isUnreachable(), "the entry block is reachable");
        fb.ins().ret(); // through the plain InstBuilder: still noticed
        assertTrue(fb.isFilled());
        fb.switchToBlock(dead);
        fb.sealBlock(dead);
        assertTrue(fb.isUnreachable());
        fb.trap(dev.twill.ir.TrapCode.UNREACHABLE);
        fb.finalizeFunction();
        checkSsa(f, false);
    }

    @Test
    void userBlockParametersComeFirstAndKeepTheirArguments() {
        Function f = fn(1, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32);
        int e = fb.createBlock(), h = fb.createBlock(), x2 = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        int q = fb.appendBlockParam(h, I32);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        int p = f.dfg.blockParam(e, 0);
        fb.defVar(x, fb.ins().iconst(I32, 0));
        int je = fb.jump(h, new int[] {p}, 1);
        fb.switchToBlock(h);
        int next = fb.ins().iaddImm(q, -1);
        fb.defVar(x, fb.ins().iadd(fb.useVar(x), q));
        int bi = fb.brif(next, h, new int[] {next}, x2, new int[0]);
        fb.sealBlock(h);
        fb.switchToBlock(x2);
        fb.sealBlock(x2);
        fb.ret(fb.useVar(x));
        fb.finalizeFunction();
        checkSsa(f, true);
        assertEquals(2, f.dfg.numBlockParams(h));
        assertEquals(q, f.dfg.blockParam(h, 0));
        assertEquals(p, arg(f, je, 0, 0));
        assertEquals(next, arg(f, bi, 0, 0));
        assertArrayEquals(new long[] {4 + 3 + 2 + 1}, eval(f, 4));
        assertThrows(CompileError.class, () -> {
            FunctionBuilder g = new FunctionBuilder(fn(0, 0), new FunctionBuilderContext());
            int v = g.declareVar(I32);
            int b0 = g.createBlock(), b1 = g.createBlock();
            g.switchToBlock(b0);
            g.jump(b1);
            g.switchToBlock(b1);
            g.useVar(v); // unsealed: a placeholder parameter
            g.appendBlockParam(b1, I32);
        });
    }

    // ---- long chains: nothing may recurse per block

    private static void onSmallStack(Runnable r) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                r.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "small-stack", 192 * 1024);
        t.start();
        t.join();
        if (failure[0] instanceof Error err) throw err;
        if (failure[0] instanceof Exception ex) throw ex;
    }

    @Test
    void chainOf100000BlocksSealedEarlyOrLate() throws Exception {
        for (boolean early : new boolean[] {true, false}) {
            onSmallStack(() -> {
                final int n = 100_000;
                Function f = fn(1, 1);
                FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
                int x = fb.declareVar(I32);
                int e = fb.createBlock();
                fb.appendBlockParamsForFunctionParams(e);
                fb.switchToBlock(e);
                fb.sealBlock(e);
                int v0 = f.dfg.blockParam(e, 0);
                fb.defVar(x, v0);
                int prev = e;
                for (int k = 0; k < n; k++) {
                    int b = fb.createBlock();
                    fb.jump(b);
                    fb.switchToBlock(b);
                    if (early) fb.sealBlock(b);
                    prev = b;
                }
                int r = fb.useVar(x);
                fb.ret(r);
                if (!early) {
                    assertEquals(1, f.dfg.numBlockParams(prev));
                    fb.sealAllBlocks();
                } else {
                    assertEquals(v0, r);
                }
                fb.finalizeFunction();
                assertEquals(v0, f.dfg.arg(f.layout.lastInst(prev), 0));
                for (int b = 1; b <= n; b++) assertEquals(0, f.dfg.numBlockParams(b));
                checkSsa(f, false);
            });
        }
    }

    @Test
    void chainOf100000BlocksSealedInReverseWithAReadInEach() throws Exception {
        onSmallStack(() -> {
            final int n = 100_000;
            Function f = fn(1, 1);
            FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
            int x = fb.declareVar(I32);
            int e = fb.createBlock();
            fb.appendBlockParamsForFunctionParams(e);
            fb.switchToBlock(e);
            fb.sealBlock(e);
            int v0 = f.dfg.blockParam(e, 0);
            fb.defVar(x, v0);
            int[] blocks = new int[n];
            for (int k = 0; k < n; k++) {
                blocks[k] = fb.createBlock();
                fb.jump(blocks[k]);
                fb.switchToBlock(blocks[k]);
                fb.defVar(x, fb.ins().iaddImm(fb.useVar(x), 1));
            }
            fb.ret(fb.useVar(x));
            for (int k = n - 1; k >= 0; k--) fb.sealBlock(blocks[k]);
            fb.finalizeFunction();
            for (int k = 0; k < n; k++) assertEquals(0, f.dfg.numBlockParams(blocks[k]));
            checkSsa(f, false);
            assertArrayEquals(new long[] {n + 5}, eval(f, 5));
        });
    }

    @Test
    void chainOf30000DiamondsReadOnlyAtTheEnd() throws Exception {
        for (boolean differ : new boolean[] {false, true}) {
            onSmallStack(() -> {
                final int n = 30_000;
                Function f = fn(1, 1);
                FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
                int x = fb.declareVar(I32);
                int e = fb.createBlock();
                fb.appendBlockParamsForFunctionParams(e);
                fb.switchToBlock(e);
                fb.sealBlock(e);
                int v0 = f.dfg.blockParam(e, 0);
                fb.defVar(x, v0);
                int one = fb.ins().iconst(I32, 1);
                int join = -1;
                for (int k = 0; k < n; k++) {
                    int a = fb.createBlock(), b = fb.createBlock();
                    join = fb.createBlock();
                    fb.brif(v0, a, b);
                    fb.sealBlock(a);
                    fb.sealBlock(b);
                    fb.switchToBlock(a);
                    fb.jump(join);
                    fb.switchToBlock(b);
                    if (differ && k == 0) fb.defVar(x, one); // x differs only after the first diamond
                    fb.jump(join);
                    fb.sealBlock(join);
                    fb.switchToBlock(join);
                }
                int r = fb.useVar(x);
                fb.ret(r);
                fb.finalizeFunction();
                int params = 0;
                for (int b = 0; b < f.dfg.numBlocks(); b++) params += f.dfg.numBlockParams(b);
                // the entry's own parameter, plus one in the first join when the arms differ
                assertEquals(differ ? 2 : 1, params);
                checkSsa(f, false);
                assertArrayEquals(new long[] {differ ? 1 : 0}, eval(f, 0));
                assertArrayEquals(new long[] {7}, eval(f, 7));
            });
        }
    }

    @Test
    void hundredThousandMidBlockBranchesInOneBlock() throws Exception {
        onSmallStack(() -> {
            final int n = 100_000;
            Function f = fn(1, 1);
            FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
            int x = fb.declareVar(I32);
            int e = fb.createBlock(), out = fb.createBlock();
            fb.appendBlockParamsForFunctionParams(e);
            fb.switchToBlock(e);
            fb.sealBlock(e);
            int v0 = f.dfg.blockParam(e, 0);
            fb.defVar(x, v0);
            for (int k = 0; k < n; k++) fb.brnz(v0, out);
            fb.jump(out);
            fb.sealBlock(out);
            fb.switchToBlock(out);
            int r = fb.useVar(x);
            fb.ret(r);
            fb.finalizeFunction();
            assertEquals(v0, r);
            assertEquals(0, f.dfg.numBlockParams(out));
        });
    }

    /** A loop-heavy function of {@code n} blocks built into a reused function and context. */
    private static void buildLoops(Function f, FunctionBuilderContext ctx, int n) {
        f.clear("%steady", f.signature);
        FunctionBuilder fb = new FunctionBuilder(f, ctx);
        int x = fb.declareVar(I32), y = fb.declareVar(I32);
        int e = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        fb.defVar(x, f.dfg.blockParam(e, 0));
        fb.defVar(y, f.dfg.blockParam(e, 0));
        for (int k = 0; k < n; k++) {
            int h = fb.createBlock(), body = fb.createBlock(), out = fb.createBlock();
            fb.jump(h);
            fb.switchToBlock(h);
            fb.brif(fb.useVar(x), body, out);
            fb.switchToBlock(body);
            fb.sealBlock(body);
            fb.defVar(x, fb.ins().iaddImm(fb.useVar(x), -1));
            fb.brz(fb.useVar(y), h);
            fb.defVar(y, fb.ins().iaddImm(fb.useVar(y), 1));
            fb.jump(h);
            fb.sealBlock(h);
            fb.switchToBlock(out);
            fb.sealBlock(out);
        }
        fb.ret(fb.useVar(x));
        fb.finalizeFunction();
    }

    @Test
    void steadyStateBuildAllocatesNothingPerInstruction() {
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Function f = fn(1, 1);
        FunctionBuilderContext ctx = new FunctionBuilderContext();
        for (int k = 0; k < 20; k++) buildLoops(f, ctx, 2000); // grow every table, warm up
        checkSsa(f, false);
        long before = bean.getCurrentThreadAllocatedBytes();
        buildLoops(f, ctx, 2000);
        long used = bean.getCurrentThreadAllocatedBytes() - before;
        // about 20,000 instructions and 6,000 blocks: anything per instruction would be far above this
        assertTrue(used < 16_384, "allocated " + used + " bytes");
    }

    // ---- context reuse and errors

    @Test
    void contextIsReusableAcrossFunctions() {
        FunctionBuilderContext ctx = new FunctionBuilderContext();
        String fresh = nestedLoops(true, new FunctionBuilderContext()).toString();
        // dirty the context with a different, larger function first
        Function big = fn(1, 1);
        FunctionBuilder fb = new FunctionBuilder(big, ctx);
        int[] vars = new int[50];
        for (int k = 0; k < vars.length; k++) vars[k] = fb.declareVar(I32);
        int e = fb.createBlock();
        fb.appendBlockParamsForFunctionParams(e);
        fb.switchToBlock(e);
        fb.sealBlock(e);
        for (int k = 0; k < 200; k++) {
            int b = fb.createBlock();
            fb.defVar(vars[k % 50], fb.ins().iconst(I32, k));
            fb.jump(b);
            fb.switchToBlock(b);
        }
        fb.ret(fb.useVar(vars[3]));
        fb.sealAllBlocks();
        fb.finalizeFunction();
        assertArrayEquals(new long[] {153}, eval(big, 0));
        for (int round = 0; round < 3; round++) {
            assertEquals(fresh, nestedLoops(true, ctx).toString());
            assertEquals(nestedLoops(false, new FunctionBuilderContext()).toString(), nestedLoops(false, ctx).toString());
        }
    }

    @Test
    void misuseIsACompileErrorThatSaysWhere() {
        CompileError err = assertThrows(CompileError.class, () -> {
            Function f = fn(0, 0);
            FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
            int e = fb.createBlock(), b = fb.createBlock();
            fb.switchToBlock(e);
            fb.sealBlock(e);
            fb.jump(b);
            fb.switchToBlock(b);
            fb.ret();
            fb.finalizeFunction();
        });
        assertTrue(err.getMessage().contains("block1 is not sealed"), err.getMessage());

        err = assertThrows(CompileError.class, () -> {
            FunctionBuilder fb = new FunctionBuilder(fn(0, 0), new FunctionBuilderContext());
            int e = fb.createBlock();
            fb.switchToBlock(e);
            fb.sealBlock(e);
            fb.finalizeFunction();
        });
        assertTrue(err.getMessage().contains("block0 does not end with a terminator"), err.getMessage());

        err = assertThrows(CompileError.class, () -> {
            FunctionBuilder fb = new FunctionBuilder(fn(0, 0), new FunctionBuilderContext());
            int e = fb.createBlock(), b = fb.createBlock();
            fb.sealBlock(b);
            fb.switchToBlock(e);
            fb.ins().jump(b);
            fb.isFilled();
        });
        assertTrue(err.getMessage().contains("already sealed") && err.getMessage().contains("inst0"), err.getMessage());

        err = assertThrows(CompileError.class, () -> {
            FunctionBuilder fb = new FunctionBuilder(fn(0, 0), new FunctionBuilderContext());
            int v = fb.declareVar(Type.I64);
            int e = fb.createBlock();
            fb.switchToBlock(e);
            fb.defVar(v, fb.ins().iconst(I32, 1));
        });
        assertTrue(err.getMessage().contains("i64") && err.getMessage().contains("i32"), err.getMessage());

        err = assertThrows(CompileError.class, () -> {
            FunctionBuilder fb = new FunctionBuilder(fn(0, 0), new FunctionBuilderContext());
            int e = fb.createBlock();
            fb.switchToBlock(e);
            fb.ret();
            fb.ins();
        });
        assertTrue(err.getMessage().contains("already ends with a terminator"), err.getMessage());

        err = assertThrows(CompileError.class, () -> {
            FunctionBuilder fb = new FunctionBuilder(fn(0, 0), new FunctionBuilderContext());
            int e = fb.createBlock(), b = fb.createBlock();
            fb.switchToBlock(e);
            fb.ins().iconst(I32, 1);
            fb.switchToBlock(b);
        });
        assertTrue(err.getMessage().contains("must end with a terminator"), err.getMessage());

        err = assertThrows(CompileError.class, () -> {
            FunctionBuilder fb = new FunctionBuilder(fn(0, 0), new FunctionBuilderContext());
            int e = fb.createBlock(), b = fb.createBlock();
            fb.switchToBlock(e);
            fb.sealBlock(e);
            fb.jump(b);
            fb.sealBlock(b);
            fb.finalizeFunction();
        });
        assertTrue(err.getMessage().contains("never switched to"), err.getMessage());
    }

    @Test
    void unreachableCycleOfSinglePredecessorBlocksReadsZero() {
        Function f = fn(0, 1);
        FunctionBuilder fb = new FunctionBuilder(f, new FunctionBuilderContext());
        int x = fb.declareVar(I32);
        int e = fb.createBlock(), a = fb.createBlock(), b = fb.createBlock();
        fb.switchToBlock(e);
        fb.sealBlock(e);
        int three = fb.ins().iconst(I32, 3);
        fb.ret(three);
        // a -> b -> a, reached from nowhere, each with one predecessor and no definition of x:
        // a naive walk up single predecessors would never end
        fb.switchToBlock(a);
        fb.jump(b);
        fb.switchToBlock(b);
        fb.jump(a);
        fb.sealBlock(a);
        fb.sealBlock(b);
        int r = fb.useVar(x);
        assertEquals(Opcode.ICONST, f.dfg.opcode(f.dfg.valueDef(r)));
        assertEquals(0, f.dfg.imm(f.dfg.valueDef(r)));
        assertEquals(e, f.layout.instBlock(f.dfg.valueDef(r)));
        fb.finalizeFunction();
        checkSsa(f, true);
        assertArrayEquals(new long[] {3}, eval(f));
    }
}
