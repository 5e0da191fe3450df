package dev.twill.wasm;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random WebAssembly text programs dense in arithmetic, conversions, control flow with values,
 * memory, globals and calls, for {@link BinaryenDifferentialTest}. binaryen's {@code -ttf}
 * spends most of its code on fuel checks and hashing memory; this generator spends it on deep
 * expression trees over edge-case constants (the values near which instruction selection,
 * immediates, shifts, division and float-to-int conversion go wrong), which is where a code
 * generator breaks.
 *
 * <p>Each program logs values through the {@code fuzzing-support} imports (as binaryen's own
 * generator does) and returns values, so binaryen's {@code --fuzz-exec} can serve as the oracle.
 * Deterministic by construction: NaN payloads and signs never reach an integer (no float store,
 * no float-to-int reinterpret, {@code copysign} only takes its sign from a non-NaN constant), and
 * function {@code i} calls only functions below {@code i}, so nothing recurses and every loop runs
 * at most a few times. No block or loop takes parameters: binaryen 108 cannot read them ("Block
 * requires more values than are available"), nor {@code table.fill}.
 */
final class RandomWat {
    private static final String[] INT_TYPES = {"i32", "i64"};
    private static final String[] TYPES = {"i32", "i64", "f32", "f64"};
    private static final int MEMORY_MASK = 0xFFF;

    private final SplittableRandom r;
    private final StringBuilder out = new StringBuilder();
    private final List<String[]> params = new ArrayList<>();
    private final List<String[]> results = new ArrayList<>();
    private int labels;
    /** Index of the function being generated: it may call functions below it. */
    private int current;
    /** Loop nesting of the statement being generated (each level has its own counter local). */
    private int loopDepth;
    /** Whether the current function may trap (one in four): the others run to their end. */
    private boolean trappy;
    /** How many expressions enclose the one being generated. */
    private int nesting;
    /** Which functions may trap; only the others are called, so a trap ends one export call only. */
    private boolean[] trappyFunctions;

    private RandomWat(long seed) {
        this.r = new SplittableRandom(seed);
    }

    /** The module text for {@code seed}. */
    static String module(long seed) {
        return new RandomWat(seed).generate();
    }

    private String generate() {
        int functions = 2 + r.nextInt(7);
        trappyFunctions = new boolean[functions];
        for (int i = 0; i < functions; i++) trappyFunctions[i] = r.nextInt(4) == 0;
        for (int i = 0; i < functions; i++) {
            // sometimes more parameters than argument registers, and results returned through memory
            params.add(randomTypes(r.nextInt(5) == 0 ? 4 + r.nextInt(12) : r.nextInt(4)));
            results.add(randomTypes(r.nextInt(6) == 0 ? 2 + r.nextInt(4) : r.nextInt(2)));
        }
        out.append("(module\n");
        for (String t : TYPES) out.append("  (import \"fuzzing-support\" \"log-").append(t).append("\" (func $log_").append(t).append(" (param ").append(t).append(")))\n");
        for (int i = 0; i < functions; i++) {
            out.append("  (type $sig").append(i).append(" (func").append(signature(i)).append("))\n");
        }
        out.append("  (memory 1 3)\n  (data (i32.const 0) \"");
        for (int i = 0; i < 512; i++) out.append(String.format("\\%02x", r.nextInt(256)));
        out.append("\")\n  (data $passive \"");
        for (int i = 0; i < 64; i++) out.append(String.format("\\%02x", r.nextInt(256)));
        out.append("\")\n");
        for (String t : TYPES) {
            for (int k = 0; k < 2; k++) out.append("  (global $g_").append(t).append(k).append(" (mut ").append(t).append(") ").append(constant(t, false)).append(")\n");
        }
        out.append("  (table $t1 ").append(functions).append(" funcref)\n  (elem (table $t1) (i32.const 0) func");
        for (int i = 0; i < functions; i++) out.append(" $f").append(i);
        out.append(")\n");
        // a second table for table.get/set/grow/fill and call_indirect through changing entries
        out.append("  (table $t2 ").append(2 + r.nextInt(4)).append(" 12 funcref)\n");
        out.append("  (elem (table $t2) (i32.const 0) func $f0)\n");
        for (int i = 0; i < functions; i++) function(i);
        digest();
        if (r.nextInt(3) == 0) {
            // a start function: what it logs and stores happens during instantiation
            current = functions;
            trappy = false;
            params.add(new String[0]);
            results.add(new String[0]);
            out.append("  (func $start\n");
            for (String t : TYPES) {
                for (int k = 0; k < 2; k++) out.append("    (local $l_").append(t).append(k).append(' ').append(t).append(')');
                out.append('\n');
            }
            for (int i = 0; i < 2 + r.nextInt(4); i++) {
                String t = TYPES[r.nextInt(4)];
                out.append("    (call $log_").append(t).append(' ').append(expr(t, 3)).append(")\n");
            }
            out.append("    (i32.store (i32.const 16) ").append(expr("i32", 3)).append(")\n  )\n  (start $start)\n");
        }
        out.append(")\n");
        return out.toString();
    }

    /**
     * The last export: logs a hash of the memory the stores reach (the first 4 KiB and above, and
     * the start of the second page) and every global, so a wrong store or global write shows even
     * when nothing reads it back.
     */
    private void digest() {
        out.append("  (func (export \"digest\") (local $a i32) (local $h i32)\n");
        for (int[] range : new int[][] {{0, 4200}, {65536, 65536 + 4200}}) {
            out.append("    (local.set $a (i32.const ").append(range[0]).append("))\n");
            out.append("    (block $done (loop $next\n");
            out.append("      (br_if $done (i32.ge_u (local.get $a) (i32.mul (memory.size) (i32.const 65536))))\n");
            out.append("      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load (local.get $a))))\n");
            out.append("      (br_if $next (i32.lt_u (local.tee $a (i32.add (local.get $a) (i32.const 4))) (i32.const ").append(range[1]).append("))))\n");
            out.append("    )\n");
        }
        out.append("    (call $log_i32 (local.get $h))\n");
        for (String t : TYPES) {
            for (int k = 0; k < 2; k++) {
                // a float global may hold a NaN: log it as a float, compared only as "a NaN"
                out.append("    (call $log_").append(t).append(" (global.get $g_").append(t).append(k).append("))\n");
            }
        }
        out.append("  )\n");
    }

    private String[] randomTypes(int n) {
        String[] ts = new String[n];
        for (int i = 0; i < n; i++) ts[i] = TYPES[r.nextInt(4)];
        return ts;
    }

    private String signature(int f) {
        StringBuilder s = new StringBuilder();
        if (params.get(f).length > 0) s.append(" (param ").append(String.join(" ", params.get(f))).append(')');
        if (results.get(f).length > 0) s.append(" (result ").append(String.join(" ", results.get(f))).append(')');
        return s.toString();
    }

    private void function(int f) {
        current = f;
        trappy = trappyFunctions[f];
        out.append("  (func $f").append(f).append(" (export \"f").append(f).append("\") (type $sig").append(f).append(')');
        String[] ps = params.get(f);
        for (int i = 0; i < ps.length; i++) out.append(" (param $p").append(i).append(' ').append(ps[i]).append(')');
        String[] rs = results.get(f);
        if (rs.length > 0) out.append(" (result ").append(String.join(" ", rs)).append(')');
        out.append('\n');
        for (String t : TYPES) {
            out.append("    (local $l_").append(t).append("0 ").append(t).append(") (local $l_").append(t).append("1 ").append(t).append(')');
            for (int k = 0; k < 6; k++) out.append(" (local $r_").append(t).append(k).append(' ').append(t).append(')');
            out.append('\n');
        }
        out.append("    (local $c0 i32) (local $c1 i32) (local $c2 i32)\n");
        int n = 3 + r.nextInt(10);
        for (int i = 0; i < n; i++) out.append("    ").append(statement(3)).append('\n');
        // a deep tree now and then: more live values than registers
        if (r.nextInt(3) == 0) {
            String t = TYPES[r.nextInt(4)];
            out.append("    (call $log_").append(t).append(' ').append(expr(t, 7)).append(")\n");
        }
        for (String t : rs) out.append("    ").append(expr(t, 4)).append('\n');
        out.append("  )\n");
    }

    private String statement(int depth) {
        int k = r.nextInt(depth > 0 ? 12 : 5);
        String t = TYPES[r.nextInt(4)];
        switch (k) {
            case 0, 1:
                return "(call $log_" + t + " " + expr(t, 4) + ")";
            case 2:
                return "(local.set " + local(t) + " " + expr(t, 4) + ")";
            case 3:
                return "(global.set $g_" + t + r.nextInt(2) + " " + expr(t, 3) + ")";
            case 4: {
                String it = INT_TYPES[r.nextInt(2)];
                String[] widths = it.equals("i32") ? new String[] {"", "8", "16"} : new String[] {"", "8", "16", "32"};
                String w = widths[r.nextInt(widths.length)];
                return "(" + it + ".store" + w + memarg(w.isEmpty() ? (it.equals("i32") ? 4 : 8) : Integer.parseInt(w) / 8, 16) + " " + address() + " " + expr(it, 3) + ")";
            }
            case 5:
                return "(if " + expr("i32", 3) + " (then " + statements(depth - 1) + ") (else " + statements(depth - 1) + "))";
            case 6: {
                if (loopDepth >= 3) return statement(0);
                String c = "$c" + loopDepth, b = label(), l = label();
                loopDepth++;
                String body = statements(depth - 1);
                String exit = r.nextBoolean() ? "(br_if " + b + " " + expr("i32", 2) + ") " : "";
                loopDepth--;
                return "(local.set " + c + " (i32.const 0)) (block " + b + " (loop " + l + " " + body + " " + exit
                        + "(br_if " + l + " (i32.lt_u (local.tee " + c + " (i32.add (local.get " + c + ") (i32.const 1))) (i32.const "
                        + (1 + r.nextInt(4)) + ")))))";
            }
            case 7: {
                String a = label(), b = label(), c = label();
                return "(block " + a + " (block " + b + " (block " + c + " (br_table " + c + " " + b + " " + a + " " + (r.nextBoolean() ? c : a)
                        + " " + expr("i32", 3) + ")) " + statements(depth - 1) + ") " + statements(depth - 1) + ")";
            }
            case 8: {
                // a call for its results, which are logged
                int g = callee();
                if (g < 0) return statement(0);
                String[] rs = results.get(g);
                StringBuilder s = new StringBuilder(call(g, r.nextInt(3) == 0));
                for (int i = rs.length - 1; i >= 0; i--) s.append(" local.set $r_").append(rs[i]).append(i);
                for (int i = 0; i < rs.length; i++) s.append(" (call $log_").append(rs[i]).append(" (local.get $r_").append(rs[i]).append(i).append("))");
                return s.toString();
            }
            case 9:
                if (r.nextBoolean()) return multiValue();
                if (r.nextInt(3) == 0) return earlyExit();
                return "(drop (memory.grow (i32.const " + r.nextInt(2) + ")))";
            case 10:
                if (trappy && r.nextBoolean()) return tableStatement();
                return memoryStatement();
            default:
                return memoryStatement();
        }
    }

    private String memoryStatement() {
        switch (r.nextInt(4)) {
            case 0:
                // in bounds of the 64-byte passive segment unless trappy (and until data.drop)
                if (trappy && r.nextInt(3) == 0) return "(data.drop $passive)";
                return "(memory.init $passive " + address() + " (i32.const " + r.nextInt(trappy ? 70 : 33) + ") (i32.const " + r.nextInt(trappy ? 70 : 32) + "))";
            default:
                return "(memory.fill " + address() + " (i32.const " + r.nextInt(256) + ") (i32.const " + r.nextInt(64) + "))"
                        + (r.nextBoolean() ? "" : " (memory.copy " + address() + " " + address() + " (i32.const " + r.nextInt(64) + "))");
        }
    }

    /**
     * A conditional early {@code return} (from inside whatever loops and blocks enclose it), or in
     * a trappy function sometimes {@code unreachable}; a typed {@code select} of references.
     */
    private String earlyExit() {
        if (trappy && r.nextInt(3) == 0) return "(if " + expr("i32", 2) + " (then unreachable))";
        if (r.nextInt(4) == 0) {
            String a = "(ref.func $f" + r.nextInt(params.size()) + ")";
            return "(call $log_i32 (ref.is_null (select (result funcref) " + (r.nextBoolean() ? a : "(ref.null func)") + " "
                    + (r.nextBoolean() ? a : "(ref.null func)") + " " + expr("i32", 2) + ")))";
        }
        StringBuilder ret = new StringBuilder("(return");
        for (String t : results.get(current)) ret.append(' ').append(expr(t, 2));
        return "(if " + expr("i32", 2) + " (then " + ret + ")))";
    }

    /** A multi-value block whose two results are logged. */
    private String multiValue() {
        String a = TYPES[r.nextInt(4)], b = TYPES[r.nextInt(4)];
        return "(block (result " + a + " " + b + ") " + expr(a, 3) + " " + expr(b, 3) + ") local.set $r_" + b + "1 local.set $r_" + a + "0"
                + " (call $log_" + a + " (local.get $r_" + a + "0)) (call $log_" + b + " (local.get $r_" + b + "1))";
    }

    /** Table operations on the second table, and calls through either table (which may trap). */
    private String tableStatement() {
        String index = r.nextInt(3) == 0 ? expr("i32", 2) : "(i32.const " + r.nextInt(14) + ")";
        String ref = r.nextBoolean() ? "(ref.null func)" : "(ref.func $f" + r.nextInt(params.size()) + ")";
        switch (r.nextInt(6)) {
            case 0:
                return "(table.set $t2 " + index + " " + ref + ")";
            case 1:
                return "(call $log_i32 (table.grow $t2 " + ref + " (i32.const " + r.nextInt(4) + ")))";
            case 2:
                return "(call $log_i32 (table.size $t2))";
            case 3:
                // (binaryen 108 cannot read table.fill)
                return "(call $log_i32 (ref.is_null " + ref + "))";
            case 4:
                return "(call $log_i32 (ref.is_null (table.get $t2 " + index + ")))";
            default: {
                // through a random entry of either table: a signature mismatch, a null or an index out of bounds trap
                int g = r.nextInt(params.size());
                if (g >= current) return "(call $log_i32 (table.size $t1))";
                StringBuilder c = new StringBuilder("(call_indirect " + (r.nextBoolean() ? "$t1" : "$t2") + " (type $sig" + g + ")");
                for (String p : params.get(g)) c.append(' ').append(expr(p, 1));
                c.append(' ').append(index).append(')');
                for (int i = 0; i < results.get(g).length; i++) c.append(" drop");
                return c.toString();
            }
        }
    }

    private String statements(int depth) {
        int n = r.nextInt(4);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) s.append(i == 0 ? "" : " ").append(statement(depth));
        return s.toString();
    }

    private String label() {
        return "$L" + labels++;
    }

    private String local(String t) {
        return "$l_" + t + r.nextInt(2);
    }

    /** Mostly an address inside the first 4 KiB; sometimes anything, to reach the bounds checks. */
    private String address() {
        if (trappy && r.nextInt(20) == 0) return expr("i32", 2);
        // next to the end of a memory of 1, 2 or 3 pages: exact bounds checks, and the bound after memory.grow
        if (trappy && r.nextInt(6) == 0) return "(i32.const " + ((1 + r.nextInt(3)) * 65536 - r.nextInt(40)) + ")";
        // one base, several offsets: what redundant bounds-check removal and GVN look for
        if (r.nextInt(5) == 0) {
            String base = (r.nextBoolean() ? "(local.get $l_i32" : "(global.get $g_i32") + r.nextInt(2) + ")";
            return trappy && r.nextBoolean() ? base : "(i32.and " + base + " (i32.const " + MEMORY_MASK + "))";
        }
        if (r.nextInt(30) == 0) return "(i32.add (i32.const 65536) (i32.and " + expr("i32", 1) + " (i32.const " + MEMORY_MASK + ")))";
        return "(i32.and " + expr("i32", 2) + " (i32.const " + MEMORY_MASK + "))";
    }

    /** A function below the current one that does not trap, or -1. */
    private int callee() {
        if (current == 0) return -1;
        int g = r.nextInt(current);
        return trappyFunctions[g] ? -1 : g;
    }

    private String call(int g, boolean indirect) {
        StringBuilder s = new StringBuilder(indirect ? "(call_indirect $t1 (type $sig" + g + ")" : "(call $f" + g);
        for (String p : params.get(g)) s.append(' ').append(expr(p, 2));
        if (indirect) s.append(" (i32.const ").append(g).append(')');
        return s.append(')').toString();
    }

    private String expr(String t, int depth) {
        // addresses and call arguments start new trees: bound the whole nest
        if (nesting > 10) return constant(t, true);
        nesting++;
        try {
            return exprAt(t, depth);
        } finally {
            nesting--;
        }
    }

    private String exprAt(String t, int depth) {
        if (depth <= 0 || r.nextInt(6) == 0) return leaf(t);
        int k = r.nextInt(20);
        if (k < 6) return binary(t, depth);
        if (k < 9) return unary(t, depth);
        if (k < 12) return conversion(t, depth);
        switch (k) {
            case 12:
                return "(select " + expr(t, depth - 1) + " " + expr(t, depth - 1) + " " + expr("i32", depth - 1) + ")";
            case 13:
                return "(if (result " + t + ") " + expr("i32", depth - 1) + " (then " + expr(t, depth - 1) + ") (else " + expr(t, depth - 1) + "))";
            case 14: {
                String b = label();
                return "(block " + b + " (result " + t + ") (drop (br_if " + b + " " + expr(t, depth - 1) + " " + expr("i32", depth - 1) + ")) "
                        + expr(t, depth - 1) + ")";
            }
            case 15:
                return "(local.tee " + local(t) + " " + expr(t, depth - 1) + ")";
            case 16: {
                if (t.equals("i32") && r.nextBoolean()) return compare(depth);
                int g = callee();
                if (g >= 0 && results.get(g).length == 1 && results.get(g)[0].equals(t)) return call(g, r.nextInt(3) == 0);
                return load(t);
            }
            case 17:
                return t.equals("i32") ? compare(depth) : binary(t, depth);
            case 18:
                if (r.nextBoolean()) {
                    // br_table carrying a value
                    String a = label(), b = label();
                    return "(block " + a + " (result " + t + ") (drop (block " + b + " (result " + t + ") (br_table " + b + " " + a + " " + a + " "
                            + expr(t, depth - 1) + " " + expr("i32", depth - 1) + "))) " + expr(t, depth - 1) + ")";
                }
                return load(t);
            default:
                return load(t);
        }
    }

    private String leaf(String t) {
        switch (r.nextInt(5)) {
            case 0, 1:
                return constant(t, true);
            case 2: {
                String[] ps = params.get(current);
                for (int i = 0; i < ps.length; i++) if (ps[i].equals(t) && r.nextBoolean()) return "(local.get $p" + i + ")";
                return "(local.get " + local(t) + ")";
            }
            case 3:
                if (t.equals("i32") && r.nextInt(4) == 0) return r.nextBoolean() ? "(memory.size)" : "(table.size $t1)";
                return "(global.get $g_" + t + r.nextInt(2) + ")";
            default:
                return load(t);
        }
    }

    private String load(String t) {
        String w = switch (t) {
            case "i32" -> new String[] {"", "8_s", "8_u", "16_s", "16_u"}[r.nextInt(5)];
            case "i64" -> new String[] {"", "8_s", "8_u", "16_s", "16_u", "32_s", "32_u"}[r.nextInt(7)];
            default -> "";
        };
        int bytes = w.isEmpty() ? (t.endsWith("32") ? 4 : 8) : Integer.parseInt(w.substring(0, w.indexOf('_'))) / 8;
        return "(" + t + ".load" + w + memarg(bytes, 32) + " " + address() + ")";
    }

    /**
     * An offset (in a trappy function sometimes one whose sum with the address passes 2^32 or
     * the memory's end) and an alignment hint, which must not change what an access does.
     */
    private String memarg(int bytes, int maxOffset) {
        long offset = r.nextInt(maxOffset);
        if (trappy && r.nextInt(8) == 0) offset = new long[] {65535, 65536 - bytes, 65537 - bytes, 0x7FFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFF0L}[r.nextInt(6)];
        String align = r.nextInt(4) == 0 ? " align=" + (1 << r.nextInt(Integer.numberOfTrailingZeros(bytes) + 1)) : "";
        return " offset=" + offset + align;
    }

    private String binary(String t, int depth) {
        String a = expr(t, depth - 1), b;
        String op;
        if (t.startsWith("i")) {
            op = new String[] {"add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"}[r.nextInt(15)];
            b = expr(t, depth - 1);
            // keep most divisions from trapping, so the function runs on
            if (op.startsWith("div") || op.startsWith("rem")) {
                if (!trappy || r.nextInt(4) != 0) b = "(" + t + ".or " + b + " (" + t + ".const 1))";
            }
        } else {
            op = new String[] {"add", "sub", "mul", "div", "min", "max", "copysign"}[r.nextInt(7)];
            // copysign's sign must not come from a NaN, whose sign is nondeterministic
            b = op.equals("copysign") ? nonNaNConstant(t) : expr(t, depth - 1);
        }
        return "(" + t + "." + op + " " + a + " " + b + ")";
    }

    private String unary(String t, int depth) {
        String a = expr(t, depth - 1);
        if (t.equals("i32")) return "(i32." + new String[] {"clz", "ctz", "popcnt", "extend8_s", "extend16_s", "eqz"}[r.nextInt(6)] + " " + a + ")";
        if (t.equals("i64")) return "(i64." + new String[] {"clz", "ctz", "popcnt", "extend8_s", "extend16_s", "extend32_s"}[r.nextInt(6)] + " " + a + ")";
        return "(" + t + "." + new String[] {"abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"}[r.nextInt(7)] + " " + a + ")";
    }

    private String compare(int depth) {
        String t = TYPES[r.nextInt(4)];
        String op = t.startsWith("i")
                ? new String[] {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"}[r.nextInt(10)]
                : new String[] {"eq", "ne", "lt", "gt", "le", "ge"}[r.nextInt(6)];
        if (t.equals("i64") && r.nextInt(5) == 0) return "(i64.eqz " + expr(t, depth - 1) + ")";
        return "(" + t + "." + op + " " + expr(t, depth - 1) + " " + expr(t, depth - 1) + ")";
    }

    private String conversion(String t, int depth) {
        String from = TYPES[r.nextInt(4)];
        String a = expr(from, depth - 1);
        switch (t) {
            case "i32":
                return switch (from) {
                    case "i32" -> "(i32.wrap_i64 (i64.extend_i32_" + (r.nextBoolean() ? "s" : "u") + " " + a + "))";
                    case "i64" -> "(i32.wrap_i64 " + a + ")";
                    default -> "(i32.trunc_" + (trappy && r.nextInt(6) == 0 ? "" : "sat_") + from + "_" + (r.nextBoolean() ? "s" : "u") + " " + a + ")";
                };
            case "i64":
                return switch (from) {
                    case "i32" -> "(i64.extend_i32_" + (r.nextBoolean() ? "s" : "u") + " " + a + ")";
                    case "i64" -> "(i64.extend32_s " + a + ")";
                    default -> "(i64.trunc_" + (trappy && r.nextInt(6) == 0 ? "" : "sat_") + from + "_" + (r.nextBoolean() ? "s" : "u") + " " + a + ")";
                };
            default:
                return switch (from) {
                    case "i32", "i64" -> (r.nextInt(6) == 0 && from.equals(t.equals("f32") ? "i32" : "i64"))
                            ? "(" + t + ".reinterpret_" + from + " " + a + ")"
                            : "(" + t + ".convert_" + from + "_" + (r.nextBoolean() ? "s" : "u") + " " + a + ")";
                    case "f32" -> t.equals("f32") ? "(f32.demote_f64 (f64.promote_f32 " + a + "))" : "(f64.promote_f32 " + a + ")";
                    default -> t.equals("f64") ? "(f64.promote_f32 (f32.demote_f64 " + a + "))" : "(f32.demote_f64 " + a + ")";
                };
        }
    }

    private static final long[] INT_EDGES = {
        0, 1, -1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L, -0x8000_0000L, -0x8000_0001L,
        Long.MAX_VALUE, Long.MIN_VALUE, 0x5555_5555_5555_5555L, 0x0123_4567_89AB_CDEFL,
    };

    private static final double[] FLOAT_EDGES = {
        0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0x1p31, -0x1p31, 0x1p32, 0x1p63, -0x1p63, 0x1p64,
        2147483520.0, 2147483647.0, 2147483648.0, 4294967295.0, 4294967296.0, -2147483649.0, 9.223372036854775E18,
        Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, Double.MAX_VALUE, Double.MIN_VALUE,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 0.1, -1e-300, 1e300,
    };

    private String constant(String t, boolean allowNaN) {
        boolean edge = r.nextInt(3) != 0;
        switch (t) {
            case "i32":
                return "(i32.const " + (edge ? (int) INT_EDGES[r.nextInt(INT_EDGES.length)] : r.nextInt(3) == 0 ? r.nextInt(100) : r.nextInt()) + ")";
            case "i64":
                return "(i64.const " + (edge ? INT_EDGES[r.nextInt(INT_EDGES.length)] : r.nextInt(3) == 0 ? r.nextInt(100) : r.nextLong()) + ")";
            case "f32": {
                float f = edge ? (float) FLOAT_EDGES[r.nextInt(FLOAT_EDGES.length)] : Float.intBitsToFloat(r.nextInt());
                if (Float.isNaN(f) && !allowNaN) f = 1.25f;
                return "(f32.const " + floatText(f) + ")";
            }
            default: {
                double d = edge ? FLOAT_EDGES[r.nextInt(FLOAT_EDGES.length)] : Double.longBitsToDouble(r.nextLong());
                if (Double.isNaN(d) && !allowNaN) d = -3.75;
                return "(f64.const " + doubleText(d) + ")";
            }
        }
    }

    private String nonNaNConstant(String t) {
        return constant(t, false);
    }

    private static String floatText(float f) {
        if (Float.isNaN(f)) {
            int bits = Float.floatToRawIntBits(f);
            return (bits < 0 ? "-" : "") + "nan:0x" + Integer.toHexString(bits & 0x7F_FFFF);
        }
        if (Float.isInfinite(f)) return f > 0 ? "inf" : "-inf";
        return Float.toHexString(f);
    }

    private static String doubleText(double d) {
        if (Double.isNaN(d)) {
            long bits = Double.doubleToRawLongBits(d);
            return (bits < 0 ? "-" : "") + "nan:0x" + Long.toHexString(bits & 0xF_FFFF_FFFF_FFFFL);
        }
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        return Double.toHexString(d);
    }
}
