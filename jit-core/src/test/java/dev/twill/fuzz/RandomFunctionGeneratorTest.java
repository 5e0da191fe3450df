package dev.twill.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import org.junit.jupiter.api.Test;

class RandomFunctionGeneratorTest {
    private static String text(GeneratedModule m) {
        StringBuilder sb = new StringBuilder();
        for (Function f : m.functions()) sb.append(f);
        return sb.toString();
    }

    @Test
    void sameSeedSameModule() {
        for (long seed = 0; seed < 200; seed++) {
            assertEquals(text(new RandomFunctionGenerator(seed).generate()), text(new RandomFunctionGenerator(seed).generate()),
                    "seed " + seed);
        }
    }

    /** Every generated function is valid IR, before and after legalization. */
    @Test
    void generatedFunctionsVerifyBeforeAndAfterLegalization() {
        dev.twill.legalize.Legalizer legalizer = new dev.twill.legalize.Legalizer();
        dev.twill.verify.Verifier verifier = new dev.twill.verify.Verifier();
        for (long seed = 0; seed < 2000; seed++) {
            for (Function f : new RandomFunctionGenerator(seed).generate().functions()) {
                var errors = verifier.run(f);
                assertTrue(errors.isEmpty(), "seed " + seed + ": " + errors + "\n" + f);
                legalizer.legalize(f);
                errors = verifier.run(f);
                assertTrue(errors.isEmpty(), "seed " + seed + " after legalization: " + errors + "\n" + f);
            }
        }
    }

    @Test
    void differentSeedsDiffer() {
        assertNotEquals(text(new RandomFunctionGenerator(1).generate()), text(new RandomFunctionGenerator(2).generate()));
    }
}
