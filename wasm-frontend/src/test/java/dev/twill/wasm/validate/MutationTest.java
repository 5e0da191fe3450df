package dev.twill.wasm.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twill.CompileError;
import dev.twill.wasm.binary.ModuleDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Robustness: the spec suite's valid modules, mutated at random (byte flips and overwrites,
 * which keep section sizes intact and so reach the validator, plus truncations, insertions,
 * deletions and LEB128-looking runs), must each either decode and validate or be refused with
 * a {@link CompileError}: no other exception, no OutOfMemoryError, no hang. Every mutant comes
 * from its own seed, printed on failure ({@code -Dtwill.mutationSeed=} reruns from a base).
 */
class MutationTest {
    private static final int MUTANTS_PER_MODULE = Integer.getInteger("twill.mutantsPerModule", 8);

    @Test
    void mutantsAreAcceptedOrRefusedCleanly() throws Exception {
        Path core = SpecSuite.core();
        assumeTrue(core != null, "spec suite not found (set -Dtwill.wasmTestsuite=<dir>)");
        List<byte[]> modules = new ArrayList<>();
        for (SpecSuite.Command c : SpecSuite.commands(core)) {
            if (c.type().equals("module")) modules.add(Files.readAllBytes(c.wasm()));
        }
        assertTrue(modules.size() > 1000, "too few modules: " + modules.size());
        long base = Long.getLong("twill.mutationSeed", 0x7E11_2025L);

        List<String> failures = new ArrayList<>();
        int[] outcome = new int[2]; // accepted, refused
        long[] slowest = new long[2]; // nanos, seed
        assertTimeoutPreemptively(Duration.ofSeconds(15L * MUTANTS_PER_MODULE + 60), () -> {
            Validator validator = new Validator();
            for (int i = 0; i < modules.size(); i++) {
                for (int k = 0; k < MUTANTS_PER_MODULE; k++) {
                    long seed = base + (long) i * MUTANTS_PER_MODULE + k;
                    byte[] mutant = mutate(modules.get(i), new SplittableRandom(seed));
                    long t0 = System.nanoTime();
                    try {
                        validator.validateModule(ModuleDecoder.decode(mutant));
                        outcome[0]++;
                    } catch (CompileError refused) {
                        outcome[1]++;
                    } catch (Throwable t) {
                        failures.add("seed " + seed + " (module #" + i + "): " + t);
                        if (failures.size() == 1) t.printStackTrace();
                    }
                    long dt = System.nanoTime() - t0;
                    if (dt > slowest[0]) {
                        slowest[0] = dt;
                        slowest[1] = seed;
                    }
                }
            }
        });
        System.out.printf("mutation test: %d mutants of %d modules: %d accepted, %d refused, %d failures; "
            + "slowest %.2f ms (seed %d)%n", outcome[0] + outcome[1] + failures.size(), modules.size(), outcome[0],
            outcome[1], failures.size(), slowest[0] / 1e6, slowest[1]);
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " failures");
        // Mutants are mostly refused, but some survive: a test that refuses everything proves little.
        assertTrue(outcome[0] > 100 && outcome[1] > 1000, "accepted " + outcome[0] + ", refused " + outcome[1]);
    }

    /** One to four random edits; the 8-byte header is kept most of the time so that sections get read. */
    static byte[] mutate(byte[] in, SplittableRandom rnd) {
        byte[] b = in.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int from = b.length > 8 && rnd.nextInt(50) != 0 ? 8 : 0;
            if (b.length <= from) break;
            int p = from + rnd.nextInt(b.length - from);
            switch (rnd.nextInt(8)) {
                case 0, 1 -> b[p] ^= (byte) (1 << rnd.nextInt(8)); // bit flip
                case 2, 3 -> b[p] = (byte) rnd.nextInt(256); // overwrite
                case 4 -> b = java.util.Arrays.copyOf(b, p); // truncate
                case 5 -> { // insert random bytes
                    int n = 1 + rnd.nextInt(4);
                    byte[] ins = new byte[n];
                    for (int j = 0; j < n; j++) ins[j] = (byte) rnd.nextInt(256);
                    b = splice(b, p, 0, ins);
                }
                case 6 -> b = splice(b, p, Math.min(1 + rnd.nextInt(4), b.length - p), new byte[0]); // delete
                default -> { // a long LEB128-looking run: huge counts, sizes, indices
                    byte[] leb = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) (rnd.nextBoolean() ? 0x0F : 0x07)};
                    b = splice(b, p, rnd.nextBoolean() ? 1 : 0, leb);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
