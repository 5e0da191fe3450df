package dev.twill.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.twill.fuzz.RandomFunctionGenerator;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.Layout;
import dev.twill.ir.Opcode;
import dev.twill.legalize.Legalizer;
import org.junit.jupiter.api.Test;

/**
 * The incremental construction the verifier uses ({@link ControlFlowGraph#begin} and friends,
 * fed by a walk of the caller's) gives the same graph as {@link ControlFlowGraph#compute}, edge
 * for edge and in the same order, on random functions before and after legalization.
 */
class ControlFlowGraphWalkTest {
    @Test
    void clientWalkBuildsTheSameGraphAsCompute() {
        ControlFlowGraph computed = new ControlFlowGraph();
        ControlFlowGraph walked = new ControlFlowGraph();
        int graphs = 0;
        for (long seed = 1; seed <= 300; seed++) {
            for (Function f : new RandomFunctionGenerator(seed).generate().functions()) {
                compare(computed, walked, f, seed);
                new Legalizer().legalize(f);
                compare(computed, walked, f, seed);
                graphs += 2;
            }
        }
        assertEquals(true, graphs > 300, "random modules yielded functions");
    }

    private static void compare(ControlFlowGraph computed, ControlFlowGraph walked, Function f, long seed) {
        computed.compute(f);
        walk(walked, f);
        int nb = f.dfg.numBlocks();
        assertEquals(computed.numBlocks(), walked.numBlocks(), "seed " + seed);
        assertEquals(computed.numEdges(), walked.numEdges(), "seed " + seed);
        for (int b = 0; b < nb; b++) {
            String at = "seed " + seed + " " + f.name + " block" + b;
            assertEquals(computed.firstBranch(b), walked.firstBranch(b), at);
            assertEquals(computed.numSuccs(b), walked.numSuccs(b), at);
            for (int k = 0; k < computed.numSuccs(b); k++) {
                assertEquals(computed.succ(b, k), walked.succ(b, k), at + " succ " + k);
                assertEquals(computed.succInst(b, k), walked.succInst(b, k), at + " succ " + k);
            }
            assertEquals(computed.numPreds(b), walked.numPreds(b), at);
            for (int k = 0; k < computed.numPreds(b); k++) {
                assertEquals(computed.pred(b, k), walked.pred(b, k), at + " pred " + k);
                assertEquals(computed.predInst(b, k), walked.predInst(b, k), at + " pred " + k);
            }
        }
    }

    /** The walk a client makes: blocks in layout order, branches in order within each. */
    private static void walk(ControlFlowGraph cfg, Function f) {
        DataFlowGraph dfg = f.dfg;
        Layout layout = f.layout;
        cfg.begin(f);
        for (int b = layout.firstBlock(); b >= 0; b = layout.nextBlock(b)) {
            cfg.beginBlock(b);
            for (int i = layout.firstInst(b); i >= 0; i = layout.nextInst(i)) {
                Opcode op = dfg.opcode(i);
                if (op.isBranch()) cfg.addBranch(b, i, op);
            }
            cfg.endBlock(b);
        }
        cfg.finish();
    }
}
