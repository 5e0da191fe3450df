package dev.twill.verify;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.analysis.ControlFlowGraph;
import dev.twill.analysis.DominatorTree;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.Layout;
import dev.twill.ir.Type;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The verifier must report bad IR, never throw on it, and must not allocate when there is
 * nothing to report.
 */
class VerifierRobustnessTest {
    private static final int[] FIELDS = {DataFlowGraph.TYPE, DataFlowGraph.A0, DataFlowGraph.A1, DataFlowGraph.A2, DataFlowGraph.X};

    @Test
    void randomCorruptionIsReportedNeverThrown() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        Verifier fullAlgorithm = new Verifier(false);
        int reported = 0;
        for (int round = 0; round < 400; round++) {
            Function f = SampleFunctions.kitchenSink();
            int mutations = 1 + rnd.nextInt(4);
            StringBuilder what = new StringBuilder();
            for (int m = 0; m < mutations; m++) mutate(f, rnd, what);
            List<VerifierError> errs, full;
            try {
                errs = Verifier.verify(f);
                full = fullAlgorithm.run(f);
            } catch (Throwable t) {
                throw new AssertionError("seed " + seed + " round " + round + " after" + what + ": " + t, t);
            }
            // the single walk for valid functions must agree with the full algorithm exactly
            assertEquals(full.toString(), errs.toString(), "seed " + seed + " round " + round + " after" + what);
            if (!errs.isEmpty()) reported++;
        }
        // most mutations break something; if none were reported, the verifier checks nothing
        assertTrue(reported > 200, "only " + reported + " of 400 corrupted functions reported (seed " + seed + ")");
    }

    private static void mutate(Function f, SplittableRandom rnd, StringBuilder what) {
        DataFlowGraph dfg = f.dfg;
        Layout layout = f.layout;
        int ni = dfg.numInsts();
        int i = rnd.nextInt(ni);
        switch (rnd.nextInt(6)) {
            case 0, 1 -> {
                int field = FIELDS[rnd.nextInt(FIELDS.length)];
                int v = rnd.nextInt(-2, dfg.numValues() + 4);
                dfg.setField(i, field, v);
                what.append(" inst").append(i).append(".field").append(field).append('=').append(v);
            }
            case 2 -> {
                long imm = rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(-40, 40);
                dfg.setImm(i, imm);
                what.append(" inst").append(i).append(".imm=").append(imm);
            }
            case 3 -> {
                int v = rnd.nextInt(dfg.numValues());
                int t = rnd.nextInt(0, 9);
                dfg.setValueType(v, t);
                what.append(" v").append(v).append(".type=").append(t);
            }
            case 4 -> {
                if (layout.isInstInserted(i)) {
                    layout.removeInst(i);
                    what.append(" remove inst").append(i);
                }
            }
            default -> {
                if (dfg.numBlockCalls(i) > 0) {
                    int call = dfg.blockCall(i, rnd.nextInt(dfg.numBlockCalls(i)));
                    int blk = rnd.nextInt(-1, dfg.numBlocks() + 2);
                    dfg.setBlockCallBlock(call, blk);
                    what.append(" inst").append(i).append(".dest=block").append(blk);
                } else {
                    int v = rnd.nextInt(dfg.numValues());
                    int target = rnd.nextInt(dfg.numValues() + 2);
                    dfg.defineAlias(v, target);
                    what.append(" alias v").append(v).append("->v").append(target);
                }
            }
        }
    }

    @Test
    void cleanFunctionsAllocateNothingOnceWarm() {
        Function f = SampleFunctions.kitchenSink();
        Verifier verifier = new Verifier();
        ControlFlowGraph cfg = new ControlFlowGraph();
        DominatorTree dt = new DominatorTree();
        for (int k = 0; k < 2000; k++) {
            assertTrue(verifier.run(f).isEmpty());
            cfg.compute(f);
            dt.compute(f, cfg);
        }
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int k = 0; k < 1000; k++) {
            verifier.run(f);
            cfg.compute(f);
            dt.compute(f, cfg);
        }
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        // 1000 runs over ~50 instructions: anything per run or per instruction would show up
        // as tens of kilobytes at least; allow a little for the measurement itself
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes");
        assertEquals(Type.I32, f.signature.returns[0]);
    }
}
