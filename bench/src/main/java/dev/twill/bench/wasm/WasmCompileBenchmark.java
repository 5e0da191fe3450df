package dev.twill.bench.wasm;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Module;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Module compile throughput: {@link Module#compile} (decode, validate, translate, legalize,
 * lower, register-allocate, emit, link into executable memory) of a generated module of {@code
 * functions} C-like functions ({@link LargeModuleGenerator}), on one thread, per tier.
 *
 * <p>{@code warm}: average time per compile after warm-up; wasm MB/s = module size / time (the
 * size is printed at setup). {@code cold}: the first compile in a fresh JVM ({@link
 * Mode#SingleShotTime}, no warm-up, several forks), which includes class loading and the JIT
 * compiler warming up Twill itself.
 *
 * <p>Run: {@code ./twill bench WasmCompile}.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss16m"})
public class WasmCompileBenchmark {
    @Param({"none", "speed"})
    public String tier;

    @Param({"2000"})
    public int functions;

    private byte[] wasm;
    private Engine engine;

    @Setup(Level.Trial)
    public void setUp() {
        wasm = LargeModuleGenerator.generate(functions, 20, 42);
        engine = new Engine(new EngineConfig().optLevel(tier).threads(1));
        System.out.printf("%n[module: %d functions, %d bytes of wasm]%n", functions, wasm.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 5, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void warm() {
        Module.compile(engine, wasm).close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1)
    @Fork(value = 5, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss16m"})
    public void cold() {
        Module.compile(engine, wasm).close();
    }
}
