package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.filetest.FileCheck;
import dev.twill.filetest.FileTestRunner;
import dev.twill.filetest.NativeRunLines;
import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.TestFile;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Isa;
import dev.twill.machinst.CompiledCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The native filetest runner: every {@code .clif} file with {@code test run} (jit-core's corpus
 * and this module's) runs on x86-64 machine code, and every file with {@code test compile} has
 * its disassembly matched.
 *
 * <p><b>test run</b>, once per available {@link Tier}, by {@link NativeRunLines} (what {@code
 * twill clif test} runs too), with the allocation checked (see {@link X64Isa}): each {@code ;
 * run:} line called natively must satisfy the line and agree with the interpreter.
 *
 * <p><b>test compile</b>: each function is compiled under the file's {@code set opt_level} (by
 * default {@code none}) and its {@code ; check:} directives are matched against the {@link
 * X64Isa#listing llvm-mc disassembly} (Intel syntax, from the entry point).
 *
 * <p>Failure messages name the file, line, function and tier. One dynamic test per file and tier.
 */
class NativeFileTests {
    static final List<Path> ROOTS = System.getProperty("twill.native.filetests") != null
            ? List.of(Path.of(System.getProperty("twill.native.filetests")))
            : List.of(Path.of("../jit-core/src/test/resources/filetests"), Path.of("src/test/resources/filetests"));
    private static final AtomicInteger FILES = new AtomicInteger(), LINES = new AtomicInteger(), COMPILED = new AtomicInteger(),
            SKIPPED = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> filetests() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : FileTestRunner.collect(ROOTS.stream().filter(Files::isDirectory).toList())) {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            if (text.lines().anyMatch(l -> l.strip().equals("test run") || l.strip().equals("test compile"))) files.add(p);
        }
        if (System.getProperty("twill.native.filetests") == null) assertTrue(files.size() >= 26, "the corpus was not found: " + files);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path p : files) {
            for (Tier tier : Tier.available()) {
                tests.add(DynamicTest.dynamicTest(name(p) + " [" + tier + "]", () -> runFile(p, tier)));
            }
        }
        return tests.stream();
    }

    @AfterAll
    static void report() {
        System.out.println("native filetests: " + FILES + " file runs, " + LINES + " run lines, " + COMPILED + " compile checks passed, "
                + SKIPPED + " file runs skipped (no x86_64 target)");
    }

    private static String name(Path p) {
        return p.getParent().getFileName() + "/" + p.getFileName();
    }

    static void runFile(Path path, Tier tier) throws Throwable {
        String source = name(path);
        List<String> failures = new ArrayList<>();
        TestFile file = Parser.parseFile(Files.readString(path, StandardCharsets.UTF_8), source);
        if (!NativeRunLines.runsOn(file, "x86_64")) {
            // as Cranelift does: a file whose target lines name only other ISAs has no native run here
            SKIPPED.incrementAndGet();
            Assumptions.abort("no x86_64 target line");
        }
        if (file.hasCommand("run")) LINES.addAndGet(NativeRunLines.run(file, tier.compiler(), tier.name(), failures));
        if (file.hasCommand("compile")) {
            String level = file.setting("opt_level");
            if (level == null) level = "none";
            if (level.equals(tier.name())) compileChecks(file, tier, failures);
        }
        if (!failures.isEmpty()) fail(failures.size() + " failure(s):\n" + String.join("\n", failures));
        FILES.incrementAndGet();
    }

    private static void compileChecks(TestFile file, Tier tier, List<String> failures) throws IOException {
        List<Function> functions = NativeRunLines.legalized(file, tier.name(), failures);
        X64Isa isa = new X64Isa();
        for (int k = 0; k < functions.size(); k++) {
            TestFunction tf = file.functions().get(k);
            Function f = functions.get(k);
            CompiledCode code;
            try {
                code = isa.compile(f, tier.allocator().get());
            } catch (RuntimeException | AssertionError e) {
                failures.add(where(file, tf.firstLine(), f.name, tier) + "does not compile: " + stackOf(e));
                continue;
            }
            String listing = X64Isa.listing(code).text();
            List<FileCheck.Directive> ds = new ArrayList<>();
            for (TestFile.Comment c : tf.comments()) {
                FileCheck.Directive d = FileCheck.parse(c.text(), c.line());
                if (d != null) ds.add(d);
            }
            if (ds.isEmpty()) {
                failures.add(where(file, tf.firstLine(), f.name, tier) + "test compile without check directives; listing:\n" + listing);
                continue;
            }
            String why = FileCheck.match(listing, ds);
            if (why != null) failures.add(where(file, tf.firstLine(), f.name, tier) + why + "\nfull listing:\n" + listing);
            else COMPILED.incrementAndGet();
        }
    }

    private static String where(TestFile file, int line, String function, Tier tier) {
        return NativeRunLines.where(file, line, function, tier.name());
    }

    static String stackOf(Throwable e) {
        return NativeRunLines.stackOf(e);
    }
}
