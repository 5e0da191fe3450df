package dev.twill.filetest;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every {@code .clif} file under {@code src/test/resources/filetests} as one dynamic test. */
class FileTests {
    private static final Path ROOT = Path.of("src/test/resources/filetests");

    @TestFactory
    Stream<DynamicTest> filetests() throws Exception {
        List<Path> files = FileTestRunner.collect(List.of(ROOT));
        assertFalse(files.isEmpty(), "no filetests under " + ROOT.toAbsolutePath());
        FileTestRunner runner = new FileTestRunner();
        return files.stream().map(p -> DynamicTest.dynamicTest(ROOT.relativize(p).toString(), () -> {
            List<String> failures = runner.runFile(p);
            if (!failures.isEmpty()) fail(String.join("\n", failures));
        }));
    }

    /** The runner itself must catch a wrong expectation, a wrong trap and a failed check. */
    @Test
    void runnerReportsFailures() {
        String text = """
                test interpret
                test cat
                function %f(i32) -> i32 {
                block0(v0: i32):
                    v1 = iadd_imm v0, 1
                    return v1
                }
                ; run: %f(1) == 2
                ; run: %f(1) == 3
                ; run: %f(1) traps int_divz
                ; check: iadd_imm v0, 2
                """;
        List<String> failures = new FileTestRunner().run(text, "t.clif");
        assertEquals(3, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("t.clif:"), failures.get(0));
    }

    @Test
    void verifierTestsNeedTheMarkedErrors() {
        String text = """
                test verifier
                function %f(i32) -> i32 {
                block0(v0: i32):
                    v1 = iadd_imm v0, 1 ; error: type
                    return v1
                }
                """;
        List<String> failures = new FileTestRunner().run(text, "v.clif");
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("expected an error containing 'type'"), failures.get(0));
    }

    /** Run lines name functions, so a name defined twice is a failure at its line, not an exception. */
    @Test
    void duplicateFunctionNamesAreReported() {
        String text = """
                test interpret
                function %f(i32) -> i32 {
                block0(v0: i32):
                    return v0
                }
                function %f(i32) -> i32 {
                block0(v0: i32):
                    return v0
                }
                ; run: %f(1) == 1
                """;
        List<String> failures = new FileTestRunner().run(text, "d.clif");
        assertEquals(List.of("d.clif:6: function %f is already defined at line 2"), failures);
    }
}
