package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Dtwill.perfmap=true} ({@link dev.twill.runtime.PerfMap}): a process that compiles a
 * module lists each wasm function in {@code /tmp/perf-PID.map} under its name-section name, with
 * the address range that holds its code.
 */
class PerfMapTest {
    @TempDir
    Path dir;

    @Test
    void theMapNamesTheCodeOfEveryWasmFunction() throws Exception {
        Path wasm = dir.resolve("m.wasm");
        Files.write(wasm, Wat.fromText("""
                (module
                  (func $square (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
                  (func $twice (export "twice") (param i32) (result i32) (i32.add (local.get 0) (local.get 0))))
                """, "--debug-names"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Dtwill.perfmap=true", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), PerfMapTest.class.getName(), wasm.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        // the child prints its pid, then each export's name and entry address
        String[] lines = out.split("\n");
        Path map = Path.of("/tmp/perf-" + lines[0].strip() + ".map");
        try {
            List<String> entries = Files.readAllLines(map);
            for (int k = 1; k < lines.length; k++) {
                String[] export = lines[k].split(" ");
                long entry = Long.parseLong(export[1]);
                String expected = "wasm[" + export[2] + "] " + export[0];
                boolean found = false;
                for (String e : entries) {
                    String[] f = e.split(" ", 3);
                    long start = Long.parseUnsignedLong(f[0], 16), size = Long.parseUnsignedLong(f[1], 16);
                    if (f[2].equals(expected)) {
                        assertTrue(start < entry && entry < start + size, e + " does not hold the entry 0x" + Long.toHexString(entry));
                        found = true;
                    }
                }
                assertTrue(found, "no entry " + expected + " in " + entries);
            }
        } finally {
            Files.deleteIfExists(map);
        }
    }

    /** The child: compiles the module and prints its pid, then "name entry-address function-index" per export. */
    public static void main(String[] args) throws Exception {
        try (Engine engine = new Engine(); Module m = Module.compile(engine, Files.readAllBytes(Path.of(args[0])));
                Store store = new Store(engine)) {
            Instance i = new Linker(engine).instantiate(store, m);
            System.out.println(ProcessHandle.current().pid());
            String[] names = {"square", "twice"};
            for (int k = 0; k < names.length; k++) {
                long record = i.function(names[k]).funcRef();
                long code = MemorySegment.NULL.reinterpret(Long.MAX_VALUE).get(ValueLayout.JAVA_LONG, record);
                System.out.println(names[k] + " " + code + " " + k);
            }
        }
    }
}
