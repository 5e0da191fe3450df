package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.filetest.FileTestRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With a back end on the class path, {@code twill clif test}'s runner runs {@code test run}
 * lines as native code under both tiers: a file with only {@code test run} and a wrong
 * expectation fails once per tier, and one for another ISA is not run natively at all.
 */
class ClifTestRunsNativeTest {
    private static final String BODY = """
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = imul_imm v0, 3
                return v1
            }
            ; run: %f(5) == 15
            ; run: %f(5) == 16
            """;

    @Test
    void runLinesRunNativelyUnderBothTiers() {
        List<String> failures = new FileTestRunner().run("test run\n" + BODY, "native.clif");
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("[none]") && failures.get(0).contains("%f(5) == 16"), failures.get(0));
        assertTrue(failures.get(1).contains("[speed]"), failures.get(1));
    }

    @Test
    void filesForOtherIsasHaveNoNativeRun() {
        assertEquals(List.of(), new FileTestRunner().run("test run\ntarget aarch64\n" + BODY, "other.clif"));
    }
}
