package dev.twill.bench;

import static dev.twill.isa.x64.asm.X64Reg.RAX;
import static dev.twill.isa.x64.asm.X64Reg.RDI;
import static dev.twill.isa.x64.asm.X64Reg.RSI;

import dev.twill.ir.Function;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Isa;
import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.isa.x64.runtime.X64EntryTrampolineGenerator;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.runtime.CallContext;
import dev.twill.runtime.JitModule;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one call from Java into compiled code: {@code add} and {@code udiv} compiled from IR
 * ({@link #irAdd} is self-contained, so {@link JitModule#handle} calls it directly; {@link
 * #irDiv} may trap, so it takes the full path), and a hand-assembled {@code add(i32, i32) -> i32}
 * (a {@code lea} and a {@code ret}, not marked self-contained) through the module's method handle, i.e. the open-module check, the thread's
 * call context, the Panama downcall, the entry trampoline (callee-saved registers, the trap
 * context protocol) and the trap-code check; and through {@link JitModule#leafHandle}, the same
 * path over a critical downcall. Baselines: the same function through a bare Panama
 * downcall (no trampoline, no trap protection), and through a {@code critical} downcall (no
 * thread-state transition; not usable for Twill code in general, which may call back into Java
 * and must stay stoppable by safepoints).
 *
 * <p>Handles are in static finals so that C2 sees them as constants and inlines the combinator
 * chain, as a user's would. Run: {@code java -jar bench/target/benchmarks.jar CallOverhead}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CallOverheadBenchmark {
    private static final JitModule MODULE = new JitModule();
    private static final JitModule TRAMPOLINES = new JitModule();
    private static final MethodHandle ADD;
    private static final MethodHandle ADD_LEAF;
    private static final MethodHandle RAW;
    private static final MethodHandle CRITICAL;
    /** The shape's entry trampoline called directly: {@code (long ctx, long fn, int, int) -> int}. */
    private static final MethodHandle TRAMPOLINE;
    private static final MethodHandle TRAMPOLINE_CRITICAL;
    private static final long ADD_ADDRESS;
    /** {@code add} and {@code div} compiled from IR: the first is self-contained (a direct call), the second may trap. */
    private static final JitModule IR_MODULE = new JitModule();
    private static final MethodHandle IR_ADD, IR_DIV;
    private static final ThreadLocal<Object> THREAD_LOCAL = ThreadLocal.withInitial(Object::new);

    static {
        X64Assembler a = new X64Assembler();
        a.emitLong(0); // header: CompiledCode.HEADER_SIZE bytes before the entry
        a.leaRM(4, RAX, RDI, RSI, 1, 0);
        a.ret();
        MODULE.declareFunction("%add", Signature.of(new int[] {Type.I32, Type.I32}, new int[] {Type.I32}));
        MODULE.defineFunction("%add", new CompiledCode(a.toByteArray(), new CompiledCode.Relocation[0], new int[0], new int[0], 0));
        MODULE.finalizeDefinitions();
        ADD = MODULE.handle("%add");
        ADD_LEAF = MODULE.leafHandle("%add");
        MemorySegment fn = MemorySegment.ofAddress(MODULE.address("%add"));
        FunctionDescriptor fd = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        RAW = Linker.nativeLinker().downcallHandle(fn, fd);
        CRITICAL = Linker.nativeLinker().downcallHandle(fn, fd, Linker.Option.critical(false));
        ADD_ADDRESS = MODULE.address("%add");

        // the entry trampoline of the (i32, i32) -> i32 shape, linked on its own so that it can be
        // called without the method-handle glue (context lookup, open check, trap check)
        byte[] t = new X64EntryTrampolineGenerator().generate(new int[] {Type.I32, Type.I32}, new int[] {Type.I32});
        byte[] withHeader = new byte[CompiledCode.HEADER_SIZE + t.length];
        System.arraycopy(t, 0, withHeader, CompiledCode.HEADER_SIZE, t.length);
        TRAMPOLINES.declareFunction("%tramp", Signature.of(new int[] {Type.I64, Type.I64, Type.I32, Type.I32}, new int[] {Type.I32}));
        TRAMPOLINES.defineFunction("%tramp", new CompiledCode(withHeader, new CompiledCode.Relocation[0], new int[0], new int[0], 0));
        TRAMPOLINES.finalizeDefinitions();
        MemorySegment tramp = MemorySegment.ofAddress(TRAMPOLINES.address("%tramp"));
        FunctionDescriptor td = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        TRAMPOLINE = Linker.nativeLinker().downcallHandle(tramp, td);
        TRAMPOLINE_CRITICAL = Linker.nativeLinker().downcallHandle(tramp, td, Linker.Option.critical(false));

        String ir = """
                function %add(i32, i32) -> i32 {
                block0(v0: i32, v1: i32):
                    v2 = iadd v0, v1
                    return v2
                }
                function %div(i32, i32) -> i32 {
                block0(v0: i32, v1: i32):
                    v2 = udiv v0, v1
                    return v2
                }
                """;
        X64Isa isa = new X64Isa();
        for (TestFunction tf : Parser.parseFile(ir, "call-overhead").functions()) {
            Function f = tf.function();
            new Legalizer().legalize(f);
            IR_MODULE.declareFunction(f.name, f.signature);
            IR_MODULE.defineFunction(f.name, isa.compile(f, TargetIsa.Settings.DEFAULT));
        }
        IR_MODULE.finalizeDefinitions();
        IR_ADD = IR_MODULE.handle("%add");
        IR_DIV = IR_MODULE.handle("%div");
    }

    private long context;

    @Setup
    public void setup() {
        context = CallContext.current().address();
    }

    private int x = 17, y = 25;

    @Benchmark
    public int compiledAdd() throws Throwable {
        return (int) ADD.invokeExact(x, y);
    }

    @Benchmark
    public int compiledAddLeaf() throws Throwable {
        return (int) ADD_LEAF.invokeExact(x, y);
    }

    /** {@code add} compiled from IR through {@link JitModule#handle}: self-contained, so a direct critical downcall. */
    @Benchmark
    public int irAdd() throws Throwable {
        return (int) IR_ADD.invokeExact(x, y);
    }

    /** {@code udiv} compiled from IR through {@link JitModule#handle}: it may trap, so the full trampoline path. */
    @Benchmark
    public int irDiv() throws Throwable {
        return (int) IR_DIV.invokeExact(x, y);
    }

    @Benchmark
    public int rawDowncall() throws Throwable {
        return (int) RAW.invokeExact(x, y);
    }

    @Benchmark
    public int criticalDowncall() throws Throwable {
        return (int) CRITICAL.invokeExact(x, y);
    }

    /** The entry trampoline through a plain downcall: the native part of {@link #compiledAdd}. */
    @Benchmark
    public int trampolineDowncall() throws Throwable {
        return (int) TRAMPOLINE.invokeExact(context, ADD_ADDRESS, x, y);
    }

    /** The entry trampoline through a critical downcall: the native part of {@link #compiledAddLeaf}. */
    @Benchmark
    public int trampolineCritical() throws Throwable {
        return (int) TRAMPOLINE_CRITICAL.invokeExact(context, ADD_ADDRESS, x, y);
    }

    /** The thread's call context, as every call looks it up. */
    @Benchmark
    public long contextLookup() {
        return CallContext.current().address();
    }

    /** A ThreadLocal read, for comparison with {@link #contextLookup}. */
    @Benchmark
    public Object threadLocalGet() {
        return THREAD_LOCAL.get();
    }

    @Benchmark
    public int javaAdd() {
        return x + y;
    }
}
