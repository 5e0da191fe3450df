package dev.twill.filetest;

import dev.twill.CompileError;
import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.Printer;
import dev.twill.ir.text.RunLine;
import dev.twill.ir.text.TestFile;
import dev.twill.ir.text.TestFunction;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.TargetIsa;
import dev.twill.verify.Verifier;
import dev.twill.verify.VerifierError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs {@code .clif} filetests: each {@code test} line of a file names a check applied to every
 * function in it.
 * <ul>
 *   <li>{@code test cat}: print(parse(print(f))) == print(f), and the check directives match the printed function;
 *   <li>{@code test verifier}: exactly the errors marked {@code ; error: TEXT} on their lines (a parse error on a marked line counts);
 *   <li>{@code test legalizer [sandbox]}: legalize (to the memory level, or to {@code heap_addr} with {@code sandbox}),
 *       verify, match the check directives, and run the {@code ; run:} lines before and after;
 *   <li>{@code test interpret}: run the {@code ; run:} lines in the interpreter, on the functions as
 *       written and on legalized copies;
 *   <li>{@code test run}: the {@code ; run:} lines as native code of this machine's back end under
 *       both tiers, against the interpreter ({@link NativeRunLines}; skipped without a back end);
 *   <li>{@code test compile}: expected disassembly, checked by the back ends' own test runners.
 * </ul>
 * Every function of every file must also print, parse and print again identically. A file passes
 * when every check of every function passes; failures name the file and line.
 */
public final class FileTestRunner {
    private final Verifier verifier = new Verifier();
    private final Legalizer legalizer = new Legalizer();

    /** Every {@code .clif} file under each path (a file or a directory), sorted. */
    public static List<Path> collect(List<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(x -> x.toString().endsWith(".clif")).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Runs one file; returns its failures (empty when it passes). */
    public List<String> runFile(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of(path + ": cannot read: " + e.getMessage());
        }
        return run(text, path.toString());
    }

    /** Runs the filetest {@code text}, named {@code source} in messages. */
    public List<String> run(String text, String source) {
        List<String> failures = new ArrayList<>();
        TestFile file;
        try {
            file = Parser.parseFile(text, source);
        } catch (CompileError e) {
            if (text.contains("test verifier") && parseErrorWasExpected(text, e)) return failures;
            failures.add(e.getMessage());
            return failures;
        }
        if (file.commands().isEmpty()) failures.add(source + ": no 'test' line");
        // run lines call functions by name, so every name must be defined once
        if (file.hasCommand("interpret") || file.hasCommand("legalizer") || file.hasCommand("run")) {
            Map<String, Integer> firstLine = new HashMap<>();
            for (TestFunction tf : file.functions()) {
                Integer earlier = firstLine.putIfAbsent(tf.function().name, tf.firstLine());
                if (earlier != null) {
                    failures.add(where(file, tf.firstLine()) + "function " + tf.function().name
                            + " is already defined at line " + earlier);
                }
            }
            if (!failures.isEmpty()) return failures;
        }
        // the text format is lossless: checked on every function of every file
        if (!file.hasCommand("cat")) file.functions().forEach(tf -> roundTrip(file, tf, failures));
        for (TestFile.Command c : file.commands()) {
            switch (c.name()) {
                case "cat" -> file.functions().forEach(tf -> cat(file, tf, failures));
                case "verifier" -> file.functions().forEach(tf -> verify(file, tf, failures));
                case "legalizer" -> legalize(file, c.args().strip().equals("sandbox"), failures);
                case "interpret" -> interpret(file, failures);
                case "run" -> runNative(file, failures);
                case "compile" -> { } // expected disassembly: checked by the back ends' own runners
                default -> failures.add(source + ":" + c.line() + ": unknown test command '" + c.name() + "'");
            }
        }
        return failures;
    }

    // ---- test run

    /**
     * With a back end for this machine on the class path (the CLI has them), each run line also
     * runs as native code under both tiers ({@link NativeRunLines}); a file whose target lines
     * name only other ISAs has no native run, as in Cranelift. Without a back end (jit-core's
     * own tests) the interpreter's run ({@code test interpret}) is what checks the lines.
     */
    private void runNative(TestFile file, List<String> failures) {
        TargetIsa isa = TargetIsa.host();
        if (isa == null || !NativeRunLines.runsOn(file, isa.name())) return;
        for (String level : List.of("none", "speed")) {
            TargetIsa.Settings settings = new TargetIsa.Settings(level);
            NativeRunLines.run(file, f -> isa.compile(f, settings), level, failures);
        }
    }

    // ---- test cat

    private void cat(TestFile file, TestFunction tf, List<String> failures) {
        String printed = roundTrip(file, tf, failures);
        if (printed != null) check(file, tf, printed, failures);
    }

    /** Checks print(parse(print(f))) == print(f); returns print(f), or null after a failure. */
    private static String roundTrip(TestFile file, TestFunction tf, List<String> failures) {
        String printed = Printer.print(tf.function());
        String again;
        try {
            again = Printer.print(Parser.parseFunction(printed, file.sourceName() + " (reprinted)"));
        } catch (CompileError e) {
            failures.add(where(file, tf.firstLine()) + "printed text does not parse: " + e.getMessage() + "\n" + printed);
            return null;
        }
        if (!again.equals(printed)) {
            failures.add(where(file, tf.firstLine()) + "print(parse(print(f))) differs:\n" + printed + "---\n" + again);
            return null;
        }
        return printed;
    }

    private static void check(TestFile file, TestFunction tf, String output, List<String> failures) {
        List<FileCheck.Directive> ds = new ArrayList<>();
        for (TestFile.Comment c : tf.comments()) {
            FileCheck.Directive d = FileCheck.parse(c.text(), c.line());
            if (d != null) ds.add(d);
        }
        if (ds.isEmpty()) return;
        String why = FileCheck.match(output, ds);
        if (why != null) failures.add(file.sourceName() + ":" + why);
    }

    // ---- test verifier

    private record Expected(int line, String text) {}

    private static List<Expected> expectedErrors(TestFunction tf) {
        List<Expected> out = new ArrayList<>();
        for (TestFile.Comment c : tf.directives("error")) out.add(new Expected(c.line(), c.text().substring("error:".length()).strip()));
        return out;
    }

    private void verify(TestFile file, TestFunction tf, List<String> failures) {
        List<Expected> expected = expectedErrors(tf);
        List<VerifierError> errors = verifier.run(tf.function());
        boolean[] matched = new boolean[expected.size()];
        for (VerifierError e : errors) {
            int line = e.inst() >= 0 ? tf.instLine(e.inst()) : e.block() >= 0 ? tf.blockLine(e.block()) : tf.firstLine();
            boolean found = false;
            for (int k = 0; k < expected.size(); k++) {
                Expected x = expected.get(k);
                if (x.line == line && e.message().contains(x.text)) {
                    matched[k] = true;
                    found = true;
                }
            }
            if (!found) failures.add(where(file, line) + "unexpected verifier error: " + e);
        }
        for (int k = 0; k < expected.size(); k++) {
            if (!matched[k]) failures.add(where(file, expected.get(k).line) + "expected an error containing '" + expected.get(k).text
                    + "', got " + (errors.isEmpty() ? "none" : errors.toString()));
        }
    }

    private static boolean parseErrorWasExpected(String text, CompileError e) {
        String[] lines = text.split("\n", -1);
        if (e.line < 1 || e.line > lines.length) return false;
        String l = lines[e.line - 1];
        int at = l.indexOf("; error:");
        return at >= 0 && e.reason.contains(l.substring(at + "; error:".length()).strip());
    }

    // ---- test legalizer

    private void legalize(TestFile file, boolean sandboxOnly, List<String> failures) {
        InterpModule before = new InterpModule();
        InterpModule after = new InterpModule();
        for (TestFunction tf : file.functions()) {
            Function f = tf.function();
            if (!verifier.run(f).isEmpty()) {
                failures.add(where(file, tf.firstLine()) + "does not verify before legalization: " + verifier.run(f));
                continue;
            }
            Function copy = Parser.parseFunction(Printer.print(f), file.sourceName());
            try {
                if (sandboxOnly) legalizer.legalizeSandbox(copy);
                else legalizer.legalize(copy);
            } catch (CompileError e) {
                failures.add(where(file, tf.firstLine()) + "cannot legalize: " + e.getMessage());
                continue;
            }
            List<VerifierError> errors = verifier.run(copy);
            String printed = Printer.print(copy);
            if (!errors.isEmpty()) failures.add(where(file, tf.firstLine()) + "legalized function does not verify: " + errors + "\n" + printed);
            check(file, tf, printed, failures);
            before.add(f);
            after.add(copy);
        }
        if (!failures.isEmpty()) return;
        runLines(file, before, failures, "before legalization: ");
        runLines(file, after, failures, "after legalization: ");
    }

    // ---- test interpret

    /**
     * Runs the run lines on the functions as written and again on legalized copies, so that
     * every run-line filetest is also a differential test of the legalizer.
     */
    private void interpret(TestFile file, List<String> failures) {
        InterpModule module = new InterpModule();
        InterpModule legalized = new InterpModule();
        for (TestFunction tf : file.functions()) {
            module.add(tf.function());
            Function copy = Parser.parseFunction(Printer.print(tf.function()), file.sourceName());
            try {
                legalizer.legalize(copy);
            } catch (CompileError e) {
                failures.add(where(file, tf.firstLine()) + "cannot legalize: " + e.getMessage());
                continue;
            }
            List<VerifierError> errors = verifier.run(copy);
            if (!errors.isEmpty()) failures.add(where(file, tf.firstLine()) + "legalized function does not verify: " + errors);
            legalized.add(copy);
        }
        runLines(file, module, failures, "");
        if (failures.isEmpty()) runLines(file, legalized, failures, "after legalization: ");
    }

    private static void runLines(TestFile file, InterpModule module, List<String> failures, String prefix) {
        for (TestFunction tf : file.functions()) {
            for (TestFile.Comment c : tf.directives("run")) {
                try {
                    RunLine run = RunLine.parse(file, tf, c);
                    TestFunction callee = file.function(run.function);
                    InterpResult r = RunLineExecutor.execute(module, run, RunLineExecutor.heapDirectives(file, callee));
                    String why = RunLineExecutor.judge(run, r);
                    if (why != null) failures.add(where(file, c.line()) + prefix + c.text() + ": " + why);
                } catch (CompileError e) {
                    failures.add(e.getMessage());
                } catch (IllegalArgumentException e) {
                    // the interpreter refuses what it cannot run (an undefined callee, say): a failure of this line, not of the runner
                    failures.add(where(file, c.line()) + prefix + c.text() + ": cannot interpret: " + e.getMessage());
                }
            }
        }
    }

    private static String where(TestFile file, int line) {
        return file.sourceName() + ":" + line + ": ";
    }
}
