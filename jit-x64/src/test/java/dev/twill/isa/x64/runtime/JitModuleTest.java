package dev.twill.isa.x64.runtime;

import static dev.twill.isa.x64.asm.X64Reg.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.isa.x64.asm.X64Cond;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.CompiledCode.RelocKind;
import dev.twill.machinst.CompiledCode.Relocation;
import dev.twill.runtime.CallContext;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.LinkError;
import dev.twill.runtime.SignatureIds;
import dev.twill.runtime.Trap;
import dev.twill.runtime.TrapContext;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * JitModule and the x86-64 entry trampoline, driven by hand-assembled functions. Expected values
 * come from Java arithmetic, and argument placement is cross-checked against Panama's own System V
 * downcalls made straight to the function (no trampoline).
 */
class JitModuleTest {
    private static final int I8 = Type.I8, I16 = Type.I16, I32 = Type.I32, I64 = Type.I64, F32 = Type.F32, F64 = Type.F64;

    // ---- helpers -------------------------------------------------------------------------

    /** An assembler with the 8-byte header already emitted: offsets count from the header. */
    static X64Assembler asm() {
        X64Assembler a = new X64Assembler();
        a.emitLong(0);
        return a;
    }

    static CompiledCode code(X64Assembler a, Relocation... relocations) {
        assertEquals(0, a.unresolvedReferences());
        return new CompiledCode(a.toByteArray(), relocations, new int[0], new int[0], 0);
    }

    static Signature sig(int[] params, int... returns) {
        return Signature.of(params, returns);
    }

    static int[] p(int... types) {
        return types;
    }

    /** Stores the trap code and leaves through the context, as a trap exit does. */
    static void trapExit(X64Assembler a, int code) {
        a.movMI(4, R15, NONE, 1, TrapContext.TRAP_CODE, code);
        unwind(a);
    }

    static void unwind(X64Assembler a) {
        a.movRM(8, RSP, R15, NONE, 1, TrapContext.SAVED_SP);
        a.jmpM(R15, NONE, 1, TrapContext.RESUME_PC);
    }

    /** After a call to a host function: leave if it threw. */
    static void hostCheck(X64Assembler a, int unwindLabel) {
        a.aluMI(X64Assembler.CMP, 4, R15, NONE, 1, TrapContext.TRAP_CODE, TrapContext.NO_TRAP);
        a.jcc(X64Cond.NE, unwindLabel);
    }

    static JitModule single(String name, Signature sig, CompiledCode code) {
        JitModule m = new JitModule();
        m.declareFunction(name, sig);
        m.defineFunction(name, code);
        m.finalizeDefinitions();
        return m;
    }

    // ---- constants and arithmetic ---------------------------------------------------------

    @Test
    void constant() throws Throwable {
        X64Assembler a = asm();
        a.movRI(4, RAX, 42);
        a.ret();
        Signature s = sig(p(), I32);
        try (JitModule m = single("%answer", s, code(a))) {
            assertEquals(42, (int) m.handle("%answer").invokeExact());
            long entry = m.address("%answer");
            assertEquals(8, entry & 15, "entry is 8 past a 16-byte aligned start");
            MemorySegment header = MemorySegment.ofAddress(entry - 8).reinterpret(8);
            assertEquals(SignatureIds.idOf(s), header.get(ValueLayout.JAVA_INT, 0));
            assertEquals(0, header.get(ValueLayout.JAVA_INT, 4));
            assertTrue(SignatureIds.idOf(s) != 0);
            assertEquals(SignatureIds.idOf(sig(p(), I32)), SignatureIds.idOf(s), "structural ids");
        }
    }

    @Test
    void addIntegersOfEveryWidth() throws Throwable {
        JitModule m = new JitModule();
        int[] types = {I8, I16, I32, I64};
        for (int t : types) {
            X64Assembler a = asm();
            a.leaRM(t == I64 ? 8 : 4, RAX, RDI, RSI, 1, 0); // upper bits of narrow results are garbage on purpose
            a.ret();
            m.declareFunction("%add_" + Type.name(t), sig(p(t, t), t));
            m.defineFunction("%add_" + Type.name(t), code(a));
        }
        m.finalizeDefinitions();
        try (m) {
            MethodHandle b = m.handle("%add_i8"), s = m.handle("%add_i16"), i = m.handle("%add_i32"), l = m.handle("%add_i64");
            assertEquals(MethodType.methodType(byte.class, byte.class, byte.class), b.type());
            assertEquals((byte) (100 + 100), (byte) b.invokeExact((byte) 100, (byte) 100));
            assertEquals((byte) (-128 + -1), (byte) b.invokeExact((byte) -128, (byte) -1));
            assertEquals((short) (30000 + 30000), (short) s.invokeExact((short) 30000, (short) 30000));
            assertEquals((short) (-2 + 1), (short) s.invokeExact((short) -2, (short) 1));
            assertEquals(Integer.MIN_VALUE, (int) i.invokeExact(Integer.MAX_VALUE, 1));
            assertEquals(-7 + 3, (int) i.invokeExact(-7, 3));
            assertEquals(Long.MIN_VALUE, (long) l.invokeExact(Long.MAX_VALUE, 1L));
            assertEquals(0x1_0000_0000L + 0x2_0000_0001L, (long) l.invokeExact(0x1_0000_0000L, 0x2_0000_0001L));
        }
    }

    @Test
    void addFloats() throws Throwable {
        JitModule m = new JitModule();
        X64Assembler a = asm();
        a.sseRR(X64Assembler.ADDSS, XMM0, XMM1);
        a.ret();
        m.declareFunction("%fadd", sig(p(F32, F32), F32));
        m.defineFunction("%fadd", code(a));
        a = asm();
        a.sseRR(X64Assembler.ADDSD, XMM0, XMM1);
        a.ret();
        m.declareFunction("%dadd", sig(p(F64, F64), F64));
        m.defineFunction("%dadd", code(a));
        m.finalizeDefinitions();
        try (m) {
            assertEquals(1.5f + 2.25f, (float) m.handle("%fadd").invokeExact(1.5f, 2.25f));
            assertEquals(0.1f + 0.2f, (float) m.handle("%fadd").invokeExact(0.1f, 0.2f));
            assertEquals(0.1 + 0.2, (double) m.handle("%dadd").invokeExact(0.1, 0.2));
            assertTrue(Double.isNaN((double) m.handle("%dadd").invokeExact(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
        }
    }

    /** Twenty mixed arguments: 10 integer-class (4 beyond the registers), 10 float (2 beyond). */
    static final int[] MANY = {I32, F64, I64, F32, I8, F64, I16, I64, F32, I32, F64, I64, F64, I32, F32, F64, I64, F64, F32, I64};

    /**
     * System V places of MANY for the callee, worked out by hand: integer registers rdi rsi rdx
     * rcx r8 r9 for the first six integer-class arguments, xmm0-7 for the first eight floats,
     * the rest on the stack in argument order.
     */
    static final String[] MANY_PLACES = {
        "rdi", "xmm0", "rsi", "xmm1", "rdx", "xmm2", "rcx", "r8", "xmm3", "r9",
        "xmm4", "stack0", "xmm5", "stack1", "xmm6", "xmm7", "stack2", "stack3", "stack4", "stack5",
    };

    static final int[] GPR = {RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9};

    static Object manyArg(int k) {
        return switch (MANY[k]) {
            case Type.I8 -> (byte) (-3 * k - 1);
            case Type.I16 -> (short) (-1000 * k - 7);
            case Type.I32 -> -100_000 * k - 11;
            case Type.I64 -> -1_000_000_000_000L * k - 13;
            case Type.F32 -> 1.25f * k + 0.5f;
            default -> -2.5 * k - 0.125;
        };
    }

    @Test
    void manyArgumentsReachTheirPlaces() throws Throwable {
        JitModule m = new JitModule();
        for (int k = 0; k < MANY.length; k++) {
            X64Assembler a = asm();
            String place = MANY_PLACES[k];
            boolean f = Type.isFloat(MANY[k]);
            if (place.startsWith("stack")) {
                int slot = Integer.parseInt(place.substring(5));
                if (f) a.sseRM(X64Assembler.MOVSD, XMM0, RSP, NONE, 1, 8 + 8 * slot);
                else a.movRM(8, RAX, RSP, NONE, 1, 8 + 8 * slot);
            } else if (place.startsWith("xmm")) {
                a.sseRR(X64Assembler.MOVAPS, XMM0, Integer.parseInt(place.substring(3)));
            } else {
                int r = switch (place) {
                    case "rdi" -> RDI;
                    case "rsi" -> RSI;
                    case "rdx" -> RDX;
                    case "rcx" -> RCX;
                    case "r8" -> R8;
                    default -> R9;
                };
                a.movRR(8, RAX, r);
            }
            a.ret();
            m.declareFunction("%arg" + k, sig(MANY, MANY[k]));
            m.defineFunction("%arg" + k, code(a));
        }
        m.finalizeDefinitions();
        Object[] args = new Object[MANY.length];
        MemoryLayout[] layouts = new MemoryLayout[MANY.length];
        for (int k = 0; k < MANY.length; k++) {
            args[k] = manyArg(k);
            layouts[k] = layoutOf(MANY[k]);
        }
        try (m) {
            for (int k = 0; k < MANY.length; k++) {
                // Oracle: Panama's own System V call, straight to the function.
                MethodHandle direct = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(m.address("%arg" + k)),
                        FunctionDescriptor.of(layoutOf(MANY[k]), layouts));
                assertEquals(args[k], direct.invokeWithArguments(args), "hand placement of argument " + k);
                assertEquals(args[k], m.handle("%arg" + k).invokeWithArguments(args), "argument " + k + " through the trampoline");
            }
        }
    }

    static ValueLayout layoutOf(int t) {
        return switch (t) {
            case Type.I8 -> ValueLayout.JAVA_BYTE;
            case Type.I16 -> ValueLayout.JAVA_SHORT;
            case Type.I32 -> ValueLayout.JAVA_INT;
            case Type.I64 -> ValueLayout.JAVA_LONG;
            case Type.F32 -> ValueLayout.JAVA_FLOAT;
            default -> ValueLayout.JAVA_DOUBLE;
        };
    }

    @Test
    void stackIsAlignedAtEntryWhateverTheStackArguments() throws Throwable {
        // System V: rsp + 8 is a multiple of 16 at a function's entry. Returns rsp mod 16, which must be 8,
        // for 0 to 5 stack arguments (6 integer registers, then the stack), with and without a return area.
        JitModule m = new JitModule();
        for (int n = 0; n <= 11; n++) {
            int[] params = new int[n];
            java.util.Arrays.fill(params, I64);
            for (int area = 0; area < 2; area++) {
                X64Assembler a = asm();
                a.movRR(8, RAX, RSP);
                a.aluRI(X64Assembler.AND, 8, RAX, 15);
                if (area == 1) { // three results: rax, rdx, and [rdi] (the hidden pointer shifts the arguments)
                    a.movRR(8, RDX, RAX);
                    a.movMR(8, RDI, NONE, 1, 0, RAX);
                }
                a.ret();
                String name = "%align" + n + "_" + area;
                m.declareFunction(name, area == 1 ? sig(params, I64, I64, I64) : sig(params, I64));
                m.defineFunction(name, code(a));
            }
        }
        m.finalizeDefinitions();
        try (m) {
            for (int n = 0; n <= 11; n++) {
                Object[] args = new Object[n];
                java.util.Arrays.fill(args, 0L);
                assertEquals(8L, m.handle("%align" + n + "_0").invokeWithArguments(args), n + " arguments");
                assertArrayEquals(new long[] {8, 8, 8}, (long[]) m.handle("%align" + n + "_1").invokeWithArguments(args),
                        n + " arguments and a return area");
            }
        }
    }

    // ---- multiple results ----------------------------------------------------------------

    @Test
    void multipleResultsComeBackInRegistersAndTheReturnArea() throws Throwable {
        // (i64 a, i32 b, f64 c, i64 d, i64 e, i64 f, i64 g) -> (i64 a+1, i32 2b, f64 c, f32 c, i8 0x1FF, i16 0x18000, i64 g)
        // X64Abi: results rax, rdx, xmm0, xmm1, then the return area [rdi+0], [rdi+8], [rdi+16];
        // the hidden area pointer shifts the arguments: a rsi, b edx, d rcx, e r8, f r9, g on the stack, c xmm0.
        X64Assembler a = asm();
        a.leaRM(8, R10, RSI, NONE, 1, 1);
        a.leaRM(4, RAX, RDX, RDX, 1, 0);
        a.movabsRI(R11, 0x7777_7777_0000_0000L); // garbage above the i32: readers must ignore it
        a.aluRR(X64Assembler.OR, 8, RAX, R11);
        a.movRR(8, RDX, RAX);
        a.sseRR(X64Assembler.CVTSD2SS, XMM1, XMM0);
        a.movMI(8, RDI, NONE, 1, 0, 0x1FF);
        a.movMI(8, RDI, NONE, 1, 8, 0x18000);
        a.movRM(8, RAX, RSP, NONE, 1, 8);
        a.movMR(8, RDI, NONE, 1, 16, RAX);
        a.movRR(8, RAX, R10);
        a.ret();
        Signature s = sig(p(I64, I32, F64, I64, I64, I64, I64), I64, I32, F64, F32, I8, I16, I64);
        // (f32 x, i64 y) -> (f32 x, i64 y + 1): both in registers (xmm0, rax), no hidden pointer
        X64Assembler b = asm();
        b.leaRM(8, RAX, RDI, NONE, 1, 1);
        b.ret();
        JitModule m = new JitModule();
        m.declareFunction("%multi", s);
        m.defineFunction("%multi", code(a));
        m.declareFunction("%pair", sig(p(F32, I64), F32, I64));
        m.defineFunction("%pair", code(b));
        m.finalizeDefinitions();
        try (m) {
            MethodHandle h = m.handle("%multi");
            assertEquals(long[].class, h.type().returnType());
            long[] r = (long[]) h.invokeExact(-5L, 0x4000_0001, 2.75, 0L, 0L, 0L, 0x0123_4567_89AB_CDEFL);
            long[] want = {-4L, 0x4000_0001 * 2, Double.doubleToRawLongBits(2.75),
                Float.floatToRawIntBits(2.75f) & 0xFFFF_FFFFL, -1L, (short) 0x8000, 0x0123_4567_89AB_CDEFL};
            assertArrayEquals(want, r);
            long[] pair = (long[]) m.handle("%pair").invokeExact(-0.5f, Long.MAX_VALUE);
            assertArrayEquals(new long[] {Float.floatToRawIntBits(-0.5f) & 0xFFFF_FFFFL, Long.MIN_VALUE}, pair);
        }
    }

    // ---- linking ---------------------------------------------------------------------------

    @Test
    void callsBetweenFunctionsThroughRelocations() throws Throwable {
        JitModule m = new JitModule();
        Signature s = sig(p(I64), I64);
        // %triple(x) = 3x
        X64Assembler a = asm();
        a.leaRM(8, RAX, RDI, RDI, 2, 0);
        a.ret();
        CompiledCode triple = code(a);
        // %near(x) = %triple(x) + 1, by call rel32
        a = asm();
        a.push(RBP);
        int disp = a.callRel32Placeholder();
        a.aluRI(X64Assembler.ADD, 8, RAX, 1);
        a.pop(RBP);
        a.ret();
        CompiledCode near = code(a, new Relocation(disp, RelocKind.X86_PC_REL32, "%triple", 0));
        // %far(x) = %triple(x) + 2, by movabs + call reg (ABS64)
        a = asm();
        a.push(RBP);
        a.movabsRI(RAX, 0);
        int imm = a.size() - 8;
        a.callR(RAX);
        a.aluRI(X64Assembler.ADD, 8, RAX, 2);
        a.pop(RBP);
        a.ret();
        CompiledCode far = code(a, new Relocation(imm, RelocKind.ABS64, "%triple", 0));
        // declared before %triple: references may point forward
        m.declareFunction("%near", s);
        m.declareFunction("%far", s);
        m.declareFunction("%triple", s);
        m.defineFunction("%triple", triple);
        m.defineFunction("%near", near);
        m.defineFunction("%far", far);
        m.finalizeDefinitions();
        try (m) {
            assertEquals(3 * 14 + 1, (long) m.handle("%near").invokeExact(14L));
            assertEquals(3 * -5 + 2, (long) m.handle("%far").invokeExact(-5L));
        }
    }

    static MethodHandle hostTarget(String name, MethodType type) throws ReflectiveOperationException {
        return MethodHandles.lookup().findStatic(JitModuleTest.class, name, type);
    }

    static long hostMul(long x) {
        return x * 7 + 1;
    }

    /** A function that calls host symbol {@code host} with its argument and adds 1000; leaves if the host threw. */
    static CompiledCode callsHost(String host, RelocKind kind) {
        X64Assembler a = asm();
        int out = a.newLabel();
        a.push(RBP);
        Relocation r;
        if (kind == RelocKind.X86_PC_REL32) {
            r = new Relocation(a.callRel32Placeholder(), kind, host, 0);
        } else {
            a.movabsRI(RAX, 0);
            r = new Relocation(a.size() - 8, kind, host, 0);
            a.callR(RAX);
        }
        hostCheck(a, out);
        a.aluRI(X64Assembler.ADD, 8, RAX, 1000);
        a.pop(RBP);
        a.ret();
        a.bind(out);
        unwind(a);
        return code(a, r);
    }

    @Test
    void hostFunctionCalledFromCompiledCode() throws Throwable {
        JitModule m = new JitModule();
        Signature s = sig(p(I64), I64);
        m.defineHostFunction("host_mul", s, hostTarget("hostMul", MethodType.methodType(long.class, long.class)));
        m.declareFunction("%viaRel32", s);
        m.defineFunction("%viaRel32", callsHost("host_mul", RelocKind.X86_PC_REL32));
        m.declareFunction("%viaAbs64", s);
        m.defineFunction("%viaAbs64", callsHost("host_mul", RelocKind.ABS64));
        m.finalizeDefinitions();
        try (m) {
            assertEquals(6 * 7 + 1 + 1000, (long) m.handle("%viaRel32").invokeExact(6L));
            assertEquals(-3 * 7 + 1 + 1000, (long) m.handle("%viaAbs64").invokeExact(-3L));
        }
    }

    @Test
    void leafHandlesCallAndTrapButNeverReachJava() throws Throwable {
        JitModule m = new JitModule();
        Signature s = sig(p(I64), I64);
        m.defineHostFunction("host_mul", s, hostTarget("hostMul", MethodType.methodType(long.class, long.class)));
        m.declareFunction("%callsHost", s);
        m.defineFunction("%callsHost", callsHost("host_mul", RelocKind.ABS64));
        // %indirect calls %callsHost: reaches the upcall through another function
        X64Assembler a = asm();
        a.push(RBP);
        int d = a.callRel32Placeholder();
        a.pop(RBP);
        a.ret();
        m.declareFunction("%indirect", s);
        m.defineFunction("%indirect", code(a, new Relocation(d, RelocKind.X86_PC_REL32, "%callsHost", 0)));
        // %half(x) = x >> 1, traps unreachable on odd x
        a = asm();
        int odd = a.newLabel();
        a.testRI(1, RDI, 1);
        a.jcc(X64Cond.NE, odd);
        a.movRR(8, RAX, RDI);
        a.shiftRI(X64Assembler.SAR, 8, RAX, 1);
        a.ret();
        a.bind(odd);
        trapExit(a, TrapCode.UNREACHABLE);
        m.declareFunction("%half", s);
        m.defineFunction("%half", code(a));
        m.finalizeDefinitions();
        try (m) {
            MethodHandle half = m.leafHandle("%half");
            assertEquals(-21L, (long) half.invokeExact(-42L));
            Trap t = assertThrows(Trap.class, () -> {
                long unused = (long) half.invokeExact(3L);
            });
            assertEquals(TrapCode.UNREACHABLE, t.code());
            assertEquals(50L, (long) half.invokeExact(100L));
            assertThrows(LinkError.class, () -> m.leafHandle("%callsHost"));
            assertThrows(LinkError.class, () -> m.leafHandle("%indirect"));
            assertEquals(2 * 7 + 1 + 1000, (long) m.handle("%indirect").invokeExact(2L));
        }
    }

    @Test
    void hostFunctionWithTheWrongJavaTypeIsRejected() throws Throwable {
        try (JitModule m = new JitModule()) {
            MethodHandle h = hostTarget("hostMul", MethodType.methodType(long.class, long.class));
            assertThrows(LinkError.class, () -> m.defineHostFunction("h", sig(p(I32), I64), h));
        }
    }

    @Test
    void farHostSymbolIsReachedThroughAVeneer() throws Throwable {
        // A page of our own far from the module's code (mmap places anonymous maps near the top of
        // the address space; ask for low addresses): mov eax, 1234; ret.
        long page = mmapNear(1L << 32);
        try {
            MemorySegment seg = MemorySegment.ofAddress(page).reinterpret(4096);
            byte[] host = {(byte) 0xB8, (byte) 0xD2, 0x04, 0, 0, (byte) 0xC3};
            MemorySegment.copy(host, 0, seg, ValueLayout.JAVA_BYTE, 0, host.length);
            mprotect(page, 4096, 5);
            JitModule m = new JitModule();
            m.defineHostSymbol("far_host", page);
            Signature s = sig(p(I64), I64);
            m.declareFunction("%callsFar", s);
            m.defineFunction("%callsFar", callsHost("far_host", RelocKind.X86_PC_REL32));
            m.finalizeDefinitions();
            try (m) {
                long distance = Math.abs(m.address("%callsFar") - page);
                assertTrue(distance > (1L << 31), "test needs a host beyond rel32 reach, distance 0x" + Long.toHexString(distance));
                assertEquals(1234 + 1000, (long) m.handle("%callsFar").invokeExact(0L));
            }
        } finally {
            munmap(page, 4096);
        }
    }

    @Test
    void linkErrors() {
        Signature s = sig(p(), I32);
        X64Assembler a = asm();
        int d = a.callRel32Placeholder();
        a.ret();
        CompiledCode callsMissing = code(a, new Relocation(d, RelocKind.X86_PC_REL32, "%missing", 0));
        try (JitModule m = new JitModule()) {
            m.declareFunction("%f", s);
            m.defineFunction("%f", callsMissing);
            LinkError e = assertThrows(LinkError.class, m::finalizeDefinitions);
            assertTrue(e.getMessage().contains("%missing"), e.getMessage());
        }
        try (JitModule m = new JitModule()) {
            m.declareFunction("%f", s);
            assertThrows(LinkError.class, () -> m.declareFunction("%f", s));
            assertThrows(LinkError.class, () -> m.defineFunction("%g", callsMissing));
            assertThrows(LinkError.class, () -> m.defineFunction("%f", new CompiledCode(new byte[4], new Relocation[0], null, null, 0)));
            assertThrows(LinkError.class, m::finalizeDefinitions, "declared, not defined");
        }
        try (JitModule m = new JitModule()) {
            m.declareFunction("%f", s);
            m.defineFunction("%f", code(asmRet(),
                    new Relocation(6, RelocKind.ABS64, "%f", 0)));
            assertThrows(LinkError.class, m::finalizeDefinitions, "relocation past the end");
        }
    }

    static X64Assembler asmRet() {
        X64Assembler a = asm();
        a.ret();
        return a;
    }

    @Test
    void closedModuleRefusesEverything() throws Throwable {
        X64Assembler a = asm();
        a.movRI(4, RAX, 7);
        a.ret();
        JitModule m = single("%seven", sig(p(), I32), code(a));
        MethodHandle h = m.handle("%seven");
        assertEquals(7, (int) h.invokeExact());
        assertThrows(IllegalStateException.class, () -> m.declareFunction("%g", sig(p(), I32)), "finalized");
        m.close();
        assertTrue(m.isClosed());
        assertEquals(0, m.mappedBytes());
        assertThrows(IllegalStateException.class, () -> {
            int unused = (int) h.invokeExact();
        });
        assertThrows(IllegalStateException.class, () -> m.address("%seven"));
        assertThrows(IllegalStateException.class, () -> m.handle("%seven"));
        m.close(); // idempotent
    }

    @Test
    void tenThousandModulesDoNotGrowMappedMemory() throws Throwable {
        Signature s = sig(p(), I64);
        long before = 0;
        for (int i = 0; i < 10_000; i++) {
            if (i == 1_000) before = vmSizeKiB(); // after warm-up (class loading, JIT threads, trampolines)
            X64Assembler a = asm();
            a.movImm64(RAX, i * 3L);
            a.ret();
            try (JitModule m = single("%k", s, code(a))) {
                assertTrue(m.mappedBytes() > 0);
                if (i % 500 == 0) assertEquals(i * 3L, (long) m.handle("%k").invokeExact());
            }
        }
        long after = vmSizeKiB();
        // 9,000 leaked modules would map at least 9,000 * 256 KiB = 2.2 GiB.
        assertTrue(after - before < 64 * 1024, "VmSize grew from " + before + " to " + after + " KiB");
    }

    static long vmSizeKiB() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no VmSize");
    }

    // ---- traps -------------------------------------------------------------------------------

    @Test
    void trapReachesJavaAndTheJvmKeepsRunning() throws Throwable {
        // Clobbers every callee-saved register but r15 and pushes junk before trapping; records its pc.
        X64Assembler a = asm();
        int here = a.newLabel();
        a.push(RBP);
        a.pushI(0x1234);
        for (int r : new int[] {RBX, RBP, R12, R13, R14}) a.movImm64(r, 0xBAD0_0000L + r);
        a.bind(here);
        a.leaRM(8, RAX, LABEL, NONE, 1, here);
        a.movMR(8, R15, NONE, 1, TrapContext.TRAP_PC, RAX);
        trapExit(a, TrapCode.INT_DIVZ);
        JitModule m = new JitModule();
        m.declareFunction("%entry", sig(p(I32), I32));
        m.declareFunction("%trapper", sig(p(), I32));
        // %entry(x) calls %trapper, so the trapping function is not the one Java called
        X64Assembler e = asm();
        e.push(RBP);
        int d = e.callRel32Placeholder();
        e.pop(RBP);
        e.ret();
        m.defineFunction("%entry", code(e, new Relocation(d, RelocKind.X86_PC_REL32, "%trapper", 0)));
        m.defineFunction("%trapper", code(a));
        X64Assembler ok = asm();
        ok.movRI(4, RAX, 5);
        ok.ret();
        m.declareFunction("%ok", sig(p(), I32));
        m.defineFunction("%ok", code(ok));
        m.finalizeDefinitions();
        try (m) {
            MethodHandle h = m.handle("%entry");
            for (int i = 0; i < 2_000; i++) {
                Trap t = assertThrows(Trap.class, () -> {
                    int unused = (int) h.invokeExact(1);
                });
                assertEquals(TrapCode.INT_DIVZ, t.code());
                assertEquals("int_divz", t.codeName());
                assertEquals("%trapper", t.function());
                assertEquals(5, (int) m.handle("%ok").invokeExact());
            }
            Trap t = assertThrows(Trap.class, () -> {
                int unused = (int) m.handle("%trapper").invokeExact();
            });
            assertEquals("trap: int_divz in %trapper", t.getMessage());
        }
    }

    static long hostThrows(long x) {
        throw new IllegalStateException("boom " + x);
    }

    static long hostThrowsChecked(long x) throws IOException {
        throw new IOException("checked " + x);
    }

    static final AtomicReference<Throwable> THROWN = new AtomicReference<>();

    static long hostThrowsRecorded(long x) {
        IllegalArgumentException e = new IllegalArgumentException("recorded " + x);
        THROWN.set(e);
        throw e;
    }

    @Test
    void exceptionFromHostFunctionReachesTheJavaCallerUnchanged() throws Throwable {
        JitModule m = new JitModule();
        Signature s = sig(p(I64), I64);
        MethodType t = MethodType.methodType(long.class, long.class);
        m.defineHostFunction("boom", s, hostTarget("hostThrowsRecorded", t));
        m.defineHostFunction("checked", s, hostTarget("hostThrowsChecked", t));
        m.defineHostFunction("fine", s, hostTarget("hostMul", t));
        m.declareFunction("%boom", s);
        m.defineFunction("%boom", callsHost("boom", RelocKind.ABS64));
        m.declareFunction("%checked", s);
        m.defineFunction("%checked", callsHost("checked", RelocKind.X86_PC_REL32));
        m.declareFunction("%fine", s);
        m.defineFunction("%fine", callsHost("fine", RelocKind.X86_PC_REL32));
        m.finalizeDefinitions();
        try (m) {
            for (int i = 0; i < 1_000; i++) {
                MethodHandle h = m.handle("%boom");
                long arg = i;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                    long unused = (long) h.invokeExact(arg);
                });
                assertSame(THROWN.get(), e);
                assertEquals("recorded " + i, e.getMessage());
                assertEquals(2 * 7 + 1 + 1000, (long) m.handle("%fine").invokeExact(2L), "the next call runs normally");
            }
            IOException io = assertThrows(IOException.class, () -> {
                long unused = (long) m.handle("%checked").invokeExact(9L);
            });
            assertEquals("checked 9", io.getMessage());
        }
    }

    static JitModule reentrant;

    /** Host function that calls back into compiled code (%div, which traps on x == 0). */
    static long hostReenters(long x) throws Throwable {
        return (long) reentrant.handle("%div").invokeExact(x) * 10;
    }

    /** As hostReenters, but swallows the inner trap. */
    static long hostReentersAndCatches(long x) throws Throwable {
        try {
            return (long) reentrant.handle("%div").invokeExact(x) * 10;
        } catch (Trap t) {
            return -t.code();
        }
    }

    @Test
    void compiledAndHostCodeNest() throws Throwable {
        JitModule m = new JitModule();
        Signature s = sig(p(I64), I64);
        MethodType t = MethodType.methodType(long.class, long.class);
        m.defineHostFunction("reenter", s, hostTarget("hostReenters", t));
        m.defineHostFunction("reenterCatch", s, hostTarget("hostReentersAndCatches", t));
        // %div(x) = x + 1, traps int_divz when x == 0
        X64Assembler a = asm();
        int zero = a.newLabel();
        a.testRR(8, RDI, RDI);
        a.jcc(X64Cond.E, zero);
        a.leaRM(8, RAX, RDI, NONE, 1, 1);
        a.ret();
        a.bind(zero);
        trapExit(a, TrapCode.INT_DIVZ);
        m.declareFunction("%div", s);
        m.defineFunction("%div", code(a));
        m.declareFunction("%outer", s);
        m.defineFunction("%outer", callsHost("reenter", RelocKind.X86_PC_REL32));
        m.declareFunction("%outerCatch", s);
        m.defineFunction("%outerCatch", callsHost("reenterCatch", RelocKind.X86_PC_REL32));
        m.finalizeDefinitions();
        reentrant = m;
        try (m) {
            // outer -> host -> div: (4 + 1) * 10 + 1000
            assertEquals(1050, (long) m.handle("%outer").invokeExact(4L));
            // inner trap propagates as the same Trap through the host back to Java
            Trap trap = assertThrows(Trap.class, () -> {
                long unused = (long) m.handle("%outer").invokeExact(0L);
            });
            assertEquals(TrapCode.INT_DIVZ, trap.code());
            assertEquals("%div", trap.function());
            // the host catches the inner trap: the outer call completes normally
            assertEquals(-TrapCode.INT_DIVZ + 1000, (long) m.handle("%outerCatch").invokeExact(0L));
            assertEquals(1050, (long) m.handle("%outerCatch").invokeExact(4L));
        } finally {
            reentrant = null;
        }
    }

    /** {@code %rec()}: checks the stack limit for a 64-byte frame, then calls itself forever. */
    static JitModule recursion() {
        X64Assembler a = asm();
        int overflow = a.newLabel();
        a.leaRM(8, RAX, RSP, NONE, 1, -64);
        a.aluRM(X64Assembler.CMP, 8, RAX, R15, NONE, 1, TrapContext.STACK_LIMIT);
        a.jcc(X64Cond.B, overflow);
        a.push(RBP);
        a.aluRI(X64Assembler.SUB, 8, RSP, 48);
        int d = a.callRel32Placeholder();
        a.aluRI(X64Assembler.ADD, 8, RSP, 48);
        a.pop(RBP);
        a.ret();
        a.bind(overflow);
        trapExit(a, TrapCode.STK_OVF);
        return single("%rec", sig(p(), I64), code(a, new Relocation(d, RelocKind.X86_PC_REL32, "%rec", 0)));
    }

    @Test
    void unboundedRecursionTrapsStackOverflow() throws Throwable {
        try (JitModule m = recursion()) {
            for (int i = 0; i < 3; i++) {
                Trap t = assertThrows(Trap.class, () -> {
                    long unused = (long) m.handle("%rec").invokeExact();
                });
                assertEquals(TrapCode.STK_OVF, t.code());
            }
            // and on threads with small stacks, including one barely larger than the reserve
            for (long stack : new long[] {512 * 1024, 384 * 1024, 2 * 1024 * 1024}) {
                AtomicReference<Throwable> seen = new AtomicReference<>();
                Thread th = new Thread(null, () -> {
                    try {
                        long unused = (long) m.handle("%rec").invokeExact();
                    } catch (Throwable x) {
                        seen.set(x);
                    }
                }, "small-stack", stack);
                th.start();
                th.join();
                assertTrue(seen.get() instanceof Trap tr && tr.code() == TrapCode.STK_OVF, "stack " + stack + ": " + seen.get());
            }
        }
    }

    @Test
    void stackLimitLiesBelowTheStackPointer() throws Throwable {
        X64Assembler a = asm();
        a.movRR(8, RAX, RSP);
        a.ret();
        try (JitModule m = single("%sp", sig(p(), I64), code(a))) {
            long sp = (long) m.handle("%sp").invokeExact();
            long limit = CallContext.current().stackLimit();
            assertTrue(sp > limit, "sp 0x" + Long.toHexString(sp) + " limit 0x" + Long.toHexString(limit));
            assertTrue(sp - limit < 64L * 1024 * 1024, "limit within this thread's stack");
        }
    }

    @Test
    void interruptFromAnotherThreadStopsALoop() throws Throwable {
        // %spin(): counts in rax until INTERRUPT is set, then traps interrupt.
        X64Assembler a = asm();
        int loop = a.newLabel(), stop = a.newLabel();
        a.aluRR(X64Assembler.XOR, 4, RAX, RAX);
        a.bind(loop);
        a.aluMI(X64Assembler.CMP, 4, R15, NONE, 1, TrapContext.INTERRUPT, 0);
        a.jcc(X64Cond.NE, stop);
        a.aluRI(X64Assembler.ADD, 8, RAX, 1);
        a.jmp(loop);
        a.bind(stop);
        trapExit(a, TrapCode.INTERRUPT);
        JitModule m = new JitModule();
        m.declareFunction("%spin", sig(p(), I64));
        m.defineFunction("%spin", code(a));
        X64Assembler flag = asm();
        flag.movRM(4, RAX, R15, NONE, 1, TrapContext.INTERRUPT);
        flag.ret();
        m.declareFunction("%flag", sig(p(), I32));
        m.defineFunction("%flag", code(flag));
        m.finalizeDefinitions();
        try (m) {
            CompletableFuture<CallContext> ctx = new CompletableFuture<>();
            AtomicReference<Throwable> seen = new AtomicReference<>();
            AtomicReference<Integer> flagAfter = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    ctx.complete(CallContext.current());
                    long unused = (long) m.handle("%spin").invokeExact();
                    fail("returned " + unused);
                } catch (Throwable t) {
                    seen.set(t);
                }
                try {
                    flagAfter.set((int) m.handle("%flag").invokeExact());
                } catch (Throwable t) {
                    seen.set(t);
                }
            });
            worker.start();
            CallContext c = ctx.get(10, TimeUnit.SECONDS);
            Thread.sleep(100); // let it spin
            c.interrupt();
            worker.join(10_000);
            assertTrue(!worker.isAlive(), "worker stopped");
            assertTrue(seen.get() instanceof Trap t && t.code() == TrapCode.INTERRUPT, String.valueOf(seen.get()));
            assertEquals("%spin", ((Trap) seen.get()).function());
            assertEquals(0, flagAfter.get(), "delivered interrupt is cleared");
        }
    }

    // ---- native helpers for the veneer test ----------------------------------------------

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MPROTECT = LINKER.downcallHandle(LINKER.defaultLookup().find("mprotect").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    static long mmapNear(long hint) throws Throwable {
        long p = (long) MMAP.invokeExact(hint, 4096L, 3, 0x22, -1, 0L); // RW, MAP_PRIVATE|MAP_ANONYMOUS
        assertTrue(p != -1L, "mmap");
        return p;
    }

    static void mprotect(long p, long n, int prot) throws Throwable {
        assertEquals(0, (int) MPROTECT.invokeExact(p, n, prot));
    }

    static void munmap(long p, long n) throws Throwable {
        assertEquals(0, (int) MUNMAP.invokeExact(p, n));
    }
}
