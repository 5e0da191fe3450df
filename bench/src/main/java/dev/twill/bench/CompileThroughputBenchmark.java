package dev.twill.bench;

import dev.twill.ir.Function;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.runtime.JitModule;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Compile throughput of the back half of the pipeline, in IR instructions per second: from built
 * (sandbox-level) IR to finished code in executable memory, i.e. legalization, x86-64 lowering to
 * VCode, register allocation, emission, and a {@link JitModule} declare/define/finalize (the
 * copy into fresh executable memory, which is unmapped again by {@code close}). Both tiers:
 * {@code opt_level=none} (the single-pass allocator) and {@code speed} (linear scan), on
 * {@link WasmLikeFunction}s of about 10 to 100,000 instructions.
 *
 * <p>Legalization rewrites the function in place, so every invocation gets a freshly built copy;
 * the build happens in an untimed per-invocation setup (each timed call takes microseconds or
 * more, far above the setup's timing overhead). {@link #compile} measures the whole path; {@link
 * #compileNoLink} stops at the {@link CompiledCode} bytes, so that the difference is the cost of
 * the code memory (mmap, mprotect, munmap: a fixed few microseconds per module).
 *
 * <p>Warm-up is long on purpose: the lowering, allocator and emitter bodies are large methods
 * that C2 compiles late on a busy machine, and until it does they run as C1 code at a third of
 * the speed, which is what a short warm-up measures.
 *
 * <p>The {@code insts} aux counter is the figure of merit: IR instructions compiled per second
 * (JMH prints it next to the per-function score). The register allocation checker is not part
 * of this path (it runs in tests only). Run: {@code java -jar bench/target/benchmarks.jar
 * CompileThroughput -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CompileThroughputBenchmark {
    @Param({"10", "1000", "10000", "100000"})
    public int size;

    /** {@code none}: single-pass allocator; {@code speed}: linear scan. */
    @Param({"none", "speed"})
    public String opt;

    private final Function f = new Function("%bench", null);
    private final WasmLikeFunction workload = new WasmLikeFunction();
    private final Legalizer legalizer = new Legalizer();
    private final X64Isa isa = new X64Isa();
    private TargetIsa.Settings settings;
    private int instructions;

    /** Instructions compiled, reported by JMH as a rate (instructions per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long insts;
    }

    @Setup(Level.Trial)
    public void setupTrial() {
        settings = new TargetIsa.Settings(opt);
        instructions = workload.build(f, size);
        System.out.println("\n# IR instructions per function: " + instructions);
    }

    @Setup(Level.Invocation)
    public void rebuild() {
        workload.build(f, size);
    }

    @Benchmark
    public long compile(Counters counters) {
        legalizer.legalize(f);
        CompiledCode code = isa.compile(f, settings);
        long address;
        try (JitModule module = new JitModule()) {
            module.declareFunction(f.name, f.signature);
            module.defineFunction(f.name, code);
            module.finalizeDefinitions();
            address = module.address(f.name);
        }
        counters.insts += instructions;
        return address;
    }

    @Benchmark
    public CompiledCode compileNoLink(Counters counters) {
        legalizer.legalize(f);
        CompiledCode code = isa.compile(f, settings);
        counters.insts += instructions;
        return code;
    }
}
