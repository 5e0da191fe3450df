package dev.twill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** The demo runs every program under both tiers and its results agree with the Java oracle computations. */
class WasmDemoTest {
    @Test
    void demoResultsAgreeWithJava() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int failures = new WasmDemo(new PrintStream(bytes, true)).run();
        String out = bytes.toString();
        assertEquals(0, failures, out);
        assertTrue(out.contains("divmod(1, 0) -> trap: int_divz in divmod"), out);
        assertTrue(out.contains("peek(0x7fff0000) -> trap: heap_oob in peek"), out);
    }

    @Test
    void javaOraclesAreRight() {
        // Known values, independent of the demo's own arithmetic.
        assertEquals(832040, WasmDemo.fib(30));
        assertEquals(664579, WasmDemo.primesBelow(10_000_000));
        assertEquals(25, WasmDemo.primesBelow(100));
        // fold(4): 1*1=1, 1-2=-1, -1+3=2, 2*4=8
        assertEquals(8, WasmDemo.fold(4));
    }
}
