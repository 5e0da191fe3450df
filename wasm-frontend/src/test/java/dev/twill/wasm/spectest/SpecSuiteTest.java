package dev.twill.wasm.spectest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The official WebAssembly 2.0 spec suite ({@code wasm-2.0/core/}, every folder but {@code
 * simd_*}) under both back-end tiers ({@code speed}: linear scan; {@code none}: single pass):
 * one dynamic test per script and tier, failing when any of its commands fails, with the list
 * of failures (line, command, reason) in the message. Text modules ({@code .wat}) are skipped
 * and said so. Scripts run in one child JVM ({@link ForkedSpecRunner}) so that a crash of
 * compiled code fails one script, not the whole test run; {@code -Dtwill.spectest.fork=false}
 * runs them in this JVM (easier to debug). The suite is found by walking up from the working
 * directory for {@code shared/wasm-testsuite}, or at {@code -Dtwill.wasmTestsuite}.
 *
 * <p>WebAssembly 3.0: every script of {@code wasm-3.0/core} but the relaxed-SIMD ones, under
 * both tiers, with the engine's defaults (multi-memory, memory64, 3.0 constant expressions, tail
 * calls, exception tags); and the 2022 proposal scripts of multi-memory ({@link
 * #MULTI_MEMORY_2022}; left out: {@code memory-multi}, whose third module uses SIMD lane loads),
 * memory64 ({@link #MEMORY64_2022}) and tail calls, every one of which passes completely.
 */
class SpecSuiteTest {
    /** At most this many failures are listed in a message; the count says how many there are. */
    private static final int MAX_LISTED = 40;

    /** Per tier (index 0: speed, 1: none), created on first use. */
    private static final ForkedSpecRunner[] forked = new ForkedSpecRunner[2];
    private static final Engine[] engines = new Engine[2];
    private static final SpecRunner[] inProcess = new SpecRunner[2];
    private static final String[] TIERS = {"speed", "none"};

    /** Scripts of {@code proposals-2022/multi-memory}. */
    static final List<String> MULTI_MEMORY_2022 = List.of("binary", "data", "imports", "load", "memory", "memory_grow",
            "memory_size", "store");

    /** Scripts of {@code proposals-2022/memory64} (run with multi-memory off, which they predate). */
    static final List<String> MEMORY64_2022 = List.of("address", "address64", "align64", "binary", "binary-leb128",
            "endianness64", "float_memory64", "load64", "memory", "memory64", "memory_grow64", "memory_redundancy64",
            "memory_trap64");

    @TestFactory
    Stream<DynamicTest> wasm30Memory64Speed() {
        return memory64Scripts(0);
    }

    @TestFactory
    Stream<DynamicTest> wasm30Memory64None() {
        return memory64Scripts(1);
    }

    private static Stream<DynamicTest> memory64Scripts(int tier) {
        Path suite = SpecSuite.locate();
        assumeTrue(suite != null, "no shared/wasm-testsuite above " + Path.of("").toAbsolutePath() + " and no -Dtwill.wasmTestsuite: spec suite not run");
        Path proposal = suite.resolve("proposals-2022").resolve("memory64");
        return MEMORY64_2022.stream().map(n -> test("memory64-2022/" + n, proposal.resolve(n).resolve(n + ".json"), tier));
    }

    /** Tail-call scripts of {@code proposals-2022/tail-call}. */
    static final List<String> TAIL_CALL = List.of("return_call", "return_call_indirect");

    @TestFactory
    Stream<DynamicTest> wasm30TailCallSpeed() {
        return tailCallScripts(0);
    }

    @TestFactory
    Stream<DynamicTest> wasm30TailCallNone() {
        return tailCallScripts(1);
    }

    private static Stream<DynamicTest> tailCallScripts(int tier) {
        Path suite = SpecSuite.locate();
        assumeTrue(suite != null, "no shared/wasm-testsuite above " + Path.of("").toAbsolutePath() + " and no -Dtwill.wasmTestsuite: spec suite not run");
        Path proposal = suite.resolve("proposals-2022").resolve("tail-call");
        return TAIL_CALL.stream().map(n -> test("tail-call-2022/" + n, proposal.resolve(n).resolve(n + ".json"), tier));
    }

    @TestFactory
    Stream<DynamicTest> wasm30MultiMemorySpeed() {
        return multiMemoryScripts(0);
    }

    @TestFactory
    Stream<DynamicTest> wasm30MultiMemoryNone() {
        return multiMemoryScripts(1);
    }

    private static Stream<DynamicTest> multiMemoryScripts(int tier) {
        Path suite = SpecSuite.locate();
        assumeTrue(suite != null, "no shared/wasm-testsuite above " + Path.of("").toAbsolutePath() + " and no -Dtwill.wasmTestsuite: spec suite not run");
        Path proposal = suite.resolve("proposals-2022").resolve("multi-memory");
        return MULTI_MEMORY_2022.stream().map(n -> test("multi-memory-2022/" + n, proposal.resolve(n).resolve(n + ".json"), tier));
    }

    private static DynamicTest test(String name, Path script, int tier) {
        return DynamicTest.dynamicTest(name + " [" + TIERS[tier] + "]", () -> {
            if (!java.nio.file.Files.isRegularFile(script)) fail("missing script " + script);
            check(run(script, tier));
        });
    }

    @TestFactory
    Stream<DynamicTest> wasm30CoreSpeed() {
        return scripts30(0);
    }

    @TestFactory
    Stream<DynamicTest> wasm30CoreNone() {
        return scripts30(1);
    }

    /** {@code wasm-3.0/core} without SIMD and without relaxed SIMD, which Twill does not have. */
    private static Stream<DynamicTest> scripts30(int tier) {
        Path suite = SpecSuite.locate();
        assumeTrue(suite != null, "no shared/wasm-testsuite above " + Path.of("").toAbsolutePath() + " and no -Dtwill.wasmTestsuite: spec suite not run");
        Path core = suite.resolve("wasm-3.0").resolve("core");
        List<Path> scripts = SpecSuite.scripts(core, false).stream().filter(p -> !SpecRunner.scriptName(p).contains("relaxed")).toList();
        assertFalse(scripts.size() < 100, "wasm-3.0 scripts missing under " + core + ": " + scripts.size());
        return scripts.stream().map(p -> DynamicTest.dynamicTest("3.0/" + SpecRunner.scriptName(p) + " [" + TIERS[tier] + "]", () -> check(run(p, tier))));
    }

    @TestFactory
    Stream<DynamicTest> wasm20CoreSpeed() {
        return scripts(0);
    }

    @TestFactory
    Stream<DynamicTest> wasm20CoreNone() {
        return scripts(1);
    }

    private static Stream<DynamicTest> scripts(int tier) {
        Path suite = SpecSuite.locate();
        assumeTrue(suite != null, "no shared/wasm-testsuite above " + Path.of("").toAbsolutePath() + " and no -Dtwill.wasmTestsuite: spec suite not run");
        Path core = suite.resolve("wasm-2.0").resolve("core");
        List<Path> scripts = SpecSuite.scripts(core, false);
        assertFalse(scripts.isEmpty(), "no scripts under " + core);
        // no test source URI (the script's path): surefire 3.5 silently drops dynamic tests with a
        // file source from its count and report, so their failures would not fail the build
        return scripts.stream().map(p -> DynamicTest.dynamicTest(SpecRunner.scriptName(p) + " [" + TIERS[tier] + "]", () -> check(run(p, tier))));
    }

    private static FileResult run(Path script, int tier) {
        if (Boolean.parseBoolean(System.getProperty("twill.spectest.fork", "true"))) {
            if (forked[tier] == null) forked[tier] = new ForkedSpecRunner(120_000, 20_000, TIERS[tier]);
            return forked[tier].run(script);
        }
        if (inProcess[tier] == null) {
            engines[tier] = new Engine(new EngineConfig().optLevel(TIERS[tier]));
            inProcess[tier] = new SpecRunner(engines[tier], 20_000);
        }
        return inProcess[tier].run(script);
    }

    private static void check(FileResult r) {
        if (r.allPassed()) return;
        StringBuilder sb = new StringBuilder(r.summary()).append(": ").append(r.failed()).append(" failed\n");
        List<FileResult.Failure> failures = r.failures();
        int listed = 0;
        for (int k = 0; k < failures.size() && listed < MAX_LISTED; listed++) {
            FileResult.Failure f = failures.get(k);
            // a run of commands that failed only because their module did reads as one line
            int end = k + 1;
            while (end < failures.size() && f.reason().startsWith("the module at line ") && failures.get(end).reason().equals(f.reason())) end++;
            if (end - k > 1) {
                sb.append("  lines ").append(f.line()).append("..").append(failures.get(end - 1).line()).append(": ")
                        .append(end - k).append(" commands: ").append(f.reason()).append('\n');
            } else {
                sb.append("  ").append(f).append('\n');
            }
            k = end;
        }
        if (listed == MAX_LISTED) sb.append("  ... and more\n");
        sb.append("  by cause: ").append(SpecReport.reasons(r, 6));
        fail(sb.toString());
    }

    @AfterAll
    static void close() {
        for (int t = 0; t < TIERS.length; t++) {
            if (forked[t] != null) forked[t].close();
            if (inProcess[t] != null) inProcess[t].close();
            if (engines[t] != null) engines[t].close();
            forked[t] = null;
            inProcess[t] = null;
            engines[t] = null;
        }
    }
}
