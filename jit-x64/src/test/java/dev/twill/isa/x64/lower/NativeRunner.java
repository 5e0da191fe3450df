package dev.twill.isa.x64.lower;

import static dev.twill.isa.x64.asm.X64Reg.*;

import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.isa.x64.abi.X64Abi;
import dev.twill.isa.x64.asm.X64Assembler;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.RegClass;
import dev.twill.runtime.CodeMemory;
import dev.twill.runtime.TrapContext;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * Test-only runtime: places compiled functions in {@link CodeMemory}, links their relocations
 * by name, and calls them through a minimal entry stub (written here with the assembler; the
 * JIT module has the real trampoline) that follows the {@link TrapContext} protocol. The stub
 * is per signature: {@code int stub(ctx, fn, args*, results*)} loads the arguments from the
 * buffer into their ABI locations, calls, stores the results, and returns the trap code (-1
 * for a normal return).
 */
final class NativeRunner implements AutoCloseable {
    private final CodeMemory mem = new CodeMemory();
    private final Arena arena = Arena.ofConfined();
    final MemorySegment ctx = arena.allocate(TrapContext.SIZE, 16);
    private final MemorySegment args = arena.allocate(8 * 64, 16);
    private final MemorySegment results = arena.allocate(8 * 64, 16);
    private final Map<String, Long> entries = new HashMap<>();
    private final Map<String, MethodHandle> stubs = new HashMap<>();
    private final Map<String, Long> symbols = new HashMap<>();

    static final class Trap extends RuntimeException {
        final int code;

        Trap(int code) {
            super("trap " + dev.twill.ir.TrapCode.name(code));
            this.code = code;
        }
    }

    /** Defines a host symbol for ABS64 / rel32 relocations. */
    void defineSymbol(String name, long address) {
        symbols.put(name, address);
    }

    /** Places and links functions (names as in the IR, with their sigil). */
    void load(String[] names, CompiledCode[] codes) {
        long[] bases = new long[codes.length];
        MemorySegment[] segs = new MemorySegment[codes.length];
        for (int k = 0; k < codes.length; k++) {
            segs[k] = mem.allocate(codes[k].code().length);
            bases[k] = segs[k].address();
            entries.put(names[k], bases[k] + X64Abi.ENTRY_OFFSET);
        }
        for (int k = 0; k < codes.length; k++) {
            byte[] bytes = codes[k].code().clone();
            for (CompiledCode.Relocation r : codes[k].relocations()) {
                Long target = entries.get(r.target());
                if (target == null) target = symbols.get(r.target());
                if (target == null) throw new IllegalStateException("unresolved symbol " + r.target());
                long value = target + r.addend();
                switch (r.kind()) {
                    case X86_PC_REL32 -> {
                        long rel = value - (bases[k] + r.offset() + 4);
                        if (rel != (int) rel) throw new IllegalStateException("rel32 out of range");
                        putLe(bytes, r.offset(), rel, 4);
                    }
                    case ABS64 -> putLe(bytes, r.offset(), value, 8);
                    default -> throw new IllegalStateException(r.kind().toString());
                }
            }
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segs[k], 0, bytes.length);
        }
        mem.publish();
    }

    long entry(String name) {
        return entries.get(name);
    }

    private static void putLe(byte[] b, int at, long v, int n) {
        for (int k = 0; k < n; k++) b[at + k] = (byte) (v >>> (8 * k));
    }

    void setStackLimit(long limit) {
        ctx.set(ValueLayout.JAVA_LONG, TrapContext.STACK_LIMIT, limit);
    }

    /** Calls {@code name}; returns the results (raw 64-bit, floats as bits) or throws {@link Trap}. */
    long[] call(String name, Signature sig, long... argv) throws Throwable {
        MethodHandle stub = stubs.get(sig.toString());
        if (stub == null) {
            stub = makeStub(sig);
            stubs.put(sig.toString(), stub);
        }
        for (int k = 0; k < argv.length; k++) args.setAtIndex(ValueLayout.JAVA_LONG, k, argv[k]);
        int code = (int) stub.invokeExact(ctx.address(), entry(name), args.address(), results.address());
        if (code != -1) throw new Trap(code);
        long[] out = new long[sig.returns.length];
        for (int k = 0; k < out.length; k++) {
            long v = results.getAtIndex(ValueLayout.JAVA_LONG, k);
            int t = sig.returns[k];
            out[k] = t == Type.F32 ? v & 0xFFFF_FFFFL : Type.isFloat(t) ? v : v & Type.mask(t);
        }
        return out;
    }

    private MethodHandle makeStub(Signature sig) {
        X64Abi.Locations loc = X64Abi.locations(sig);
        X64Assembler a = new X64Assembler();
        int s = loc.stackArgBytes + ((loc.retAreaBytes + 15) & -16);
        s += 8; // 5 pushes + rbp leave rsp 8 off alignment
        a.push(RBP);
        a.movRR(8, RBP, RSP);
        a.push(RBX);
        a.push(R12);
        a.push(R13);
        a.push(R14);
        a.push(R15);
        a.aluRI(X64Assembler.SUB, 8, RSP, s);
        a.movRR(8, R15, RDI);
        a.movRR(8, R13, RSI);
        a.movRR(8, R12, RDX);
        a.movRR(8, RBX, RCX);
        int resume = a.newLabel();
        a.leaRM(8, RAX, LABEL, NONE, 1, resume);
        a.movMR(8, R15, NONE, 1, TrapContext.RESUME_PC, RAX);
        a.movMR(8, R15, NONE, 1, TrapContext.SAVED_SP, RSP);
        a.movMI(4, R15, NONE, 1, TrapContext.TRAP_CODE, -1);
        for (int k = 0; k < sig.params.length; k++) {
            if (loc.argStack[k] < 0) continue;
            a.movRM(8, RAX, R12, NONE, 1, 8 * k);
            a.movMR(8, RSP, NONE, 1, loc.argStack[k], RAX);
        }
        if (loc.hasRetArea) a.leaRM(8, RDI, RSP, NONE, 1, loc.stackArgBytes);
        for (int k = 0; k < sig.params.length; k++) {
            int r = loc.argReg[k];
            if (r < 0) continue;
            if (r >= RegClass.FLOAT_BASE) a.sseRM(X64Assembler.MOVSD, r - RegClass.FLOAT_BASE, R12, NONE, 1, 8 * k);
            else a.movRM(8, r, R12, NONE, 1, 8 * k);
        }
        a.callR(R13);
        for (int k = 0; k < sig.returns.length; k++) {
            int r = loc.retReg[k];
            if (r < 0) continue;
            if (r >= RegClass.FLOAT_BASE) a.movsdMR(RBX, NONE, 1, 8 * k, r - RegClass.FLOAT_BASE);
            else a.movMR(8, RBX, NONE, 1, 8 * k, r);
        }
        for (int k = 0; k < sig.returns.length; k++) {
            if (loc.retArea[k] < 0) continue;
            a.movRM(8, R11, RSP, NONE, 1, loc.stackArgBytes + loc.retArea[k]);
            a.movMR(8, RBX, NONE, 1, 8 * k, R11);
        }
        a.bind(resume);
        a.movRM(4, RAX, R15, NONE, 1, TrapContext.TRAP_CODE);
        a.aluRI(X64Assembler.ADD, 8, RSP, s);
        a.pop(R15);
        a.pop(R14);
        a.pop(R13);
        a.pop(R12);
        a.pop(RBX);
        a.pop(RBP);
        a.ret();
        byte[] bytes = a.toByteArray();
        MemorySegment seg = mem.allocate(bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, bytes.length);
        mem.publish();
        return Linker.nativeLinker().downcallHandle(seg, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    @Override
    public void close() {
        mem.close();
        arena.close();
    }
}
