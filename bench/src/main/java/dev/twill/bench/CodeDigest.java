package dev.twill.bench;

import dev.twill.fuzz.GeneratedModule;
import dev.twill.fuzz.RandomFunctionGenerator;
import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.TestFile;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Features;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.regalloc.LinearScanAllocator;
import dev.twill.regalloc.SinglePassAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Prints one line per compiled function with a digest of everything the back end produced
 * (code bytes, relocations, trap table, frame size) under both allocators, so that a change
 * meant to speed up compilation can be checked to leave the generated code unchanged: run it
 * with the jar before and after and diff the outputs.
 *
 * <p>Inputs: seeded {@link RandomFunctionGenerator} modules, {@link WasmLikeFunction}s of a few
 * sizes, and every {@code .clif} file under the directories given as arguments.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.twill.bench.CodeDigest seeds
 * [clif-dir...]}.
 */
public final class CodeDigest {
    private CodeDigest() {}

    public static void main(String[] args) throws Exception {
        int seeds = Integer.parseInt(args[0]);
        X64Isa isa = new X64Isa(X64Features.host());
        for (int s = 0; s < seeds; s++) {
            GeneratedModule m = new RandomFunctionGenerator(s).generate();
            for (Function f : m.functions()) emit("seed" + s + " " + f.name, f, isa);
        }
        for (int size : new int[] {16, 100, 1000, 5000}) {
            Function f = new Function("%w", null);
            new WasmLikeFunction().build(f, size);
            emit("wasmlike" + size, f, isa);
        }
        for (int a = 1; a < args.length; a++) {
            List<Path> files;
            try (Stream<Path> st = Files.walk(Path.of(args[a]))) {
                files = st.filter(p -> p.toString().endsWith(".clif")).sorted().toList();
            }
            for (Path p : files) {
                TestFile tf;
                try {
                    tf = Parser.parseFile(Files.readString(p), p.toString());
                } catch (RuntimeException e) {
                    continue;
                }
                for (TestFunction tfn : tf.functions()) emit(p.getFileName() + " " + tfn.function().name, tfn.function(), isa);
            }
        }
    }

    private static void emit(String name, Function f, X64Isa isa) {
        StringBuilder sb = new StringBuilder(name);
        try {
            new Legalizer().legalize(f);
        } catch (RuntimeException e) {
            System.out.println(name + " legalize-error " + e.getClass().getSimpleName());
            return;
        }
        for (int k = 0; k < 2; k++) {
            try {
                CompiledCode c = isa.compile(f, k == 0 ? new SinglePassAllocator() : new LinearScanAllocator());
                sb.append(' ').append(c.code().length).append(':').append(Long.toHexString(digest(c)));
            } catch (RuntimeException e) {
                sb.append(" error:").append(e.getClass().getSimpleName());
            }
        }
        System.out.println(sb);
    }

    /** A hash of everything the back end produced for one function: code, relocations, trap table, frame size. */
    public static long digest(CompiledCode c) {
        long h = Arrays.hashCode(c.code());
        for (CompiledCode.Relocation r : c.relocations()) {
            h = h * 31 + r.offset();
            h = h * 31 + r.kind().ordinal();
            h = h * 31 + r.target().hashCode();
            h = h * 31 + r.addend();
        }
        h = h * 31 + Arrays.hashCode(c.traps());
        h = h * 31 + Arrays.hashCode(c.trapCodes());
        return h * 31 + c.frameSize();
    }
}
