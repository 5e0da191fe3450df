package dev.twill.wasm.spectest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parent side of the fork protocol, against stand-in children that behave (end normally),
 * crash (halt mid-script) and hang, so the crash bookkeeping is checked without a real crash.
 */
class ForkedSpecRunnerTest {
    /** A script of six commands, one of them a text module (skipped). */
    private static Path script(Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("s"));
        Path json = d.resolve("s.json");
        Files.writeString(json, """
                {"source_filename": "s.wast", "commands": [
                 {"type": "module", "line": 1, "filename": "s.0.wasm"},
                 {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "f", "args": []}, "expected": []},
                 {"type": "assert_malformed", "line": 3, "filename": "s.1.wat", "text": "x", "module_type": "text"},
                 {"type": "assert_return", "line": 4, "action": {"type": "invoke", "field": "f", "args": []}, "expected": []},
                 {"type": "assert_return", "line": 5, "action": {"type": "invoke", "field": "f", "args": []}, "expected": []},
                 {"type": "assert_return", "line": 6, "action": {"type": "invoke", "field": "f", "args": []}, "expected": []}
                ]}
                """);
        return json;
    }

    /** Reports: command at line 1 passes, line 2 fails, then behaves as args[1] says at line 4. */
    public static final class StandIn {
        public static void main(String[] args) throws Exception {
            String mode = System.getProperty("twill.test.standIn");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String path; (path = in.readLine()) != null; ) {
                String t = ForkedSpecRunner.TAG;
                System.out.println("noise that is not protocol");
                System.out.println(t + "start 1 module");
                System.out.println(t + "start 2 assert_return");
                System.out.println(t + "fail 2 assert_return " + ForkedSpecRunner.escape("returned i32:1,\nexpected \\ i32:2"));
                System.out.println(t + "start 4 assert_return");
                System.out.flush();
                switch (mode) {
                    case "crash" -> {
                        System.err.println("fatal: simulated crash");
                        System.err.flush();
                        Runtime.getRuntime().halt(3);
                    }
                    case "hang" -> Thread.sleep(60_000);
                    default -> {
                        System.out.println(t + "start 5 assert_return");
                        System.out.println(t + "start 6 assert_return");
                        System.out.println(t + "end 4 5 1");
                    }
                }
            }
        }
    }

    private static FileResult runWith(String mode, Path json, long timeout) {
        String old = System.getProperty("twill.test.standIn");
        System.setProperty("twill.test.standIn", mode); // twill.* properties reach the child
        try (ForkedSpecRunner r = new ForkedSpecRunner(timeout, 1000, "speed", StandIn.class.getName())) {
            FileResult first = r.run(json);
            // a second script in the same runner: a fresh child after a crash
            FileResult second = r.run(json);
            assertEquals(first, second);
            return first;
        } finally {
            if (old == null) System.clearProperty("twill.test.standIn");
            else System.setProperty("twill.test.standIn", old);
        }
    }

    @Test
    void normalEndIsTakenAsReported(@TempDir Path dir) throws Exception {
        FileResult r = runWith("ok", script(dir), 30_000);
        assertEquals(new FileResult("s", 4, 5, 1, List.of(new FileResult.Failure(2, "assert_return", "returned i32:1,\nexpected \\ i32:2"))), r);
    }

    @Test
    void crashChargesTheRunningCommandAndTheRest(@TempDir Path dir) throws Exception {
        FileResult r = runWith("crash", script(dir), 30_000);
        assertEquals(5, r.total());
        assertEquals(1, r.skippedText());
        assertEquals(1, r.passed(), r.toString()); // line 1 only: 2 failed, 4 crashed, 5 and 6 never ran
        assertEquals(3, r.failures().size(), r.toString());
        FileResult.Failure crash = r.failures().get(1);
        assertEquals(4, crash.line());
        assertTrue(crash.reason().contains("exit code 3") && crash.reason().contains("simulated crash"), crash.reason());
        FileResult.Failure rest = r.failures().get(2);
        assertEquals("rest", rest.command());
        assertTrue(rest.reason().startsWith("2 commands after line 4 not run"), rest.reason());
        assertEquals(4, r.failed());
    }

    @Test
    void silenceBeyondTheTimeoutKillsTheChild(@TempDir Path dir) throws Exception {
        FileResult r = runWith("hang", script(dir), 3_000);
        assertEquals(1, r.passed(), r.toString());
        assertTrue(r.failures().get(1).reason().contains("no progress for 3000 ms"), r.toString());
    }

    @Test
    void escapeRoundTrips() {
        for (String s : new String[] {"", "a", "a\nb\\c\r", "\\n", "trailing\\"}) {
            assertEquals(s, ForkedSpecRunner.unescape(ForkedSpecRunner.escape(s)));
            assertTrue(!ForkedSpecRunner.escape(s).contains("\n"));
        }
    }
}
