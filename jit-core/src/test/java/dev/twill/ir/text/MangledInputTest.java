package dev.twill.ir.text;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad input must come out as a CompileError and nothing else: valid files truncated, with a
 * character deleted, replaced or inserted at every position, and randomly spliced.
 */
class MangledInputTest {
    private static final String MUTANTS = "v09,()[]{}-+.:=%;x_\n >bu";

    static List<String> corpus() {
        List<String> texts = new ArrayList<>();
        for (String f : RoundTripTest.FILES) texts.add(RoundTripTest.resource(f));
        texts.add(CraneliftSyntaxTest.SAMPLE);
        return texts;
    }

    private static int parses, errors;

    private static void check(String text, String what) {
        try {
            TestFile file = Parser.parseFile(text, "m.clif");
            parses++;
            // whatever parses prints as canonical text that is a fixed point of parse + print
            String canonical = RoundTripTest.printAll(file);
            assertEquals(canonical, RoundTripTest.printAll(Parser.parseFile(canonical, "canonical")), what);
        } catch (CompileError e) {
            errors++;
            assertTrue(e.line >= 1 && e.column >= 1, "location of " + e.getMessage());
        } catch (Throwable t) {
            throw new AssertionError(what + " threw " + t + " for:\n" + text, t);
        }
    }

    @Test
    void everyEditAtEveryPositionGivesAFunctionOrACompileError() {
        for (String text : corpus()) {
            for (int i = 0; i <= text.length(); i++) {
                check(text.substring(0, i), "truncation at " + i);
                if (i < text.length()) {
                    check(text.substring(0, i) + text.substring(i + 1), "deletion at " + i);
                    // two mutant characters per position, rotating through the set, keeps the run short
                    for (int k = 0; k < 2; k++) {
                        char c = MUTANTS.charAt((i * 7 + k * 13) % MUTANTS.length());
                        check(text.substring(0, i) + c + text.substring(i + 1), "replacement by '" + c + "' at " + i);
                        check(text.substring(0, i) + c + text.substring(i), "insertion of '" + c + "' at " + i);
                    }
                }
            }
        }
        // both outcomes must occur, or the mutations test nothing
        assertTrue(parses > 100, "parses " + parses);
        assertTrue(errors > 1000, "errors " + errors);
    }

    @Test
    void randomSplicesOfTokensGiveACompileError() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        List<String> texts = corpus();
        for (int round = 0; round < 10_000; round++) {
            String a = texts.get(rnd.nextInt(texts.size()));
            String b = texts.get(rnd.nextInt(texts.size()));
            int i = rnd.nextInt(a.length() + 1), j = rnd.nextInt(b.length() + 1);
            int k = j + rnd.nextInt(Math.min(40, b.length() - j) + 1);
            String s = a.substring(0, i) + b.substring(j, k) + a.substring(Math.min(a.length(), i + rnd.nextInt(20)));
            check(s, "splice (seed " + seed + ", round " + round + ")");
        }
    }
}
