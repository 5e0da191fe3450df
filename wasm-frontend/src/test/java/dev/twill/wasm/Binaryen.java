package dev.twill.wasm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * binaryen's {@code wasm-opt} as a random-program generator and reference interpreter, and wabt's
 * {@code wasm-validate} as the referee of what is valid WebAssembly 2.0. Each tool runs as a
 * process; a run that does not finish within {@link #TIMEOUT_SECONDS} is killed and reported.
 *
 * <p>{@link #fuzzExec} parses the {@code --fuzz-exec-before} transcript into one {@link Call} per
 * export called (and one unnamed call first for what instantiation logged or trapped), in the
 * order binaryen printed them.
 */
final class Binaryen {
    private Binaryen() {}

    static final int TIMEOUT_SECONDS = 60;

    /** WebAssembly 2.0 without SIMD: what Twill implements. */
    static final List<String> FEATURES = List.of(
            "--mvp-features", "--enable-mutable-globals", "--enable-sign-ext",
            "--enable-nontrapping-float-to-int", "--enable-multivalue", "--enable-bulk-memory",
            "--enable-reference-types");

    /** The same without reference types (see the quirks in {@link BinaryenDifferentialTest}). */
    static final List<String> FEATURES_NO_REFS = FEATURES.subList(0, FEATURES.size() - 1);

    private static String version;

    /** {@code wasm-opt --version}'s answer, or null when wasm-opt cannot be run. */
    static synchronized String version() {
        if (version == null) {
            try {
                Result r = run(List.of("wasm-opt", "--version"));
                version = r.exit == 0 ? r.stdout.strip() : "";
            } catch (IOException e) {
                version = "";
            }
        }
        return version.isEmpty() ? null : version;
    }

    /** Whether wabt's wasm-validate can be run. */
    static boolean wabtAvailable() {
        try {
            return run(List.of("wasm-validate", "--version")).exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Turns {@code input} (random bytes) into a valid random module with {@code -ttf} under
     * {@code features} and further wasm-opt {@code options}, written to {@code out}.
     */
    static void translateToFuzz(Path input, List<String> features, List<String> options, Path out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("wasm-opt", input.toString(), "-ttf"));
        cmd.addAll(features);
        cmd.addAll(options);
        cmd.addAll(List.of("-o", out.toString()));
        Result r = run(cmd);
        if (r.exit != 0) throw new IOException("wasm-opt -ttf failed (" + r.exit + "):\n" + r.stdout + r.stderr);
    }

    /** Whether wabt accepts {@code wasm} as valid WebAssembly 2.0; the error text if not. */
    static String wabtError(Path wasm) throws IOException {
        Result r = run(List.of("wasm-validate", wasm.toString()));
        return r.exit == 0 ? null : (r.stdout + r.stderr).strip();
    }

    /** Assembles {@code wat} into {@code out} with wabt; the error text, or null on success. */
    static String wat2wasm(Path wat, Path out) throws IOException {
        Result r = run(List.of("wat2wasm", wat.toString(), "-o", out.toString()));
        return r.exit == 0 ? null : (r.stdout + r.stderr).strip();
    }

    /** Runs every export of {@code wasm} in binaryen's interpreter; returns the transcript. */
    static String fuzzExec(Path wasm) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("wasm-opt", wasm.toString()));
        cmd.addAll(FEATURES);
        cmd.add("--fuzz-exec-before");
        Result r = run(cmd);
        if (r.exit != 0) throw new IOException("wasm-opt --fuzz-exec-before failed (" + r.exit + "):\n" + r.stdout + r.stderr);
        return r.stdout;
    }

    /** One export call (or, with a null name, instantiation) as binaryen's transcript shows it. */
    static final class Call {
        /** The export called; null for instantiation. */
        final String name;
        /** The argument tokens of each fuzzing-support log call, in order (an i64 is two i32s, low first). */
        final List<String[]> logs = new ArrayList<>();
        /** The result tokens, or null when none were printed (no results, or a trap). */
        String[] results;
        /** The trap message, or null. */
        String trap;
        /** binaryen hit a host limit here: its state from here on is not comparable. */
        boolean hostLimit;

        Call(String name) {
            this.name = name;
        }
    }

    static List<Call> parse(String transcript) {
        List<Call> calls = new ArrayList<>();
        Call cur = new Call(null);
        calls.add(cur);
        for (String line : transcript.split("\n")) {
            if (line.startsWith("[fuzz-exec] calling ")) {
                cur = new Call(line.substring("[fuzz-exec] calling ".length()));
                calls.add(cur);
            } else if (line.startsWith("[LoggingExternalInterface logging")) {
                String body = line.substring("[LoggingExternalInterface logging".length(), line.length() - 1).strip();
                cur.logs.add(body.isEmpty() ? new String[0] : body.split(" "));
            } else if (line.startsWith("[fuzz-exec] note result: ")) {
                String v = line.substring(line.indexOf(" => ") + 4);
                cur.results = v.startsWith("(") ? splitTuple(v.substring(1, v.length() - 1)) : new String[] {v};
            } else if (line.startsWith("[trap ")) {
                cur.trap = line.substring(6, line.length() - 1);
            } else if (line.startsWith("[host limit")) {
                cur.hostLimit = true;
            }
        }
        return calls;
    }

    /** Splits "a, funcref(x), b" at the commas outside parentheses. */
    private static String[] splitTuple(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth == 0) {
                parts.add(s.substring(start, i).strip());
                start = i + 1;
            }
        }
        parts.add(s.substring(start).strip());
        return parts.toArray(new String[0]);
    }

    private record Result(int exit, String stdout, String stderr) {}

    private static Result run(List<String> cmd) throws IOException {
        // output goes to files, so a tool that hangs cannot block a pipe read past the timeout
        Path out = Files.createTempFile("twill-binaryen", ".out");
        Path err = Files.createTempFile("twill-binaryen", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1), new String(Files.readAllBytes(err), StandardCharsets.ISO_8859_1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
