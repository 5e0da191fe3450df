package dev.twill.filetest;

import dev.twill.CompileError;
import dev.twill.filetest.RunLineExecutor.HeapDirective;
import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.Printer;
import dev.twill.ir.text.RunLine;
import dev.twill.ir.text.TestFile;
import dev.twill.ir.text.TestFunction;
import dev.twill.legalize.Legalizer;
import dev.twill.verify.Verifier;
import dev.twill.verify.VerifierError;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The native half of {@code test run}: every function of a file is verified, legalized and
 * compiled by a back end under one tier ({@link NativeModule.Compiler}), all of them linked into
 * one module, and each {@code ; run:} line called natively with the interpreter's conventions
 * ({@link NativeModule#call(RunLine, List)}). The outcome must satisfy the line ({@link
 * RunLineExecutor#judge}: integers at their width, NaN matches NaN, traps by code) and agree
 * with the interpreter's outcome for the same line.
 *
 * <p>As in Cranelift, a file whose {@code target} lines name only other ISAs has no native run
 * ({@link #runsOn}). Failure messages name the file, line, function and tier.
 */
public final class NativeRunLines {
    private NativeRunLines() {}

    /** True if {@code file} has no target line (any ISA) or one naming {@code isa}. */
    public static boolean runsOn(TestFile file, String isa) {
        if (file.targets().isEmpty()) return true;
        for (TestFile.Target t : file.targets()) if (t.isa().equals(isa)) return true;
        return false;
    }

    /** Runs every run line of {@code file} natively; failures go to {@code failures}; returns the lines that passed. */
    public static int run(TestFile file, NativeModule.Compiler compiler, String tier, List<String> failures) {
        int before = failures.size();
        List<Function> functions = legalized(file, tier, failures);
        if (failures.size() != before) return 0;
        InterpModule interp = new InterpModule();
        for (TestFunction tf : file.functions()) interp.add(tf.function());
        NativeModule module;
        try {
            module = new NativeModule(functions, compiler);
        } catch (NativeModule.CompileFailure e) {
            TestFunction tf = file.function(e.function);
            failures.add(where(file, tf.firstLine(), e.function, tier) + "does not compile: " + stackOf(e.getCause()));
            return 0;
        } catch (dev.twill.runtime.LinkError e) {
            // a symbol no function of the file defines (a libcall, say): the file cannot run natively
            failures.add(file.sourceName() + " [" + tier + "]: does not link: " + e.getMessage());
            return 0;
        }
        int passed = 0;
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
                        got = module.call(run, heaps);
                    } catch (Throwable e) {
                        failures.add(at + "native call threw " + stackOf(e));
                        continue;
                    }
                    String why = RunLineExecutor.judge(run, got);
                    if (why != null) failures.add(at + why);
                    InterpResult want;
                    try {
                        want = RunLineExecutor.execute(interp, run, heaps);
                    } catch (RuntimeException e) {
                        failures.add(at + "the interpreter cannot run it: " + e.getMessage());
                        continue;
                    }
                    String diff = compare(run, want, got);
                    if (diff != null) failures.add(at + diff);
                    if (why == null && diff == null) passed++;
                }
            }
        }
        return passed;
    }

    /** Verified, legalized copies of the file's functions; problems go to {@code failures}. */
    public static List<Function> legalized(TestFile file, String tier, List<String> failures) {
        Verifier verifier = new Verifier();
        Legalizer legalizer = new Legalizer();
        List<Function> out = new ArrayList<>();
        for (TestFunction tf : file.functions()) {
            Function copy = Parser.parseFunction(Printer.print(tf.function()), file.sourceName());
            try {
                legalizer.legalize(copy);
            } catch (CompileError e) {
                failures.add(where(file, tf.firstLine(), copy.name, tier) + "cannot legalize: " + e.getMessage());
                continue;
            }
            List<VerifierError> errors = verifier.run(copy);
            if (!errors.isEmpty()) {
                failures.add(where(file, tf.firstLine(), copy.name, tier) + "legalized function does not verify: " + errors);
            }
            out.add(copy);
        }
        return out;
    }

    /** Null if native and interpreter outcomes agree (out of fuel in the interpreter: no verdict). */
    public static String compare(RunLine run, InterpResult want, InterpResult got) {
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

    public static String where(TestFile file, int line, String function, String tier) {
        return file.sourceName() + ":" + line + ": " + function + " [" + tier + "]: ";
    }

    /** A throwable's stack trace, cut to a readable length, for failure messages about internal errors. */
    public static String stackOf(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 3000 ? s.substring(0, 3000) + "..." : s;
    }
}
