package dev.twill.bench.wasm;

import dev.twill.wasm.binary.FunctionBody;
import dev.twill.wasm.binary.ModuleDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Module;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Module compile throughput as {@link WasmCompileBenchmark} measures it (the same generated
 * module, one compile thread), but in this thread's CPU time as well as wall time, compile by
 * compile from the first one in this JVM: the first line is the cold compile (class loading and
 * the JIT compiler warming Twill up), the last lines the warm ones. Wall time counts what a user
 * waits for (JIT compiler threads run beside the compiling thread); CPU time is what stays
 * comparable on a loaded machine.
 *
 * <p>Run in a fresh JVM: {@code java --enable-native-access=ALL-UNNAMED -Xss16m -cp
 * bench/target/benchmarks.jar dev.twill.bench.wasm.WasmCompileTimes none|speed [compiles [FILE.wasm]]};
 * with a file, that module is compiled instead (a real program), and the rate is of its
 * function bodies' bytes (a real module also carries data), which the generated module nearly
 * is entirely.
 */
public final class WasmCompileTimes {
    private WasmCompileTimes() {}

    public static void main(String[] args) {
        String tier = args[0];
        int compiles = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        long w0 = System.nanoTime();
        byte[] wasm;
        long bytes;
        if (args.length > 2) {
            try {
                wasm = Files.readAllBytes(Path.of(args[2]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bytes = 0;
            for (FunctionBody b : ModuleDecoder.decode(wasm, true).bodies) bytes += b.end() - b.codeStart();
            System.out.printf("[module %s: %d bytes, %d of them function bodies]%n", args[2], wasm.length, bytes);
        } else {
            wasm = LargeModuleGenerator.generate(2000, 20, 42);
            bytes = wasm.length;
            System.out.printf("[module: %d bytes, generated in %.0f ms]%n", wasm.length, (System.nanoTime() - w0) / 1e6);
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (Engine engine = new Engine(new EngineConfig().optLevel(tier).threads(1))) {
            for (int k = 0; k < compiles; k++) {
                long c = cpu.getCurrentThreadCpuTime(), w = System.nanoTime();
                Module.compile(engine, wasm).close();
                double cpuMs = (cpu.getCurrentThreadCpuTime() - c) / 1e6, wallMs = (System.nanoTime() - w) / 1e6;
                System.out.printf("%s compile %2d: wall %7.1f ms (%5.2f MB/s), cpu %7.1f ms (%5.2f MB/s)%n", tier, k + 1,
                        wallMs, bytes / wallMs / 1e3, cpuMs, bytes / cpuMs / 1e3);
            }
        }
    }
}
