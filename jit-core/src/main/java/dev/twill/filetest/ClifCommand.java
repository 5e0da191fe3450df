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
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.verify.Verifier;
import dev.twill.verify.VerifierError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code twill clif test|print|verify|legalize|interpret FILE...}: the text-format tools.
 * Returns a process exit code; bad input is reported as {@code file:line:column: reason}.
 */
public final class ClifCommand {
    private final PrintStream out;
    private final PrintStream err;

    public ClifCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static final String USAGE =
            "usage: twill clif (test|print|verify|legalize|interpret) FILE... | twill clif compile [--target ISA] [--disasm] FILE...";

    public int run(String[] args) {
        if (args.length < 2) {
            err.println(USAGE);
            return 2;
        }
        List<Path> paths = new ArrayList<>();
        String target = null;
        boolean disasm = false;
        for (int k = 1; k < args.length; k++) {
            if (args[0].equals("compile") && args[k].equals("--disasm")) disasm = true;
            else if (args[0].equals("compile") && args[k].equals("--target") && k + 1 < args.length) target = args[++k];
            else paths.add(Path.of(args[k]));
        }
        try {
            switch (args[0]) {
                case "test": return test(paths);
                case "print": return eachFile(paths, this::print);
                case "verify": return eachFile(paths, this::verify);
                case "legalize": return eachFile(paths, this::legalize);
                case "interpret": return eachFile(paths, this::interpret);
                case "compile": {
                    String isaName = target;
                    boolean listing = disasm;
                    return eachFile(paths, file -> compile(file, isaName, listing));
                }
                default:
                    err.println("twill clif: unknown subcommand '" + args[0] + "'\n" + USAGE);
                    return 2;
            }
        } catch (IOException e) {
            err.println("twill clif: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Native code runs on the calling thread's stack, and the JVM gives threads 1 MiB by default:
     * less than the frames of some run lines (Cranelift's own tests use 1 MiB stack slots), so the
     * files run on a thread with {@link #TEST_STACK} bytes of stack.
     */
    private static final long TEST_STACK = 64L << 20;

    private int test(List<Path> paths) throws IOException {
        int[] status = new int[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                status[0] = testOnThisThread(paths);
            } catch (IOException | RuntimeException | Error e) {
                failure[0] = e; // rethrown by the caller below
            }
        }, "clif-test", TEST_STACK);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        switch (failure[0]) {
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(failure[0]);
        }
        return status[0];
    }

    private int testOnThisThread(List<Path> paths) throws IOException {
        FileTestRunner runner = new FileTestRunner();
        int passed = 0, failed = 0;
        for (Path p : FileTestRunner.collect(paths)) {
            List<String> failures = runner.runFile(p);
            if (failures.isEmpty()) {
                passed++;
            } else {
                failed++;
                out.println("FAIL " + p);
                for (String f : failures) out.println("  " + f.replace("\n", "\n  "));
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private interface FileAction {
        int apply(TestFile file);
    }

    private int eachFile(List<Path> paths, FileAction action) throws IOException {
        int status = 0;
        for (Path p : paths) {
            TestFile file;
            try {
                file = Parser.parseFile(Files.readString(p, StandardCharsets.UTF_8), p.toString());
            } catch (CompileError e) {
                err.println(e.getMessage());
                status = 1;
                continue;
            }
            status = Math.max(status, action.apply(file));
        }
        return status;
    }

    private int print(TestFile file) {
        for (TestFunction tf : file.functions()) out.print(Printer.print(tf.function()));
        return 0;
    }

    private int verify(TestFile file) {
        Verifier verifier = new Verifier();
        int status = 0;
        for (TestFunction tf : file.functions()) {
            List<VerifierError> errors = verifier.run(tf.function());
            for (VerifierError e : errors) {
                int line = e.inst() >= 0 ? tf.instLine(e.inst()) : e.block() >= 0 ? tf.blockLine(e.block()) : tf.firstLine();
                err.println(file.sourceName() + ":" + line + ": " + tf.function().name + ": " + e);
            }
            if (errors.isEmpty()) out.println(tf.function().name + ": ok");
            else status = 1;
        }
        return status;
    }

    private int legalize(TestFile file) {
        if (verify(file) != 0) return 1;
        Legalizer legalizer = new Legalizer();
        for (TestFunction tf : file.functions()) {
            Function f = tf.function();
            try {
                legalizer.legalize(f);
            } catch (CompileError e) {
                err.println(file.sourceName() + ":" + tf.firstLine() + ": " + e.getMessage());
                return 1;
            }
            out.print(Printer.print(f));
        }
        return 0;
    }

    /** Verifies, legalizes and compiles each function; prints its code size and, on request, a disassembly. */
    private int compile(TestFile file, String target, boolean disasm) {
        TargetIsa isa = target == null ? TargetIsa.host() : TargetIsa.lookup(target);
        if (isa == null) {
            err.println("twill clif compile: no back end for " + (target == null ? "this host" : "target '" + target + "'"));
            return 1;
        }
        String opt = file.setting("opt_level");
        TargetIsa.Settings settings = opt == null ? TargetIsa.Settings.DEFAULT : new TargetIsa.Settings(opt);
        if (verify(file) != 0) return 1;
        Legalizer legalizer = new Legalizer();
        for (TestFunction tf : file.functions()) {
            try {
                legalizer.legalize(tf.function());
                CompiledCode code = isa.compile(tf.function(), settings);
                out.println(tf.function().name + ": " + code.code().length + " bytes of " + isa.name() + " code");
                if (disasm) out.print(isa.disassemble(code));
            } catch (CompileError e) {
                err.println(file.sourceName() + ":" + tf.firstLine() + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    private int interpret(TestFile file) {
        InterpModule module = new InterpModule();
        for (TestFunction tf : file.functions()) module.add(tf.function());
        int passed = 0, failed = 0;
        for (TestFunction tf : file.functions()) {
            for (TestFile.Comment c : tf.directives("run")) {
                try {
                    RunLine run = RunLine.parse(file, tf, c);
                    InterpResult r = RunLineExecutor.execute(module, run,
                            RunLineExecutor.heapDirectives(file, file.function(run.function)));
                    String why = RunLineExecutor.judge(run, r);
                    String got = r.returned() ? RunLineExecutor.format(run.signature, r.values()) : r.toString();
                    if (why == null) {
                        passed++;
                        out.println(c.text() + "  -> " + got);
                    } else {
                        failed++;
                        out.println(file.sourceName() + ":" + c.line() + ": FAIL " + c.text() + ": " + why);
                    }
                } catch (CompileError e) {
                    failed++;
                    err.println(e.getMessage());
                }
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
