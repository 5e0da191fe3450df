package dev.twill.bench;

import dev.twill.ir.Function;
import dev.twill.legalize.Legalizer;
import dev.twill.verify.Verifier;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The front half of the pipeline phase by phase in this thread's CPU time: build (with {@link
 * dev.twill.ir.InstBuilder}), verify and legalize, per IR instruction, on the same {@link
 * WasmLikeFunction}s as {@link IrThroughputBenchmark}. CPU time rather than JMH's wall clock for
 * the reason {@link CompilePhases} gives; the later rounds are the warm ones.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.twill.bench.IrPhases 100000 [reps] [rounds]}.
 */
public final class IrPhases {
    private IrPhases() {}

    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(10, 4_000_000 / size);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Function f = new Function("%bench", null);
        WasmLikeFunction workload = new WasmLikeFunction();
        Verifier verifier = new Verifier();
        Legalizer legalizer = new Legalizer();
        int n = workload.build(f, size);
        for (int round = 0; round < rounds; round++) {
            long build = 0, verify = 0, legalize = 0;
            for (int r = 0; r < reps; r++) {
                long t0 = cpu.getCurrentThreadCpuTime();
                workload.build(f, size);
                long t1 = cpu.getCurrentThreadCpuTime();
                if (!verifier.run(f).isEmpty()) throw new IllegalStateException("benchmark function does not verify");
                long t2 = cpu.getCurrentThreadCpuTime();
                legalizer.legalize(f);
                long t3 = cpu.getCurrentThreadCpuTime();
                build += t1 - t0;
                verify += t2 - t1;
                legalize += t3 - t2;
            }
            double k = (double) reps * n;
            System.out.printf("%d insts: build %.1f, verify %.1f, legalize %.1f ns/inst; %.2f M inst/s%n",
                    n, build / k, verify / k, legalize / k, k / (build + verify + legalize) * 1e3);
        }
    }
}
