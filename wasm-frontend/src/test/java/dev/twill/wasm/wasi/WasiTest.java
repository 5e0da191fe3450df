package dev.twill.wasm.wasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WASI programs written in C, built with clang-14 and wasi-libc, run by Twill under both tiers;
 * the oracle is the same source built natively and run as a process with the same arguments,
 * environment and input. Plus the edges a C library does not reach: pointers outside memory,
 * closed and unknown descriptors, and the import types against wasi-libc's declarations.
 */
class WasiTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Runs {@code wasm}'s {@code _start} with these arguments (after the program name), environment and input. */
    private static CPrograms.Run runWasm(byte[] wasm, String opt, List<String> args, Map<String, String> env, byte[] stdin) {
        List<String> argv = new ArrayList<>(List.of("program"));
        argv.addAll(args);
        return CPrograms.runWasm(wasm, opt, new WasiConfig().args(argv).env(env).stdin(new ByteArrayInputStream(stdin)));
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


    record Edge(Instance instance, MemorySegment memory, ByteArrayOutputStream out) {
        long call(String name, long... args) {
            WasmFunction f = instance.function(name);
            assertNotNull(f, name);
            return f.call(args)[0];
        }
    }

    private static void withEdgeModule(java.util.function.Consumer<Edge> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        withEdgeModule(new WasiConfig().stdout(out).random(new Random(42)), out, body);
    }

    static void withEdgeModule(WasiConfig config, ByteArrayOutputStream out, java.util.function.Consumer<Edge> body) {
        byte[] wasm = Wat.wasm("wasi_edges.wat");
        try (Engine engine = new Engine();
                Module module = Module.compile(engine, wasm);
                Store store = new Store(engine)) {
            Linker linker = new Linker(engine);
            new Wasi(config).define(linker);
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
            long end = 4 * 65536;
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
            // more than one 64 KiB step: Random.nextBytes draws 4 bytes per int, so steps of a
            // multiple of 4 give the same stream as one call
            assertEquals(Wasi.SUCCESS, e.call("random", 1000, 200_001));
            byte[] expected = new byte[200_001];
            new Random(42).nextBytes(expected);
            assertArrayEquals(expected, e.memory.asSlice(1000, 200_001).toArray(ValueLayout.JAVA_BYTE));
        });
    }

    @Test
    void aFailedOutputStreamIsABrokenPipe() {
        PrintStream broken = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("reader gone");
            }
        });
        withEdgeModule(new WasiConfig().stdout(broken), new ByteArrayOutputStream(), e -> {
            e.memory.set(I32, 16, 100);
            e.memory.set(I32, 20, 5);
            assertEquals(Wasi.PIPE, e.call("write", 1, 16, 1, 8));
        });
    }

    /** A read returns what is there, as POSIX read does, instead of waiting to fill the buffer. */
    @Test
    void aReadReturnsWhatIsAvailable() {
        java.io.InputStream typed = new java.io.InputStream() {
            private int given;

            @Override
            public int read() {
                throw new AssertionError("single-byte reads are not expected");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (given++ > 0) throw new AssertionError("a second read would block until the next line");
                b[off] = 'h';
                b[off + 1] = 'i';
                b[off + 2] = '\n';
                return 3;
            }
        };
        withEdgeModule(new WasiConfig().stdin(typed), new ByteArrayOutputStream(), e -> {
            e.memory.set(I32, 16, 100);
            e.memory.set(I32, 20, 1000);
            assertEquals(Wasi.SUCCESS, e.call("read", 0, 16, 1, 8));
            assertEquals(3, e.memory.get(I32, 8));
            assertEquals("hi\n", new String(e.memory.asSlice(100, 3).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        });
    }

    /** Writes a relative monotonic clock subscription: userdata, clock id 1, timeout in ns. */
    private static void clockSubscription(MemorySegment m, long at, long userdata, long timeoutNanos) {
        m.asSlice(at, 48).fill((byte) 0);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, userdata);
        m.set(I32, at + 16, 1);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at + 24, timeoutNanos);
    }

    /**
     * The earliest of several clocks wins even beside an (unsigned) huge timeout, and the
     * events may overwrite the subscriptions (the same buffer for both, as wasi-libc does).
     */
    @Test
    void pollSleepsUntilTheEarliestClockWithOverlappingBuffers() {
        withEdgeModule(e -> org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            clockSubscription(e.memory, 4096, 0x77, Long.MAX_VALUE);
            clockSubscription(e.memory, 4096 + 48, 0x55, 10_000_000);
            clockSubscription(e.memory, 4096 + 96, 0x66, -1);          // u64 max: never
            long t0 = System.nanoTime();
            assertEquals(Wasi.SUCCESS, e.call("poll", 4096, 4096, 3, 8));
            long waited = System.nanoTime() - t0;
            assertEquals(1, e.memory.get(I32, 8));
            assertEquals(0x55, e.memory.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4096));
            assertEquals(0, e.memory.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4096 + 8));
            assertEquals(0, e.memory.get(ValueLayout.JAVA_BYTE, 4096 + 10));   // eventtype clock
            assertTrue(waited >= 10_000_000, "returned after " + waited + " ns");
        }));
    }

    @Test
    void descriptorsBeyondTheStandardStreamsDoNotExist() {
        withEdgeModule(e -> {
            assertEquals(Wasi.BADF, e.call("write", 0, 16, 0, 8));   // stdin is not writable
            assertEquals(Wasi.BADF, e.call("write", 7, 16, 0, 8));
            assertEquals(Wasi.BADF, e.call("prestat", 3));           // no preopened directory: no files at all
            assertEquals(Wasi.BADF, e.call("open", 3, 0, 0, 1, 0, -1, 0, 0));
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
