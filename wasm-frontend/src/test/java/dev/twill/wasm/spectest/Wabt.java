package dev.twill.wasm.spectest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** wabt's command-line tools for tests: modules and scripts written as text, converted here. */
final class Wabt {
    private Wabt() {}

    static final String MISSING = "wabt (wat2wasm, wast2json) is not installed: ./twill installs it as root, or run 'apt-get install wabt'";

    static boolean available() {
        try {
            return run(List.of("wat2wasm", "--version")) == 0 && run(List.of("wast2json", "--version")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    static byte[] wat2wasm(Path wat) throws IOException {
        Path out = wat.resolveSibling(wat.getFileName() + ".wasm");
        check(List.of("wat2wasm", wat.toString(), "-o", out.toString()));
        return Files.readAllBytes(out);
    }

    /** Converts {@code dir/name.wast} to {@code dir/name.json} and its modules. */
    static Path wast2json(Path wast) throws IOException {
        String f = wast.getFileName().toString();
        Path json = wast.resolveSibling(f.substring(0, f.length() - 5) + ".json");
        check(List.of("wast2json", wast.toString(), "-o", json.toString()));
        return json;
    }

    private static void check(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException("failed: " + String.join(" ", cmd) + "\n" + output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
    }

    private static int run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
