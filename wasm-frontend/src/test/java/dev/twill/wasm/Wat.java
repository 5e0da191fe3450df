package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test modules kept as WebAssembly text in test resources, assembled with wabt's wat2wasm. */
public final class Wat {
    private Wat() {}

    private static Boolean available;

    /** The binary of resource {@code dev/twill/wasm/<name>}, with a name section. Fails the test if wat2wasm is missing. */
    public static byte[] wasm(String name) {
        // ./twill test installs wabt first, so its absence is a broken set-up, not a reason to skip
        assertTrue(wat2wasmAvailable(), "wat2wasm (wabt) is not installed: ./twill installs it as root, or run 'apt-get install wabt'");
        byte[] text;
        try (InputStream in = Wat.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + name);
            text = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return assemble(name, text, "--debug-names");
    }

    /** The binary of module text {@code text}, assembled with wat2wasm and its {@code flags} (e.g. proposals to enable). */
    public static byte[] fromText(String text, String... flags) {
        assertTrue(wat2wasmAvailable(), "wat2wasm (wabt) is not installed: ./twill installs it as root, or run 'apt-get install wabt'");
        return assemble("module.wat", text.getBytes(java.nio.charset.StandardCharsets.UTF_8), flags);
    }

    private static byte[] assemble(String name, byte[] text, String... flags) {
        try {
            Path dir = Files.createTempDirectory("twill-wat");
            Path src = dir.resolve(name), out = dir.resolve(name + ".wasm");
            Files.write(src, text);
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("wat2wasm"));
            cmd.addAll(java.util.List.of(flags));
            cmd.addAll(java.util.List.of(src.toString(), "-o", out.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException("wat2wasm failed on " + name + ":\n" + log);
            byte[] bytes = Files.readAllBytes(out);
            Files.delete(out);
            Files.delete(src);
            Files.delete(dir);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static synchronized boolean wat2wasmAvailable() {
        if (available == null) {
            try {
                available = new ProcessBuilder("wat2wasm", "--version").redirectErrorStream(true).start().waitFor() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
        }
        return available;
    }
}
