package dev.twill.wasm.wasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import dev.twill.wasm.WasmFunction;
import dev.twill.wasm.Wat;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.WasmModule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * WASI programs written in C, built with clang-14 and wasi-libc, run by Twill under both tiers;
 * the oracle is the same source built natively and run as a process with the same arguments,
 * environment and input. Plus the edges a C library does not reach: pointers outside memory,
 * closed and unknown descriptors, and the import types against wasi-libc's declarations.
 */
class WasiTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Runs {@code wasm}'s {@code _start} with WASI; the exit code is 0 unless it calls proc_exit. */
    private static CPrograms.Run runWasm(byte[] wasm, String opt, List<String> args, Map<String, String> env, byte[] stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (Engine engine = new Engine(new EngineConfig().optLevel(opt));
                Module module = Module.compile(engine, wasm);
                Store store = new Store(engine)) {
            Linker linker = new Linker(engine);
            List<String> argv = new ArrayList<>(List.of("program"));
            argv.addAll(args);
            new Wasi(new WasiConfig().args(argv).env(env).stdin(new ByteArrayInputStream(stdin)).stdout(out).stderr(err))
                    .define(linker);
            Instance instance = linker.instantiate(store, module);
            int code = 0;
            try {
                instance.function("_start").call();
            } catch (WasiExit e) {
                code = e.exitCode();
            }
            return new CPrograms.Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), code);
        }
    }

    private static void sameAsNative(String name, String opt, List<String> args, Map<String, String> env, String stdin)
            throws IOException {
        byte[] in = stdin.getBytes(StandardCharsets.UTF_8);
        CPrograms.Run expected = CPrograms.runNative(name, args, env, in);
        CPrograms.Run actual = runWasm(CPrograms.wasm(name), opt, args, env, in);
        assertEquals(expected, actual, name + " under opt " + opt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void argumentsEnvironmentStreamsAndExitCode(String opt) throws IOException {
        sameAsNative("args_env", opt, List.of("one", "two words", "ünïcødé"), Map.of("GREETING", "hello there"), "");
        sameAsNative("args_env", opt, List.of(), Map.of(), "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void computeProgram(String opt) throws IOException {
        sameAsNative("compute", opt, List.of(), Map.of(), "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void standardInput(String opt) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < 3000; k++) text.append("line ").append(k).append(k % 7 == 0 ? "  tab\there\n" : " x\n");
        sameAsNative("wc", opt, List.of(), Map.of(), text.toString());
        sameAsNative("wc", opt, List.of(), Map.of(), "");
    }

    @Test
    void clocksSleepAndRandomness() throws IOException {
        CPrograms.Run run = runWasm(CPrograms.wasm("clocks"), "speed", List.of(), Map.of(), new byte[0]);
        assertEquals(new CPrograms.Run("slept>=20ms:1\nrealtime after 2020:1\nentropy:1\n", "", 0), run);
    }

    /** wasi-libc declares every preview-1 function; the module's imports carry the types it gives them. */
    @Test
    void importTypesMatchWasiLibc() throws IOException {
        WasmModule m = ModuleDecoder.decode(CPrograms.wasm("imports"));
        int checked = 0;
        for (Import imp : m.imports) {
            if (!imp.module().equals(Wasi.MODULE)) continue;
            FuncType expected = m.types[imp.typeIndex()];
            assertEquals(expected, Wasi.type(imp.name()), imp.name());
            checked++;
        }
        assertEquals(45, checked);
    }

    // ---- edges, with a hand-written module (wasi_edges.wat) whose exports call the imports


    private record Edge(Instance instance, MemorySegment memory, ByteArrayOutputStream out) {
        long call(String name, long... args) {
            WasmFunction f = instance.function(name);
            assertNotNull(f, name);
            return f.call(args)[0];
        }
    }

    private static void withEdgeModule(java.util.function.Consumer<Edge> body) {
        byte[] wasm = Wat.wasm("wasi_edges.wat");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wasm);
                Store store = new Store(engine)) {
            Linker linker = new Linker(engine);
            new Wasi(new WasiConfig().stdout(out).random(new Random(42))).define(linker);
            Instance instance = linker.instantiate(store, module);
            body.accept(new Edge(instance, instance.memory("memory").segment(), out));
        }
    }

    @Test
    void writesGatherIovecsAndReportTheCount() {
        withEdgeModule(e -> {
            byte[] hello = "hello, ".getBytes(StandardCharsets.UTF_8), world = "world\n".getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(hello, 0, e.memory, ValueLayout.JAVA_BYTE, 100, hello.length);
            MemorySegment.copy(world, 0, e.memory, ValueLayout.JAVA_BYTE, 200, world.length);
            e.memory.set(I32, 16, 100);
            e.memory.set(I32, 20, hello.length);
            e.memory.set(I32, 24, 200);
            e.memory.set(I32, 28, world.length);
            assertEquals(Wasi.SUCCESS, e.call("write", 1, 16, 2, 8));
            assertEquals("hello, world\n", e.out.toString(StandardCharsets.UTF_8));
            assertEquals(13, e.memory.get(I32, 8));
        });
    }

    @Test
    void pointersOutsideMemoryAreFaultsNotExceptions() {
        withEdgeModule(e -> {
            long end = 65536;
            assertEquals(Wasi.FAULT, e.call("write", 1, end - 4, 1, 8));          // iovec array past the end
            e.memory.set(I32, 16, (int) (end - 2));
            e.memory.set(I32, 20, 3);
            assertEquals(Wasi.FAULT, e.call("write", 1, 16, 1, 8));                // buffer one byte past the end
            e.memory.set(I32, 16, -1);
            e.memory.set(I32, 20, 2);
            assertEquals(Wasi.FAULT, e.call("write", 1, 16, 1, 8));                // pointer 0xffff_ffff, unsigned
            assertEquals(Wasi.FAULT, e.call("write", 1, 16, 0x2000_0000, 8));      // 2^29 iovecs
            assertEquals(Wasi.FAULT, e.call("random", end - 8, 9));
            assertEquals("", e.out.toString(StandardCharsets.UTF_8));
        });
    }

    @Test
    void randomnessComesFromTheConfiguredSource() {
        withEdgeModule(e -> {
            assertEquals(Wasi.SUCCESS, e.call("random", 1000, 33));
            byte[] expected = new byte[33];
            new Random(42).nextBytes(expected);
            assertArrayEquals(expected, e.memory.asSlice(1000, 33).toArray(ValueLayout.JAVA_BYTE));
        });
    }

    @Test
    void descriptorsBeyondTheStandardStreamsDoNotExist() {
        withEdgeModule(e -> {
            assertEquals(Wasi.BADF, e.call("write", 0, 16, 0, 8));   // stdin is not writable
            assertEquals(Wasi.BADF, e.call("write", 7, 16, 0, 8));
            assertEquals(Wasi.BADF, e.call("prestat", 3));           // no preopened directory: no files at all
            assertEquals(Wasi.BADF, e.call("open"));
            assertEquals(Wasi.SPIPE, e.call("seek", 1));
            assertEquals(Wasi.BADF, e.call("seek", 9));
            assertEquals(Wasi.SUCCESS, e.call("close", 1));
            assertEquals(Wasi.BADF, e.call("write", 1, 16, 0, 8));   // closed
            assertEquals(Wasi.BADF, e.call("close", 1));
        });
    }

    @Test
    void procExitReachesTheCallerWithItsCode() {
        withEdgeModule(e -> {
            WasiExit exit = assertThrows(WasiExit.class, () -> e.call("exit", 3));
            assertEquals(3, exit.exitCode());
            // the instance stays usable afterwards
            assertEquals(Wasi.SUCCESS, e.call("random", 0, 4));
        });
    }
}
