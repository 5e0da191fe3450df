package dev.twill.isa.x64.run;

import dev.twill.interp.FloatOps;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.Printer;

/**
 * Makes NaN results of float arithmetic deterministic, for differential tests only: the IR
 * leaves a NaN result's payload and sign unspecified (WebAssembly's rule, see {@link Opcode}),
 * so x86-64 (whose default NaN is negative) and the interpreter (positive canonical NaN) may
 * legitimately differ once such bits reach memory or a {@code bitcast}. After each arithmetic
 * instruction that may produce a NaN, {@code r} is replaced by {@code select(fcmp uno r, r;
 * canonical NaN, r)}, as Cranelift's NaN-canonicalization setting does for wasmtime's
 * differential fuzzing. Bit-moving operations ({@code fneg fabs fcopysign bitcast}, loads,
 * stores) and conversions with specified NaN behaviour are left alone, so their NaN handling
 * stays under test.
 */
final class NanCanonicalizer {
    private NanCanonicalizer() {}

    /** Returns a canonicalized copy of {@code f} (printed and parsed back, so no alias remains). */
    static Function canonicalize(Function f) {
        DataFlowGraph dfg = f.dfg;
        InstBuilder b = new InstBuilder(f);
        for (int blk = f.layout.firstBlock(); blk >= 0; blk = f.layout.nextBlock(blk)) {
            for (int i = f.layout.firstInst(blk); i >= 0; i = f.layout.nextInst(i)) {
                if (!mayMakeNaN(dfg.opcode(i))) continue;
                int old = dfg.firstResult(i);
                int t = dfg.valueType(old);
                dfg.detachResults(i);
                int r = dfg.appendResult(i, t);
                b.after(i);
                int uno = b.fcmp(FloatCC.UNO, r, r);
                int nan = t == Type.F32 ? b.f32constBits((int) FloatOps.CANONICAL_NAN32) : b.f64constBits(FloatOps.CANONICAL_NAN64);
                int sel = b.select(uno, nan, r);
                dfg.changeToAlias(old, sel);
                i = b.lastInst();
            }
        }
        return Parser.parseFunction(Printer.print(f));
    }

    private static boolean mayMakeNaN(Opcode op) {
        return switch (op) {
            case FADD, FSUB, FMUL, FDIV, SQRT, FMIN, FMAX, CEIL, FLOOR, TRUNC, NEAREST -> true;
            default -> false;
        };
    }
}
