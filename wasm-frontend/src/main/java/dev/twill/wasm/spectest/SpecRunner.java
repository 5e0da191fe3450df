package dev.twill.wasm.spectest;

import dev.twill.CompileError;
import dev.twill.ir.TrapCode;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.Trap;
import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import dev.twill.wasm.WasmFunction;
import dev.twill.wasm.WasmGlobal;
import dev.twill.wasm.binary.FuncType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one wast2json script ({@code <name>.json} and the {@code .wasm} files beside it) against
 * Twill's public WebAssembly API, the way the reference interpreter runs the {@code .wast}.
 *
 * <p>Commands run in order against one {@link Store} and one {@link Linker} per script (fresh
 * for each script, with the {@link SpectestHost} module defined): {@code module} compiles and
 * instantiates and becomes the current module (and a named one when it has {@code name});
 * {@code register} exports an instance's exports under a module name; {@code action},
 * {@code assert_return}, {@code assert_trap} and {@code assert_exhaustion} invoke an export or
 * read a global of the current or a named module; {@code assert_invalid} and {@code
 * assert_malformed} must be rejected by {@link Module#compile} with a {@link CompileError},
 * {@code assert_unlinkable} by instantiation with a {@link LinkError}, and {@code
 * assert_uninstantiable} must trap while instantiating (segment bounds, start function). The
 * scripts' error texts for invalid and malformed modules are not compared (they are the
 * reference interpreter's wording); trap texts are, through {@link TrapPhrases}.
 *
 * <p>Crash-proof: every command runs inside its own catch of {@link Throwable}; anything
 * unexpected (an exception from inside the compiler, a Java stack overflow, a timeout) is that
 * command's failure, with the reason, and the script goes on. A command whose module failed to
 * instantiate fails too ("current module failed"), since skipping it would hide the cascade.
 * A guest that runs longer than the command timeout is stopped with {@link Store#interrupt()}
 * from a watchdog thread. What no catch can stop (a crash of the JVM itself) is handled one
 * level up by {@link ForkedSpecRunner}.
 *
 * <p>Scripts of the WebAssembly 2.0 suite (under a folder named {@code wasm-2.0}) compile with
 * multi-memory, memory64 and 3.0's constant expressions off ({@link
 * EngineConfig#multiMemory(boolean)}, {@link EngineConfig#memory64(boolean)}, {@link
 * EngineConfig#extendedConst(boolean)}; tail calls too, {@link EngineConfig#tailCall(boolean)}): that suite calls {@code memory.size 0x80 0x00}
 * malformed, a second memory invalid, a defined global in a constant expression unknown, and a u32 overflow in limits or memarg offsets "integer too large", all
 * of which 3.0 accepts (or rejects later, by the memory's address type). The memory64
 * proposal's scripts of 2022 ({@code proposals-2022/memory64}) predate multi-memory: they run
 * with memory64 on and multi-memory off; the other proposals' scripts of 2022 predate memory64
 * (their binary.wast calls an overlong u32 memory limit malformed, which 3.0 reads as a u64)
 * and run with memory64 off. The 2022 scripts also predate 3.0's constant expressions (they
 * call a defined global in one "unknown global"), so they run with those off, the
 * extended-const proposal's own among them: its arithmetic then fails, its globals pass.
 *
 * <p>Scripts with {@code .wat} text modules ({@code module_type: text}, almost all {@code
 * assert_malformed}) cannot be judged without a text-format parser: they are counted apart as
 * skipped, never as passed.
 */
public final class SpecRunner implements AutoCloseable {
    /** Hears each command as it runs: lets a parent process attribute a crash to a line. */
    public interface Listener {
        /** Called before command {@code index} (0-based) at {@code line} runs. */
        default void commandStarted(int index, int line, String type) {}

        /** Called when a command fails, right after it ran. */
        default void commandFailed(FileResult.Failure failure) {}
    }

    private static final Listener SILENT = new Listener() {};

    private final Engine engine;
    /** {@link #engine}'s settings with multi-memory off, for 2.0 scripts; made on first use. */
    private Engine engine20;
    /** {@link #engine}'s settings with multi-memory off but memory64 on, for the memory64 proposal's scripts. */
    private Engine engineMemory64;
    /** {@link #engine}'s settings with memory64 off, for the other proposals' scripts of 2022. */
    private Engine engineNoMemory64;
    private final long timeoutMillis;
    private final ScheduledExecutorService watchdog;
    private final SpectestHost spectest;

    /**
     * A runner compiling with {@code engine} (which it does not close); a guest call that runs
     * longer than {@code timeoutMillis} is interrupted (0: never).
     */
    public SpecRunner(Engine engine, long timeoutMillis) {
        this.engine = engine;
        this.timeoutMillis = timeoutMillis;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spectest-watchdog");
            t.setDaemon(true);
            return t;
        });
        this.spectest = new SpectestHost(engine);
    }

    public FileResult run(Path json) {
        return run(json, SILENT);
    }

    /** Runs the script {@code json}; never throws for anything the script or the engine does. */
    public FileResult run(Path json, Listener listener) {
        String name = scriptName(json);
        List<Object> commands;
        try {
            commands = readCommands(json);
        } catch (IOException | RuntimeException e) {
            FileResult.Failure f = new FileResult.Failure(0, "file", "cannot read the script: " + e.getMessage());
            listener.commandFailed(f);
            return new FileResult(name, 0, 1, 0, List.of(f));
        }
        Path dir = json.toAbsolutePath().getParent();
        Engine compiler = isWasm20(dir) ? engine20()
                : isMemory64Proposal(dir) ? engineMemory64()
                : isProposal2022(dir) ? engineNoMemory64()
                : engine;
        try (ScriptRun run = new ScriptRun(dir, listener, compiler)) {
            for (int i = 0; i < commands.size(); i++) run.command(i, commands.get(i));
            return new FileResult(name, run.passed, run.total, run.skippedText, List.copyOf(run.failures));
        }
    }

    /** Whether {@code dir} lies in the WebAssembly 2.0 suite (a folder named {@code wasm-2.0}). */
    static boolean isWasm20(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            Path name = p.getFileName();
            if (name != null && name.toString().equals("wasm-2.0")) return true;
        }
        return false;
    }

    /**
     * Whether {@code dir} holds the memory64 proposal's own scripts (a folder {@code memory64}
     * in {@code proposals-2022}): they predate multi-memory, and call a second memory invalid and
     * a memory index in {@code memory.size} malformed ("zero flag expected").
     */
    static boolean isMemory64Proposal(Path dir) {
        boolean inMemory64 = false;
        for (Path p = dir; p != null; p = p.getParent()) {
            Path name = p.getFileName();
            if (name == null) continue;
            if (name.toString().equals("memory64")) inMemory64 = true;
            if (name.toString().equals("proposals-2022")) return inMemory64;
        }
        return false;
    }

    private Engine engineMemory64() {
        if (engineMemory64 == null) {
            EngineConfig c = engine.config();
            engineMemory64 = new Engine(new EngineConfig().optLevel(c.optLevel()).threads(c.threads()).multiMemory(false)
                    .extendedConst(false));
        }
        return engineMemory64;
    }

    /** Whether {@code dir} lies in the proposal scripts of 2022 (a folder named {@code proposals-2022}). */
    static boolean isProposal2022(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            Path name = p.getFileName();
            if (name != null && name.toString().equals("proposals-2022")) return true;
        }
        return false;
    }

    private Engine engineNoMemory64() {
        if (engineNoMemory64 == null) {
            EngineConfig c = engine.config();
            engineNoMemory64 = new Engine(new EngineConfig().optLevel(c.optLevel()).threads(c.threads()).memory64(false)
                    .extendedConst(false).tags(false));
        }
        return engineNoMemory64;
    }

    private Engine engine20() {
        if (engine20 == null) {
            EngineConfig c = engine.config();
            engine20 = new Engine(new EngineConfig().optLevel(c.optLevel()).threads(c.threads()).multiMemory(false).memory64(false)
                    .extendedConst(false).tailCall(false).tags(false));
        }
        return engine20;
    }

    /** {@code i32} for {@code .../i32/i32.json}. */
    public static String scriptName(Path json) {
        String f = json.getFileName().toString();
        return f.endsWith(".json") ? f.substring(0, f.length() - 5) : f;
    }

    /** The script's command list, read strictly. */
    public static List<Object> readCommands(Path json) throws IOException {
        String text = Files.readString(json, StandardCharsets.UTF_8);
        Map<String, Object> top = Json.asObject(Json.parse(json.toString(), text), json.toString());
        return Json.asArray(top.get("commands"), "member \"commands\"");
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        spectest.close();
        if (engine20 != null) engine20.close();
        if (engineMemory64 != null) engineMemory64.close();
        if (engineNoMemory64 != null) engineNoMemory64.close();
    }

    /** A command that did not do what the script says; carries the reason. */
    private static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Guest code to run under the watchdog. */
    @FunctionalInterface
    private interface GuestCall<T> {
        T run();
    }

    /** An action's results with their types. */
    private record Results(byte[] types, long[] values) {}

    /** {@code ref.extern N} as an object the Store can hold: equal when N is. */
    private record HostRef(long n) {
        @Override
        public String toString() {
            return "ref.extern " + n;
        }
    }

    /** The state of one script: its store, linker, instances and counts. */
    private final class ScriptRun implements AutoCloseable, WastValues.HostRefs {
        private final Path dir;
        private final Listener listener;
        private final Store store;
        private final Linker linker;
        private final List<Module> modules = new ArrayList<>();
        private final Map<String, Instance> named = new HashMap<>();
        /** The last module command's instance; null when it failed (see currentFailure). */
        private Instance current;
        /** Why there is no current instance, for the commands that need one. */
        private String currentFailure = "no module has been defined yet";
        final List<FileResult.Failure> failures = new ArrayList<>();
        int passed;
        int total;
        int skippedText;

        /** Compiles the script's modules: the runner's engine, or its 2.0 twin. */
        private final Engine compiler;

        ScriptRun(Path dir, Listener listener, Engine compiler) {
            this.dir = dir;
            this.listener = listener;
            this.compiler = compiler;
            this.store = new Store(engine);
            this.linker = new Linker(engine);
            spectest.define(linker, store);
        }

        void command(int index, Object raw) {
            int line = 0;
            String type = "command";
            try {
                Map<String, Object> c = Json.asObject(raw, "command " + index);
                line = (int) Json.integer(c, "line", 0);
                type = Json.string(c, "type");
                if ("text".equals(c.get("module_type"))) {
                    skippedText++;
                    return;
                }
                listener.commandStarted(index, line, type);
                total++;
                execute(type, c, line);
                passed++;
            } catch (Failed f) {
                fail(line, type, f.getMessage());
            } catch (Throwable t) { // crash-proof: anything else is this command's failure, never ignored
                fail(line, type, "crashed: " + SpecRunner.describe(t));
            }
        }

        private void fail(int line, String type, String reason) {
            FileResult.Failure f = new FileResult.Failure(line, type, reason);
            failures.add(f);
            listener.commandFailed(f);
        }

        private void execute(String type, Map<String, Object> c, int line) throws Failed {
            switch (type) {
                case "module" -> module(c, line);
                case "register" -> {
                    String as = Json.string(c, "as");
                    linker.defineInstance(as, instance(Json.optString(c, "name")));
                }
                case "action" -> perform(Json.asObject(c.get("action"), "action"));
                case "assert_return" -> assertReturn(c);
                case "assert_trap" -> expectTrap(Json.asObject(c.get("action"), "action"), Json.string(c, "text"));
                case "assert_exhaustion" -> {
                    String text = Json.string(c, "text");
                    try {
                        Results r = perform(Json.asObject(c.get("action"), "action"));
                        throw new Failed("returned " + describe(r) + ", expected stack exhaustion (" + text + ")");
                    } catch (Trap t) {
                        if (t.code() != TrapCode.STK_OVF) throw new Failed("trapped " + t.codeName() + ", expected stk_ovf (" + text + ")");
                    } catch (StackOverflowError e) {
                        throw new Failed("Java StackOverflowError, expected a stk_ovf trap (" + text + ")");
                    }
                }
                case "assert_invalid", "assert_malformed" -> expectRejected(c, type);
                case "assert_unlinkable" -> {
                    Module m = compile(c, "an unlinkable module");
                    try {
                        instantiate(m);
                        throw new Failed("instantiated; expected a LinkError (" + Json.string(c, "text") + ")");
                    } catch (LinkError expected) {
                        // as the script says
                    } catch (Trap t) {
                        throw new Failed("trapped " + t.codeName() + "; expected a LinkError (" + Json.string(c, "text") + ")");
                    }
                }
                case "assert_uninstantiable" -> {
                    Module m = compile(c, "an uninstantiable module");
                    String text = Json.string(c, "text");
                    try {
                        instantiate(m);
                        throw new Failed("instantiated; expected a trap (" + text + ")");
                    } catch (Trap t) {
                        if (!TrapPhrases.matches(t.code(), text)) throw new Failed("trapped " + t.codeName() + ", expected \"" + text + "\"");
                    } catch (LinkError e) {
                        throw new Failed("LinkError (" + e.getMessage() + "); expected a trap (" + text + ")");
                    }
                }
                default -> throw new Failed("unsupported command type \"" + type + "\"");
            }
        }

        private void module(Map<String, Object> c, int line) throws Failed {
            current = null;
            currentFailure = "the module at line " + line + " failed";
            String name = Json.optString(c, "name");
            if (name != null) named.remove(name);
            Module m;
            try {
                m = Module.compile(compiler, read(c));
            } catch (CompileError e) {
                throw new Failed("rejected: " + e.getMessage());
            }
            modules.add(m);
            Instance i;
            try {
                i = instantiate(m);
            } catch (LinkError e) {
                throw new Failed("LinkError: " + e.getMessage());
            } catch (Trap t) {
                throw new Failed("instantiation trapped: " + t.getMessage());
            }
            current = i;
            if (name != null) named.put(name, i);
        }

        private void expectRejected(Map<String, Object> c, String type) throws Failed {
            byte[] bytes = read(c);
            Module m;
            try {
                m = Module.compile(compiler, bytes);
            } catch (CompileError e) {
                // a back-end failure is no verdict on the module: only the decoder or validator's is
                if (e.reason != null && e.reason.startsWith("internal error")) throw new Failed("rejected only by an internal compiler error: " + e.getMessage());
                return;
            }
            m.close();
            throw new Failed("compiled; expected it rejected (" + ("assert_invalid".equals(type) ? "invalid: " : "malformed: ") + Json.string(c, "text") + ")");
        }

        /** Compiles a module that must be valid (assert_unlinkable, assert_uninstantiable). */
        private Module compile(Map<String, Object> c, String what) throws Failed {
            try {
                Module m = Module.compile(compiler, read(c));
                modules.add(m);
                return m;
            } catch (CompileError e) {
                throw new Failed("rejected " + what + " (valid, so it should compile): " + e.getMessage());
            }
        }

        private byte[] read(Map<String, Object> c) throws Failed {
            String file = Json.string(c, "filename");
            try {
                return Files.readAllBytes(dir.resolve(file));
            } catch (IOException e) {
                throw new Failed("cannot read " + file + ": " + e);
            }
        }

        private Instance instance(String name) throws Failed {
            if (name == null) {
                if (current == null) throw new Failed(currentFailure);
                return current;
            }
            Instance i = named.get(name);
            if (i == null) throw new Failed("no module named " + name + " (it failed or was never defined)");
            return i;
        }

        private void assertReturn(Map<String, Object> c) throws Failed {
            Results r;
            try {
                r = perform(Json.asObject(c.get("action"), "action"));
            } catch (Trap t) {
                throw new Failed("trapped " + t.codeName() + (t.function() == null ? "" : " in " + t.function()));
            }
            List<Object> expected = Json.optArray(c, "expected");
            if (expected.size() != r.values.length) throw new Failed("returned " + describe(r) + ", expected " + describeExpected(expected));
            for (int k = 0; k < expected.size(); k++) {
                Map<String, Object> e = Json.asObject(expected.get(k), "expected value");
                if (WastValues.type(e) != r.types[k] || !WastValues.matches(e, r.values[k], this)) {
                    throw new Failed("returned " + describe(r) + ", expected " + describeExpected(expected));
                }
            }
        }

        private void expectTrap(Map<String, Object> action, String text) throws Failed {
            Results r;
            try {
                r = perform(action);
            } catch (Trap t) {
                if (TrapPhrases.matches(t.code(), text)) return;
                throw new Failed("trapped " + t.codeName() + ", expected \"" + text + "\"");
            }
            throw new Failed("returned " + describe(r) + ", expected a trap \"" + text + "\"");
        }

        /** Runs an action (invoke or get), under the watchdog; Traps propagate. */
        private Results perform(Map<String, Object> action) throws Failed {
            Instance inst = instance(Json.optString(action, "module"));
            String field = Json.string(action, "field");
            String kind = Json.string(action, "type");
            if (kind.equals("get")) {
                WasmGlobal g = inst.global(field);
                if (g == null) throw new Failed("no exported global \"" + field + "\"");
                return new Results(new byte[] {g.type().valType()}, new long[] {g.get()});
            }
            if (!kind.equals("invoke")) throw new Failed("unsupported action type \"" + kind + "\"");
            WasmFunction f = inst.function(field);
            if (f == null) throw new Failed("no exported function \"" + field + "\"");
            FuncType type = f.type();
            List<Object> args = Json.optArray(action, "args");
            if (args.size() != type.params.length) throw new Failed("the script passes " + args.size() + " arguments to " + field + type);
            long[] bits = new long[args.size()];
            for (int k = 0; k < bits.length; k++) {
                Map<String, Object> a = Json.asObject(args.get(k), "argument");
                if (WastValues.type(a) != type.params[k]) throw new Failed("argument " + k + " is " + a.get("type") + " but " + field + " is " + type);
                bits[k] = WastValues.argument(a, this);
            }
            long[] results = call(f, bits);
            if (results == null) results = new long[0];
            if (results.length != type.results.length) {
                throw new Failed(field + type + " returned " + results.length + " values");
            }
            return new Results(type.results, results);
        }

        /** Calls {@code f} under the watchdog. */
        private long[] call(WasmFunction f, long[] args) throws Failed {
            return guarded(() -> f.call(args));
        }

        /** Instantiates {@code m} under the watchdog (a start function may loop). */
        private Instance instantiate(Module m) throws Failed {
            return guarded(() -> linker.instantiate(store, m));
        }

        /**
         * Runs guest code; a watchdog interrupts the store if it outlives the timeout, and the
         * interrupt trap that follows becomes a timeout failure. Other traps propagate.
         */
        private <T> T guarded(GuestCall<T> body) throws Failed {
            if (timeoutMillis <= 0) return body.run();
            AtomicBoolean fired = new AtomicBoolean();
            ScheduledFuture<?> alarm = watchdog.schedule(() -> {
                fired.set(true);
                store.interrupt();
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                return body.run();
            } catch (Trap t) {
                if (fired.get() && t.code() == TrapCode.INTERRUPT) throw new Failed("timed out after " + timeoutMillis + " ms (interrupted)");
                throw t;
            } finally {
                alarm.cancel(false);
                if (fired.get()) store.clearInterrupt();
            }
        }

        private String describe(Results r) {
            if (r.values.length == 0) return "nothing";
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < r.values.length; k++) {
                sb.append(k == 0 ? "" : ", ").append(WastValues.describe(r.types[k], r.values[k], this));
            }
            return sb.toString();
        }

        private static String describeExpected(List<Object> expected) {
            if (expected.isEmpty()) return "nothing";
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < expected.size(); k++) {
                sb.append(k == 0 ? "" : ", ").append(WastValues.describeExpected(Json.asObject(expected.get(k), "expected value")));
            }
            return sb.toString();
        }

        @Override
        public long externRef(long n) {
            return store.externRef(new HostRef(n));
        }

        @Override
        public boolean isExternRef(long bits, long n) {
            return new HostRef(n).equals(store.externObject(bits));
        }

        @Override
        public String describeExternRef(long bits) {
            return String.valueOf(store.externObject(bits));
        }

        @Override
        public void close() {
            try {
                store.close();
            } finally {
                for (Module m : modules) m.close();
            }
        }
    }

    /** An unexpected throwable in one line: its class, message and where it came from. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getName());
        if (t.getMessage() != null) sb.append(": ").append(t.getMessage());
        StackTraceElement[] trace = t.getStackTrace();
        if (trace.length > 0 && !(t instanceof StackOverflowError)) sb.append(" at ").append(trace[0]);
        Throwable cause = t.getCause();
        if (cause != null && cause != t) sb.append("; caused by ").append(cause.getClass().getName()).append(": ").append(cause.getMessage());
        return sb.toString();
    }
}
