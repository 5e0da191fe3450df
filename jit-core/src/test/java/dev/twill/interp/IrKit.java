package dev.twill.interp;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;

/** Builds small test functions with {@link InstBuilder} and runs them. */
final class IrKit {
    final Function f;
    final InstBuilder b;
    final int entry;
    /** The entry block's parameters (the function's arguments). */
    final int[] args;

    IrKit(String name, int[] params, int[] returns) {
        this(name, Signature.of(params, returns));
    }

    IrKit(String name, Signature sig) {
        f = new Function(name, sig);
        b = new InstBuilder(f);
        entry = f.makeBlock();
        f.layout.appendBlock(entry);
        args = new int[sig.params.length];
        for (int k = 0; k < args.length; k++) args[k] = f.dfg.appendBlockParam(entry, sig.params[k]);
        b.atEnd(entry);
    }

    /** A new block appended to the layout, with parameters of the given types. */
    int block(int... paramTypes) {
        int blk = f.makeBlock();
        f.layout.appendBlock(blk);
        for (int t : paramTypes) f.dfg.appendBlockParam(blk, t);
        return blk;
    }

    int param(int block, int n) {
        return f.dfg.blockParam(block, n);
    }

    static int[] types(int... t) {
        return t;
    }

    /** {@code v1 = op.to v0; return v1} (also conversions: {@code to} is the result type). */
    static Function unary(Opcode op, int from, int to) {
        IrKit k = new IrKit("%u", types(from), types(to));
        k.b.ret(k.b.unary(op, to, k.args[0]));
        return k.f;
    }

    /** {@code v2 = op v0, v1; return v2}; the second operand may have another type (shifts). */
    static Function binary(Opcode op, int type, int type2) {
        IrKit k = new IrKit("%b", types(type, type2), types(type));
        k.b.ret(k.b.binary(op, k.args[0], k.args[1]));
        return k.f;
    }

    static Function binaryImm(Opcode op, int type, long imm) {
        IrKit k = new IrKit("%bi", types(type), types(type));
        k.b.ret(k.b.binaryImm(op, k.args[0], imm));
        return k.f;
    }

    static InterpResult run(Function f, long... args) {
        return new Interpreter(new InterpModule().add(f)).call(f.name, args);
    }

    /** Runs and returns the single result, failing on a trap. */
    static long run1(Function f, long... args) {
        InterpResult r = run(f, args);
        assertTrue(r.returned(), () -> "expected a value, got " + r);
        assertEquals(1, r.count());
        return r.value(0);
    }

    static void assertTrap(int code, InterpResult r) {
        assertTrue(r.trapped(), () -> "expected a trap, got " + r);
        assertEquals(dev.twill.ir.TrapCode.name(code), dev.twill.ir.TrapCode.name(r.trapCode()));
    }
}
