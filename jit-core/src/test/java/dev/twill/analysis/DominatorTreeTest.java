package dev.twill.analysis;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import org.junit.jupiter.api.Test;

/**
 * Hand-built control-flow graphs whose dominators are worked out by hand in the comments. Block
 * {@code bK} of a test is the K-th block made; {@code c} is the entry's i32 parameter.
 */
class DominatorTreeTest {
    private Function f;
    private InstBuilder ib;
    private int[] blk;
    private int c;
    private final ControlFlowGraph cfg = new ControlFlowGraph();
    private final DominatorTree dt = new DominatorTree();

    private void blocks(int n) {
        f = new Function("%t", Signature.of(new int[] {Type.I32}, new int[0]));
        ib = new InstBuilder(f);
        blk = new int[n];
        for (int k = 0; k < n; k++) {
            blk[k] = f.makeBlock();
            f.layout.appendBlock(blk[k]);
        }
        c = f.dfg.appendBlockParam(blk[0], Type.I32);
    }

    private InstBuilder at(int k) {
        return ib.atEnd(blk[k]);
    }

    private int jump(int from, int to) {
        return at(from).jump(blk[to]);
    }

    private int brif(int from, int t, int e) {
        return at(from).brif(c, blk[t], new int[0], blk[e], new int[0]);
    }

    private int brz(int from, int to) {
        return at(from).branch(Opcode.BRZ, c, blk[to], new int[0], 0);
    }

    private int ret(int from) {
        return at(from).ret();
    }

    private int iconst(int in) {
        at(in).iconst(Type.I32, 1);
        return ib.lastInst();
    }

    private void compute() {
        cfg.compute(f);
        dt.compute(f, cfg);
    }

    private void assertRpo(int... expected) {
        assertEquals(expected.length, dt.numReachable(), "reachable count");
        for (int k = 0; k < expected.length; k++) {
            assertEquals(blk[expected[k]], dt.rpo()[k], "rpo[" + k + "]");
            assertEquals(k, dt.rpoNumber(blk[expected[k]]));
        }
    }

    @Test
    void diamond() {
        blocks(4);
        int br = brif(0, 1, 2);
        int j1 = jump(1, 3);
        int j2 = jump(2, 3);
        int r = ret(3);
        compute();
        // CFG
        assertEquals(2, cfg.numSuccs(blk[0]));
        assertEquals(blk[1], cfg.succ(blk[0], 0));
        assertEquals(blk[2], cfg.succ(blk[0], 1));
        assertEquals(br, cfg.succInst(blk[0], 1));
        assertEquals(2, cfg.numPreds(blk[3]));
        assertEquals(blk[1], cfg.pred(blk[3], 0));
        assertEquals(j1, cfg.predInst(blk[3], 0));
        assertEquals(blk[2], cfg.pred(blk[3], 1));
        assertEquals(j2, cfg.predInst(blk[3], 1));
        assertEquals(0, cfg.numSuccs(blk[3]));
        assertEquals(0, cfg.numPreds(blk[0]));
        // DFS takes b2 first, so post-order is b3 b2 b1 b0 and RPO b0 b1 b2 b3
        assertRpo(0, 1, 2, 3);
        assertEquals(-1, dt.idom(blk[0]));
        assertEquals(br, dt.idom(blk[1]));
        assertEquals(br, dt.idom(blk[2]));
        assertEquals(br, dt.idom(blk[3])); // neither arm dominates the join
        assertEquals(blk[0], dt.idomBlock(blk[3]));
        assertTrue(dt.blockDominates(blk[0], blk[3]));
        assertFalse(dt.blockDominates(blk[1], blk[3]));
        assertFalse(dt.blockDominates(blk[2], blk[1]));
        assertTrue(dt.blockDominates(blk[2], blk[2]));
        assertTrue(dt.dominates(br, r));
        assertFalse(dt.dominates(j1, r));
        assertFalse(dt.dominates(r, br));
    }

    @Test
    void loop() {
        // b0 -> b1; b1 -> b2 | b3; b2 -> b1 (back edge); b3 returns
        blocks(4);
        int j0 = jump(0, 1);
        int br1 = brif(1, 2, 3);
        int j2 = jump(2, 1);
        int r = ret(3);
        compute();
        assertEquals(2, cfg.numPreds(blk[1]));
        assertEquals(blk[0], cfg.pred(blk[1], 0));
        assertEquals(blk[2], cfg.pred(blk[1], 1));
        assertEquals(j2, cfg.predInst(blk[1], 1));
        // DFS: b0, b1, then b1's last successor b3 first: post b3, b2, b1, b0
        assertRpo(0, 1, 2, 3);
        assertEquals(j0, dt.idom(blk[1]));
        assertEquals(br1, dt.idom(blk[2]));
        assertEquals(br1, dt.idom(blk[3]));
        assertTrue(dt.blockDominates(blk[1], blk[2]));
        assertTrue(dt.blockDominates(blk[1], blk[3]));
        assertFalse(dt.blockDominates(blk[2], blk[1]));
        assertFalse(dt.blockDominates(blk[2], blk[3]));
        assertTrue(dt.dominates(j0, r));
        assertFalse(dt.dominates(j2, r));
    }

    @Test
    void irreducibleGraphFromTheChkPaper() {
        // Cooper-Harvey-Kennedy figure 4, nodes renamed 6->b0 5->b1 4->b2 1->b3 2->b4 3->b5:
        // b0 -> b1, b2; b1 -> b3; b2 -> b4, b5; b3 -> b4; b4 -> b3, b5; b5 -> b4.
        // b3, b4, b5 form an irreducible region entered from both sides, so every block's
        // immediate dominator is the entry's branch.
        blocks(6);
        int br0 = brif(0, 1, 2);
        jump(1, 3);
        brif(2, 4, 5);
        jump(3, 4);
        brif(4, 3, 5);
        jump(5, 4);
        compute();
        assertEquals(6, dt.numReachable());
        for (int k = 1; k < 6; k++) {
            assertEquals(br0, dt.idom(blk[k]), "idom of b" + k);
            assertEquals(blk[0], dt.idomBlock(blk[k]));
            assertTrue(dt.blockDominates(blk[0], blk[k]));
            for (int j = 1; j < 6; j++) if (j != k) assertFalse(dt.blockDominates(blk[k], blk[j]), "b" + k + " dom b" + j);
        }
    }

    @Test
    void irreducibleLoopBelowAHeader() {
        // b0 -> b1; b1 -> b2, b3; b2 -> b3; b3 -> b2, b4; b4 returns.
        // b2 and b3 are both entered from b1: idom(b2) = idom(b3) = br1; b4 only via b3.
        blocks(5);
        jump(0, 1);
        int br1 = brif(1, 2, 3);
        jump(2, 3);
        int br3 = brif(3, 2, 4);
        ret(4);
        compute();
        assertEquals(br1, dt.idom(blk[2]));
        assertEquals(br1, dt.idom(blk[3]));
        assertEquals(br3, dt.idom(blk[4]));
        assertTrue(dt.blockDominates(blk[1], blk[4]));
        assertTrue(dt.blockDominates(blk[3], blk[4]));
        assertFalse(dt.blockDominates(blk[2], blk[4]));
    }

    @Test
    void midBlockBranchSplitsDominance() {
        // b0: x = iconst; brz c, b1 (p); y = iconst; brif c, b2, b3 (t)
        // b1: jump b4;  b2: jump b4;  b3: jump b5;  b4: return;  b5: return
        // b4 is entered from b1 (which b0 reaches through p) and b2 (through t):
        // idom(b4) = p, the earlier of the two exits, so y does not dominate b4 but x does.
        // b3 and b5 are only reached through t, so y dominates them.
        blocks(6);
        int x = iconst(0);
        int p = brz(0, 1);
        int y = iconst(0);
        int t = brif(0, 2, 3);
        int j1 = jump(1, 4);
        jump(2, 4);
        int j3 = jump(3, 5);
        int r4 = ret(4);
        int r5 = ret(5);
        compute();
        assertEquals(p, cfg.firstBranch(blk[0]));
        assertEquals(3, cfg.numSuccs(blk[0]));
        assertEquals(p, cfg.succInst(blk[0], 0));
        assertEquals(t, cfg.succInst(blk[0], 1));
        assertEquals(p, dt.idom(blk[1]));
        assertEquals(t, dt.idom(blk[2]));
        assertEquals(t, dt.idom(blk[3]));
        assertEquals(p, dt.idom(blk[4]));
        assertEquals(j3, dt.idom(blk[5]));
        assertTrue(dt.blockDominates(blk[0], blk[4]));
        assertTrue(dt.dominates(x, r4));
        assertFalse(dt.dominates(y, r4));
        assertFalse(dt.dominates(y, j1)); // b1 is left through p, before y
        assertTrue(dt.dominates(y, j3)); // b3 is only entered through t, after y
        assertTrue(dt.dominates(y, r5)); // two levels down: climbs b5 -> b3 -> b0 exit t
        assertTrue(dt.dominates(x, y));
        assertFalse(dt.dominates(y, x));
        assertTrue(dt.instDominatesBlock(y, blk[5]));
        assertFalse(dt.instDominatesBlock(y, blk[4]));
        assertTrue(dt.instDominatesBlock(p, blk[4]));
        // values: the results of x and y, and the entry parameter
        DataFlowGraph dfg = f.dfg;
        assertTrue(dt.valueDominates(dfg, dfg.firstResult(x), r4));
        assertFalse(dt.valueDominates(dfg, dfg.firstResult(y), r4));
        assertTrue(dt.valueDominates(dfg, c, r4));
        assertFalse(dt.valueDominates(dfg, dfg.firstResult(y), y)); // not its own use
    }

    @Test
    void twoMidBlockBranchesToOneBlockKeepTheFirst() {
        // b0: brz c, b1 (p1); brnz c, b1 (p2); jump b1 (j): idom(b1) = p1
        blocks(2);
        int p1 = brz(0, 1);
        int p2 = at(0).branch(Opcode.BRNZ, c, blk[1], new int[0], 0);
        int j = jump(0, 1);
        ret(1);
        compute();
        assertEquals(3, cfg.numPreds(blk[1]));
        assertEquals(p1, cfg.predInst(blk[1], 0));
        assertEquals(p2, cfg.predInst(blk[1], 1));
        assertEquals(j, cfg.predInst(blk[1], 2));
        assertEquals(p1, dt.idom(blk[1]));
    }

    @Test
    void selfLoopAndUnreachableBlocks() {
        // b0 -> b1; b1: brz c, b1; jump b2; b2 returns; b3 (unreachable) -> b2; b4 empty of preds
        blocks(5);
        int j0 = jump(0, 1);
        int p = brz(1, 1);
        int j1 = jump(1, 2);
        int r = ret(2);
        int j3 = jump(3, 2);
        ret(4);
        compute();
        assertEquals(2, cfg.numPreds(blk[1]));
        assertEquals(2, cfg.numPreds(blk[2]));
        assertRpo(0, 1, 2);
        assertEquals(j0, dt.idom(blk[1]));
        assertEquals(j1, dt.idom(blk[2]));
        assertFalse(dt.isReachable(blk[3]));
        assertFalse(dt.isReachable(blk[4]));
        assertEquals(-1, dt.idom(blk[3]));
        assertEquals(-1, dt.rpoNumber(blk[4]));
        assertTrue(dt.blockDominates(blk[3], blk[3]));
        assertFalse(dt.blockDominates(blk[3], blk[2]));
        assertFalse(dt.blockDominates(blk[0], blk[3]));
        assertFalse(dt.dominates(j3, r));
        assertFalse(dt.dominates(j0, j3));
        assertTrue(dt.dominates(p, r));
    }

    @Test
    void brTableEdgesAreDeduplicatedPerBranch() {
        // b0: br_table c, b1, [b2, b1, b2, b3]: one edge per distinct destination
        blocks(4);
        DataFlowGraph dfg = f.dfg;
        int[] calls = new int[5];
        int[] order = {1, 2, 1, 2, 3};
        for (int k = 0; k < 5; k++) calls[k] = dfg.makeBlockCall(blk[order[k]], new int[0], 0);
        int bt = at(0).brTable(c, calls, 5);
        int both = brif(1, 3, 3);
        ret(2);
        ret(3);
        compute();
        assertEquals(3, cfg.numSuccs(blk[0]));
        assertEquals(blk[1], cfg.succ(blk[0], 0));
        assertEquals(blk[2], cfg.succ(blk[0], 1));
        assertEquals(blk[3], cfg.succ(blk[0], 2));
        assertEquals(1, cfg.numSuccs(blk[1])); // brif with both arms to b3
        assertEquals(2, cfg.numPreds(blk[3]));
        assertEquals(bt, cfg.predInst(blk[3], 0));
        assertEquals(both, cfg.predInst(blk[3], 1));
        assertEquals(bt, dt.idom(blk[3]));
        assertEquals(4, cfg.numEdges());
    }

    @Test
    void contextsAreReusedAcrossFunctions() {
        // a big function first, then a small one: nothing of the first may leak into the second
        blocks(40);
        for (int k = 0; k < 39; k++) brif(k, k + 1, 0);
        ret(39);
        compute();
        assertEquals(40, dt.numReachable());
        assertEquals(blk[38], dt.idomBlock(blk[39]));

        blocks(3);
        int br = brif(0, 1, 2);
        ret(1);
        ret(2);
        compute();
        assertEquals(3, dt.numReachable());
        assertEquals(0, cfg.numPreds(blk[0]));
        assertEquals(1, cfg.numPreds(blk[1]));
        assertEquals(br, dt.idom(blk[2]));
        assertEquals(3, cfg.numBlocks());
    }

    @Test
    void branchesToBlocksOutsideTheLayoutAreSkipped() {
        blocks(2);
        int outside = f.makeBlock(); // never inserted
        at(0).brif(c, blk[1], new int[0], outside, new int[0]);
        ret(1);
        compute();
        assertEquals(1, cfg.numSuccs(blk[0]));
        assertEquals(0, cfg.numPreds(outside));
        assertFalse(dt.isReachable(outside));
    }
}
