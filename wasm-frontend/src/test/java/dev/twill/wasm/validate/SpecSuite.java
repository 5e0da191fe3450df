package dev.twill.wasm.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The binary modules of the WebAssembly 2.0 spec suite (wast2json output under
 * {@code wasm-2.0/core/}, SIMD folders excluded), read with a line-oriented scan of the JSON:
 * wast2json writes one command per line, and only the command type, module file, expected
 * message and module type are needed here. (The spec-runner helper has the real JSON reader.)
 */
final class SpecSuite {
    private SpecSuite() {}

    /** One command that names a binary module. */
    record Command(Path wasm, String type, String text, int line) {
        String where() {
            return wasm.getParent().getFileName() + "/" + wasm.getFileName() + " (line " + line + ")";
        }
    }

    private static final Pattern TYPE = Pattern.compile("\"type\": \"([a-z_]+)\"");
    private static final Pattern FILE = Pattern.compile("\"filename\": \"([^\"]+)\"");
    private static final Pattern TEXT = Pattern.compile("\"text\": \"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern LINE = Pattern.compile("\"line\": (\\d+)");

    /** The suite's {@code wasm-2.0/core} folder, or null when it cannot be found. */
    static Path core() {
        String prop = System.getProperty("twill.wasmTestsuite");
        if (prop != null) return Paths.get(prop).resolve("wasm-2.0/core");
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolve("shared/wasm-testsuite/wasm-2.0/core");
            if (Files.isDirectory(c)) return c;
        }
        return null;
    }

    /** Every binary-module command of the non-SIMD folders. */
    static List<Command> commands(Path core) throws IOException {
        List<Command> out = new ArrayList<>();
        List<Path> jsons;
        try (Stream<Path> dirs = Files.list(core)) {
            jsons = dirs.filter(d -> !d.getFileName().toString().startsWith("simd_"))
                .map(d -> d.resolve(d.getFileName() + ".json"))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
        }
        for (Path json : jsons) {
            for (String line : Files.readAllLines(json)) {
                Matcher t = TYPE.matcher(line);
                Matcher f = FILE.matcher(line);
                if (!t.find() || !f.find() || !f.group(1).endsWith(".wasm")) continue;
                Matcher x = TEXT.matcher(line);
                Matcher l = LINE.matcher(line);
                out.add(new Command(json.resolveSibling(f.group(1)), t.group(1), x.find() ? x.group(1) : null,
                    l.find() ? Integer.parseInt(l.group(1)) : 0));
            }
        }
        return out;
    }
}
