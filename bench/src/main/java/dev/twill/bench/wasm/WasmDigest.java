package dev.twill.bench.wasm;

import dev.twill.bench.CodeDigest;
import dev.twill.ir.Function;
import dev.twill.ir.text.Printer;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.translate.FunctionTranslator;
import dev.twill.wasm.validate.Validator;
import dev.twill.wasm.vm.VmContextLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Prints one line per wasm function with a digest of the sandbox-level IR that {@link
 * FunctionTranslator} makes of it (its canonical text, {@link Printer}) and of the machine code
 * the single-pass tier ({@code code}) and the linear-scan tier ({@code ls}, {@link
 * TargetIsa.Settings#DEFAULT}) compile from that, so that a change meant to speed up translation
 * or either tier can be checked to leave its output unchanged: run it with the jar before and
 * after and diff the outputs. The IR text names every value and block by number, so even a renumbering shows.
 *
 * <p>Inputs: the generated module of {@link WasmCompileTimes} ({@code
 * LargeModuleGenerator.generate(2000, 20, 42)}), then every {@code .wasm} file given or found
 * under the directories given as arguments, in sorted order; files that do not decode or
 * validate (the spec suite's invalid modules) are named and skipped.
 *
 * <p>Run: {@code java -Xss16m -cp bench/target/benchmarks.jar dev.twill.bench.wasm.WasmDigest
 * [FILE.wasm|DIR...] > digests.txt}.
 */
public final class WasmDigest {
    private WasmDigest() {}

    public static void main(String[] args) throws Exception {
        FunctionTranslator translator = new FunctionTranslator();
        Legalizer legalizer = new Legalizer();
        TargetIsa isa = TargetIsa.host();
        digest("generated", LargeModuleGenerator.generate(2000, 20, 42), translator, legalizer, isa);
        for (String a : args) {
            List<Path> files;
            try (Stream<Path> st = Files.walk(Path.of(a))) {
                files = st.filter(p -> p.toString().endsWith(".wasm")).sorted().toList();
            }
            for (Path p : files) digest(p.toString(), Files.readAllBytes(p), translator, legalizer, isa);
        }
    }

    private static void digest(String name, byte[] wasm, FunctionTranslator translator, Legalizer legalizer, TargetIsa isa) {
        WasmModule m;
        try {
            m = ModuleDecoder.decode(wasm, true, true);
            Validator.validate(m, true, true, true, true);
        } catch (RuntimeException e) {
            System.out.println(name + " skipped " + e.getClass().getSimpleName());
            return;
        }
        VmContextLayout layout = VmContextLayout.of(m);
        for (int k = 0; k < m.bodies.length; k++) {
            int fi = m.importedFunctions + k;
            StringBuilder line = new StringBuilder(name).append(" f").append(fi);
            try {
                Function f = translator.translate(m, layout, fi);
                byte[] text = Printer.print(f).getBytes(StandardCharsets.UTF_8);
                line.append(" ir ").append(text.length).append(':').append(Long.toHexString(hash(text)));
                legalizer.legalize(f);
                CompiledCode c = isa.compile(f, TargetIsa.Settings.FAST);
                line.append(" code ").append(c.code().length).append(':').append(Long.toHexString(CodeDigest.digest(c)));
                // compiling reads the function without changing it, so both tiers see the same input
                CompiledCode ls = isa.compile(f, TargetIsa.Settings.DEFAULT);
                line.append(" ls ").append(ls.code().length).append(':').append(Long.toHexString(CodeDigest.digest(ls)));
            } catch (RuntimeException | StackOverflowError e) {
                line.append(" error ").append(e.getClass().getSimpleName());
            }
            System.out.println(line);
        }
    }

    /** FNV-1a over 64 bits: enough to tell two IR texts apart, and independent of the JDK's String hash. */
    private static long hash(byte[] b) {
        long h = 0xcbf2_9ce4_8422_2325L;
        for (byte x : b) {
            h ^= x & 0xFF;
            h *= 0x0000_0100_0000_01B3L;
        }
        return h;
    }
}
