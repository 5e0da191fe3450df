package dev.twill.wasm.translate;

import dev.twill.CompileError;
import dev.twill.ir.Function;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.verify.Verifier;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.vm.VmContextLayout;
import dev.twill.wasm.vm.WasmAbi;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiles every defined function of a validated module to machine code: translate to
 * sandbox-level IR ({@link FunctionTranslator}), legalize to the memory level ({@link
 * Legalizer}), and hand the result to the back end ({@link TargetIsa#compile}).
 *
 * <p><b>Parallelism.</b> Functions are independent once the module's {@link VmContextLayout} is
 * fixed, so {@code threads} workers (the calling thread among them) claim function indices from
 * one atomic counter, each with its own translator and legalizer reused across its functions;
 * result {@code k} is written to slot {@code k} only. Every stage is a pure function of the
 * module and the function index, so the output is the same whatever the thread count and the
 * claiming order, and in every process (nothing process-specific, such as the canonical type
 * ids of {@link dev.twill.wasm.vm.FuncTypeIds}, is a constant in the code).
 *
 * <p><b>Errors.</b> The module is assumed valid, so a failure in any stage is a bug in Twill; it
 * is reported as a {@link CompileError} that names the wasm function (its name-section name or
 * {@code func[i]}) and its IR name, with the original exception as the cause. When several
 * functions fail, the one with the lowest index is reported: workers stop claiming after a
 * failure, but every lower index was claimed before and still completes, so the choice is
 * deterministic too.
 */
public final class ModuleCompiler {
    private ModuleCompiler() {}

    /**
     * Compiles the defined functions of {@code m} with the default settings; element {@code i}
     * of the result is function {@code m.importedFunctions + i}.
     */
    public static CompiledCode[] compile(WasmModule m, TargetIsa isa, int threads) {
        return compile(m, isa, TargetIsa.Settings.DEFAULT, threads, false);
    }

    /**
     * As {@link #compile(WasmModule, TargetIsa, int)}, with the back end's settings, and with the
     * IR {@link Verifier} run after translation and after legalization when {@code verify} is set
     * (for tests and debugging: it costs about as much as translation).
     */
    public static CompiledCode[] compile(WasmModule m, TargetIsa isa, TargetIsa.Settings settings, int threads, boolean verify) {
        return compile(m, isa, settings, threads, verify, false);
    }

    /**
     * As {@link #compile(WasmModule, TargetIsa, TargetIsa.Settings, int, boolean)}; with {@code
     * guardPages}, accesses to 32-bit memories rely on guard pages instead of bounds checks
     * where they can ({@link FunctionTranslator#setGuardedMemories}, {@link
     * Legalizer#setFaultTraps}): the code must only run on memories that {@link
     * dev.twill.wasm.runtime.LinearMemory} reserved while {@link
     * dev.twill.wasm.runtime.LinearMemory#guarded()} holds.
     */
    public static CompiledCode[] compile(WasmModule m, TargetIsa isa, TargetIsa.Settings settings, int threads, boolean verify,
                                         boolean guardPages) {
        if (isa == null) throw new IllegalArgumentException("no target ISA (is a back end on the class path?)");
        int n = m.bodies.length;
        CompiledCode[] out = new CompiledCode[n];
        if (n == 0) return out;
        VmContextLayout layout = VmContextLayout.of(m);
        Job job = new Job(m, layout, isa, settings, verify, guardPages, out);
        int workers = Math.max(1, Math.min(threads, n));
        Thread[] helpers = new Thread[workers - 1];
        for (int k = 0; k < helpers.length; k++) {
            helpers[k] = Thread.ofPlatform().name("twill-wasm-compile-" + k).daemon().start(job::work);
        }
        job.work();
        boolean interrupted = false;
        for (Thread t : helpers) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (job.firstError != null) throw job.firstError;
        return out;
    }

    /** The shared state of one module compilation. */
    private static final class Job {
        final WasmModule module;
        final VmContextLayout layout;
        final TargetIsa isa;
        final TargetIsa.Settings settings;
        final boolean verify;
        final boolean guardPages;
        final CompiledCode[] out;
        final AtomicInteger next = new AtomicInteger();
        volatile boolean failed;
        /** The failure of the lowest function index; guarded by {@code this}. */
        CompileError firstError;
        int firstErrorIndex = Integer.MAX_VALUE;

        Job(WasmModule module, VmContextLayout layout, TargetIsa isa, TargetIsa.Settings settings, boolean verify,
            boolean guardPages, CompiledCode[] out) {
            this.module = module;
            this.layout = layout;
            this.isa = isa;
            this.settings = settings;
            this.verify = verify;
            this.guardPages = guardPages;
            this.out = out;
        }

        void work() {
            FunctionTranslator translator = new FunctionTranslator();
            translator.setGuardedMemories(guardPages);
            Legalizer legalizer = new Legalizer();
            legalizer.setFaultTraps(guardPages);
            Function f = new Function("", null); // reused: its arrays keep their capacity
            int n = out.length;
            while (!failed) {
                int k = next.getAndIncrement();
                if (k >= n) return;
                int funcIndex = module.importedFunctions + k;
                try {
                    translator.translate(module, layout, funcIndex, f);
                    if (verify) Verifier.verifyOrThrow(f);
                    legalizer.legalize(f);
                    if (verify) Verifier.verifyOrThrow(f);
                    out[k] = isa.compile(f, settings);
                } catch (RuntimeException | StackOverflowError | AssertionError e) {
                    fail(k, funcIndex, e);
                }
            }
        }

        private synchronized void fail(int k, int funcIndex, Throwable e) {
            failed = true;
            if (k >= firstErrorIndex) return;
            String name = module.functionName(funcIndex) + " (" + WasmAbi.functionName(funcIndex) + ")";
            CompileError error = CompileError.inFunction(name, null,
                    "internal error while compiling: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            error.initCause(e);
            firstError = error;
            firstErrorIndex = k;
        }
    }
}
