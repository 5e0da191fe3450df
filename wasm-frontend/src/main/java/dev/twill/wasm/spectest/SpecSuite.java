package dev.twill.wasm.spectest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds spec scripts: the shared test suite folder, and the {@code <name>/<name>.json} scripts
 * under a directory.
 *
 * <p>The suite lives in {@code shared/wasm-testsuite} somewhere above the working directory (each
 * helper's worktree sits under the same root), or wherever the system property {@code
 * twill.wasmTestsuite} says. A script is a file {@code X.json} in a folder named {@code X}, which
 * is wast2json's layout in the suite; other JSON files ({@code manifest.json}) are not scripts.
 */
public final class SpecSuite {
    private SpecSuite() {}

    /** The property that overrides where the suite is. */
    public static final String PROPERTY = "twill.wasmTestsuite";

    /** The test suite root ({@code .../shared/wasm-testsuite}), or null when there is none. */
    public static Path locate() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isEmpty()) {
            Path p = Path.of(prop).toAbsolutePath();
            return Files.isDirectory(p) ? p : null;
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared").resolve("wasm-testsuite");
            if (Files.isDirectory(p)) return p;
        }
        return null;
    }

    /** Whether {@code json} has the script layout {@code X/X.json}. */
    public static boolean isScript(Path json) {
        Path parent = json.getParent();
        String f = json.getFileName().toString();
        return f.endsWith(".json") && parent != null && parent.getFileName() != null
                && parent.getFileName().toString().equals(f.substring(0, f.length() - 5));
    }

    /**
     * The scripts under {@code dir} (any depth), sorted by path; folders whose name starts with
     * {@code simd_} are left out unless {@code simd}.
     */
    public static List<Path> scripts(Path dir, boolean simd) {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> Files.isRegularFile(p) && isScript(p))
                    .filter(p -> simd || !p.getParent().getFileName().toString().startsWith("simd_"))
                    .sorted()
                    .forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /**
     * Converts a {@code .wast} script with wabt's {@code wast2json} into a fresh temporary folder
     * laid out like the suite's ({@code <name>/<name>.json} and its modules); returns the JSON
     * script. Fails with the converter's own message when it rejects the script or is missing.
     */
    public static Path convertWast(Path wast) throws IOException {
        String file = wast.getFileName().toString();
        String name = file.endsWith(".wast") ? file.substring(0, file.length() - 5) : file;
        Path dir = Files.createTempDirectory("twill-wast").resolve(name);
        Files.createDirectories(dir);
        Path json = dir.resolve(name + ".json");
        Process p;
        try {
            p = new ProcessBuilder("wast2json", wast.toAbsolutePath().toString(), "-o", json.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("wast2json (wabt) is needed to run .wast scripts: apt-get install wabt", e);
        }
        String log = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) throw new IOException("wast2json cannot convert " + wast + ":\n" + log.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted converting " + wast, e);
        }
        return json;
    }

    /** How many scripts under {@code dir} are in {@code simd_*} folders. */
    public static int simdScripts(Path dir) {
        return scripts(dir, true).size() - scripts(dir, false).size();
    }
}
