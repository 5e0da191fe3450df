package dev.twill.filetest;

import dev.twill.CompileError;
import dev.twill.interp.InterpModule;
import dev.twill.interp.InterpResult;
import dev.twill.interp.Interpreter;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.ir.text.RunLine;
import dev.twill.ir.text.TestFile;
import dev.twill.ir.text.TestFunction;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes {@code ; run:} lines in the interpreter and judges the outcome.
 *
 * <p>Memory set-up follows Cranelift's run tests: each {@code ; heap: static, size=N,
 * ptr=vmctx+P, bound=vmctx+B} directive of the called function allocates a zeroed heap of N
 * bytes, stores its base at vmctx+P and N at vmctx+B; the vmctx parameter is then passed
 * implicitly (run lines leave it out). Every run line gets fresh memory.
 *
 * <p>The directive parsing, {@link #judge} and {@link #sameValues} are public so that the back
 * ends' native runners set up memory and judge outcomes by exactly the same rules.
 */
public final class RunLineExecutor {
    private RunLineExecutor() {}

    /** A parsed {@code ; heap:} directive. */
    public record HeapDirective(long size, long ptrOffset, long boundOffset) {}

    /** The {@code ; heap:} directives of {@code tf}; a malformed one is a CompileError. */
    public static List<HeapDirective> heapDirectives(TestFile file, TestFunction tf) {
        List<HeapDirective> out = new ArrayList<>();
        for (TestFile.Comment c : tf.directives("heap")) {
            long size = -1, ptr = -1, bound = -1;
            String body = c.text().substring("heap".length()).replaceFirst("^\\s*:", "");
            for (String part : body.split(",")) {
                String p = part.strip();
                if (p.equals("static") || p.equals("dynamic")) continue;
                int eq = p.indexOf('=');
                if (eq < 0) throw CompileError.at(file.sourceName(), c.line(), c.column(), "bad heap directive item '" + p + "'");
                String key = p.substring(0, eq).strip(), val = p.substring(eq + 1).strip();
                switch (key) {
                    case "size" -> size = number(file, c, val);
                    case "ptr" -> ptr = vmctxOffset(file, c, val);
                    case "bound" -> bound = vmctxOffset(file, c, val);
                    default -> throw CompileError.at(file.sourceName(), c.line(), c.column(), "unknown heap directive key '" + key + "'");
                }
            }
            if (size < 0 || ptr < 0 || bound < 0) {
                throw CompileError.at(file.sourceName(), c.line(), c.column(), "heap directive needs size=, ptr=vmctx+N and bound=vmctx+N");
            }
            out.add(new HeapDirective(size, ptr, bound));
        }
        return out;
    }

    private static long number(TestFile file, TestFile.Comment c, String s) {
        try {
            String t = s.replace("_", "");
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw CompileError.at(file.sourceName(), c.line(), c.column(), "bad number '" + s + "' in heap directive");
        }
    }

    private static long vmctxOffset(TestFile file, TestFile.Comment c, String s) {
        if (!s.startsWith("vmctx")) throw CompileError.at(file.sourceName(), c.line(), c.column(), "expected vmctx+N, found '" + s + "'");
        String rest = s.substring(5).strip();
        if (rest.isEmpty()) return 0;
        if (!rest.startsWith("+")) throw CompileError.at(file.sourceName(), c.line(), c.column(), "expected vmctx+N, found '" + s + "'");
        return number(file, c, rest.substring(1).strip());
    }

    /** Runs the line in a fresh interpreter over {@code module}. */
    public static InterpResult execute(InterpModule module, RunLine run, List<HeapDirective> heaps) {
        Interpreter interp = new Interpreter(module);
        interp.setFuel(50_000_000);
        long[] args = run.args.clone();
        int vmctxParam = run.vmctxGiven ? -1 : Type.slotOf(run.signature.params, run.signature.vmctxParam());
        if (vmctxParam >= 0) {
            long size = 64;
            for (HeapDirective h : heaps) size = Math.max(size, Math.max(h.ptrOffset, h.boundOffset) + 8);
            long vmctx = interp.memory().allocate(size, 16);
            for (HeapDirective h : heaps) {
                long base = interp.memory().allocate(h.size, 16);
                interp.memory().write(vmctx + h.ptrOffset, 8, base);
                interp.memory().write(vmctx + h.boundOffset, 8, h.size);
            }
            args[vmctxParam] = vmctx;
        }
        return interp.call(run.function, args);
    }

    /** Returns null if {@code result} satisfies the run line, else why not. */
    public static String judge(RunLine run, InterpResult result) {
        if (result.isOutOfFuel()) return "ran out of fuel (endless loop?)";
        switch (run.kind) {
            case TRAPS:
                if (result.trapped() && result.trapCode() == run.trapCode) return null;
                return "expected trap " + dev.twill.ir.TrapCode.name(run.trapCode) + ", got " + result;
            case TRUE:
                if (result.returned() && ((result.value(0) & Type.mask(run.signature.returns[0])) != 0
                        || (run.signature.returns[0] == Type.I128 && result.value(1) != 0))) return null;
                return "expected a true (non-zero) result, got " + result;
            default: {
                if (!result.returned()) return "expected values, got " + result;
                boolean equal = sameValues(run.signature, run.expected, result.values());
                if (equal == (run.kind == RunLine.Kind.EQUALS)) return null;
                return "expected " + (run.kind == RunLine.Kind.EQUALS ? "" : "not ") + format(run.signature, run.expected)
                        + ", got " + format(run.signature, result.values());
            }
        }
    }

    /**
     * Integers compare at their width; a NaN matches any NaN; other floats compare by bits.
     * Values are slots ({@link Type#slots}): an i128 is two, compared whole.
     */
    public static boolean sameValues(Signature sig, long[] expected, long[] actual) {
        if (expected.length != actual.length) return false;
        for (int k = 0; k < expected.length; k++) {
            int t = slotType(sig, k);
            long e = expected[k], a = actual[k];
            if (t == Type.F32) {
                if (Float.isNaN(Float.intBitsToFloat((int) e)) && Float.isNaN(Float.intBitsToFloat((int) a))) continue;
                if ((int) e != (int) a) return false;
            } else if (t == Type.F64) {
                if (Double.isNaN(Double.longBitsToDouble(e)) && Double.isNaN(Double.longBitsToDouble(a))) continue;
                if (e != a) return false;
            } else if ((e & Type.mask(t)) != (a & Type.mask(t))) {
                return false;
            }
        }
        return true;
    }

    /** The type of raw slot {@code slot} of {@code sig}'s results: both halves of an i128 read as i64. */
    private static int slotType(Signature sig, int slot) {
        for (int t : sig.returns) {
            int n = Type.slots(t);
            if (slot < n) return t == Type.I128 ? Type.I64 : t;
            slot -= n;
        }
        return Type.I64;
    }

    /** The values as the text format writes them, typed by {@code sig}'s results. */
    public static String format(Signature sig, long[] values) {
        StringBuilder sb = new StringBuilder("[");
        int n = sig.returns.length == 0 ? values.length : Math.min(sig.returns.length, values.length);
        for (int k = 0, slot = 0; k < n && slot < values.length; k++, slot++) {
            if (k > 0) sb.append(", ");
            int t = k < sig.returns.length ? sig.returns[k] : Type.I64;
            long v = values[slot];
            if (t == Type.I128 && slot + 1 < values.length) {
                java.math.BigInteger big = new java.math.BigInteger(Long.toUnsignedString(values[slot + 1]))
                        .shiftLeft(64).or(new java.math.BigInteger(Long.toUnsignedString(v)));
                sb.append(big.bitLength() <= 13 ? big.toString() : "0x" + big.toString(16));
                slot++;
                continue;
            }
            if (t == Type.F32) sb.append(dev.twill.ir.text.FloatText.formatF32((int) v));
            else if (t == Type.F64) sb.append(dev.twill.ir.text.FloatText.formatF64(v));
            else sb.append(dev.twill.ir.text.Printer.formatImm(v & Type.mask(t)));
        }
        return sb.append(']').toString();
    }
}
