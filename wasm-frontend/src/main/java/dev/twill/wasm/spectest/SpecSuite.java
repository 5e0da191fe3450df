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

    /** How many scripts under {@code dir} are in {@code simd_*} folders. */
    public static int simdScripts(Path dir) {
        return scripts(dir, true).size() - scripts(dir, false).size();
    }
}
