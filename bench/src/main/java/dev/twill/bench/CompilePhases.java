package dev.twill.bench;

import dev.twill.ir.Function;
import dev.twill.isa.x64.X64Features;
import dev.twill.isa.x64.X64Isa;
import dev.twill.isa.x64.emit.X64Emitter;
import dev.twill.isa.x64.lower.X64Lowering;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.regalloc.LinearScanAllocator;
import dev.twill.regalloc.SinglePassAllocator;
import dev.twill.runtime.JitModule;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Where compile time goes, phase by phase, in this thread's CPU time: legalize, lower, register
 * allocation, emit, and the module link (declare, define, finalize, close), per IR instruction,
 * on the same {@link WasmLikeFunction}s as {@link CompileThroughputBenchmark}.
 *
 * <p>Why CPU time and not JMH: on a shared machine the wall clock of a JMH iteration counts the
 * time other processes hold the core (a load of 10 on 2 cores inflates it several times), while
 * the thread's CPU time does not. Each round prints the per-phase figures; the later rounds are
 * the warm (C2-compiled) ones.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.twill.bench.CompilePhases 1000 speed [reps] [rounds]} ({@code none} for the single-pass
 * allocator).
 */
public final class CompilePhases {
    private CompilePhases() {}

    public static void main(String[] args) {
        int size = Integer.parseInt(args[0]);
        boolean fast = args[1].equals("none");
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : Math.max(10, 2_000_000 / size);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Function f = new Function("%bench", null);
        WasmLikeFunction workload = new WasmLikeFunction();
        Legalizer legalizer = new Legalizer();
        X64Lowering lowering = new X64Lowering();
        lowering.setFeatures(X64Features.host());
        X64Emitter emitter = new X64Emitter();
        RegAllocResult result = new RegAllocResult();
        RegisterAllocator allocator = fast ? new SinglePassAllocator() : new LinearScanAllocator();
        MachineEnv env = X64Isa.machineEnv();
        int n = workload.build(f, size);
        for (int round = 0; round < rounds; round++) {
            long legalize = 0, lower = 0, regalloc = 0, emit = 0, link = 0;
            for (int r = 0; r < reps; r++) {
                workload.build(f, size);
                long t0 = cpu.getCurrentThreadCpuTime();
                legalizer.legalize(f);
                long t1 = cpu.getCurrentThreadCpuTime();
                lowering.lower(f);
                long t2 = cpu.getCurrentThreadCpuTime();
                result.reset(lowering.vcode.totalOperands());
                allocator.allocate(lowering.vcode, env, result);
                long t3 = cpu.getCurrentThreadCpuTime();
                CompiledCode code = emitter.emit(lowering, result);
                long t4 = cpu.getCurrentThreadCpuTime();
                try (JitModule module = new JitModule()) {
                    module.declareFunction(f.name, f.signature);
                    module.defineFunction(f.name, code);
                    module.finalizeDefinitions();
                }
                long t5 = cpu.getCurrentThreadCpuTime();
                legalize += t1 - t0;
                lower += t2 - t1;
                regalloc += t3 - t2;
                emit += t4 - t3;
                link += t5 - t4;
            }
            double k = (double) reps * n;
            double total = legalize + lower + regalloc + emit + link;
            System.out.printf("%d insts, %s: legalize %.1f, lower %.1f, regalloc %.1f, emit %.1f, link %.1f ns/inst;"
                            + " %.2f M inst/s (%.2f M without link)%n", n, fast ? "single-pass" : "linear scan",
                    legalize / k, lower / k, regalloc / k, emit / k, link / k, k / total * 1e3,
                    k / (total - link) * 1e3);
        }
    }
}
