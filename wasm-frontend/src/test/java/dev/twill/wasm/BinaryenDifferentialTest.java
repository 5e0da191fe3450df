package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.CompileError;
import dev.twill.ir.TrapCode;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.ExternKind;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.ValType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Differential testing of the whole engine (decoder, validator, translator, both tiers of the
 * x86-64 back end, runtime) against binaryen's interpreter on random programs.
 *
 * <p>Per seed: {@link SplittableRandom} of the seed makes between 256 bytes and 32 KiB of random
 * input; {@code wasm-opt -ttf} (translate-to-fuzz) turns them into a valid random module using
 * only WebAssembly 2.0 without SIMD, for half the seeds reshaped by random optimization passes
 * ({@code --fuzz-passes}) and for half with memory accesses kept mostly in bounds
 * ({@code --no-fuzz-oob}); {@code wasm-opt --fuzz-exec-before} runs it in binaryen's
 * interpreter, which calls every exported function in export order with zero arguments (after
 * calling {@code hangLimitInitializer} each time, which resets the fuel that bounds loops and
 * recursion) and prints what the {@code fuzzing-support} imports log, each call's results and
 * each trap. Twill then compiles the same bytes under optLevel {@code none} and {@code speed},
 * provides the logging imports as host functions, makes the same calls on one instance and must
 * print the same story: the same logged values, the same results, a trap exactly where binaryen
 * traps and of the matching kind (the phrase table is {@link #expectedTrap}), with memory and
 * globals carrying over from call to call, traps included.
 *
 * <p>Running: {@code mvn test -pl wasm-frontend -Dtest=BinaryenDifferentialTest} runs {@value
 * #DEFAULT_COUNT} seeds from {@value #DEFAULT_SEED}; {@code -Dtwill.wasmfuzz.seed=S
 * -Dtwill.wasmfuzz.count=N} runs seeds S..S+N-1 (a failure names its seed, so {@code
 * -Dtwill.wasmfuzz.count=1} with that seed reproduces it, with the same binaryen version). A
 * failing module is kept as {@code target/wasmfuzz-failures/seed-S.wasm}. The seed currently
 * running is written to {@code target/wasmfuzz-progress.txt} first, so a run that kills the JVM
 * still names its seed. Needs {@code wasm-opt} (binaryen; version 108 was used to write this) and
 * {@code wasm-validate} (wabt); {@code ./twill test} installs both.
 *
 * <p>Quirks of binaryen 108 this test works around, found while writing it:
 * <ul>
 *   <li>With reference types enabled, most modules it makes are not valid WebAssembly 2.0: it
 *       treats {@code anyref} (which it encodes as externref) as a supertype of funcref, so a
 *       funcref flows where an externref is expected, and it writes a typed non-null function
 *       reference ({@code 0x6b}) as a result type, which needs the typed-function-references
 *       proposal. So wabt's {@code wasm-validate} judges each module: one it rejects must be
 *       rejected by Twill too (a free validator test), and the seed then falls back to a module
 *       made from the same bytes without reference types.
 *   <li>NaN payloads are nondeterministic in WebAssembly, and binaryen's interpreter
 *       "standardizes" every NaN that add, sub, mul, div, min and max produce to the positive
 *       canonical NaN (literal.cpp), where x86 (and so Twill) keeps an operand's payload and
 *       makes new NaNs negative: both are valid, but the bits differ once they reach an integer
 *       (reinterpret, or memory and then {@code hashMemory}). So every module goes through
 *       {@code --denan} (every float value that is NaN becomes 0) and is compared exactly; a
 *       float that is still NaN is compared only as "a NaN". NaN bit patterns through loads,
 *       stores, reinterpret, neg, abs and copysign are the spec suite's job.
 *   <li>A result of one reference type prints as its type name only, and a funcref inside a
 *       tuple as {@code funcref(name)}; references are compared as null or not.
 *   <li>binaryen's interpreter traps with "stack limit" past 250 nested calls, and reports a host
 *       limit ("[host limit ...]") for deep expression recursion or huge allocations; Twill is
 *       allowed further, so comparison stops at the first such call.
 *   <li>{@code --fuzz-passes} sometimes fails an assertion inside binaryen; such a seed is made
 *       again without it.
 * </ul>
 */
class BinaryenDifferentialTest {
    static final long DEFAULT_SEED = 1;
    static final int DEFAULT_COUNT = 100;
    static final int DEFAULT_WAT_COUNT = 120;
    /** A Twill call running longer than this is interrupted and reported: binaryen's fuel bounds every program. */
    static final long WATCHDOG_MILLIS = 20_000;

    static final String[] TIERS = {"none", "speed"};
    private static Engine[] engines;

    @BeforeAll
    static void engines() {
        engines = new Engine[TIERS.length];
        // one tier compiles on one thread, the other on several (functions compile in parallel; the
        // code must not depend on it)
        for (int i = 0; i < TIERS.length; i++) engines[i] = new Engine(new EngineConfig().optLevel(TIERS[i]).threads(i == 0 ? 1 : 4));
    }

    @AfterAll
    static void closeEngines() {
        for (Engine e : engines) e.close();
    }

    @TestFactory
    Stream<DynamicTest> randomPrograms() {
        assertNotNull(Binaryen.version(),
                "wasm-opt (binaryen) is not installed: ./twill test installs it as root, or run 'apt-get install binaryen'");
        assertTrue(Binaryen.wabtAvailable(),
                "wasm-validate (wabt) is not installed: ./twill test installs it as root, or run 'apt-get install wabt'");
        long first = Long.getLong("twill.wasmfuzz.seed", DEFAULT_SEED);
        int count = Integer.getInteger("twill.wasmfuzz.count", DEFAULT_COUNT);
        return LongStream.range(first, first + count).mapToObj(s -> DynamicTest.dynamicTest("seed " + s, () -> runSeed(s)));
    }

    /**
     * Long runs outside Maven: {@code java -cp <test classpath> dev.twill.wasm.BinaryenDifferentialTest
     * [wat] FIRST COUNT} (wat: the {@link RandomWat} generator) prints one line per failing seed and a summary, and goes on after failures.
     */
    public static void main(String[] args) throws IOException {
        if (args[0].equals("check")) {
            // "check FILE.wasm": exit status 1 on a difference, for wasm-reduce's --command
            engines();
            Path file = Paths.get(args[1]);
            byte[] wasm = Files.readAllBytes(file);
            List<Binaryen.Call> expected;
            try {
                expected = Binaryen.parse(Binaryen.fuzzExec(file));
            } catch (IOException e) {
                System.exit(0); // binaryen rejects it: not interesting
                return;
            }
            int status = 0;
            for (int t = 0; t < TIERS.length; t++) {
                String problem;
                try {
                    problem = compare(expected, run(engines[t], wasm));
                } catch (CompileError e) {
                    problem = null; // reduced into an invalid module: not interesting
                } catch (RuntimeException | Error e) {
                    problem = e.toString();
                }
                if (problem != null) {
                    // stderr: wasm-reduce compares stdout, which must not change as the module shrinks
                    System.err.println(TIERS[t] + ": " + problem);
                    status = 1;
                }
            }
            closeEngines();
            System.exit(status);
        }
        boolean wat = args[0].equals("wat");
        if (wat) args = Arrays.copyOfRange(args, 1, args.length);
        long first = Long.parseLong(args[0]);
        int count = Integer.parseInt(args[1]);
        engines();
        int failed = 0;
        for (long s = first; s < first + count; s++) {
            try {
                if (wat) runWatSeed(s);
                else runSeed(s);
            } catch (AssertionError | RuntimeException | IOException e) {
                failed++;
                String msg = String.valueOf(e.getMessage());
                System.out.println("FAIL " + (msg.startsWith("seed ") ? msg : "seed " + s + ": " + e).replace('\n', ' '));
            }
            if ((s - first + 1) % 100 == 0) System.out.println("done " + (s - first + 1) + " seeds, " + failed + " failed");
        }
        System.out.println("END " + count + " seeds from " + first + ", " + failed + " failed");
        closeEngines();
    }

    private static void runSeed(long seed) throws IOException {
        Path target = Paths.get("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("wasmfuzz-progress.txt"), "seed " + seed + "\n");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] input = new byte[256 + random.nextInt(32 * 1024)];
        random.nextBytes(input);
        List<String> options = new ArrayList<>();
        options.add("--denan");
        // random optimization passes reshape the code (br_table, select, tees, merged blocks)
        if (random.nextBoolean()) options.add("--fuzz-passes");
        // mostly in-bounds accesses run further into a function before a trap ends it
        if (random.nextBoolean()) options.add("--no-fuzz-oob");

        Path dir = Files.createTempDirectory("twill-wasmfuzz");
        try {
            Path in = dir.resolve("input.bin"), out = dir.resolve("fuzz.wasm");
            Files.write(in, input);
            try {
                Binaryen.translateToFuzz(in, Binaryen.FEATURES, options, out);
            } catch (IOException crash) {
                // binaryen 108's random passes sometimes fail an assertion of their own
                if (!options.remove("--fuzz-passes")) throw crash;
                Binaryen.translateToFuzz(in, Binaryen.FEATURES, options, out);
            }
            String wabtError = Binaryen.wabtError(out);
            if (wabtError != null) {
                expectRejected(seed, Files.readAllBytes(out), wabtError);
                Binaryen.translateToFuzz(in, Binaryen.FEATURES_NO_REFS, options, out);
                wabtError = Binaryen.wabtError(out);
                if (wabtError != null) fail("seed " + seed + ": binaryen made a module wabt rejects, even without reference types: " + wabtError);
            }
            differential("seed " + seed, "seed-" + seed, out, String.join(" ", options));
        } finally {
            delete(dir);
        }
    }

    /** Runs {@code out} in binaryen and in Twill under both tiers; fails on the first difference. */
    private static void differential(String what, String keepAs, Path out, String how) throws IOException {
        byte[] wasm = Files.readAllBytes(out);
        List<Binaryen.Call> expected = Binaryen.parse(Binaryen.fuzzExec(out));
        for (int t = 0; t < TIERS.length; t++) {
            String problem;
            try {
                problem = compare(expected, run(engines[t], wasm));
            } catch (RuntimeException | Error e) {
                keep(keepAs, wasm);
                throw new AssertionError(what + " (optLevel " + TIERS[t] + "): " + e, e);
            }
            if (problem != null) {
                keep(keepAs, wasm);
                fail(what + " (optLevel " + TIERS[t] + (how.isEmpty() ? "" : ", " + how) + "): " + problem
                        + "\n(module kept as target/wasmfuzz-failures/" + keepAs + ".wasm; rerun with -Dtest=BinaryenDifferentialTest"
                        + " -Dtwill.wasmfuzz.seed=" + keepAs.substring(keepAs.indexOf('-') + 1) + " -Dtwill.wasmfuzz.count=1)");
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    /**
     * The second generator: {@link RandomWat}'s arithmetic-dense programs, assembled by wat2wasm,
     * with binaryen's interpreter as the oracle. Same properties; its failures are kept as
     * {@code target/wasmfuzz-failures/wat-S.wasm} (and {@code .wat}).
     */
    @TestFactory
    Stream<DynamicTest> randomExpressionPrograms() {
        assertNotNull(Binaryen.version(),
                "wasm-opt (binaryen) is not installed: ./twill test installs it as root, or run 'apt-get install binaryen'");
        assertTrue(Wat.wat2wasmAvailable(),
                "wat2wasm (wabt) is not installed: ./twill test installs it as root, or run 'apt-get install wabt'");
        long first = Long.getLong("twill.wasmfuzz.seed", DEFAULT_SEED);
        int count = Integer.getInteger("twill.wasmfuzz.count", DEFAULT_WAT_COUNT);
        return LongStream.range(first, first + count).mapToObj(s -> DynamicTest.dynamicTest("wat seed " + s, () -> runWatSeed(s)));
    }

    private static void runWatSeed(long seed) throws IOException {
        Path target = Paths.get("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("wasmfuzz-progress.txt"), "wat seed " + seed + "\n");
        String text = RandomWat.module(seed);
        Path dir = Files.createTempDirectory("twill-wasmfuzz");
        try {
            Path src = dir.resolve("random.wat"), out = dir.resolve("random.wasm");
            Files.writeString(src, text);
            String error = Binaryen.wat2wasm(src, out);
            if (error != null) {
                Path keepDir = Paths.get("target", "wasmfuzz-failures");
                Files.createDirectories(keepDir);
                Files.writeString(keepDir.resolve("wat-" + seed + ".wat"), text);
                fail("wat seed " + seed + ": RandomWat made a module wat2wasm rejects: " + error);
            }
            try {
                differential("wat seed " + seed, "wat-" + seed, out, "");
            } catch (AssertionError e) {
                Files.writeString(Paths.get("target", "wasmfuzz-failures", "wat-" + seed + ".wat"), text);
                throw e;
            }
        } finally {
            delete(dir);
        }
    }

    /** A module wabt rejects must not compile in Twill either. */
    private static void expectRejected(long seed, byte[] wasm, String wabtError) throws IOException {
        try (Module m = Module.compile(engines[0], wasm)) {
            keep("seed-" + seed, wasm);
            fail("seed " + seed + ": Twill accepts a module wabt rejects (" + wabtError + ")");
        } catch (CompileError expected) {
            // both reject it
        }
    }

    private static void keep(String name, byte[] wasm) throws IOException {
        Path dir = Paths.get("target", "wasmfuzz-failures");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".wasm"), wasm);
    }

    /** What one fuzzing-support import call logged: its parameter types and raw argument bits. */
    record Logged(byte[] types, long[] args) {}

    /** One export call (or instantiation, with a null name) as Twill ran it. */
    static final class TwillCall {
        final String name;
        final List<Logged> logs = new ArrayList<>();
        byte[] resultTypes;
        long[] results;
        Trap trap;

        TwillCall(String name) {
            this.name = name;
        }
    }

    /** Instantiates {@code wasm} in a fresh store and calls every exported function as binaryen does. */
    static List<TwillCall> run(Engine engine, byte[] wasm) {
        List<TwillCall> calls = new ArrayList<>();
        AtomicReference<TwillCall> current = new AtomicReference<>(new TwillCall(null));
        calls.add(current.get());
        try (Module m = Module.compile(engine, wasm); Store store = new Store(engine)) {
            Linker linker = new Linker(engine);
            for (Import imp : m.imports()) {
                if (imp.kind() != ExternKind.FUNC || !imp.module().equals("fuzzing-support")) {
                    throw new AssertionError("unexpected import " + imp.module() + "." + imp.name());
                }
                FuncType type = m.ir().types[imp.typeIndex()];
                linker.defineFunction(imp.module(), imp.name(), type, (caller, args) -> {
                    current.get().logs.add(new Logged(type.params, args.clone()));
                    return new long[type.results.length];
                });
            }
            Thread watchdog = Thread.ofVirtual().unstarted(() -> {
                try {
                    Thread.sleep(WATCHDOG_MILLIS);
                    store.interrupt();
                } catch (InterruptedException stop) {
                    // the run ended in time
                }
            });
            watchdog.start();
            try {
                Instance instance;
                try {
                    instance = linker.instantiate(store, m);
                } catch (Trap t) {
                    current.get().trap = t;
                    return calls;
                }
                WasmFunction hangLimitInitializer = null;
                for (Export e : m.exports()) {
                    if (e.kind() == ExternKind.FUNC && e.name().equals("hangLimitInitializer")) {
                        hangLimitInitializer = instance.function(e.name());
                    }
                }
                for (Export e : m.exports()) {
                    if (e.kind() != ExternKind.FUNC) continue;
                    TwillCall call = new TwillCall(e.name());
                    calls.add(call);
                    current.set(call);
                    WasmFunction f = instance.function(e.name());
                    call.resultTypes = f.type().results;
                    try {
                        if (hangLimitInitializer != null) hangLimitInitializer.call();
                        call.results = f.call(new long[f.type().params.length]);
                    } catch (Trap t) {
                        call.trap = t;
                    }
                }
            } finally {
                watchdog.interrupt();
            }
        }
        return calls;
    }

    /** The first difference between binaryen's story and Twill's, or null when they agree. */
    static String compare(List<Binaryen.Call> expected, List<TwillCall> actual) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            if (i >= expected.size()) return "Twill made a call binaryen did not: " + actual.get(i).name;
            Binaryen.Call want = expected.get(i);
            if (i >= actual.size()) return "binaryen made a call Twill did not: " + want.name;
            TwillCall got = actual.get(i);
            String where = want.name == null ? "instantiation" : "export " + want.name;
            if (want.name != null && !want.name.equals(got.name)) return "call " + i + ": binaryen calls " + want.name + ", Twill " + got.name;
            // binaryen's interpreter stopped at a limit of its own: nothing after is comparable
            if (want.hostLimit || "stack limit".equals(want.trap)) return null;
            int logs = Math.min(want.logs.size(), got.logs.size());
            for (int k = 0; k < logs; k++) {
                String p = compareLog(want.logs.get(k), got.logs.get(k));
                if (p != null) return where + ", log " + k + ": " + p;
            }
            if (want.logs.size() != got.logs.size()) {
                return where + ": binaryen logged " + want.logs.size() + " times, Twill " + got.logs.size() + " times"
                        + (got.trap != null ? " (Twill trapped: " + got.trap.getMessage() + ")" : "")
                        + (want.trap != null ? " (binaryen trapped: " + want.trap + ")" : "");
            }
            if (want.trap != null || got.trap != null) {
                if (got.trap == null) return where + ": binaryen traps (" + want.trap + "), Twill returns " + show(got);
                if (want.trap == null) return where + ": Twill traps (" + got.trap.getMessage() + "), binaryen does not";
                int code = expectedTrap(want.trap);
                if (code < 0) return where + ": binaryen's trap phrase '" + want.trap + "' is not in the table (Twill: " + got.trap.codeName() + ")";
                if (code != got.trap.code()) return where + ": binaryen traps '" + want.trap + "', Twill " + got.trap.codeName();
                continue;
            }
            if (want.name == null) continue;
            String[] wantResults = want.results == null ? new String[0] : want.results;
            if (wantResults.length != got.results.length) {
                // a single reference result prints as its type name only
                if (!(got.results.length == 1 && ValType.isRef(got.resultTypes[0]))) {
                    return where + ": binaryen returns " + Arrays.toString(wantResults) + ", Twill " + show(got);
                }
                continue;
            }
            if (got.results.length == 1 && ValType.isRef(got.resultTypes[0])) continue;
            for (int k = 0; k < wantResults.length; k++) {
                if (!matches(got.resultTypes[k], got.results[k], wantResults[k])) {
                    return where + ": binaryen returns " + Arrays.toString(wantResults) + ", Twill " + show(got);
                }
            }
        }
        return null;
    }

    private static String compareLog(String[] want, Logged got) {
        List<String> tokens = new ArrayList<>();
        List<Byte> types = new ArrayList<>();
        List<Long> bits = new ArrayList<>();
        for (int j = 0; j < got.types.length; j++) {
            if (got.types[j] == ValType.I64) {
                // binaryen logs an i64 as its low and high halves, as JS legalization would
                types.add(ValType.I32);
                bits.add((long) (int) got.args[j]);
                types.add(ValType.I32);
                bits.add(got.args[j] >> 32);
            } else {
                types.add(got.types[j]);
                bits.add(got.args[j]);
            }
        }
        for (int j = 0; j < types.size(); j++) tokens.add(show(types.get(j), bits.get(j)));
        if (want.length != types.size()) return "binaryen logs " + Arrays.toString(want) + ", Twill " + tokens;
        for (int j = 0; j < want.length; j++) {
            if (!matches(types.get(j), bits.get(j), want[j])) return "binaryen logs " + Arrays.toString(want) + ", Twill " + tokens;
        }
        return null;
    }

    /** Whether Twill's value of {@code type} with raw {@code bits} is what binaryen printed as {@code token}. */
    static boolean matches(byte type, long bits, String token) {
        switch (type) {
            case ValType.I32:
                return (int) bits == (int) Long.parseLong(token);
            case ValType.I64:
                return bits == Long.parseLong(token);
            case ValType.F32: {
                float got = Float.intBitsToFloat((int) bits);
                if (isNaNToken(token)) return Float.isNaN(got);
                return !Float.isNaN(got) && Float.floatToRawIntBits(got) == Float.floatToRawIntBits(parseFloat(token));
            }
            case ValType.F64: {
                double got = Double.longBitsToDouble(bits);
                if (isNaNToken(token)) return Double.isNaN(got);
                return !Double.isNaN(got) && Double.doubleToRawLongBits(got) == Double.doubleToRawLongBits(parseDouble(token));
            }
            default:
                // references: binaryen prints funcref(name), funcref(null), anyref(null), ...
                if (token.contains("(null)") || token.equals("null")) return bits == 0;
                if (token.startsWith("funcref(")) return bits != 0;
                return true;
        }
    }

    private static boolean isNaNToken(String t) {
        return t.startsWith("nan") || t.startsWith("-nan");
    }

    private static float parseFloat(String t) {
        return switch (t) {
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(t);
        };
    }

    private static double parseDouble(String t) {
        return switch (t) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(t);
        };
    }

    /**
     * The Twill trap code for binaryen 108's trap phrase (wasm-interpreter.h, shell-interface.h), or
     * -1 for a phrase not in the table.
     */
    static int expectedTrap(String phrase) {
        if (phrase.startsWith("final > memory") || phrase.startsWith("highest > memory") || phrase.startsWith("bytes > memory")
                || phrase.startsWith("offset > memory") || phrase.startsWith("out of bounds memory access")
                || phrase.startsWith("out of bounds segment access in memory.")) {
            return TrapCode.HEAP_OOB;
        }
        if (phrase.endsWith(" by 0")) return TrapCode.INT_DIVZ;
        if (phrase.endsWith("div_s overflow")) return TrapCode.INT_OVF;
        if (phrase.endsWith("Float overflow")) return TrapCode.INT_OVF;
        if (phrase.endsWith("Float of nan")) return TrapCode.BAD_TOINT;
        if (phrase.equals("unreachable")) return TrapCode.UNREACHABLE;
        if (phrase.equals("callTable overflow") || phrase.equals("out of bounds table access")) return TrapCode.TABLE_OOB;
        if (phrase.equals("uninitialized table element")) return TrapCode.NULL_REFERENCE;
        if (phrase.startsWith("callIndirect: ")) return TrapCode.BAD_SIG;
        return -1;
    }

    private static String show(TwillCall c) {
        if (c.trap != null) return "trap " + c.trap.codeName();
        List<String> s = new ArrayList<>();
        for (int k = 0; k < c.results.length; k++) s.add(show(c.resultTypes[k], c.results[k]));
        return s.toString();
    }

    /** A value printed as binaryen prints it (NaNs with their payload, so a reader sees both sides). */
    static String show(byte type, long bits) {
        switch (type) {
            case ValType.I32:
                return Integer.toString((int) bits);
            case ValType.I64:
                return Long.toString(bits);
            case ValType.F32: {
                float f = Float.intBitsToFloat((int) bits);
                if (Float.isNaN(f)) return (bits & 0x8000_0000L) != 0 ? "-nan:0x" + Long.toHexString(bits & 0x7F_FFFFL) : "nan:0x" + Long.toHexString(bits & 0x7F_FFFFL);
                return Float.toString(f);
            }
            case ValType.F64: {
                double d = Double.longBitsToDouble(bits);
                if (Double.isNaN(d)) return (bits < 0 ? "-nan:0x" : "nan:0x") + Long.toHexString(bits & 0xF_FFFF_FFFF_FFFFL);
                return Double.toString(d);
            }
            default:
                return bits == 0 ? "null" : "ref";
        }
    }
}
