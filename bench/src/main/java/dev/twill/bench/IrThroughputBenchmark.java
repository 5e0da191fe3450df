package dev.twill.bench;

import dev.twill.ir.Function;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IR throughput of the front half of the pipeline, in IR instructions per second: building a
 * function with {@link dev.twill.ir.InstBuilder}, then also verifying and legalizing it. Every
 * stage reuses its context, so the steady state should allocate next to nothing per
 * instruction (check with {@code -prof gc}).
 *
 * <p>Run: {@code ./twill bench IrThroughput -prof gc}. The score is operations per second
 * where one operation is one function; multiply by {@code insts} (printed by setup) for
 * instructions per second, or read the per-instruction normalised figure the README reports.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IrThroughputBenchmark {
    @Param({"1000", "100000"})
    public int insts;

    private final Function f = new Function("%bench", null);
    private final WasmLikeFunction workload = new WasmLikeFunction();
    private final IrPipeline pipeline = new IrPipeline();

    @Setup
    public void setup() {
        int n = workload.build(f, insts);
        System.out.println("\n# instructions per function: " + n);
    }

    @Benchmark
    public Function build() {
        workload.build(f, insts);
        return f;
    }

    @Benchmark
    public Function buildVerifyLegalize() {
        workload.build(f, insts);
        pipeline.verifyAndLegalize(f);
        return f;
    }
}
