package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.machinst.CompiledCode;
import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import dev.twill.wasm.vm.FuncTypeIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-disk code cache ({@link EngineConfig#cacheDirectory}, {@link CodeCache}): a second
 * compile of the same module links the stored code, which is the code a compile produces; any
 * damage to an entry is a miss that rewrites it; settings are part of the key; and stored code
 * is right in another process, where the canonical type ids {@code call_indirect} compares
 * differ (they used to be constants in the code).
 */
class CodeCacheTest {
    /** call_indirect through a table of functions of three types; expected results are worked out by hand. */
    static final String WAT = """
            (module
              (type $ii (func (param i32) (result i32)))
              (type $ll (func (param i64) (result i64)))
              (type $v (func))
              (table 3 funcref)
              (elem (i32.const 0) $double $inc64 $nop)
              (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
              (func $inc64 (type $ll) (i64.add (local.get 0) (i64.const 1)))
              (func $nop (type $v))
              (func (export "call_ii") (param i32 i32) (result i32)
                (call_indirect (type $ii) (local.get 1) (local.get 0)))
              (func (export "call_ll") (param i32 i64) (result i64)
                (call_indirect (type $ll) (local.get 1) (local.get 0)))
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
            """;

    @TempDir
    Path dir;

    @Test
    void aSecondCompileLinksTheStoredCode() {
        byte[] wasm = Wat.fromText(WAT);
        Path cache = dir.resolve("cache");
        try (Engine engine = new Engine(new EngineConfig().cacheDirectory(cache))) {
            try (Module first = Module.compile(engine, wasm)) {
                assertFalse(first.fromCache());
                checkBehaviour(engine, first);
            }
            try (Module second = Module.compile(engine, wasm)) {
                assertTrue(second.fromCache());
                checkBehaviour(engine, second);
            }
        }
    }

    @Test
    void storedCodeIsTheCodeACompileProduces() {
        byte[] wasm = Wat.fromText(WAT);
        try (Engine engine = new Engine(new EngineConfig().cacheDirectory(dir))) {
            Module.compile(engine, wasm).close();
            var m = Pipeline.decode(wasm, engine);
            CompiledCode[] fresh = Pipeline.compile(m, engine);
            CompiledCode[] stored = engine.cache().load(engine.cache().key(engine.codeSettings(), wasm), m.bodies.length);
            assertNotNull(stored);
            assertEquals(fresh.length, stored.length);
            for (int f = 0; f < fresh.length; f++) {
                assertArrayEquals(fresh[f].code(), stored[f].code(), "code of function " + f);
                assertArrayEquals(fresh[f].relocations(), stored[f].relocations());
                assertArrayEquals(fresh[f].traps(), stored[f].traps());
                assertArrayEquals(fresh[f].trapCodes(), stored[f].trapCodes());
                assertEquals(fresh[f].frameSize(), stored[f].frameSize());
                assertEquals(fresh[f].selfContained(), stored[f].selfContained());
            }
            assertNull(engine.cache().load(engine.cache().key(engine.codeSettings(), new byte[] {0, 'a', 's', 'm'}), 0),
                    "a module never stored is a miss");
        }
    }

    @Test
    void aDamagedEntryIsAMissAndIsRewritten() throws IOException {
        byte[] wasm = Wat.fromText(WAT);
        try (Engine engine = new Engine(new EngineConfig().cacheDirectory(dir))) {
            Module.compile(engine, wasm).close();
            Path entry = onlyEntry();
            byte[] good = Files.readAllBytes(entry);
            List<byte[]> damaged = new ArrayList<>();
            for (int at : new int[] {0, 40, good.length / 2, good.length - 1}) {
                byte[] b = good.clone();
                b[at] ^= 0x10;
                damaged.add(b);
            }
            damaged.add(java.util.Arrays.copyOf(good, good.length - 33));
            damaged.add(new byte[0]);
            for (byte[] b : damaged) {
                Files.write(entry, b);
                try (Module m = Module.compile(engine, wasm)) {
                    assertFalse(m.fromCache(), "a damaged entry must not be used");
                    checkBehaviour(engine, m);
                }
                assertArrayEquals(good, Files.readAllBytes(entry), "the entry is written again");
                try (Module m = Module.compile(engine, wasm)) {
                    assertTrue(m.fromCache());
                }
            }
        }
    }

    private Path onlyEntry() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    @Test
    void settingsArePartOfTheKey() throws IOException {
        byte[] wasm = Wat.fromText(WAT);
        try (Engine speed = new Engine(new EngineConfig().cacheDirectory(dir));
                Engine none = new Engine(new EngineConfig().optLevel("none").cacheDirectory(dir))) {
            Module.compile(speed, wasm).close();
            try (Module m = Module.compile(none, wasm)) {
                assertFalse(m.fromCache(), "code of another tier must not be reused");
                checkBehaviour(none, m);
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(2, files.count());
            }
        }
    }

    @Test
    void directoriesOthersCanWriteOrThatCannotBeMadeAreRefused() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Engine(new EngineConfig().cacheDirectory(open)));
        assertTrue(e.getMessage().contains("writable by others"), e.getMessage());
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        assertThrows(java.io.UncheckedIOException.class, () -> new Engine(new EngineConfig().cacheDirectory(file.resolve("cache"))));
        Path created = dir.resolve("made/by/twill");
        new Engine(new EngineConfig().cacheDirectory(created)).close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)));
    }

    /**
     * Two processes share one cache. Each first interns a different number of unrelated function
     * types, so the module's types get different canonical ids in each; the second process links
     * the code the first stored, and its call_indirect must still accept exactly the right type.
     */
    @Test
    void storedCodeIsRightInAnotherProcess() throws Exception {
        Path wasm = dir.resolve("m.wasm");
        Files.write(wasm, Wat.fromText(WAT));
        Path cache = dir.resolve("cache");
        assertEquals("fromCache=false ok", runChild(cache, wasm, 0));
        assertEquals("fromCache=true ok", runChild(cache, wasm, 37));
    }

    private static String runChild(Path cache, Path wasm, int otherTypes) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CodeCacheTest.class.getName(), cache.toString(), wasm.toString(), Integer.toString(otherTypes))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** The child process of {@link #storedCodeIsRightInAnotherProcess}: prints whether the code came from the cache and "ok". */
    public static void main(String[] args) throws Exception {
        for (int k = 0; k < Integer.parseInt(args[2]); k++) {
            byte[] params = new byte[k % 7 + 1];
            java.util.Arrays.fill(params, ValType.F64);
            params[0] = (byte) (k % 2 == 0 ? ValType.I32 : ValType.F32);
            FuncTypeIds.idOf(new FuncType(params, new byte[] {(byte) (k % 3 == 0 ? ValType.I64 : ValType.F64)}));
        }
        try (Engine engine = new Engine(new EngineConfig().cacheDirectory(Path.of(args[0])));
                Module m = Module.compile(engine, Files.readAllBytes(Path.of(args[1])))) {
            checkBehaviour(engine, m);
            System.out.println("fromCache=" + m.fromCache() + " ok");
        }
    }

    /** Each call's result or trap, from the module text: slot 0 is $double (i32), 1 $inc64 (i64), 2 $nop, 3 is past the table. */
    static void checkBehaviour(Engine engine, Module module) {
        try (Store store = new Store(engine)) {
            Instance i = new Linker(engine).instantiate(store, module);
            WasmFunction callIi = i.function("call_ii"), callLl = i.function("call_ll");
            check(42, callIi.call(0, 21)[0]);
            check(-14, (int) callIi.call(0, -7)[0]);
            check(1L << 40, callLl.call(1, (1L << 40) - 1)[0]);
            expectTrap(TrapCode.BAD_SIG, () -> callIi.call(1, 5));
            expectTrap(TrapCode.BAD_SIG, () -> callIi.call(2, 5));
            expectTrap(TrapCode.BAD_SIG, () -> callLl.call(0, 5));
            expectTrap(TrapCode.TABLE_OOB, () -> callIi.call(3, 5));
            check(-3, (int) i.function("div").call(-7, 2)[0]);
            expectTrap(TrapCode.INT_DIVZ, () -> i.function("div").call(1, 0));
        }
    }

    private static void check(long expected, long actual) {
        if (expected != actual) throw new AssertionError("expected " + expected + ", got " + actual);
    }

    private static void expectTrap(int code, Runnable call) {
        try {
            call.run();
        } catch (Trap t) {
            if (t.code() != code) throw new AssertionError("expected trap " + TrapCode.name(code) + ", got " + t.getMessage(), t);
            return;
        }
        throw new AssertionError("expected trap " + TrapCode.name(code) + ", got a result");
    }
}
