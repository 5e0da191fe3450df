package dev.twill.bench.wasm;

import dev.twill.wasm.Engine;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Instantiation cost of an already compiled module: a new {@link Store}, instantiate (VM context,
 * linear memory reserved at its maximum and 22 pages committed, data segments copied, globals),
 * close. The module is the C kernels' (1.4 MiB of initial memory, one mutable global).
 *
 * <p>Run: {@code ./twill bench Instantiate}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InstantiateBenchmark {
    private Engine engine;
    private Module module;
    private Linker linker;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        engine = new Engine();
        module = Module.compile(engine, Files.readAllBytes(Kernels.dir().resolve("kernels.wasm")));
        linker = new Linker(engine);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        module.close();
        engine.close();
    }

    @Benchmark
    public void instantiateAndClose() {
        try (Store store = new Store(engine)) {
            linker.instantiate(store, module);
        }
    }
}
