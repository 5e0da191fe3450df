package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.CompileError;
import dev.twill.filetest.FileCheck;
import dev.twill.filetest.FileTestRunner;
import dev.twill.filetest.RunLineExecutor;
import dev.twill.filetest.RunLineExecutor.HeapDirective;
import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.Printer;
import dev.twill.ir.text.RunLine;
import dev.twill.ir.text.TestFile;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.verify.Verifier;
import dev.twill.verify.VerifierError;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * <p><b>test run</b>, once per available {@link Tier}: every function of the file is verified,
 * legalized and compiled (the allocation checked, see {@link X64Isa}), all of them are linked
 * into one {@link dev.twill.runtime.JitModule} under their IR names, and each {@code ; run:}
 * line is called through the module's method handle with the interpreter's conventions: the
 * vmctx parameter points at native memory holding each {@code ; heap:} directive's base and
 * bound (zeroed heaps, fresh per line, as {@link RunLineExecutor} does for the interpreter).
 * The outcome is judged by {@link RunLineExecutor#judge} (integers at their width, NaN matches
 * NaN, traps by code) and also compared with the interpreter's outcome for the same line.
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

    /** True if the file has no target line (any ISA) or one naming x86_64. */
    static boolean runsOnX64(TestFile file) {
        if (file.targets().isEmpty()) return true;
        for (TestFile.Target t : file.targets()) if (t.isa().equals("x86_64")) return true;
        return false;
    }

    private static String name(Path p) {
        return p.getParent().getFileName() + "/" + p.getFileName();
    }

    static void runFile(Path path, Tier tier) throws Throwable {
        String source = name(path);
        List<String> failures = new ArrayList<>();
        TestFile file = Parser.parseFile(Files.readString(path, StandardCharsets.UTF_8), source);
        if (!runsOnX64(file)) {
            // as Cranelift does: a file whose target lines name only other ISAs has no native run here
            SKIPPED.incrementAndGet();
            Assumptions.abort("no x86_64 target line");
        }
        if (file.hasCommand("run")) runLines(file, tier, failures);
        if (file.hasCommand("compile")) {
            String level = file.setting("opt_level");
            if (level == null) level = "none";
            if (level.equals(tier.name())) compileChecks(file, tier, failures);
        }
        if (!failures.isEmpty()) fail(failures.size() + " failure(s):\n" + String.join("\n", failures));
        FILES.incrementAndGet();
    }

    /** Verified, legalized copies of the file's functions; problems go to {@code failures}. */
    private static List<Function> legalized(TestFile file, Tier tier, List<String> failures) {
        Verifier verifier = new Verifier();
        Legalizer legalizer = new Legalizer();
        List<Function> out = new ArrayList<>();
        for (TestFunction tf : file.functions()) {
            Function copy = Parser.parseFunction(Printer.print(tf.function()), file.sourceName());
            legalizer.legalize(copy);
            List<VerifierError> errors = verifier.run(copy);
            if (!errors.isEmpty()) {
                failures.add(where(file, tf.firstLine(), copy.name, tier) + "legalized function does not verify: " + errors);
            }
            out.add(copy);
        }
        return out;
    }

    private static void runLines(TestFile file, Tier tier, List<String> failures) throws Throwable {
        List<Function> functions = legalized(file, tier, failures);
        if (!failures.isEmpty()) return;
        InterpModule interp = new InterpModule();
        for (TestFunction tf : file.functions()) interp.add(tf.function());
        X64Isa isa = new X64Isa();
        NativeModule module;
        try {
            module = new NativeModule(functions, tier, isa);
        } catch (NativeModule.CompileFailure e) {
            TestFunction tf = file.function(e.function);
            failures.add(where(file, tf.firstLine(), e.function, tier) + "does not compile: " + stackOf(e.getCause()));
            return;
        }
        try (module) {
            for (TestFunction tf : file.functions()) {
                for (TestFile.Comment c : tf.directives("run")) {
                    RunLine run;
                    List<HeapDirective> heaps;
                    try {
                        run = RunLine.parse(file, tf, c);
                        heaps = RunLineExecutor.heapDirectives(file, file.function(run.function));
                    } catch (CompileError e) {
                        failures.add(e.getMessage());
                        continue;
                    }
                    String at = where(file, c.line(), run.function, tier) + c.text() + ": ";
                    InterpResult got;
                    try {
                        got = callNative(module, run, heaps);
                    } catch (Throwable e) {
                        failures.add(at + "native call threw " + stackOf(e));
                        continue;
                    }
                    String why = RunLineExecutor.judge(run, got);
                    if (why != null) failures.add(at + why);
                    InterpResult want = RunLineExecutor.execute(interp, run, heaps);
                    String diff = compare(run, want, got);
                    if (diff != null) failures.add(at + diff);
                    if (why == null && diff == null) LINES.incrementAndGet();
                }
            }
        }
    }

    /** Null if native and interpreter outcomes agree (out of fuel in the interpreter: no verdict). */
    static String compare(RunLine run, InterpResult want, InterpResult got) {
        if (want.isOutOfFuel()) return null;
        if (want.trapped() || got.trapped()) {
            if (want.trapped() && got.trapped() && want.trapCode() == got.trapCode()) return null;
        } else if (RunLineExecutor.sameValues(run.signature, want.values(), got.values())) {
            return null;
        }
        return "native " + describe(run, got) + " but the interpreter " + describe(run, want);
    }

    private static String describe(RunLine run, InterpResult r) {
        return r.returned() ? "returned " + RunLineExecutor.format(run.signature, r.values()) : r.toString();
    }

    private static InterpResult callNative(NativeModule module, RunLine run, List<HeapDirective> heaps) throws Throwable {
        long[] args = run.args.clone();
        int vmctxParam = run.signature.vmctxParam();
        try (Arena arena = Arena.ofConfined()) {
            if (vmctxParam >= 0) {
                long size = 64;
                for (HeapDirective h : heaps) size = Math.max(size, Math.max(h.ptrOffset(), h.boundOffset()) + 8);
                MemorySegment vmctx = arena.allocate(size, 16);
                for (HeapDirective h : heaps) {
                    MemorySegment heap = arena.allocate(h.size(), 16);
                    vmctx.set(ValueLayout.JAVA_LONG, h.ptrOffset(), heap.address());
                    vmctx.set(ValueLayout.JAVA_LONG, h.boundOffset(), h.size());
                }
                args[vmctxParam] = vmctx.address();
            }
            return module.call(run.function, args);
        }
    }

    private static void compileChecks(TestFile file, Tier tier, List<String> failures) throws IOException {
        List<Function> functions = legalized(file, tier, failures);
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
        return file.sourceName() + ":" + line + ": " + function + " [" + tier + "]: ";
    }

    static String stackOf(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        String s = w.toString();
        return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }
}
