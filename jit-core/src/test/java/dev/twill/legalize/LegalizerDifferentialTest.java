package dev.twill.legalize;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.fuzz.GeneratedModule;
import dev.twill.fuzz.RandomFunctionGenerator;
import dev.twill.ir.Function;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Legalization must not change behaviour: for seeded random modules, the interpreter gives the
 * same results, the same trap codes and the same heap contents before and after legalizing.
 * A failure names the seed; {@code -Dtwill.seeds=N} runs longer.
 */
class LegalizerDifferentialTest {
    private static final int SEEDS = Integer.getInteger("twill.seeds", 3000);

    @Test
    void legalizedModulesBehaveLikeTheOriginals() {
        Legalizer legalizer = new Legalizer();
        int trapped = 0, returned = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            GeneratedModule original = new RandomFunctionGenerator(seed).generate();
            GeneratedModule legal = new RandomFunctionGenerator(seed).generate();
            for (Function f : legal.functions()) legalizer.legalize(f);
            SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
            long[] args = original.randomArgs(rnd);
            GeneratedModule.Outcome a = original.interpret(args.clone(), 2_000_000);
            GeneratedModule.Outcome b = legal.interpret(args.clone(), 2_000_000);
            if (a.result().isOutOfFuel()) continue;
            String where = "seed " + seed + " args " + Arrays.toString(args);
            assertEquals(a.result(), b.result(), where + "\n" + legal.entry());
            assertArrayEquals(a.heap(), b.heap(), where + ": heap contents differ");
            if (a.result().trapped()) trapped++;
            else returned++;
        }
        // the generator must exercise both outcomes, or this test proves little
        assertTrue(returned > SEEDS / 4, "only " + returned + " runs returned");
        assertTrue(trapped > SEEDS / 50, "only " + trapped + " runs trapped");
    }
}
