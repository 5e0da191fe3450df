package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.wasm.binary.ValType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The differential test's own machinery must be able to fail: transcripts written by hand (in
 * binaryen 108's format) against a small module run in Twill, agreeing and disagreeing.
 */
class BinaryenTranscriptTest {
    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = new Engine();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static final String MODULE = """
            (module
              (import "fuzzing-support" "log-i32" (func $log_i32 (param i32)))
              (import "fuzzing-support" "log-i64" (func $log_i64 (param i64)))
              (global $g (mut i32) (i32.const 0))
              (func (export "a") (result f32 i64)
                (call $log_i32 (i32.const 42))
                (call $log_i64 (i64.const -2))
                (f32.div (f32.const 0) (f32.const 0))
                (i64.const 5000000000))
              (func (export "b") (result i32)
                (global.set $g (i32.add (global.get $g) (i32.const 1)))
                (call $log_i32 (global.get $g))
                (i32.div_s (i32.const 1) (i32.const 0)))
              (func (export "c") (result f64)
                (call $log_i32 (global.get $g))
                (f64.const -0)))
            """;

    /** binaryen's story for MODULE: an i64 logs as low and high halves, a trap prints its phrase. */
    private static final String TRANSCRIPT = """
            [fuzz-exec] calling a
            [LoggingExternalInterface logging 42]
            [LoggingExternalInterface logging -2 -1]
            [fuzz-exec] note result: a => (nan:0x400000, 5000000000)
            [fuzz-exec] calling b
            [LoggingExternalInterface logging 1]
            [trap i32.div_s by 0]
            [fuzz-exec] calling c
            [LoggingExternalInterface logging 1]
            [fuzz-exec] note result: c => -0
            """;

    private static List<BinaryenDifferentialTest.TwillCall> runModule() throws IOException {
        Path dir = Files.createTempDirectory("twill-transcript");
        Path src = dir.resolve("m.wat"), out = dir.resolve("m.wasm");
        Files.writeString(src, MODULE);
        assertTrue(Wat.wat2wasmAvailable(), "wat2wasm (wabt) is not installed: run 'apt-get install wabt'");
        assertNull(Binaryen.wat2wasm(src, out));
        byte[] wasm = Files.readAllBytes(out);
        Files.delete(src);
        Files.delete(out);
        Files.delete(dir);
        return BinaryenDifferentialTest.run(engine, wasm);
    }

    @Test
    void agreeingTranscriptPasses() throws IOException {
        assertNull(BinaryenDifferentialTest.compare(Binaryen.parse(TRANSCRIPT), runModule()));
    }

    @Test
    void aDifferentLoggedValueFails() throws IOException {
        String wrong = TRANSCRIPT.replace("logging -2 -1", "logging -2 0");
        assertNotNull(BinaryenDifferentialTest.compare(Binaryen.parse(wrong), runModule()));
    }

    @Test
    void aDifferentResultFails() throws IOException {
        assertNotNull(BinaryenDifferentialTest.compare(Binaryen.parse(TRANSCRIPT.replace("c => -0", "c => 0")), runModule()));
        assertNotNull(BinaryenDifferentialTest.compare(Binaryen.parse(TRANSCRIPT.replace("5000000000)", "5000000001)")), runModule()));
    }

    @Test
    void aTrapOfAnotherKindOrAMissingTrapFails() throws IOException {
        assertNotNull(BinaryenDifferentialTest.compare(Binaryen.parse(TRANSCRIPT.replace("[trap i32.div_s by 0]", "[trap unreachable]")), runModule()));
        String noTrap = TRANSCRIPT.replace("[trap i32.div_s by 0]", "[fuzz-exec] note result: b => 0");
        assertNotNull(BinaryenDifferentialTest.compare(Binaryen.parse(noTrap), runModule()));
    }

    @Test
    void anExtraLogFails() throws IOException {
        String extra = TRANSCRIPT.replace("[fuzz-exec] calling c\n", "[fuzz-exec] calling c\n[LoggingExternalInterface logging 1]\n");
        assertNotNull(BinaryenDifferentialTest.compare(Binaryen.parse(extra), runModule()));
    }

    @Test
    void parsesTuplesWithReferences() {
        List<Binaryen.Call> calls = Binaryen.parse("[fuzz-exec] calling f\n[fuzz-exec] note result: f => (1, funcref(g, h), -nan:0x1)\n");
        assertEquals(2, calls.size());
        assertArrayEquals(new String[] {"1", "funcref(g, h)", "-nan:0x1"}, calls.get(1).results);
    }

    @Test
    void valuesMatchAsBinaryenPrintsThem() {
        assertTrue(BinaryenDifferentialTest.matches(ValType.F32, Float.floatToRawIntBits(0.1f), "0.10000000149011612"));
        assertTrue(BinaryenDifferentialTest.matches(ValType.F64, Double.doubleToRawLongBits(-1e300), "-1e+300"));
        assertTrue(BinaryenDifferentialTest.matches(ValType.F64, 0xFFF8_0000_0000_0000L, "nan:0x8000000000000"));
        assertTrue(!BinaryenDifferentialTest.matches(ValType.F64, 0L, "-0"));
        assertTrue(BinaryenDifferentialTest.matches(ValType.I32, 0xFFFF_FFFFL, "-1"));
        assertTrue(BinaryenDifferentialTest.matches(ValType.FUNCREF, 0, "funcref(null)"));
        assertTrue(!BinaryenDifferentialTest.matches(ValType.FUNCREF, 0, "funcref(f)"));
    }

    @Test
    void trapPhrasesMapToCodes() {
        assertEquals(TrapCode.HEAP_OOB, BinaryenDifferentialTest.expectedTrap("final > memory: 18446744073709551518 > 1048573"));
        assertEquals(TrapCode.INT_OVF, BinaryenDifferentialTest.expectedTrap("i64.truncUFloat overflow"));
        assertEquals(TrapCode.BAD_TOINT, BinaryenDifferentialTest.expectedTrap("truncSFloat of nan"));
        assertEquals(TrapCode.INT_DIVZ, BinaryenDifferentialTest.expectedTrap("i64.rem_u by 0"));
        assertEquals(TrapCode.BAD_SIG, BinaryenDifferentialTest.expectedTrap("callIndirect: function types don't match"));
        assertEquals(-1, BinaryenDifferentialTest.expectedTrap("something new"));
    }
}
