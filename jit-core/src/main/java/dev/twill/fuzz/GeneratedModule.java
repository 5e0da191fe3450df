package dev.twill.fuzz;

import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.interp.Interpreter;
import dev.twill.ir.Function;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated module: functions that call only functions after them in the list (so every
 * program terminates), the entry function first.
 *
 * <p>Memory contract: when {@link #usesVmctx} is set, the entry function's first parameter is a
 * VM context pointer to at least {@link #VMCTX_SIZE} bytes laid out as {@code [0] heap base,
 * [8] heap bound in bytes}, and the heap must hold at least {@link #HEAP_SIZE} bytes (static
 * heaps assume exactly that bound). Every function takes the vmctx first when the module uses
 * it, and passes it on in calls.
 */
public record GeneratedModule(List<Function> functions, boolean usesVmctx, long seed) {
    public static final int VMCTX_SIZE = 16;
    public static final int HEAP_SIZE = 0x1000;

    public Function entry() {
        return functions.get(0);
    }

    /**
     * Edge-heavy arguments for the entry, drawn from {@code rnd}: zero, all ones, small values,
     * the sign bit (or a modest float), or random bits; masked to each parameter's width.
     */
    public long[] randomArgs(SplittableRandom rnd) {
        Signature sig = entry().signature;
        long[] args = new long[sig.params.length];
        for (int k = 0; k < args.length; k++) {
            int t = sig.params[k];
            long v;
            switch (rnd.nextInt(6)) {
                case 0 -> v = 0;
                case 1 -> v = -1;
                case 2 -> v = rnd.nextInt(64);
                case 3 -> v = Type.isFloat(t) ? Double.doubleToRawLongBits(rnd.nextDouble() * 100 - 50) : 1L << (Type.bits(t) - 1);
                default -> v = rnd.nextLong();
            }
            if (t == Type.F32 && rnd.nextBoolean()) v = Float.floatToRawIntBits((float) (rnd.nextDouble() * 1000 - 500));
            args[k] = v & Type.mask(Type.asInt(t));
        }
        return args;
    }

    /** What running a module did: the entry's result and the heap's bytes afterwards (empty without a vmctx). */
    public record Outcome(InterpResult result, byte[] heap) {}

    /**
     * Runs the entry in the interpreter, the oracle of the differential tests, with at most
     * {@code fuel} steps; when the module uses a vmctx, one is laid out as described above over a
     * fresh zeroed heap and replaces {@code args[0]}.
     */
    public Outcome interpret(long[] args, long fuel) {
        InterpModule module = new InterpModule();
        for (Function f : functions) module.add(f);
        Interpreter interp = new Interpreter(module);
        interp.setFuel(fuel);
        long heap = 0;
        if (usesVmctx) {
            long vmctx = interp.memory().allocate(VMCTX_SIZE, 16);
            heap = interp.memory().allocate(HEAP_SIZE, 16);
            interp.memory().write(vmctx, 8, heap);
            interp.memory().write(vmctx + 8, 8, HEAP_SIZE);
            args[0] = vmctx;
        }
        InterpResult r = interp.call(entry().name, args);
        return new Outcome(r, heap == 0 ? new byte[0] : interp.memory().readBytes(heap, HEAP_SIZE));
    }
}
