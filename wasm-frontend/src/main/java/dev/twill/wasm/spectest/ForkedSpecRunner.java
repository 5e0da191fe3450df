package dev.twill.wasm.spectest;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs spec scripts in a child JVM, so that what no {@code catch} can stop (compiled code that
 * corrupts the JVM and kills it, a hang in the compiler that no interrupt reaches) costs one
 * script, not the whole run.
 *
 * <p>Protocol: the child's arguments are the guest-call timeout and the opt level; the parent writes one script path per line to the child's stdin; the child ({@link
 * #main}) runs it with a {@link SpecRunner} and answers on stdout with lines prefixed {@value
 * #TAG}: {@code start LINE TYPE} before each command, {@code fail LINE TYPE REASON} after a
 * failed one (REASON escaped, see {@link #escape}) and {@code end PASSED TOTAL SKIPPED}. Lines
 * without the prefix (anything guest or library code prints) are ignored. When the child dies or
 * stays silent beyond the script timeout, the parent kills it, charges the command that was
 * running with the crash (its stderr tail as the reason), counts the commands that never ran as
 * failed (one entry for all of them) and starts a new child for the next script.
 *
 * <p>One child serves any number of scripts in turn, so the JVM start and the JIT warm-up are
 * paid once. Not thread-safe: one caller at a time.
 */
public final class ForkedSpecRunner implements AutoCloseable {
    static final String TAG = "#twill-spec ";

    private final long scriptTimeoutMillis;
    private final long commandTimeoutMillis;
    /** The child's main class: this one, or a stand-in in tests. */
    private final String childMain;
    /** The child engine's {@link EngineConfig#optLevel(String)}. */
    private final String optLevel;
    private Child child;

    /**
     * @param scriptTimeoutMillis the longest the child may stay silent (no command started or
     *     ended) before it is killed
     * @param commandTimeoutMillis the guest-call timeout inside the child ({@link SpecRunner})
     */
    public ForkedSpecRunner(long scriptTimeoutMillis, long commandTimeoutMillis) {
        this(scriptTimeoutMillis, commandTimeoutMillis, "speed");
    }

    /** As above, with the child's engine at {@code optLevel} ({@code "none"} or {@code "speed"}). */
    public ForkedSpecRunner(long scriptTimeoutMillis, long commandTimeoutMillis, String optLevel) {
        this(scriptTimeoutMillis, commandTimeoutMillis, optLevel, ForkedSpecRunner.class.getName());
    }

    ForkedSpecRunner(long scriptTimeoutMillis, long commandTimeoutMillis, String optLevel, String childMain) {
        new EngineConfig().optLevel(optLevel); // rejects a bad level here, not in the child
        this.scriptTimeoutMillis = scriptTimeoutMillis;
        this.commandTimeoutMillis = commandTimeoutMillis;
        this.optLevel = optLevel;
        this.childMain = childMain;
    }

    /** Runs one script in the child; never throws for anything the child does. */
    public FileResult run(Path json) {
        String name = SpecRunner.scriptName(json);
        int total = 0;
        int skipped = 0;
        try {
            for (Object o : SpecRunner.readCommands(json)) {
                if ("text".equals(Json.asObject(o, "command").get("module_type"))) skipped++;
                else total++;
            }
        } catch (IOException | RuntimeException e) {
            return new FileResult(name, 0, 1, 0, List.of(new FileResult.Failure(0, "file", "cannot read the script: " + e.getMessage())));
        }
        List<FileResult.Failure> failures = new ArrayList<>();
        int started = 0;
        int lastLine = 0;
        String lastType = "command";
        boolean lastFailed = false;
        String crash;
        try {
            if (child == null || !child.process.isAlive()) child = new Child(childMain, commandTimeoutMillis, optLevel);
            child.send(json.toAbsolutePath().toString());
            while (true) {
                String line = child.lines.poll(scriptTimeoutMillis, TimeUnit.MILLISECONDS);
                if (line == null) {
                    crash = "no progress for " + scriptTimeoutMillis + " ms: the child JVM was killed";
                    break;
                }
                if (line == Child.EOF) {
                    crash = "the child JVM died (exit code " + child.exitCode() + ")" + child.stderrTail();
                    break;
                }
                if (!line.startsWith(TAG)) continue;
                String[] parts = line.substring(TAG.length()).split(" ", 4);
                switch (parts[0]) {
                    case "start" -> {
                        started++;
                        lastLine = Integer.parseInt(parts[1]);
                        lastType = parts[2];
                        lastFailed = false;
                    }
                    case "fail" -> {
                        failures.add(new FileResult.Failure(Integer.parseInt(parts[1]), parts[2], parts.length > 3 ? unescape(parts[3]) : ""));
                        lastFailed = true;
                    }
                    case "end" -> {
                        return new FileResult(name, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3]), List.copyOf(failures));
                    }
                    default -> { } // a newer child's line: ignore
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            crash = "cannot talk to the child JVM: " + e;
        }
        killChild();
        if (started > 0 && !lastFailed) failures.add(new FileResult.Failure(lastLine, lastType, "crashed: " + crash));
        int passed = Math.max(0, started - failures.size());
        if (started == 0) failures.add(new FileResult.Failure(0, "file", "crashed before the first command: " + crash));
        int notRun = total - started;
        if (notRun > 0 && started > 0) {
            failures.add(new FileResult.Failure(lastLine, "rest", notRun + " commands after line " + lastLine + " not run: the child JVM crashed"));
        }
        return new FileResult(name, passed, Math.max(total, 1), skipped, List.copyOf(failures));
    }

    private void killChild() {
        if (child != null) {
            child.process.destroyForcibly();
            child = null;
        }
    }

    @Override
    public void close() {
        if (child != null) {
            try {
                child.stdin.close(); // the child ends at end of input
                if (!child.process.waitFor(5, TimeUnit.SECONDS)) child.process.destroyForcibly();
            } catch (IOException | InterruptedException e) {
                child.process.destroyForcibly();
            }
            child = null;
        }
    }

    /** A running child JVM with a thread pumping its stdout into a queue and one keeping its stderr tail. */
    private static final class Child {
        /** Marks the end of the child's stdout; compared by identity. */
        static final String EOF = new String("<eof>");
        private static final int STDERR_TAIL = 2000;

        final Process process;
        final Writer stdin;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder stderr = new StringBuilder();

        Child(String mainClass, long commandTimeoutMillis, String optLevel) throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> cmd = new ArrayList<>(List.of(
                    java.toString(), "-ea", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
            for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
                // pass the engine's tuning properties (twill.*) on, so the child runs as configured
                String k = e.getKey().toString();
                if (k.startsWith("twill.")) cmd.add("-D" + k + "=" + e.getValue());
            }
            cmd.add(mainClass);
            cmd.add(Long.toString(commandTimeoutMillis));
            cmd.add(optLevel);
            process = new ProcessBuilder(cmd).start();
            stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            pump(process.getInputStream(), true);
            pump(process.getErrorStream(), false);
        }

        private void pump(InputStream in, boolean toQueue) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        if (toQueue) {
                            lines.add(l);
                        } else {
                            synchronized (stderr) {
                                stderr.append(l).append('\n');
                                if (stderr.length() > 4 * STDERR_TAIL) stderr.delete(0, stderr.length() - STDERR_TAIL);
                            }
                        }
                    }
                } catch (IOException e) {
                    // the child is gone; EOF below says so
                } finally {
                    if (toQueue) lines.add(EOF);
                }
            }, toQueue ? "spectest-child-stdout" : "spectest-child-stderr");
            t.setDaemon(true);
            t.start();
        }

        void send(String line) throws IOException {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        }

        String exitCode() {
            try {
                return process.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "?";
            }
        }

        String stderrTail() {
            try {
                Thread.sleep(50); // let the stderr pump catch the last words
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (stderr) {
                if (stderr.length() == 0) return "";
                String s = stderr.length() > STDERR_TAIL ? stderr.substring(stderr.length() - STDERR_TAIL) : stderr.toString();
                return "; stderr: " + s.strip().replace('\n', ' ');
            }
        }
    }

    /** Backslash-escapes newlines, carriage returns and backslashes so a reason fits on one line. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The child: reads script paths from stdin, one per line, and reports on stdout. Its own
     * stdout is the protocol channel, so System.out is redirected to stderr while scripts run.
     */
    public static void main(String[] args) throws IOException {
        long commandTimeout = args.length > 0 ? Long.parseLong(args[0]) : 20_000;
        String optLevel = args.length > 1 ? args[1] : "speed";
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Engine engine = new Engine(new EngineConfig().optLevel(optLevel)); SpecRunner runner = new SpecRunner(engine, commandTimeout)) {
            for (String path; (path = in.readLine()) != null; ) {
                if (path.isBlank()) continue;
                FileResult r = runner.run(Path.of(path), new SpecRunner.Listener() {
                    @Override
                    public void commandStarted(int index, int line, String type) {
                        protocol.println(TAG + "start " + line + " " + type);
                    }

                    @Override
                    public void commandFailed(FileResult.Failure f) {
                        protocol.println(TAG + "fail " + f.line() + " " + f.command() + " " + escape(f.reason()));
                    }
                });
                protocol.println(TAG + "end " + r.passed() + " " + r.total() + " " + r.skippedText());
            }
        }
    }
}
