package dev.twill.bench.wasm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The C kernels of {@code bench/kernels/kernels.c}, built by {@code bench/kernels/build.sh} to
 * wasm and to a native shared library. Built once into {@code bench/target/kernels/} (or the
 * directory named by {@code -Dtwill.kernels}) when missing.
 */
final class Kernels {
    private Kernels() {}

    static Path dir() throws IOException, InterruptedException {
        Path out = Path.of(System.getProperty("twill.kernels", "bench/target/kernels")).toAbsolutePath();
        if (Files.exists(out.resolve("kernels.wasm")) && Files.exists(out.resolve("libkernels.so"))) return out;
        Path script = Path.of("bench/kernels/build.sh");
        if (!Files.exists(script)) {
            throw new IOException("bench/kernels/build.sh not found: run the benchmark from the repository root (./twill bench)");
        }
        Process p = new ProcessBuilder("sh", script.toString(), out.toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new IOException("building the kernels failed (needs clang-14 and lld-14)");
        return out;
    }
}
