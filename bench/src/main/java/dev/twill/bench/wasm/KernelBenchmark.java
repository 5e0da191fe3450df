package dev.twill.bench.wasm;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker.Option;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
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
 * Run time of compute kernels written in C ({@code bench/kernels/kernels.c}), built with {@code
 * clang-14 -O2} both to wasm (run by Twill, per tier) and natively (called through a Panama
 * downcall): {@code wasm} against {@code nativeCode} for the same kernel and argument gives
 * Twill's slowdown against native code. Setup checks that both builds return the same value.
 *
 * <p>Run: {@code ./twill bench KernelBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss16m"})
public class KernelBenchmark {
    /** kernel:argument, sized so that one call takes milliseconds. */
    @Param({"fib:27", "sieve:1000000", "matmul:4", "crc32:16", "mandelbrot:200", "xorshift:2000000"})
    public String kernel;

    @Param({"speed"})
    public String tier;

    private Engine engine;
    private Store store;
    private Module module;
    private Arena arena;
    private dev.twill.wasm.WasmFunction wasmFunction;
    private MethodHandle nativeFunction;
    private boolean returnsDouble, returnsLong;
    private int arg;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        var dir = Kernels.dir();
        String name = kernel.substring(0, kernel.indexOf(':'));
        arg = Integer.parseInt(kernel.substring(kernel.indexOf(':') + 1));
        engine = new Engine(new EngineConfig().optLevel(tier));
        store = new Store(engine);
        module = Module.compile(engine, Files.readAllBytes(dir.resolve("kernels.wasm")));
        Instance instance = new Linker(engine).instantiate(store, module);
        wasmFunction = instance.function(name);
        returnsDouble = name.equals("matmul");
        returnsLong = name.equals("xorshift");
        arena = Arena.ofShared();
        var lib = SymbolLookup.libraryLookup(dir.resolve("libkernels.so"), arena);
        var result = returnsDouble ? ValueLayout.JAVA_DOUBLE : returnsLong ? ValueLayout.JAVA_LONG : ValueLayout.JAVA_INT;
        nativeFunction = java.lang.foreign.Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(),
                FunctionDescriptor.of(result, ValueLayout.JAVA_INT), new Option[0]);
        long w = wasm(), n = nativeCode();
        if (w != n) throw new IllegalStateException(kernel + ": wasm returned " + w + ", native " + n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        module.close();
        engine.close();
        arena.close();
    }

    /** The kernel compiled by Twill; the result as raw bits. */
    @Benchmark
    public long wasm() {
        return wasmFunction.call(arg)[0];
    }

    /** The kernel compiled natively by clang; the result as the same raw bits. */
    @Benchmark
    public long nativeCode() throws Throwable {
        if (returnsDouble) return Double.doubleToRawLongBits((double) nativeFunction.invokeExact(arg));
        if (returnsLong) return (long) nativeFunction.invokeExact(arg);
        return (int) nativeFunction.invokeExact(arg);
    }
}
