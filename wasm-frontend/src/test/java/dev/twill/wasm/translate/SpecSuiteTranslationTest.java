package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twill.ir.Function;
import dev.twill.ir.text.Printer;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.TargetIsa;
import dev.twill.verify.Verifier;
import dev.twill.verify.VerifierError;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.vm.VmContextLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every valid module of the WebAssembly 2.0 spec suite (non-SIMD; wast2json output, one command
 * per line) is translated function by function, verified at the sandbox level, legalized,
 * verified again, and compiled for the host through {@link ModuleCompiler}. Running the suite's
 * assertions is the spec runner's job; this checks that no valid input breaks the translator
 * or produces IR the verifier or the back end rejects.
 */
class SpecSuiteTranslationTest {
    private static final Pattern MODULE = Pattern.compile("\"type\": \"module\".*\"filename\": \"([^\"]+\\.wasm)\"");

    static Path core() {
        String prop = System.getProperty("twill.wasmTestsuite");
        if (prop != null) return Paths.get(prop).resolve("wasm-2.0/core");
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolve("shared/wasm-testsuite/wasm-2.0/core");
            if (Files.isDirectory(c)) return c;
        }
        return null;
    }

    @Test
    void everyValidModuleTranslatesVerifiesAndCompiles() throws Exception {
        Path core = core();
        assumeTrue(core != null, "spec suite not found (set -Dtwill.wasmTestsuite=<dir>)");
        List<Path> modules = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(core)) {
            for (Path d : dirs.filter(d -> !d.getFileName().toString().startsWith("simd_")).sorted().toList()) {
                Path json = d.resolve(d.getFileName() + ".json");
                if (!Files.isRegularFile(json)) continue;
                for (String line : Files.readAllLines(json)) {
                    Matcher m = MODULE.matcher(line);
                    if (m.find()) modules.add(json.resolveSibling(m.group(1)));
                }
            }
        }
        assertTrue(modules.size() > 500, "found only " + modules.size() + " modules");
        FunctionTranslator t = new FunctionTranslator();
        Legalizer legalizer = new Legalizer();
        TargetIsa isa = TargetIsa.host();
        List<String> failures = new ArrayList<>();
        int functions = 0;
        for (Path p : modules) {
            WasmModule m = TestDecoder.decode(Files.readAllBytes(p));
            VmContextLayout layout = VmContextLayout.of(m);
            for (int k = 0; k < m.bodies.length; k++) {
                int fi = m.importedFunctions + k;
                String where = core.relativize(p) + " " + m.functionName(fi);
                try {
                    Function f = t.translate(m, layout, fi);
                    List<VerifierError> errors = Verifier.verify(f);
                    if (!errors.isEmpty()) {
                        failures.add(where + ": " + errors + "\n" + Printer.print(f));
                        continue;
                    }
                    legalizer.legalize(f);
                    errors = Verifier.verify(f);
                    if (!errors.isEmpty()) failures.add(where + " (legalized): " + errors);
                    functions++;
                } catch (RuntimeException | StackOverflowError e) {
                    failures.add(where + ": " + e);
                }
            }
            try {
                ModuleCompiler.compile(m, isa, 2);
            } catch (RuntimeException e) {
                failures.add(core.relativize(p) + " compile: " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder(failures.size() + " failures over " + functions + " functions:\n");
            for (int k = 0; k < Math.min(10, failures.size()); k++) sb.append(failures.get(k)).append('\n');
            assertEquals(0, failures.size(), sb.toString());
        }
    }
}
