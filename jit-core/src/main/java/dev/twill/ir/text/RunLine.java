package dev.twill.ir.text;

import dev.twill.CompileError;
import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;

/**
 * A {@code ; run:} directive of a filetest, with its values converted to raw bits by the callee's
 * signature: integers masked to their width, {@code f32} as its 32 raw bits, {@code f64} as its
 * 64 raw bits, {@code true}/{@code false} as 1/0. The forms, as in Cranelift's run tests:
 * <pre>
 * run: %f(1, 2) == 3           the result equals 3
 * run: %f(-1, 0x10) != 5       the result differs from 5
 * run: %f(1) == [1, 2]         several results
 * run: %f() == -0x1.8p2        float results compare by bits (the runner decides about NaNs)
 * run: %f(true) == false       booleans are 1 and 0
 * run: %f(0) traps int_divz    the call traps with this code
 * run: %f(3)                   the single integer result is non-zero ("true")
 * run                          Cranelift's bare form: the owning function, no arguments, a non-zero result
 * </pre>
 * Errors are {@link CompileError}s located inside the comment.
 */
public final class RunLine {
    /** What the directive expects of the call. */
    public enum Kind { EQUALS, NOT_EQUALS, TRAPS, TRUE }

    /** The callee's name with its sigil ({@code %f}). */
    public final String function;
    public final Signature signature;
    /**
     * The arguments as raw bits, one slot per signature parameter and two for an {@code i128}
     * (low half first, {@link Type#slots}); a vmctx parameter is left 0 for the runner to fill,
     * unless the line gave it ({@link #vmctxGiven}).
     */
    public final long[] args;
    /**
     * The line passed every parameter, the vmctx one included, as Cranelift's run tests do
     * ({@code run: %f(0) == 0} for {@code %f(i64 vmctx)}); the runner then passes that value
     * instead of a context of its own.
     */
    public final boolean vmctxGiven;
    /** Expected result bits, slots as in {@link #args}, for {@link Kind#EQUALS} and {@link Kind#NOT_EQUALS}; else empty. */
    public final long[] expected;
    /** The expected trap code for {@link Kind#TRAPS}, else -1. */
    public final int trapCode;
    public final Kind kind;
    /** Where the directive is, for the runner's failure messages. */
    public final int line, column;

    private RunLine(String function, Signature signature, long[] args, boolean vmctxGiven, long[] expected, int trapCode,
                    Kind kind, int line, int column) {
        this.function = function;
        this.signature = signature;
        this.args = args;
        this.vmctxGiven = vmctxGiven;
        this.expected = expected;
        this.trapCode = trapCode;
        this.kind = kind;
        this.line = line;
        this.column = column;
    }

    /** True if a comment's text is a run directive ({@code run} or {@code run: ...}). */
    public static boolean isRunLine(String commentText) {
        return commentText.equals("run") || commentText.startsWith("run:");
    }

    /** Parses a run comment of {@code owner}; the callee is looked up among the file's functions. */
    public static RunLine parse(TestFile file, TestFunction owner, TestFile.Comment comment) {
        return parse(comment.text(), file.sourceName(), comment.line(), comment.column(), name -> {
            TestFunction tf = file.function(name);
            return tf == null ? null : tf.function().signature;
        }, owner.function().name);
    }

    /**
     * Parses {@code text} (the comment after its {@code ;}, trimmed), which starts at {@code
     * line:column}. {@code signatures} maps a function name to its signature or null;
     * {@code ownerName} is the function a bare {@code run} calls.
     */
    public static RunLine parse(String text, String sourceName, int line, int column,
                                java.util.function.Function<String, Signature> signatures, String ownerName) {
        Lexer lex = new Lexer(text, 0, text.length(), line, column, null);
        lex.next();
        if (!lex.isWord("run")) throw CompileError.at(sourceName, lex.line, lex.column, "expected 'run', found " + lex.describe());
        lex.next();
        if (lex.kind == Lexer.EOF) {
            Signature sig = signatures.apply(ownerName);
            if (sig == null) throw CompileError.at(sourceName, line, column, "unknown function " + ownerName);
            if (sig.params.length != 0 || sig.returns.length != 1 || !Type.isInt(sig.returns[0])) {
                throw CompileError.at(sourceName, line, column,
                        "a bare 'run' needs a function without parameters returning one integer; " + ownerName + " is " + sig);
            }
            return new RunLine(ownerName, sig, new long[0], false, new long[0], -1, Kind.TRUE, line, column);
        }
        expect(lex, Lexer.COLON, sourceName);
        if (lex.kind != Lexer.NAME && lex.kind != Lexer.USER_NAME) {
            throw CompileError.at(sourceName, lex.line, lex.column, "expected a function name, found " + lex.describe());
        }
        String name = lex.text();
        Signature sig = signatures.apply(name);
        if (sig == null) throw CompileError.at(sourceName, lex.line, lex.column, "unknown function " + name);
        lex.next();
        int argLine = lex.line, argCol = lex.column;
        expect(lex, Lexer.LPAREN, sourceName);
        // Twill's run lines leave the vmctx parameter out for the runner to supply; Cranelift's
        // give every parameter. The number of arguments tells which (values hold no commas or
        // parentheses, so the text between the parentheses counts them).
        int all = sig.params.length, explicit = 0;
        for (int k = 0; k < all; k++) if (sig.paramPurposes[k] != Signature.PURPOSE_VMCTX) explicit++;
        boolean vmctxGiven = explicit != all && countArguments(text, name) == all;
        int expectedCount = vmctxGiven ? all : explicit;
        long[] args = new long[Type.slots(sig.params)];
        int n = 0, slot = 0;
        if (lex.kind != Lexer.RPAREN) {
            do {
                if (n >= expectedCount) {
                    throw CompileError.at(sourceName, lex.line, lex.column, name + " takes " + describeArity(explicit, all) + " arguments");
                }
                if (!vmctxGiven) while (sig.paramPurposes[slot] == Signature.PURPOSE_VMCTX) slot++;
                value(lex, sig.params[slot], sourceName, args, Type.slotOf(sig.params, slot));
                slot++;
                n++;
            } while (accept(lex, Lexer.COMMA));
        }
        expect(lex, Lexer.RPAREN, sourceName);
        if (n != expectedCount) {
            throw CompileError.at(sourceName, argLine, argCol, name + " takes " + describeArity(explicit, all) + " arguments, " + n + " given");
        }
        Kind kind;
        long[] expected = new long[0];
        int trap = -1;
        if (lex.kind == Lexer.EQEQ || lex.kind == Lexer.NOTEQ) {
            kind = lex.kind == Lexer.EQEQ ? Kind.EQUALS : Kind.NOT_EQUALS;
            lex.next();
            expected = new long[Type.slots(sig.returns)];
            int resLine = lex.line, resCol = lex.column;
            int m = 0;
            boolean list = accept(lex, Lexer.LBRACKET);
            if (!list || lex.kind != Lexer.RBRACKET) {
                do {
                    if (m >= sig.returns.length) {
                        throw CompileError.at(sourceName, lex.line, lex.column, name + " returns " + sig.returns.length + " values");
                    }
                    value(lex, sig.returns[m], sourceName, expected, Type.slotOf(sig.returns, m));
                    m++;
                } while (list && accept(lex, Lexer.COMMA));
            }
            if (list) expect(lex, Lexer.RBRACKET, sourceName);
            if (m != sig.returns.length) {
                throw CompileError.at(sourceName, resLine, resCol, name + " returns " + sig.returns.length + " values, " + m + " given");
            }
        } else if (lex.isWord("traps")) {
            kind = Kind.TRAPS;
            lex.next();
            trap = trapCode(lex, sourceName);
        } else if (lex.kind == Lexer.EOF) {
            kind = Kind.TRUE;
            if (sig.returns.length != 1 || !Type.isInt(sig.returns[0])) {
                throw CompileError.at(sourceName, lex.line, lex.column, "expected '==', '!=' or 'traps' (" + name + " does not return one integer)");
            }
        } else {
            throw CompileError.at(sourceName, lex.line, lex.column, "expected '==', '!=' or 'traps', found " + lex.describe());
        }
        if (lex.kind != Lexer.EOF) throw CompileError.at(sourceName, lex.line, lex.column, "unexpected " + lex.describe());
        return new RunLine(name, sig, args, vmctxGiven, expected, trap, kind, line, column);
    }

    /** The number of comma-separated arguments between the parentheses after {@code name}, or -1. */
    private static int countArguments(String text, String name) {
        int open = text.indexOf('(', text.indexOf(name) + name.length());
        int close = open < 0 ? -1 : text.indexOf(')', open);
        if (close < 0) return -1;
        String inner = text.substring(open + 1, close).strip();
        if (inner.isEmpty()) return 0;
        int commas = 0;
        for (int k = 0; k < inner.length(); k++) if (inner.charAt(k) == ',') commas++;
        return commas + 1;
    }

    private static String describeArity(int explicit, int all) {
        return explicit == all ? String.valueOf(all) : explicit + " (or, with the vmctx, " + all + ")";
    }

    private static void expect(Lexer lex, int kind, String source) {
        if (lex.kind != kind) {
            throw CompileError.at(source, lex.line, lex.column, "expected " + Lexer.kindName(kind) + ", found " + lex.describe());
        }
        lex.next();
    }

    private static boolean accept(Lexer lex, int kind) {
        if (lex.kind != kind) return false;
        lex.next();
        return true;
    }

    /** A value of {@code type} as raw bits into {@code out[at]} (and {@code out[at + 1]}, the high half of an i128). */
    private static void value(Lexer lex, int type, String source, long[] out, int at) {
        int line = lex.line, col = lex.column;
        if (type == Type.I128) {
            boolean negative = lex.kind == Lexer.MINUS;
            if (negative) lex.next();
            if (lex.isWord("true") || lex.isWord("false")) {
                out[at] = lex.isWord("true") ? 1 : 0;
                lex.next();
                return;
            }
            if (lex.kind != Lexer.NUMBER) throw CompileError.at(source, line, col, "expected an integer, found " + lex.describe());
            try {
                long[] v = Literals.parseInt128((negative ? "-" : "") + lex.text());
                out[at] = v[0];
                out[at + 1] = v[1];
                lex.next();
                return;
            } catch (IllegalArgumentException e) {
                throw CompileError.at(source, line, col, e.getMessage());
            }
        }
        out[at] = value(lex, type, source);
    }

    /** A value of a type of at most 64 bits as raw bits. */
    private static long value(Lexer lex, int type, String source) {
        int line = lex.line, col = lex.column;
        if (Type.isInt(type)) {
            if (lex.isWord("true") || lex.isWord("false")) {
                long v = lex.isWord("true") ? 1 : 0;
                lex.next();
                return v;
            }
            if (lex.kind != Lexer.NUMBER) throw CompileError.at(source, line, col, "expected an integer, found " + lex.describe());
            try {
                long v = Literals.parseInt(lex.text(), Type.laneBits(type));
                lex.next();
                return v;
            } catch (IllegalArgumentException e) {
                throw CompileError.at(source, line, col, e.getMessage());
            }
        }
        if (Type.isFloat(type)) {
            if (lex.kind != Lexer.NUMBER && lex.kind != Lexer.IDENT && lex.kind != Lexer.PLUS && lex.kind != Lexer.MINUS) {
                throw CompileError.at(source, line, col, "expected a float, found " + lex.describe());
            }
            String s = Parser.readFloatText(lex);
            try {
                return type == Type.F32 ? Literals.parseF32(s) & 0xFFFF_FFFFL : Literals.parseF64(s);
            } catch (IllegalArgumentException e) {
                throw CompileError.at(source, line, col, e.getMessage());
            }
        }
        throw CompileError.at(source, line, col, "values of type " + Type.name(type) + " are not supported in run lines");
    }

    private static int trapCode(Lexer lex, String source) {
        int line = lex.line, col = lex.column;
        if (lex.kind != Lexer.IDENT) throw CompileError.at(source, line, col, "expected a trap code, found " + lex.describe());
        String name = lex.text();
        lex.next();
        if (name.equals("user") && lex.kind == Lexer.LPAREN) {
            lex.next();
            if (lex.kind != Lexer.NUMBER) throw CompileError.at(source, lex.line, lex.column, "expected a number, found " + lex.describe());
            name = "user(" + lex.text() + ")";
            lex.next();
            expect(lex, Lexer.RPAREN, source);
        }
        int code = TrapCode.parse(name);
        if (code < 0) throw CompileError.at(source, line, col, "unknown trap code '" + name + "'");
        return code;
    }
}
