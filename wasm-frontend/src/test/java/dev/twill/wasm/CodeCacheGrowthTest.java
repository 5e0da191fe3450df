package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Compiling, calling and closing modules must not grow the JVM's code cache without bound.
 *
 * <p>Found by {@link BinaryenDifferentialTest}'s long runs: after about 3,200 random modules in
 * one JVM, the JVM stopped with "OutOfMemoryError: Out of space in CodeCache for adapters" (and
 * had disabled its JIT: "CodeCache is full"). Cause, measured with -XX:+PrintCompilation: every
 * export signature not seen before gets its own Panama downcall handle (EntryTrampolines keeps
 * one per IR shape, process-wide) and its own typed method handle chain (JitModule.makeHandle),
 * and the JVM makes native adapters for the signature-polymorphic intrinsics
 * ({@code MethodHandle.invokeBasic}, {@code linkToSpecial}, {@code linkToNative}) per erased
 * signature, which it never unloads: about 44 KiB of code cache per new signature, whether or
 * not the module is closed. Signatures are many (4^n for n numeric parameters), so a host that
 * loads modules over time ran out (about 85 MiB for 2,000 signatures). Fixed by calling through
 * {@code JitModule.rawCaller}: one downcall of type (long context, long function, long buffer)
 * for every signature and a small trampoline per shape that reads the arguments from the buffer.
 * The typed {@link WasmFunction#handle} necessarily keeps one signature per function type.
 */
class CodeCacheGrowthTest {
    private static final String[] TYPES = {"i32", "i64", "f32", "f64"};

    @Test
    void distinctSignaturesDoNotGrowTheCodeCacheWithoutBound() throws Exception {
        assertTrue(Wat.wat2wasmAvailable(), "wat2wasm (wabt) is not installed");
        Path dir = Files.createTempDirectory("twill-codecache");
        long before = 0;
        try (Engine engine = new Engine()) {
            for (int i = 0; i < 1200; i++) {
                // 7 parameters of 4 types: 1,200 different signatures
                StringBuilder params = new StringBuilder();
                for (int k = i, d = 0; d < 7; k /= 4, d++) params.append(' ').append(TYPES[k % 4]);
                Path src = dir.resolve("m.wat"), out = dir.resolve("m.wasm");
                Files.writeString(src, "(module (func (export \"f\") (param" + params + ") (result i32) i32.const 1))");
                assertTrue(Binaryen.wat2wasm(src, out) == null);
                try (Module m = Module.compile(engine, Files.readAllBytes(out)); Store store = new Store(engine)) {
                    new Linker(engine).instantiate(store, m).function("f").call(new long[7]);
                }
                if (i == 99) before = codeCacheUsed();
            }
        }
        long grown = codeCacheUsed() - before;
        assertTrue(grown < 16L << 20, "the code cache grew by " + (grown >> 20) + " MiB over 1,100 modules");
    }

    private static long codeCacheUsed() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().startsWith("CodeHeap")) used += pool.getUsage().getUsed();
        }
        return used;
    }
}
