package dev.twill.cli;

import dev.twill.runtime.Trap;
import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import dev.twill.wasm.WasmFunction;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.runtime.LinearMemory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./twill demo}: JIT-compiles the WebAssembly programs in {@code
 * src/main/resources/dev/twill/demo/} (WAT text, assembled with wabt's {@code wat2wasm}) under
 * both tiers, runs them, and prints results, compile times and run times. Every result is checked
 * against the same computation done in Java, so the demo also says when something is wrong.
 */
final class WasmDemo {
    private final PrintStream out;
    private int failures;

    WasmDemo(PrintStream out) {
        this.out = out;
    }

    /** Runs the demo; returns the number of results that disagreed with Java's. */
    int run() throws IOException, InterruptedException {
        byte[] fib = assemble("fib");
        byte[] sieve = assemble("sieve");
        byte[] mandelbrot = assemble("mandelbrot");
        byte[] host = assemble("host");
        for (String tier : new String[] {"none", "speed"}) {
            out.printf("==== tier %s (%s; memory bounds checked by %s)%n", tier,
                    tier.equals("none") ? "single-pass register allocation" : "linear scan",
                    LinearMemory.guarded() ? "guard pages" : "compare and branch");
            try (Engine engine = new Engine(new EngineConfig().optLevel(tier)); Store store = new Store(engine)) {
                Linker linker = new Linker(engine);
                List<Long> reports = new ArrayList<>();
                linker.defineFunction("env", "report", new FuncType(new byte[] {ValType.I32, ValType.I64}, new byte[0]),
                        (caller, args) -> {
                            reports.add(args[1]);
                            return new long[0];
                        });
                Instance fibI = instantiate(engine, store, linker, "fib.wat", fib);
                Instance sieveI = instantiate(engine, store, linker, "sieve.wat", sieve);
                Instance mandelI = instantiate(engine, store, linker, "mandelbrot.wat", mandelbrot);
                Instance hostI = instantiate(engine, store, linker, "host.wat", host);

                run(fibI.function("fib"), "fib", 30, fib(30));
                run(sieveI.function("count_primes"), "count_primes", 10_000_000, primesBelow(10_000_000));
                try {
                    // the sieve grew its memory to 10 MB: 2 GB is past its length
                    sieveI.function("peek").call(0x7fff_0000L);
                    check("peek(0x7fff0000) traps", 0, 1);
                } catch (Trap t) {
                    out.printf("  peek(0x7fff0000) -> %s%n", t.getMessage());
                    check("peek(0x7fff0000) trap code", t.codeName().equals("heap_oob") ? 1 : 0, 1);
                }
                run(mandelI.function("mandelbrot"), "mandelbrot", 500, mandelbrot(500));
                long folded = timed(hostI.function("fold"), "fold", 12)[0];
                check("fold(12)", folded, fold(12));
                check("host reports", reports.size(), 12);
                long[] qr = timed(hostI.function("divmod"), "divmod", 17, -5);
                check("divmod(17, -5)", qr[0] << 32 | (qr[1] & 0xffffffffL), (long) (17 / -5) << 32 | ((17 % -5) & 0xffffffffL));
                try {
                    hostI.function("divmod").call(1, 0);
                    check("divmod(1, 0) traps", 0, 1);
                } catch (Trap t) {
                    out.printf("  divmod(1, 0) -> %s%n", t.getMessage());
                    check("divmod(1, 0) trap code", t.codeName().equals("int_divz") ? 1 : 0, 1);
                }
            }
        }
        out.println(failures == 0 ? "all results agree with Java" : failures + " results DISAGREE with Java");
        return failures;
    }

    private Instance instantiate(Engine engine, Store store, Linker linker, String name, byte[] wasm) {
        long t0 = System.nanoTime();
        Module module = Module.compile(engine, wasm);
        long t1 = System.nanoTime();
        Instance instance = linker.instantiate(store, module);
        long t2 = System.nanoTime();
        out.printf("  %-15s %6d bytes of wasm: compiled in %7.2f ms, instantiated in %6.2f ms%n", name, wasm.length,
                (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        return instance;
    }

    private void run(WasmFunction f, String name, int arg, long expected) {
        long[] r = timed(f, name, arg);
        check(name + "(" + arg + ")", r[0], expected);
    }

    private long[] timed(WasmFunction f, String name, long... args) {
        long t0 = System.nanoTime();
        long[] r = f.call(args);
        long t1 = System.nanoTime();
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < args.length; i++) a.append(i == 0 ? "" : ", ").append(args[i]);
        StringBuilder res = new StringBuilder();
        for (int i = 0; i < r.length; i++) res.append(i == 0 ? "" : ", ").append(r[i]);
        out.printf("  %s(%s) = %s   in %.2f ms%n", name, a, res, (t1 - t0) / 1e6);
        return r;
    }

    private void check(String what, long actual, long expected) {
        if (actual != expected) {
            failures++;
            out.printf("  MISMATCH %s: wasm %d, Java %d%n", what, actual, expected);
        }
    }

    /** Assembles {@code dev/twill/demo/<name>.wat} with wabt's wat2wasm, keeping function names for trap messages. */
    static byte[] assemble(String name) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("twill-demo");
        try {
            Path wat = dir.resolve(name + ".wat"), wasm = dir.resolve(name + ".wasm");
            try (InputStream in = WasmDemo.class.getResourceAsStream("/dev/twill/demo/" + name + ".wat")) {
                if (in == null) throw new IOException("demo program " + name + ".wat is missing from the class path");
                Files.write(wat, in.readAllBytes());
            }
            Process p;
            try {
                p = new ProcessBuilder("wat2wasm", "--debug-names", wat.toString(), "-o", wasm.toString()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("wat2wasm (wabt) is needed to assemble the demo programs: apt-get install wabt", e);
            }
            String log = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IOException("wat2wasm failed on " + name + ".wat:\n" + log);
            return Files.readAllBytes(wasm);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    // ---- the same computations in Java: the oracle for the demo's results

    static long fib(int n) {
        long a = 0, b = 1;
        for (int i = 0; i < n; i++) {
            long t = a + b;
            a = b;
            b = t;
        }
        return a;
    }

    static long primesBelow(int n) {
        boolean[] composite = new boolean[n];
        int count = 0;
        for (int i = 2; i < n; i++) {
            if (composite[i]) continue;
            count++;
            for (long j = 2L * i; j < n; j += i) composite[(int) j] = true;
        }
        return count;
    }

    static long mandelbrot(int size) {
        int inside = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double cr = 2.5 * x / size - 2.0, ci = 2.0 * y / size - 1.0, zr = 0, zi = 0;
                int k = 0;
                while (k < 100 && zr * zr + zi * zi <= 4.0) {
                    double t = zr * zr - zi * zi + cr;
                    zi = 2.0 * zr * zi + ci;
                    zr = t;
                    k++;
                }
                if (k == 100) inside++;
            }
        }
        return inside;
    }

    static long fold(int n) {
        long acc = 1;
        for (int i = 1; i <= n; i++) {
            acc = switch (i % 3) {
                case 0 -> acc + i;
                case 1 -> acc * i;
                default -> acc - i;
            };
        }
        return acc;
    }
}
