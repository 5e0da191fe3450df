package dev.twill.wasm.spectest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twill.wasm.Engine;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The official WebAssembly 2.0 spec suite ({@code wasm-2.0/core/}, every folder but {@code
 * simd_*}): one dynamic test per script, failing when any of its commands fails, with the list
 * of failures (line, command, reason) in the message. Text modules ({@code .wat}) are skipped
 * and said so. Scripts run in one child JVM ({@link ForkedSpecRunner}) so that a crash of
 * compiled code fails one script, not the whole test run; {@code -Dtwill.spectest.fork=false}
 * runs them in this JVM (easier to debug). The suite is found by walking up from the working
 * directory for {@code shared/wasm-testsuite}, or at {@code -Dtwill.wasmTestsuite}.
 */
class SpecSuiteTest {
    /** At most this many failures are listed in a message; the count says how many there are. */
    private static final int MAX_LISTED = 40;

    private static ForkedSpecRunner forked;
    private static Engine engine;
    private static SpecRunner inProcess;

    @TestFactory
    Stream<DynamicTest> wasm20Core() {
        Path suite = SpecSuite.locate();
        assumeTrue(suite != null, "no shared/wasm-testsuite above " + Path.of("").toAbsolutePath() + " and no -Dtwill.wasmTestsuite: spec suite not run");
        Path core = suite.resolve("wasm-2.0").resolve("core");
        List<Path> scripts = SpecSuite.scripts(core, false);
        assertFalse(scripts.isEmpty(), "no scripts under " + core);
        // no test source URI (the script's path): surefire 3.5 silently drops dynamic tests with a
        // file source from its count and report, so their failures would not fail the build
        return scripts.stream().map(p -> DynamicTest.dynamicTest(SpecRunner.scriptName(p), () -> check(run(p))));
    }

    private static FileResult run(Path script) {
        if (Boolean.parseBoolean(System.getProperty("twill.spectest.fork", "true"))) {
            if (forked == null) forked = new ForkedSpecRunner(120_000, 20_000);
            return forked.run(script);
        }
        if (inProcess == null) {
            engine = new Engine();
            inProcess = new SpecRunner(engine, 20_000);
        }
        return inProcess.run(script);
    }

    private static void check(FileResult r) {
        if (r.allPassed()) return;
        StringBuilder sb = new StringBuilder(r.summary()).append(": ").append(r.failed()).append(" failed\n");
        List<FileResult.Failure> failures = r.failures();
        for (int k = 0; k < failures.size() && k < MAX_LISTED; k++) sb.append("  ").append(failures.get(k)).append('\n');
        if (failures.size() > MAX_LISTED) sb.append("  ... and ").append(failures.size() - MAX_LISTED).append(" more\n");
        sb.append("  by cause: ").append(SpecReport.reasons(r, 6));
        fail(sb.toString());
    }

    @AfterAll
    static void close() {
        if (forked != null) forked.close();
        if (inProcess != null) inProcess.close();
        if (engine != null) engine.close();
        forked = null;
        inProcess = null;
        engine = null;
    }
}
