package dev.twill.legalize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.fuzz.GeneratedModule;
import dev.twill.fuzz.RandomFunctionGenerator;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.Function;
import dev.twill.ir.Type;
import dev.twill.ir.text.Printer;
import dev.twill.verify.Verifier;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * i128 narrowing must not change behaviour: seeded random modules with i128 computations
 * ({@link RandomFunctionGenerator.Options#i128}) give the same results, trap codes and heap
 * contents in the interpreter before (exact i128 arithmetic, {@code WideOps}) and after
 * legalization (i64 pairs, {@link I128Narrowing}), and no i128 is left after it. A failure
 * names the seed; {@code -Dtwill.seeds=N} runs longer.
 */
class I128NarrowingDifferentialTest {
    private static final int SEEDS = Integer.getInteger("twill.seeds", 1500);

    static RandomFunctionGenerator generator(long seed) {
        RandomFunctionGenerator.Options o = new RandomFunctionGenerator.Options();
        o.i128 = true;
        return new RandomFunctionGenerator(seed, o);
    }

    @Test
    void narrowedModulesBehaveLikeTheOriginals() {
        Legalizer legalizer = new Legalizer();
        int trapped = 0, returned = 0, wide = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            GeneratedModule original = generator(seed).generate();
            GeneratedModule legal = generator(seed).generate();
            for (Function f : original.functions()) if (I128Narrowing.needed(f)) wide++;
            for (Function f : legal.functions()) {
                legalizer.legalize(f);
                Verifier.verifyOrThrow(f);
                assertNoI128(f, seed);
            }
            long[] args = original.randomArgs(new SplittableRandom(seed * 31 + 7));
            GeneratedModule.Outcome a = original.interpret(args.clone(), 2_000_000);
            GeneratedModule.Outcome b = legal.interpret(args.clone(), 2_000_000);
            if (a.result().isOutOfFuel()) continue;
            String where = "seed " + seed + " args " + Arrays.toString(args);
            assertEquals(a.result(), b.result(), where + "\n" + original.entry() + "\n--- narrowed:\n" + legal.entry());
            assertArrayEquals(a.heap(), b.heap(), where + ": heap contents differ");
            if (a.result().trapped()) trapped++;
            else returned++;
        }
        assertTrue(wide > SEEDS / 2, "only " + wide + " functions have an i128");
        assertTrue(returned > SEEDS / 4, "only " + returned + " runs returned");
        assertTrue(trapped > SEEDS / 50, "only " + trapped + " runs trapped");
    }

    private static void assertNoI128(Function f, long seed) {
        DataFlowGraph dfg = f.dfg;
        for (int blk = f.layout.firstBlock(); blk >= 0; blk = f.layout.nextBlock(blk)) {
            for (int k = 0; k < dfg.numBlockParams(blk); k++) {
                assertTrue(dfg.valueType(dfg.blockParam(blk, k)) != Type.I128, "seed " + seed + ": an i128 parameter left");
            }
            for (int i = f.layout.firstInst(blk); i >= 0; i = f.layout.nextInst(i)) {
                for (int k = 0; k < dfg.numResults(i); k++) {
                    assertTrue(dfg.valueType(dfg.result(i, k)) != Type.I128,
                            "seed " + seed + ": an i128 left in " + Printer.instToString(f, i));
                }
            }
        }
    }
}
