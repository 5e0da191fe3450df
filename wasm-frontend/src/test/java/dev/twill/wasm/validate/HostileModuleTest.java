package dev.twill.wasm.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twill.CompileError;
import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import dev.twill.wasm.binary.ModuleDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hostile and mutated modules through the whole pipeline (decode, validate, translate, compile
 * under both tiers): each either compiles or is refused with a {@link CompileError}, in bounded
 * time; a module that validates must compile (anything else is a bug in Twill, not bad input).
 */
class HostileModuleTest {
    private static final String[] TIERS = {"none", "speed"};

    /** Mutants of the spec suite's modules that survive validation must compile under both tiers. */
    @Test
    void validatingMutantsCompile() throws Exception {
        Path core = SpecSuite.core();
        assumeTrue(core != null, "spec suite not found (set -Dtwill.wasmTestsuite=<dir>)");
        List<byte[]> modules = new ArrayList<>();
        for (SpecSuite.Command c : SpecSuite.commands(core)) {
            if (c.type().equals("module")) modules.add(Files.readAllBytes(c.wasm()));
        }
        List<String> failures = new ArrayList<>();
        int[] compiled = new int[1];
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            try (Engine fast = new Engine(new EngineConfig().optLevel("none")); Engine speed = new Engine()) {
                Validator validator = new Validator();
                for (int i = 0; i < modules.size(); i++) {
                    for (int k = 0; k < 4; k++) {
                        long seed = 0x5EED_0000L + i * 4L + k;
                        byte[] mutant = MutationTest.mutate(modules.get(i), new SplittableRandom(seed));
                        try {
                            validator.validateModule(ModuleDecoder.decode(mutant));
                        } catch (CompileError refused) {
                            continue;
                        }
                        for (Engine engine : new Engine[] {fast, speed}) {
                            try {
                                Module.compile(engine, mutant).close();
                                compiled[0]++;
                            } catch (Throwable t) {
                                failures.add("seed " + seed + " (module #" + i + ", tier " + engine.config().optLevel() + "): " + t);
                            }
                        }
                    }
                }
            }
        });
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " failures");
        assertTrue(compiled[0] > 200, "only " + compiled[0] + " mutants compiled: the test proves little");
    }

    /** 20,000 nested blocks, each with a br_if out of the whole nest: compiles, and runs. */
    @Test
    void deepNestingCompilesAndRuns() throws Throwable {
        int depth = 20_000;
        Bytes body = new Bytes().u32(0);
        for (int d = 0; d < depth; d++) body.u8(0x02).u8(0x40).u8(0x20).u32(0).u8(0x0D).u32(d); // block; local.get 0; br_if d (to the outermost)
        for (int d = 0; d < depth; d++) body.u8(0x0B);
        body.u8(0x41).s32(7).u8(0x0B); // i32.const 7; end
        byte[] wasm = module(new byte[] {0x7F}, new byte[] {0x7F}, body.bytes(), 1);
        for (String tier : TIERS) {
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                try (Engine engine = new Engine(new EngineConfig().optLevel(tier));
                     Module m = Module.compile(engine, wasm);
                     Store store = new Store(engine)) {
                    Instance instance = new Linker(engine).instantiate(store, m);
                    // br_if leaves with an empty stack; falling through every block returns 7
                    assertEquals(7, instance.function("f").call(0)[0]);
                }
            });
        }
    }

    /** The maximum number of locals, all live at once across a call: compiles and computes the sum. */
    @Test
    void manyLiveLocalsCompileAndRun() throws Throwable {
        int locals = 2_000;
        Bytes body = new Bytes().u32(1).u32(locals).u8(0x7E); // locals i64 x N
        for (int i = 0; i < locals; i++) body.u8(0x42).s64(i + 1L).u8(0x21).u32(i + 1); // local[i+1] = i+1
        body.u8(0x42).s64(0);
        for (int i = 0; i < locals; i++) body.u8(0x20).u32(i + 1).u8(0x7C); // sum
        body.u8(0x0B);
        byte[] wasm = module(new byte[] {0x7F}, new byte[] {0x7E}, body.bytes(), 1);
        for (String tier : TIERS) {
            try (Engine engine = new Engine(new EngineConfig().optLevel(tier));
                 Module m = Module.compile(engine, wasm);
                 Store store = new Store(engine)) {
                Instance instance = new Linker(engine).instantiate(store, m);
                assertEquals((long) locals * (locals + 1) / 2, instance.function("f").call(0)[0]);
            }
        }
    }

    /** Counts far beyond the module's size are refused at once, without allocating for them. */
    @Test
    void hugeCountsAreRefusedFast() {
        byte[][] hostile = {
            // type section claiming 2^32-1 types
            {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
            // function section claiming 2^32-1 functions
            {0, 'a', 's', 'm', 1, 0, 0, 0, 3, 5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
            // a body declaring 2^32-1 locals
            {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 1, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, 0x0F, 0x7F},
            // a section size beyond the end
            {0, 'a', 's', 'm', 1, 0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
        };
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try (Engine engine = new Engine()) {
                for (byte[] wasm : hostile) assertThrows(CompileError.class, () -> Module.compile(engine, wasm));
            }
        });
    }

    /** A module with one function of type [params] -> [results] and the given body, exported as "f". */
    private static byte[] module(byte[] params, byte[] results, byte[] body, int functions) {
        Bytes m = new Bytes().u8(0).u8('a').u8('s').u8('m').u8(1).u8(0).u8(0).u8(0);
        Bytes type = new Bytes().u32(1).u8(0x60).u32(params.length).raw(params).u32(results.length).raw(results);
        m.section(1, type);
        m.section(3, new Bytes().u32(functions).u32(0));
        m.section(7, new Bytes().u32(1).u32(1).u8('f').u8(0).u32(0));
        m.section(10, new Bytes().u32(1).u32(body.length).raw(body));
        return m.bytes();
    }

    /** Binary-format encodings for the modules above. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int b) {
            out.write(b);
            return this;
        }

        Bytes u32(long v) {
            do {
                int b = (int) (v & 0x7F);
                v >>>= 7;
                out.write(v != 0 ? b | 0x80 : b);
            } while (v != 0);
            return this;
        }

        Bytes s64(long v) {
            while (true) {
                int b = (int) (v & 0x7F);
                v >>= 7;
                boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
                out.write(done ? b : b | 0x80);
                if (done) return this;
            }
        }

        Bytes s32(int v) {
            return s64(v);
        }

        Bytes raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        Bytes section(int id, Bytes body) {
            byte[] b = body.bytes();
            return u8(id).u32(b.length).raw(b);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
