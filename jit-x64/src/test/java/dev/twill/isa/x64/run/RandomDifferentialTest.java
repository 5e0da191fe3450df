package dev.twill.isa.x64.run;

import dev.twill.filetest.NativeModule;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.filetest.RunLineExecutor;
import dev.twill.fuzz.GeneratedModule;
import dev.twill.fuzz.GeneratedModule.Outcome;
import dev.twill.fuzz.RandomFunctionGenerator;
import dev.twill.interp.InterpResult;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.Printer;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.verify.Verifier;
import dev.twill.runtime.Trap;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Native code against the interpreter on seeded random modules ({@link RandomFunctionGenerator}
 * with its default options: every opcode family and type, heaps, stack slots, direct and indirect
 * calls with several results, mid-block branches, {@code br_table}, block parameters, loops,
 * traps, compares fused into branches and selects; every value available at a return is folded
 * into a digest that reaches the result and the heap, so no computation is dead code and many
 * values are live at once: high register pressure).
 *
 * <p>For each seed the module is generated twice: the interpreter runs the original, the other
 * copy is legalized, verified and compiled under every {@link Tier} (each allocation checked by
 * {@code RegAllocChecker}, see {@link X64Isa}). The entry function is called with seeded,
 * edge-heavy arguments on a fresh VM context and zeroed heap ({@link GeneratedModule}'s
 * contract), and the outcome must equal the interpreter's: the results (integers at their width;
 * a NaN result matches any NaN, as the IR leaves NaN payloads unspecified) or the trap code, and
 * the final heap contents byte for byte. Arithmetic NaN results are canonicalized in both copies
 * ({@link NanCanonicalizer}) so that unspecified payload bits cannot reach the heap or a {@code
 * bitcast}; everything else is compared exactly.
 *
 * <p>Speed: {@value #BATCH} seeds share one {@link dev.twill.runtime.JitModule} per tier (their
 * functions renamed apart), so linking and code memory are paid once per batch. Java calls each
 * seed's entry through a compiled IR <i>driver</i>, {@code (i64 args, i64 results)}, that loads
 * the arguments from memory, calls the entry and stores its results: one native shape for every
 * seed, where the random signatures would each cost a new trampoline, downcall and method-handle
 * chain (milliseconds apiece). The driver's own loads, call and stores are compiled code under
 * test too; Java-to-native calls of every shape are covered by {@code NativeFileTests}.
 *
 * <p>Properties: {@code -Dtwill.fuzz.i128=true} adds i128 computations (narrowed to i64 pairs
 * by the legalizer) to the programs; {@code -Dtwill.fuzz.count=N} runs N seeds (default {@value #DEFAULT_COUNT}, about
 * 10,000 functions, each compiled under both tiers); {@code -Dtwill.fuzz.seed=S} starts at seed S
 * and, without a count, runs that seed alone (to reproduce a failure). A failure message prints the
 * seed, the tier, the arguments and the functions' text, before and after legalization.
 */
class RandomDifferentialTest {
    static final int DEFAULT_COUNT = 5200;
    static final int BATCH = 100;
    private static final String SEED_PROP = System.getProperty("twill.fuzz.seed");
    private static final long START = SEED_PROP == null ? 0 : Long.parseLong(SEED_PROP);
    private static final int COUNT = Integer.getInteger("twill.fuzz.count", SEED_PROP == null ? DEFAULT_COUNT : 1);
    /** The seed about to run, overwritten in place (reopening a file per call costs milliseconds). */
    private static final RandomAccessFile SEED_LOG = seedLog();

    /** One seed's module: the interpreter's copy and outcome, the legalized copy and the arguments. */
    private record Case(long seed, GeneratedModule original, GeneratedModule legalized, long[] args, Outcome want) {}

    @Test
    void nativeCodeAgreesWithTheInterpreter() throws Throwable {
        List<Tier> tiers = Tier.available();
        assertTrue(tiers.size() == 2, "both allocation tiers must run: " + tiers);
        Legalizer legalizer = new Legalizer();
        X64Isa isa = new X64Isa();
        int functions = 0, returned = 0, trapped = 0, skipped = 0;
        java.util.TreeMap<String, Integer> trapCodes = new java.util.TreeMap<>();
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime(), cpu0 = cpuNanos();
        for (long batch = START; batch < START + COUNT && failures.size() < 10; batch += BATCH) {
            List<Case> cases = new ArrayList<>();
            List<Function> linked = new ArrayList<>();
            for (long seed = batch; seed < Math.min(batch + BATCH, START + COUNT); seed++) {
                GeneratedModule original = generate(seed);
                long[] args = original.randomArgs(new SplittableRandom(seed * 31 + 7));
                Outcome want = original.interpret(args.clone(), 2_000_000);
                if (want.result().isOutOfFuel()) {
                    skipped++;
                    continue;
                }
                GeneratedModule legal = generate(seed);
                try {
                    for (Function f : legal.functions()) {
                        legalizer.legalize(f);
                        Verifier.verifyOrThrow(f);
                    }
                } catch (RuntimeException e) {
                    failures.add("seed " + seed + ": legalized code does not verify: " + e + "\n" + module(legal));
                    continue;
                }
                cases.add(new Case(seed, original, legal, args, want));
                linked.addAll(legal.functions());
                linked.add(driver(legal));
                functions += legal.functions().size();
            }
            for (Tier tier : tiers) {
                NativeModule m;
                try {
                    m = new NativeModule(linked, tier.compiler());
                } catch (NativeModule.CompileFailure e) {
                    long seed = Long.parseLong(e.function.substring(2, e.function.indexOf('_')));
                    failures.add("seed " + seed + " [" + tier + "]: " + e.function + " does not compile (rerun with -Dtwill.fuzz.seed="
                            + seed + "): " + NativeFileTests.stackOf(e.getCause()) + "\n" + module(casesOf(cases, seed)));
                    continue;
                }
                try (m; Arena arena = Arena.ofConfined()) {
                    MemorySegment io = arena.allocate(16L * 64 + GeneratedModule.VMCTX_SIZE + GeneratedModule.HEAP_SIZE, 16);
                    for (Case c : cases) {
                        String where = "seed " + c.seed + " [" + tier + "] args " + Arrays.toString(c.args);
                        // wrong machine code may take the JVM down: the seed about to run is left on disk
                        SEED_LOG.setLength(0);
                        SEED_LOG.write((where + "\n").getBytes(StandardCharsets.UTF_8));
                        String why;
                        try {
                            Outcome got = execute(m.handle(driverName(c.seed)), c.legalized, c.args, io);
                            why = compare(c.original.entry().signature, c.want, got);
                        } catch (Throwable e) {
                            why = "the call threw " + NativeFileTests.stackOf(e);
                        }
                        if (why != null) {
                            failures.add(where + ": " + why + " (rerun with -Dtwill.fuzz.seed=" + c.seed + ")\n"
                                    + module(c.original) + "--- legalized:\n" + module(c.legalized));
                        }
                    }
                }
            }
            for (Case c : cases) {
                if (c.want.result().trapped()) {
                    trapped++;
                    trapCodes.merge(TrapCode.name(c.want.result().trapCode()), 1, Integer::sum);
                } else {
                    returned++;
                }
            }
        }
        if (!failures.isEmpty()) fail(failures.size() + " failure(s):\n" + String.join("\n\n", failures));
        System.out.printf("random differential: %d seeds from %d, %d functions x %d tiers agree (%d returned, %d trapped %s, "
                + "%d out of fuel) in %.1f s (%.1f s of CPU)%n", COUNT, START, functions, tiers.size(), returned, trapped,
                trapCodes, skipped, (System.nanoTime() - t0) / 1e9, (cpuNanos() - cpu0) / 1e9);
        if (COUNT >= 1000 && defaultOptions()) {
            // the generator must exercise both outcomes in bulk, or agreement proves little
            assertTrue(returned > COUNT / 4, "only " + returned + " runs returned");
            assertTrue(trapped > COUNT / 50, "only " + trapped + " runs trapped");
        }
    }

    /**
     * The module of {@code seed}, its functions renamed {@code %sSEED_fK} so that many seeds link
     * into one module, and arithmetic NaN results made deterministic ({@link NanCanonicalizer}).
     */
    private static GeneratedModule generate(long seed) {
        GeneratedModule m = new RandomFunctionGenerator(seed, options()).generate();
        List<Function> out = new ArrayList<>();
        for (Function f : m.functions()) {
            // function names are the only "%f" in the text (values print as vN, references as fnN)
            String text = Printer.print(NanCanonicalizer.canonicalize(f)).replace("%f", "%s" + seed + "_f");
            out.add(Parser.parseFunction(text));
        }
        return new GeneratedModule(out, m.usesVmctx(), seed);
    }

    /** The legalized module of {@code seed} in this batch. */
    private static GeneratedModule casesOf(List<Case> cases, long seed) {
        for (Case c : cases) if (c.seed == seed) return c.legalized;
        return new GeneratedModule(List.of(), false, seed);
    }

    /**
     * The generator's defaults; {@code -Dtwill.fuzz.calls=false}, {@code .heaps=false}, {@code
     * .maxBlocks=N}, {@code .maxInsts=N} narrow a failure down by hand (CI runs the defaults).
     */
    private static boolean defaultOptions() {
        for (String k : new String[] {"calls", "heaps", "maxBlocks", "maxInsts"}) if (System.getProperty("twill.fuzz." + k) != null) return false;
        return true;
    }

    private static RandomFunctionGenerator.Options options() {
        RandomFunctionGenerator.Options o = new RandomFunctionGenerator.Options();
        o.calls = !"false".equals(System.getProperty("twill.fuzz.calls"));
        o.heaps = !"false".equals(System.getProperty("twill.fuzz.heaps"));
        o.maxBlocks = Integer.getInteger("twill.fuzz.maxBlocks", o.maxBlocks);
        o.maxInstsPerBlock = Integer.getInteger("twill.fuzz.maxInsts", o.maxInstsPerBlock);
        o.i128 = Boolean.getBoolean("twill.fuzz.i128"); // i128 computations, narrowed to i64 pairs by the legalizer
        return o;
    }

    private static String compare(Signature sig, Outcome want, Outcome got) {
        InterpResult w = want.result(), g = got.result();
        if (w.trapped() || g.trapped()) {
            if (!(w.trapped() && g.trapped() && w.trapCode() == g.trapCode())) return "native " + g + ", interpreter " + w;
        } else if (!RunLineExecutor.sameValues(sig, w.values(), g.values())) {
            return "native returned " + RunLineExecutor.format(sig, g.values()) + ", interpreter " + RunLineExecutor.format(sig, w.values());
        }
        if (!Arrays.equals(want.heap(), got.heap())) {
            int k = Arrays.mismatch(want.heap(), got.heap());
            return "heap contents differ first at offset " + k + ": native " + (got.heap()[k] & 0xFF) + ", interpreter " + (want.heap()[k] & 0xFF)
                    + " (outcome " + g + ")";
        }
        return null;
    }

    /** Calls the driver of {@code m} with {@code args} through {@code io}: args, results, vmctx, heap. */
    private static Outcome execute(MethodHandle driver, GeneratedModule m, long[] args, MemorySegment io) throws Throwable {
        long argsAt = 0, resultsAt = 8 * 64, vmctxAt = 16 * 64, heapAt = vmctxAt + GeneratedModule.VMCTX_SIZE;
        io.fill((byte) 0);
        MemorySegment heap = io.asSlice(heapAt, GeneratedModule.HEAP_SIZE);
        for (int k = 0; k < args.length; k++) io.set(ValueLayout.JAVA_LONG, argsAt + 8 * k, args[k]);
        if (m.usesVmctx()) {
            io.set(ValueLayout.JAVA_LONG, vmctxAt, heap.address());
            io.set(ValueLayout.JAVA_LONG, vmctxAt + 8, GeneratedModule.HEAP_SIZE);
            io.set(ValueLayout.JAVA_LONG, argsAt, io.address() + vmctxAt);
        }
        InterpResult r;
        try {
            driver.invokeExact(io.address() + argsAt, io.address() + resultsAt);
            Signature sig = m.entry().signature;
            long[] values = new long[sig.returns.length];
            for (int k = 0; k < values.length; k++) {
                // the driver stores each result at its own width into a zeroed slot
                values[k] = io.get(ValueLayout.JAVA_LONG, resultsAt + 8 * k);
            }
            r = InterpResult.returning(values);
        } catch (Trap t) {
            r = InterpResult.trap(t.code());
        }
        return new Outcome(r, m.usesVmctx() ? heap.toArray(ValueLayout.JAVA_BYTE) : new byte[0]);
    }

    static String driverName(long seed) {
        return "%s" + seed + "_drive";
    }

    /**
     * {@code function %sSEED_drive(i64 args, i64 results)}: loads argument {@code k} of the entry
     * from {@code args + 8k} (the low bytes, at its type), calls the entry and stores result
     * {@code k} at {@code results + 8k} (its own width).
     */
    static Function driver(GeneratedModule m) {
        Signature entry = m.entry().signature;
        Function d = new Function(driverName(m.seed()), Signature.of(new int[] {Type.I64, Type.I64}, new int[0]));
        InstBuilder b = new InstBuilder(d);
        int block = d.makeBlock();
        d.layout.appendBlock(block);
        int argsPtr = d.dfg.appendBlockParam(block, Type.I64), resultsPtr = d.dfg.appendBlockParam(block, Type.I64);
        b.atEnd(block);
        int fn = d.addExtFunc(new ExtFuncData(m.entry().name, d.addSignature(entry), true));
        int[] args = new int[entry.params.length];
        int flags = MemFlags.NOTRAP | MemFlags.ALIGNED;
        for (int k = 0; k < args.length; k++) args[k] = b.load(Opcode.LOAD, entry.params[k], flags, argsPtr, 8L * k);
        int call = b.call(fn, args, args.length);
        for (int k = 0; k < entry.returns.length; k++) b.store(Opcode.STORE, flags, d.dfg.result(call, k), resultsPtr, 8L * k);
        b.ret();
        Verifier.verifyOrThrow(d);
        return d;
    }

    private static String module(GeneratedModule m) {
        StringBuilder sb = new StringBuilder();
        for (Function f : m.functions()) sb.append(Printer.print(f));
        return sb.toString();
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static RandomAccessFile seedLog() {
        try {
            Path p = Path.of("target", "random-differential.seed");
            Files.createDirectories(p.getParent());
            return new RandomAccessFile(p.toFile(), "rw");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
