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

    @Test
    void differentSeedsDiffer() {
        assertNotEquals(text(new RandomFunctionGenerator(1).generate()), text(new RandomFunctionGenerator(2).generate()));
    }
}
