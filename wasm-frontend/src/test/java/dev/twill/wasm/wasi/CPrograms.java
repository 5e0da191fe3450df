package dev.twill.wasm.wasi;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * C test programs (resources under {@code dev/twill/wasm/wasi/}) built twice with clang-14 -O2:
 * for {@code wasm32-wasi} against Debian's wasi-libc, and natively, whose run is the oracle.
 * Builds are cached per JVM.
 */
final class CPrograms {
    private CPrograms() {}

    /** Where Debian's wasi-libc puts its headers and libraries (multiarch layout). */
    private static final Path WASI_INCLUDE = Path.of("/usr/include/wasm32-wasi"), WASI_LIB = Path.of("/usr/lib/wasm32-wasi");

    private static final Map<String, Path> built = new ConcurrentHashMap<>();

    /** The wasm32-wasi binary of {@code name}.c. */
    static byte[] wasm(String name) throws IOException {
        return Files.readAllBytes(build(name, true));
    }

    /** The native executable of {@code name}.c. */
    static Path nativeExecutable(String name) throws IOException {
        return build(name, false);
    }

    private static Path build(String name, boolean wasm) throws IOException {
        // ./twill test installs these first, so their absence is a broken set-up, not a reason to skip
        assertTrue(Files.isRegularFile(WASI_LIB.resolve("libc.a")) && onPath("clang-14"),
                "clang-14 and wasi-libc are not installed: ./twill installs them as root, or run"
                        + " 'apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32'");
        String key = name + (wasm ? ".wasm" : ".native");
        Path cached = built.get(key);
        if (cached != null) return cached;
        Path dir = Files.createTempDirectory("twill-c");
        Path src = dir.resolve(name + ".c"), out = dir.resolve(key);
        try (InputStream in = CPrograms.class.getResourceAsStream(name + ".c")) {
            if (in == null) throw new IllegalArgumentException("no test resource " + name + ".c");
            Files.write(src, in.readAllBytes());
        }
        List<String> cmd = new ArrayList<>(List.of("clang-14", "-O2", "-o", out.toString(), src.toString()));
        if (wasm) cmd.addAll(List.of("--target=wasm32-wasi", "-isystem", WASI_INCLUDE.toString(), "-L" + WASI_LIB));
        cmd.add("-lm");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) throw new IllegalStateException("clang-14 failed on " + name + ".c:\n" + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        built.put(key, out);
        return out;
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    /** Output and exit code of a native run of {@code name} with {@code args}, {@code env} and {@code stdin}. */
    static Run runNative(String name, List<String> args, Map<String, String> env, byte[] stdin) throws IOException {
        return runNative(name, args, env, stdin, null);
    }

    /** {@link #runNative} in working directory {@code cwd} (null: this process's). */
    static Run runNative(String name, List<String> args, Map<String, String> env, byte[] stdin, Path cwd) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(nativeExecutable(name).toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (cwd != null) pb.directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path err = Files.createTempFile("twill-native", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            int code = p.waitFor();
            String errText = Files.readString(err);
            Files.delete(err);
            return new Run(out, errText, code);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code wasm}'s {@code _start} with WASI as {@code config} sets it up (its standard
     * output and error are captured here), under tier {@code opt}; the exit code is 0 unless the
     * program calls proc_exit.
     */
    static Run runWasm(byte[] wasm, String opt, WasiConfig config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (Engine engine = new Engine(new EngineConfig().optLevel(opt));
                Module module = Module.compile(engine, wasm);
                Store store = new Store(engine);
                Wasi wasi = new Wasi(config.stdout(out).stderr(err))) {
            Linker linker = new Linker(engine);
            wasi.define(linker);
            Instance instance = linker.instantiate(store, module);
            int code = 0;
            try {
                instance.function("_start").call();
            } catch (WasiExit e) {
                code = e.exitCode();
            }
            return new Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), code);
        }
    }

    record Run(String stdout, String stderr, int exitCode) {}
}
