package dev.twill.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Names JIT code for Linux {@code perf}: with the system property {@code twill.perfmap=true},
 * every linked {@link JitModule} appends one line per function, {@code START SIZE NAME} (hex
 * addresses), to {@code /tmp/perf-PID.map}, the file {@code perf report} reads to symbolize
 * addresses in anonymous executable memory. Off by default (it leaves a file per process in /tmp).
 *
 * <p>The file is only appended to, so other writers of the same map can coexist (the JVM writes
 * its own entries there at exit with {@code -XX:+DumpPerfMapAtExit}). Code of closed modules
 * stays listed; an address range reused by a later module appears twice, and perf takes the
 * later line.
 */
public final class PerfMap {
    private PerfMap() {}

    /** Whether modules write the map ({@code -Dtwill.perfmap=true}). */
    public static final boolean ENABLED = Boolean.getBoolean("twill.perfmap");

    private static final Path FILE = Path.of("/tmp/perf-" + ProcessHandle.current().pid() + ".map");

    /** Appends {@code lines} in one write, so that modules linked concurrently do not interleave. */
    static synchronized void append(String lines) {
        try {
            Files.writeString(FILE, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the perf map " + FILE, e);
        }
    }

    /** One entry of the map; a line break in a name would end the entry early, so it becomes a space. */
    static String line(long start, long size, String name) {
        return Long.toHexString(start) + " " + Long.toHexString(size) + " " + name.replace('\n', ' ') + "\n";
    }
}
