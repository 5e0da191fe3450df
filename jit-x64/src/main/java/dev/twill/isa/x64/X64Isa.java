package dev.twill.isa.x64;

import dev.twill.ir.Function;
import dev.twill.ir.Type;
import dev.twill.isa.x64.abi.X64Abi;
import dev.twill.isa.x64.emit.X64Emitter;
import dev.twill.isa.x64.lower.X64Lowering;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.machinst.TargetIsa;
import dev.twill.regalloc.LinearScanAllocator;
import dev.twill.regalloc.RegAllocCheckError;
import dev.twill.regalloc.RegAllocChecker;
import dev.twill.regalloc.SinglePassAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The x86-64 back end as a {@link TargetIsa}: lowering ({@link X64Lowering}), register
 * allocation (any {@link RegisterAllocator} over {@link X64Abi#machineEnv()}), emission ({@link
 * X64Emitter}). One compilation context per thread holds every buffer, so compiling a function
 * allocates little beyond its result.
 *
 * <p>Found through {@code META-INF/services/dev.twill.machinst.TargetIsa} under the name {@code
 * x86_64}. {@link #compile(Function, Settings)} picks the allocator by {@code opt_level}: {@code
 * none} the {@link SinglePassAllocator}, otherwise the {@link LinearScanAllocator}.
 *
 * <p>When the system property {@code twill.checkRegalloc} is {@code true} (the test JVMs set it),
 * every allocation is verified by {@link RegAllocChecker} before emission, so any test that
 * compiles code also tests the allocator; a wrong allocation is an {@link IllegalStateException}
 * naming the function, caused by the {@link RegAllocCheckError}.
 */
public final class X64Isa implements TargetIsa {
    private static final MachineEnv ENV = X64Abi.machineEnv();
    /** Verify every allocation (tests). */
    private static final boolean CHECK_REGALLOC = Boolean.getBoolean("twill.checkRegalloc");

    private final X64Features features;

    public X64Isa() {
        this(X64Features.host());
    }

    public X64Isa(X64Features features) {
        this.features = features;
    }

    /** The reusable per-thread state of one compilation. */
    private static final class Context {
        final X64Lowering lowering = new X64Lowering();
        final X64Emitter emitter = new X64Emitter();
        final RegAllocResult result = new RegAllocResult();
        final RegisterAllocator fast = new SinglePassAllocator();
        final RegisterAllocator speed = new LinearScanAllocator();
        RegAllocChecker checker;
    }

    private static final ThreadLocal<Context> CONTEXT = ThreadLocal.withInitial(Context::new);

    @Override
    public String name() {
        return "x86_64";
    }

    @Override
    public String codeKey() {
        // fma is probed apart from the record's components (see X64Features.hostFma), and the lowering uses it
        return name() + " " + features + " fma3=" + X64Features.hostFma();
    }

    @Override
    public int pointerType() {
        return Type.I64;
    }

    public X64Features features() {
        return features;
    }

    /** The register file the allocators see. */
    public static MachineEnv machineEnv() {
        return ENV;
    }

    @Override
    public CompiledCode compile(Function f, Settings settings) {
        Context c = CONTEXT.get();
        boolean fast = settings != null && "none".equals(settings.optLevel());
        return compile(f, fast ? c.fast : c.speed);
    }

    /** Compiles with the given allocator. */
    public CompiledCode compile(Function f, RegisterAllocator allocator) {
        Context c = CONTEXT.get();
        c.lowering.setFeatures(features);
        c.lowering.lower(f);
        c.result.reset(c.lowering.vcode.totalOperands());
        allocator.allocate(c.lowering.vcode, ENV, c.result);
        if (CHECK_REGALLOC) {
            if (c.checker == null) c.checker = new RegAllocChecker();
            try {
                c.checker.check(c.lowering.vcode, ENV, c.result);
            } catch (RegAllocCheckError e) {
                throw new IllegalStateException(f.name + ": " + allocator.getClass().getSimpleName()
                        + " made a wrong allocation: " + e.getMessage(), e);
            }
        }
        return c.emitter.emit(c.lowering, c.result);
    }

    @Override
    public String disassemble(CompiledCode code) {
        try {
            return listing(code).text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run llvm-mc to disassemble", e);
        }
    }

    /** Code size and a disassembly of compiled code (for {@code clif compile --disasm}). */
    public record Listing(int size, String text) {}

    /**
     * Disassembles {@code code} (the signature header is shown as data, then the instructions
     * from the entry point) with LLVM's {@code llvm-mc --disassemble}, Intel syntax.
     */
    public static Listing listing(CompiledCode code) throws IOException {
        byte[] bytes = code.code();
        StringBuilder in = new StringBuilder();
        for (int k = X64Abi.ENTRY_OFFSET; k < bytes.length; k++) {
            in.append(String.format("0x%02x", bytes[k] & 0xFF)).append(k % 16 == 15 ? '\n' : ' ');
        }
        in.append('\n');
        String exe = "llvm-mc";
        for (String cand : new String[] {"llvm-mc", "llvm-mc-14", "llvm-mc-15", "llvm-mc-16", "llvm-mc-17", "llvm-mc-18"}) {
            for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
                if (new java.io.File(dir, cand).canExecute()) {
                    exe = dir + "/" + cand;
                    break;
                }
            }
        }
        Process p = new ProcessBuilder(exe, "--disassemble", "-triple=x86_64", "-output-asm-variant=1")
                .redirectErrorStream(true).start();
        p.getOutputStream().write(in.toString().getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format("; signature id 0x%08x, %d bytes of code%n", readInt(bytes), bytes.length - X64Abi.ENTRY_OFFSET));
        for (String line : out.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith(".text")) continue;
            text.append(line.replace('\t', ' ').strip()).append('\n');
        }
        return new Listing(bytes.length, text.toString());
    }

    private static int readInt(byte[] b) {
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }
}
