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
 * <p>Multi-memory (WebAssembly 3.0) has its own list, under both tiers too: the 3.0 suite's
 * scripts that test it ({@link #MULTI_MEMORY_30}) and the proposal's own scripts of 2022 ({@link
 * #MULTI_MEMORY_2022}), every one of which passes completely. Left out: the 2022 {@code
 * memory-multi}, whose third module uses SIMD lane loads. Memory64 likewise ({@link
 * #MEMORY64_30}, {@link #MEMORY64_2022}).
 */
class SpecSuiteTest {
    /** At most this many failures are listed in a message; the count says how many there are. */
    private static final int MAX_LISTED = 40;

    /** Per tier (index 0: speed, 1: none), created on first use. */
    private static final ForkedSpecRunner[] forked = new ForkedSpecRunner[2];
    private static final Engine[] engines = new Engine[2];
    private static final SpecRunner[] inProcess = new SpecRunner[2];
    private static final String[] TIERS = {"speed", "none"};

    /** Scripts of {@code wasm-3.0/core} that test multi-memory. */
    static final List<String> MULTI_MEMORY_30 = List.of("address0", "address1", "align0", "binary0", "data0", "data1",
            "data_drop0", "exports0", "float_exprs0", "float_exprs1", "float_memory0", "imports0", "imports1", "imports2",
            "imports3", "imports4", "linking0", "linking1", "linking2", "linking3", "load0", "load1", "load2",
            "memory-multi", "memory_copy0", "memory_copy1", "memory_fill0", "memory_grow", "memory_init0",
            "memory_size0", "memory_size1", "memory_size2", "memory_size3", "memory_size_import", "memory_trap0",
            "memory_trap1", "start0", "store0", "store1", "store2", "traps0");
    /** Scripts of {@code proposals-2022/multi-memory}. */
    static final List<String> MULTI_MEMORY_2022 = List.of("binary", "data", "imports", "load", "memory", "memory_grow",
            "memory_size", "store");

    /**
     * Scripts of {@code wasm-3.0/core} that test memory64 (the 3.0 binary and binary-leb128 read
     * u64 limits), every one passing completely. Not here: memory64, memory64-imports, align64 (3.0
     * versions), which wabt 1.0.32 could not convert, and table64/call_indirect64 (table64).
     */
    static final List<String> MEMORY64_30 = List.of("address64", "binary", "binary-leb128", "binary_leb128_64", "bulk64",
            "endianness64", "float_memory64", "load64", "memory_copy64", "memory_fill64", "memory_grow64", "memory_init64",
            "memory_redundancy64", "memory_trap64");
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
        Path core30 = suite.resolve("wasm-3.0").resolve("core");
        Path proposal = suite.resolve("proposals-2022").resolve("memory64");
        Stream<DynamicTest> a = MEMORY64_30.stream().map(n -> test("3.0/" + n, core30.resolve(n).resolve(n + ".json"), tier));
        Stream<DynamicTest> b = MEMORY64_2022.stream().map(n -> test("memory64-2022/" + n, proposal.resolve(n).resolve(n + ".json"), tier));
        return Stream.concat(a, b);
    }

    /** Tail-call scripts: of {@code wasm-3.0/core} and of {@code proposals-2022/tail-call}. */
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
        Path core30 = suite.resolve("wasm-3.0").resolve("core");
        Path proposal = suite.resolve("proposals-2022").resolve("tail-call");
        Stream<DynamicTest> a = TAIL_CALL.stream().map(n -> test("3.0/" + n, core30.resolve(n).resolve(n + ".json"), tier));
        Stream<DynamicTest> b = TAIL_CALL.stream().map(n -> test("tail-call-2022/" + n, proposal.resolve(n).resolve(n + ".json"), tier));
        return Stream.concat(a, b);
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
        Path core30 = suite.resolve("wasm-3.0").resolve("core");
        Path proposal = suite.resolve("proposals-2022").resolve("multi-memory");
        Stream<DynamicTest> a = MULTI_MEMORY_30.stream().map(n -> test("3.0/" + n, core30.resolve(n).resolve(n + ".json"), tier));
        Stream<DynamicTest> b = MULTI_MEMORY_2022.stream().map(n -> test("multi-memory-2022/" + n, proposal.resolve(n).resolve(n + ".json"), tier));
        return Stream.concat(a, b);
    }

    private static DynamicTest test(String name, Path script, int tier) {
        return DynamicTest.dynamicTest(name + " [" + TIERS[tier] + "]", () -> {
            if (!java.nio.file.Files.isRegularFile(script)) fail("missing script " + script);
            check(run(script, tier));
        });
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
