package dev.twill.cli;

import dev.twill.CompileError;
import dev.twill.ir.Function;
import dev.twill.ir.text.Printer;
import dev.twill.legalize.Legalizer;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.Trap;
import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import dev.twill.wasm.WasmFunction;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.spectest.FileResult;
import dev.twill.wasm.spectest.ForkedSpecRunner;
import dev.twill.wasm.spectest.SpecReport;
import dev.twill.wasm.spectest.SpecRunner;
import dev.twill.wasm.spectest.SpecSuite;
import dev.twill.wasm.spectest.SpectestHost;
import dev.twill.wasm.translate.FunctionTranslator;
import dev.twill.wasm.validate.Validator;
import dev.twill.wasm.wasi.Wasi;
import dev.twill.wasm.wasi.WasiConfig;
import dev.twill.wasm.wasi.WasiExit;
import dev.twill.wasm.vm.VmContextLayout;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code twill wasm run|spectest}: runs a WebAssembly module's export, or spec scripts.
 *
 * <ul>
 *   <li>{@code twill wasm run [--opt none|speed] [--cache DIR | --no-cache] [--no-guard-pages] [--env NAME=VALUE]...
 *       [--dir HOST[::GUEST]]... FILE.wasm [--invoke NAME [ARG...] | [--] PROGRAM-ARG...]}:
 *       compiles (or finds in the code cache, by default {@code $XDG_CACHE_HOME/twill} or
 *       {@code ~/.cache/twill}; see {@link EngineConfig#cacheDirectory}) and instantiates FILE
 *       (imports from the {@code spectest} host module and from WASI preview 1 resolve; WASI
 *       programs get the file name and PROGRAM-ARGs as arguments, the given environment, this
 *       process's standard streams and each {@code --dir} host directory under its GUEST name,
 *       by default the host path as written, see {@link Wasi}), then calls NAME with the arguments parsed by its parameter
 *       types and prints each result on a line; without {@code --invoke}, calls {@code _start}
 *       if exported, else only instantiates. A WASI {@code proc_exit(n)} ends the run with exit
 *       code n. {@code --no-guard-pages} checks every memory access explicitly instead of by
 *       guard pages ({@link EngineConfig#guardPages}).
 *   <li>{@code twill wasm spectest [-v] [--opt none|speed] [--no-fork] [--simd] [--table FILE]
 *       [DIR|FILE.json|FILE.wast...]}: runs wast2json scripts ({@code .wast} files are converted
 *       with wabt's wast2json first; a directory means its {@code X/X.json}
 *       scripts, {@code simd_*} left out unless {@code --simd}; nothing means the suite's {@code
 *       wasm-2.0/core}) on an engine at the given opt level, prints {@code name: passed/total} per script (with
 *       each failure under {@code -v}) and ends with {@code N passed, N failed}. Scripts run in
 *       a child JVM unless {@code --no-fork}, so a crash costs one script. {@code --table}
 *       writes the README table (Markdown) to FILE.
 *   <li>{@code twill wasm ir [--legalized] FILE.wasm [FUNC-INDEX...]}: prints the IR the
 *       translator makes of the module's defined functions (all, or those indices), after
 *       legalization with {@code --legalized}: the input to reproduce a back-end problem with
 *       {@code twill clif compile}.
 * </ul>
 * Exit code: 0 when everything passed / the call returned, 1 on failures or a trap, 2 on bad
 * usage or input.
 */
public final class WasmCommand {
    /** {@code $XDG_CACHE_HOME/twill}, else {@code ~/.cache/twill}; null without a home directory. */
    private static Path defaultCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "twill");
        String home = System.getProperty("user.home");
        return home == null || home.isEmpty() || home.equals("?") ? null : Path.of(home, ".cache", "twill");
    }

    public static final String USAGE = "usage: twill wasm run [--opt none|speed] [--cache DIR | --no-cache] [--no-guard-pages] [--env NAME=VALUE]... [--dir HOST[::GUEST]]... FILE.wasm [--invoke NAME [ARG...] | [--] PROGRAM-ARG...]\n"
            + "       twill wasm spectest [-v] [--opt none|speed] [--no-fork] [--simd] [--table FILE.md] [DIR|FILE.json|FILE.wast...]\n"
            + "       twill wasm ir [--legalized] FILE.wasm [FUNC-INDEX...]";

    private final PrintStream out;
    private final PrintStream err;

    public WasmCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "run" -> runModule(rest);
            case "spectest" -> spectest(rest);
            case "ir" -> printIr(rest);
            default -> {
                err.println("twill wasm: unknown subcommand '" + args[0] + "'");
                err.println(USAGE);
                yield 2;
            }
        };
    }

    // ---- twill wasm run ----

    private int runModule(String[] args) {
        String opt = "speed";
        Path file = null;
        String invoke = null;
        List<String> callArgs = new ArrayList<>();
        List<String> programArgs = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> dirs = new ArrayList<>();
        Path cache = defaultCacheDirectory();
        boolean explicitCache = false;
        boolean guardPages = true;
        for (int k = 0; k < args.length; k++) {
            if (invoke != null) {
                callArgs.add(args[k]);
            } else if (file != null && programArgs.isEmpty() && args[k].equals("--")) {
                // everything after is the program's, even --invoke
                programArgs.addAll(java.util.Arrays.asList(args).subList(k + 1, args.length));
                break;
            } else if (file != null && !args[k].equals("--invoke")) {
                programArgs.add(args[k]);
            } else if (args[k].equals("--opt") && k + 1 < args.length) {
                opt = args[++k];
            } else if (args[k].equals("--cache") && k + 1 < args.length) {
                cache = Path.of(args[++k]);
                explicitCache = true;
            } else if (args[k].equals("--no-cache")) {
                cache = null;
                explicitCache = true;
            } else if (args[k].equals("--no-guard-pages")) {
                guardPages = false;
            } else if (args[k].equals("--env") && k + 1 < args.length && args[k + 1].indexOf('=') > 0) {
                String e = args[++k];
                env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
            } else if (args[k].equals("--dir") && k + 1 < args.length) {
                dirs.add(args[++k]);
            } else if (args[k].equals("--invoke") && k + 1 < args.length && programArgs.isEmpty()) {
                invoke = args[++k];
            } else if (file == null && !args[k].startsWith("--")) {
                file = Path.of(args[k]);
            } else {
                err.println(USAGE);
                return 2;
            }
        }
        if (file == null) {
            err.println(USAGE);
            return 2;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            err.println("twill: cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        List<String> argv = new ArrayList<>(List.of(file.getFileName().toString()));
        argv.addAll(programArgs);
        WasiConfig wasiConfig = new WasiConfig().args(argv).env(env).stdin(System.in).stdout(out).stderr(err);
        for (String d : dirs) {
            int sep = d.indexOf("::");
            String host = sep < 0 ? d : d.substring(0, sep), guest = sep < 0 ? d : d.substring(sep + 2);
            try {
                wasiConfig.preopen(Path.of(host), guest);
            } catch (IOException | IllegalArgumentException e) {
                err.println("twill: --dir " + d + ": not a directory that can be opened (" + e.getMessage() + ")");
                return 2;
            }
        }
        Engine cachingEngine;
        try {
            cachingEngine = new Engine(new EngineConfig().optLevel(opt).guardPages(guardPages).cacheDirectory(cache));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            if (explicitCache) {
                err.println("twill: --cache " + cache + ": " + e.getMessage());
                return 2;
            }
            // the default cache is a convenience: say why it is off and compile as without it
            err.println("twill: warning: code cache " + cache + " not used: " + e.getMessage());
            cachingEngine = new Engine(new EngineConfig().optLevel(opt).guardPages(guardPages));
        }
        try (Engine engine = cachingEngine;
                Module module = Module.compile(engine, bytes);
                SpectestHost spectest = new SpectestHost(engine);
                Store store = new Store(engine);
                Wasi wasi = new Wasi(wasiConfig)) {
            Linker linker = new Linker(engine);
            spectest.define(linker, store);
            wasi.define(linker);
            Instance instance = linker.instantiate(store, module);
            if (invoke == null) {
                if (instance.function("_start") == null) return 0;
                invoke = "_start";
            }
            WasmFunction f = instance.function(invoke);
            if (f == null) {
                err.println("twill: " + file + " exports no function '" + invoke + "'" + exportedFunctions(module));
                return 2;
            }
            FuncType type = f.type();
            if (callArgs.size() != type.params.length) {
                err.println("twill: " + invoke + " has type " + type + ": it takes " + type.params.length + " arguments, got " + callArgs.size());
                return 2;
            }
            long[] bits = new long[callArgs.size()];
            for (int k = 0; k < bits.length; k++) {
                try {
                    bits[k] = parseArgument(type.params[k], callArgs.get(k), store);
                } catch (IllegalArgumentException e) {
                    err.println("twill: argument " + (k + 1) + " of " + invoke + ": " + e.getMessage());
                    return 2;
                }
            }
            long[] results = f.call(bits);
            for (int k = 0; k < type.results.length; k++) out.println(formatResult(type.results[k], results[k], store));
            return 0;
        } catch (CompileError e) {
            err.println("twill: " + file + ": " + e.getMessage());
            return 2;
        } catch (LinkError e) {
            err.println("twill: " + file + ": link error: " + e.getMessage());
            return 1;
        } catch (Trap t) {
            err.println("twill: " + t.getMessage());
            return 1;
        } catch (WasiExit e) {
            out.flush();
            return e.exitCode();
        }
    }

    private static String exportedFunctions(Module module) {
        StringBuilder sb = new StringBuilder();
        for (Export e : module.exports()) {
            if (e.kind() == ExternKind.FUNC) sb.append(sb.isEmpty() ? " (it exports: " : ", ").append(e.name());
        }
        return sb.isEmpty() ? "" : sb.append(')').toString();
    }

    /**
     * A command-line argument as raw bits: integers in decimal (signed or unsigned, so -1 and
     * 4294967295 are the same i32) or 0x hex; floats as Java reads them plus {@code nan},
     * {@code inf}, {@code -inf} and {@code nan:0x...} (a NaN with that payload); references
     * {@code null}, and for externref any other text becomes a host string.
     */
    static long parseArgument(byte type, String s, Store store) {
        try {
            return switch (type) {
                case ValType.I32 -> (int) parseInteger(s, 32);
                case ValType.I64 -> parseInteger(s, 64);
                case ValType.F32 -> parseFloatBits(s, false);
                case ValType.F64 -> parseFloatBits(s, true);
                case ValType.EXTERNREF -> s.equals("null") ? 0 : store.externRef(s);
                case ValType.FUNCREF -> {
                    if (s.equals("null")) yield 0;
                    throw new IllegalArgumentException("a funcref argument can only be null");
                }
                default -> throw new IllegalArgumentException("cannot pass a " + ValType.name(type));
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a " + ValType.name(type));
        }
    }

    private static long parseInteger(String s, int width) {
        boolean negative = s.startsWith("-");
        String digits = negative || s.startsWith("+") ? s.substring(1) : s;
        long v = digits.startsWith("0x") || digits.startsWith("0X")
                ? Long.parseUnsignedLong(digits.substring(2), 16)
                : Long.parseUnsignedLong(digits);
        if (negative) {
            if (Long.compareUnsigned(v, width == 32 ? 1L << 31 : Long.MIN_VALUE) > 0) throw new IllegalArgumentException("'" + s + "' is out of range");
            v = -v;
        } else if (width == 32 && (v >>> 32) != 0) {
            throw new IllegalArgumentException("'" + s + "' is out of range for i32");
        }
        return v;
    }

    /**
     * A float argument's bits ({@code f64} when {@code wide}, else {@code f32}); NaNs are built
     * as bits, as a float value need not keep its payload, and f32 is parsed as a float directly
     * (through double it could round twice).
     */
    private static long parseFloatBits(String s, boolean wide) {
        String t = s.startsWith("+") ? s.substring(1) : s;
        boolean negative = t.startsWith("-");
        String u = negative ? t.substring(1) : t;
        int fraction = wide ? 52 : 23;
        long exponent = wide ? 0x7ff0_0000_0000_0000L : 0x7f80_0000L;
        long bits;
        if (u.equals("nan")) bits = exponent | 1L << (fraction - 1);
        else if (u.equals("inf") || u.equals("infinity")) bits = exponent;
        else if (u.startsWith("nan:0x")) bits = exponent | payload(u, fraction);
        else bits = wide ? Double.doubleToRawLongBits(Double.parseDouble(u)) : Float.floatToRawIntBits(Float.parseFloat(u)) & 0xFFFF_FFFFL;
        return negative ? bits | (wide ? Long.MIN_VALUE : 0x8000_0000L) : bits;
    }

    private static long payload(String u, int bits) {
        long p = Long.parseUnsignedLong(u.substring(6), 16);
        if (p == 0 || (p >>> bits) != 0) throw new IllegalArgumentException("NaN payload out of range: " + u);
        return p;
    }

    /** A result for printing: {@code 42}, {@code 1.5}, {@code nan:0x400000}, {@code null}. */
    static String formatResult(byte type, long bits, Store store) {
        return switch (type) {
            case ValType.I32 -> Integer.toString((int) bits);
            case ValType.I64 -> Long.toString(bits);
            case ValType.F32 -> {
                float f = Float.intBitsToFloat((int) bits);
                yield Float.isNaN(f) ? ((int) bits < 0 ? "-" : "") + "nan:0x" + Integer.toHexString((int) bits & 0x7f_ffff) : Float.toString(f);
            }
            case ValType.F64 -> {
                double d = Double.longBitsToDouble(bits);
                yield Double.isNaN(d) ? (bits < 0 ? "-" : "") + "nan:0x" + Long.toHexString(bits & 0xf_ffff_ffff_ffffL) : Double.toString(d);
            }
            case ValType.EXTERNREF -> bits == 0 ? "null" : "externref " + store.externObject(bits);
            case ValType.FUNCREF -> bits == 0 ? "null" : "funcref 0x" + Long.toHexString(bits);
            default -> ValType.name(type) + " 0x" + Long.toHexString(bits);
        };
    }

    // ---- twill wasm ir ----

    private int printIr(String[] args) {
        boolean legalized = false;
        Path file = null;
        List<Integer> indices = new ArrayList<>();
        try {
            for (String a : args) {
                if (a.equals("--legalized")) legalized = true;
                else if (file == null) file = Path.of(a);
                else indices.add(Integer.parseInt(a));
            }
        } catch (NumberFormatException e) {
            err.println(USAGE);
            return 2;
        }
        if (file == null) {
            err.println(USAGE);
            return 2;
        }
        try {
            WasmModule m = ModuleDecoder.decode(Files.readAllBytes(file));
            Validator.validate(m);
            VmContextLayout layout = VmContextLayout.of(m);
            FunctionTranslator translator = new FunctionTranslator();
            Legalizer legalizer = new Legalizer();
            if (indices.isEmpty()) for (int i = m.importedFunctions; i < m.functionCount(); i++) indices.add(i);
            for (int i : indices) {
                if (i < m.importedFunctions || i >= m.functionCount()) {
                    err.println("twill: function " + i + " is not a defined function (imports: " + m.importedFunctions + ", functions: " + m.functionCount() + ")");
                    return 2;
                }
                Function f = translator.translate(m, layout, i);
                if (legalized) legalizer.legalize(f);
                out.println("; " + m.functionName(i));
                out.print(Printer.print(f));
                out.println();
            }
            return 0;
        } catch (IOException e) {
            err.println("twill: cannot read " + file + ": " + e.getMessage());
            return 2;
        } catch (CompileError e) {
            err.println("twill: " + file + ": " + e.getMessage());
            return 2;
        }
    }

    // ---- twill wasm spectest ----

    private int spectest(String[] args) {
        boolean verbose = false;
        boolean fork = true;
        boolean simd = false;
        String opt = "speed";
        Path table = null;
        List<Path> inputs = new ArrayList<>();
        for (int k = 0; k < args.length; k++) {
            switch (args[k]) {
                case "-v", "--verbose" -> verbose = true;
                case "--no-fork" -> fork = false;
                case "--simd" -> simd = true;
                case "--opt" -> {
                    if (k + 1 >= args.length || !(args[k + 1].equals("none") || args[k + 1].equals("speed"))) {
                        err.println(USAGE);
                        return 2;
                    }
                    opt = args[++k];
                }
                case "--table" -> {
                    if (k + 1 >= args.length) {
                        err.println(USAGE);
                        return 2;
                    }
                    table = Path.of(args[++k]);
                }
                default -> {
                    if (args[k].startsWith("-")) {
                        err.println(USAGE);
                        return 2;
                    }
                    inputs.add(Path.of(args[k]));
                }
            }
        }
        if (inputs.isEmpty()) {
            Path suite = SpecSuite.locate();
            if (suite == null) {
                err.println("twill: no scripts given and no shared/wasm-testsuite found above " + Path.of("").toAbsolutePath());
                return 2;
            }
            inputs.add(suite.resolve("wasm-2.0").resolve("core"));
        }
        List<Path> scripts = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                scripts.addAll(SpecSuite.scripts(p, simd));
                int left = simd ? 0 : SpecSuite.simdScripts(p);
                if (left > 0) err.println("twill: " + p + ": " + left + " simd_* scripts left out (SIMD is not supported; --simd runs them)");
            } else if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".wast")) {
                try {
                    scripts.add(SpecSuite.convertWast(p));
                } catch (IOException e) {
                    err.println("twill: " + e.getMessage());
                    return 2;
                }
            } else if (Files.isRegularFile(p)) {
                scripts.add(p);
            } else {
                err.println("twill: no such file or directory: " + p);
                return 2;
            }
        }
        List<FileResult> results = new ArrayList<>();
        long passed = 0;
        long failed = 0;
        long skipped = 0;
        long start = System.nanoTime();
        try (ForkedSpecRunner forked = fork ? new ForkedSpecRunner(120_000, 20_000, opt) : null;
                Engine engine = fork ? null : new Engine(new EngineConfig().optLevel(opt));
                SpecRunner inProcess = fork ? null : new SpecRunner(engine, 20_000)) {
            for (Path script : scripts) {
                FileResult r = fork ? forked.run(script) : inProcess.run(script);
                results.add(r);
                passed += r.passed();
                failed += r.failed();
                skipped += r.skippedText();
                out.println(r.summary());
                if (verbose) for (FileResult.Failure f : r.failures()) out.println("    " + f);
                out.flush();
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.println(passed + " passed, " + failed + " failed" + (skipped == 0 ? "" : ", " + skipped + " skipped (text modules need a text parser)")
                + " in " + results.size() + " scripts (" + ms + " ms)");
        if (table != null) {
            try {
                Files.writeString(table, SpecReport.markdownTable(results), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("twill: cannot write " + table + ": " + e.getMessage());
                return 2;
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
