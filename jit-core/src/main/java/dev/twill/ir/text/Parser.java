package dev.twill.ir.text;

import dev.twill.CompileError;
import dev.twill.entity.IntVec;
import dev.twill.ir.AtomicRmwOp;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstructionFormat;
import dev.twill.ir.IntCC;
import dev.twill.ir.Layout;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the IR text format: everything {@link Printer} writes, plus the alternatives CLIF
 * allows for scalar code, so that CLIF written for Cranelift parses unchanged. Lossless: for
 * canonical text, {@code Printer.print(parse(text))} is {@code text}.
 *
 * <p><b>Grammar</b> (newlines matter only in the header and for {@code return}'s optional
 * operands, which must start on the {@code return} line):
 * <pre>
 * file      ::= { "test" name rest | "target" isa rest | "set" {key["="value]} } function+
 * function  ::= "function" (%name | uN:M) signature "{" {decl} {block} "}"
 * signature ::= "(" [param {"," param}] ")" ["->" param {"," param}] [callconv]
 * param     ::= type {"uext" | "sext" | "vmctx"}
 * decl      ::= ssN "=" "explicit_slot" size ["," "align" "=" n]
 *             | gvN "=" "vmctx" | "load." type {flag} gvM[offset] | "iadd_imm." type gvM "," imm
 *                     | "symbol" ["colocated"] name[offset]
 *             | heapN "=" ("static" | "dynamic") gvM {"," ("min" imm | "bound" (imm | gvK)
 *                     | "offset_guard" imm | "index_type" type | "reserved" imm)}
 *             | tableN "=" "dynamic" gvM {"," ("min" imm | "bound" gvK | "element_size" imm | "index_type" type)}
 *             | sigN "=" signature
 *             | fnN "=" ["colocated"] name (sigM | signature)
 *             | jtN "=" "jump_table" "[" [blockM {"," blockM}] "]"        (old CLIF)
 * block     ::= blockN ["(" vK ":" type {"," vK ":" type} ")"] ["cold"] ":" {inst | alias}
 * alias     ::= vN "->" vM
 * inst      ::= [vN {"," vN} "="] opcode ["." type] operands       (operands by format, as printed)
 * </pre>
 *
 * <p><b>Algorithm</b>: one recursive-descent pass with one token of lookahead ({@link Lexer})
 * builds the data-flow graph directly, keeping the value and block numbers of the text
 * ({@link DataFlowGraph#ensureValue}, {@link DataFlowGraph#attachResult}). Values may be used
 * before their definition (loops, blocks laid out out of dominance order), so a second pass
 * infers controlling types: an instruction without a type suffix takes the type of its type
 * operand ({@link Printer#typeOperand}), whose own definition may come later in the text. The
 * pass visits each instruction once with an explicit stack (a chain of 100,000 forward
 * references must neither recurse nor go quadratic) and reports a cycle as an error.
 * Result types mirror {@link dev.twill.ir.InstBuilder}: {@code icmp}/{@code fcmp} yield {@code
 * i8}, calls take their signature's returns, everything else its controlling type.
 *
 * <p>Entity declarations may come in any order but their numbers must be dense; an {@code fn}
 * with an inline signature gets an anonymous {@code sig} numbered after the declared ones.
 *
 * <p><b>Errors</b>: every problem is a {@link CompileError} at {@code source:line:column}
 * naming what is wrong; malformed input never escapes as another exception. Entity numbers are
 * capped ({@link #maxEntity}) so that {@code v999999999} cannot make the parser allocate
 * gigabytes of placeholders.
 */
public final class Parser {
    private static final String[] CALL_CONVS = {
        "fast", "cold", "tail", "system_v", "windows_fastcall", "apple_aarch64", "probestack",
        "wasmtime_system_v", "wasmtime_fastcall", "wasmtime_apple_aarch64", "winch", "patchable",
        "preserve_all", "baldrdash_system_v", "baldrdash_windows", "baldrdash_2020",
    };
    private static final String[] ENTITY_PREFIXES = {
        "v", "block", "ss", "gv", "heap", "table", "sig", "fn", "jt", "const", "inst",
    };
    private static final String[] MEM_FLAGS = {"notrap", "aligned", "readonly", "little", "big"};

    // preamble entity kinds
    private static final int K_SS = 0, K_GV = 1, K_HEAP = 2, K_TABLE = 3, K_SIG = 4, K_FN = 5, K_JT = 6;
    private static final String[] K_PREFIX = {"ss", "gv", "heap", "table", "sig", "fn", "jt"};
    private static final String[] K_WHAT = {"stack slot", "global value", "heap", "table", "signature", "function reference", "jump table"};

    private final String text;
    private final String source;
    /** Largest entity number accepted (see the class comment). */
    private final int maxEntity;
    private final List<TestFile.Comment> comments = new ArrayList<>();
    private Lexer lex;

    // ---- per-function state
    private Function f;
    private DataFlowGraph dfg;
    private Layout layout;
    /** First use of each value, 0 if never used; for "undefined value" errors. */
    private int[] useLine = new int[256], useCol = new int[256];
    /** First reference of each block, 0 if never referenced. */
    private int[] blockRefLine = new int[32], blockRefCol = new int[32];
    /** The line of each block's header, for the source map handed to the filetest runner. */
    private int[] blockLine = new int[32];
    /** Location of each instruction's opcode, and the type suffix written on instructions that need none. */
    private int[] instLine = new int[256], instCol = new int[256], instSuffix = new int[256];
    /** Aliases as (value, line, column) triples. */
    private final IntVec aliases = new IntVec();
    /** Jump tables of old CLIF ({@code jt0 = jump_table [...]}): their blocks. */
    private final List<int[]> jumpTableDecls = new ArrayList<>();
    /** Results named before {@code =}: value, line, column triples. */
    private final IntVec results = new IntVec();
    private final IntVec values = new IntVec();
    private final IntVec calls = new IntVec();
    private final IntVec stack = new IntVec();
    /** How much of {@link #useLine} and {@link #blockRefLine} the previous function may have set. */
    private int clearValues, clearBlocks;

    private Parser(String text, String source) {
        this.text = text;
        this.source = source;
        this.maxEntity = Math.max(1 << 20, text.length());
    }

    /** Parses a filetest file: header lines, then one or more functions. */
    public static TestFile parseFile(String text, String sourceName) {
        return new Parser(text, sourceName).file();
    }

    /** Parses text holding exactly one function (header lines are allowed and ignored). */
    public static Function parseFunction(String text) {
        return parseFunction(text, null);
    }

    public static Function parseFunction(String text, String sourceName) {
        TestFile file = parseFile(text, sourceName);
        if (file.functions().size() != 1) {
            TestFunction second = file.functions().get(1);
            throw CompileError.at(sourceName, second.firstLine(), 1, "expected exactly one function, found " + file.functions().size());
        }
        return file.functions().get(0).function();
    }

    // =====================================================================================
    // File and header

    private TestFile file() {
        List<TestFile.Command> commands = new ArrayList<>();
        List<TestFile.Target> targets = new ArrayList<>();
        List<TestFile.Setting> settings = new ArrayList<>();
        int n = text.length();
        int pos = 0, line = 1;
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) eol = n;
            int contentEnd = pos;
            while (contentEnd < eol && text.charAt(contentEnd) != ';') contentEnd++;
            int ws = skipSpace(pos, contentEnd);
            int we = ws;
            while (we < contentEnd && text.charAt(we) > ' ') we++;
            int ie = ws;
            while (ie < contentEnd && Lexer.isIdentPart(text.charAt(ie))) ie++;
            if (text.startsWith("function", ws) && ie == ws + 8) break;
            if (contentEnd < eol) {
                int t = skipSpace(contentEnd + 1, eol);
                int e = eol;
                while (e > t && text.charAt(e - 1) <= ' ') e--;
                comments.add(new TestFile.Comment(line, t - pos + 1, text.substring(t, e)));
            }
            if (ws < contentEnd) {
                String word = text.substring(ws, we);
                int as = skipSpace(we, contentEnd);
                int ae = contentEnd;
                while (ae > as && text.charAt(ae - 1) <= ' ') ae--;
                switch (word) {
                    case "test": {
                        int ne = as;
                        while (ne < ae && text.charAt(ne) > ' ') ne++;
                        if (ne == as) throw CompileError.at(source, line, ws - pos + 1, "expected a test name after 'test'");
                        commands.add(new TestFile.Command(text.substring(as, ne), text.substring(skipSpace(ne, ae), ae), line));
                        break;
                    }
                    case "target": {
                        int ne = as;
                        while (ne < ae && text.charAt(ne) > ' ') ne++;
                        if (ne == as) throw CompileError.at(source, line, ws - pos + 1, "expected an ISA name after 'target'");
                        targets.add(new TestFile.Target(text.substring(as, ne), text.substring(skipSpace(ne, ae), ae), line));
                        break;
                    }
                    case "set": {
                        if (as == ae) throw CompileError.at(source, line, ws - pos + 1, "expected a setting after 'set'");
                        int k = as;
                        while (k < ae) {
                            int ke = k;
                            while (ke < ae && text.charAt(ke) > ' ') ke++;
                            String item = text.substring(k, ke);
                            int eq = item.indexOf('=');
                            if (eq == 0 || eq == item.length() - 1) {
                                throw CompileError.at(source, line, k - pos + 1, "malformed setting '" + item + "'");
                            }
                            settings.add(eq < 0 ? new TestFile.Setting(item, "true", line)
                                    : new TestFile.Setting(item.substring(0, eq), item.substring(eq + 1), line));
                            k = skipSpace(ke, ae);
                        }
                        break;
                    }
                    default:
                        throw CompileError.at(source, line, ws - pos + 1,
                                "expected 'test', 'target', 'set' or 'function', found '" + clip(word) + "'");
                }
            }
            pos = eol + 1;
            line++;
        }
        lex = new Lexer(text, Math.min(pos, n), n, line, 1, comments);
        lex.next();
        List<TestFunction> functions = new ArrayList<>();
        int mark = 0;
        while (lex.kind != Lexer.EOF) {
            if (!lex.isWord("function")) throw err("expected 'function', found " + lex.describe());
            int first = lex.line;
            Function fn = function();
            int last = lex.prevLine;
            functions.add(new TestFunction(fn, first, last, TestFile.slice(comments, mark, comments.size()),
                    Arrays.copyOf(instLine, fn.dfg.numInsts()), Arrays.copyOf(blockLine, fn.dfg.numBlocks())));
            mark = comments.size();
        }
        if (functions.isEmpty()) throw err("expected a function");
        return new TestFile(source, List.copyOf(commands), List.copyOf(targets), List.copyOf(settings),
                List.copyOf(functions), List.copyOf(comments));
    }

    private int skipSpace(int from, int to) {
        while (from < to && text.charAt(from) <= ' ') from++;
        return from;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    // =====================================================================================
    // Errors and token helpers

    private CompileError err(String reason) {
        return CompileError.at(source, lex.line, lex.column, reason);
    }

    private CompileError errAt(int line, int column, String reason) {
        return CompileError.at(source, line, column, reason);
    }

    private void expect(int kind) {
        if (lex.kind != kind) throw err("expected " + Lexer.kindName(kind) + ", found " + lex.describe());
        lex.next();
    }

    private void expectWord(String word) {
        if (!lex.isWord(word)) throw err("expected '" + word + "', found " + lex.describe());
        lex.next();
    }

    private boolean accept(int kind) {
        if (lex.kind != kind) return false;
        lex.next();
        return true;
    }

    /** True if the current token names an entity ({@code v3}, {@code block1}, {@code sig0} ...). */
    private boolean atEntityName() {
        if (lex.kind != Lexer.IDENT) return false;
        for (String p : ENTITY_PREFIXES) if (lex.entityNumber(p, Integer.MAX_VALUE) != -1) return true;
        return false;
    }

    /** Reads {@code prefix<N>} and returns N, or fails naming {@code what}. */
    private int entityNumber(String prefix, String what) {
        int n = lex.entityNumber(prefix, maxEntity);
        if (n == -1) throw err("expected " + what + " (" + prefix + "N), found " + lex.describe());
        if (n == -2) throw err(what + " number " + lex.describe() + " is too large");
        return n;
    }

    /** Reads a reference to a declared entity of the function. */
    private int entityRef(int kind, int count) {
        int n = entityNumber(K_PREFIX[kind], K_WHAT[kind]);
        if (n >= count) throw err("undefined " + K_WHAT[kind] + " " + K_PREFIX[kind] + n);
        lex.next();
        return n;
    }

    private int type() {
        if (lex.kind != Lexer.IDENT) throw err("expected a type, found " + lex.describe());
        int t = Type.parse(lex.text());
        if (t == Type.INVALID) throw err("unknown or unsupported type " + lex.describe());
        lex.next();
        return t;
    }

    /** An integer literal for a field of {@code bits} bits. */
    private long integer(int bits) {
        if (lex.kind != Lexer.NUMBER) throw err("expected an integer, found " + lex.describe());
        long v;
        try {
            v = Literals.parseInt(lex.text(), bits);
        } catch (IllegalArgumentException e) {
            throw err(e.getMessage());
        }
        lex.next();
        return v;
    }

    /** A non-negative integer that fits an int (sizes, alignments). */
    private int size() {
        int line = lex.line, col = lex.column;
        long v = integer(64);
        if (v < 0 || v > Integer.MAX_VALUE) throw errAt(line, col, "size " + v + " is out of range");
        return (int) v;
    }

    /** An optional {@code +N} / {@code -N} offset right after an operand; 0 when absent. */
    private long offset() {
        if (lex.kind != Lexer.NUMBER) return 0;
        char c = lex.charAt(0);
        if (c != '+' && c != '-') return 0;
        return integer(64);
    }

    /** A float literal, which may span several tokens ({@code -Inf}, {@code +NaN:0x1}); raw bits. */
    private long floatLiteral(boolean f32) {
        int line = lex.line, col = lex.column;
        String s = readFloatText(lex);
        try {
            return f32 ? Literals.parseF32(s) & 0xFFFF_FFFFL : Literals.parseF64(s);
        } catch (IllegalArgumentException e) {
            throw errAt(line, col, e.getMessage());
        }
    }

    /**
     * Collects the text of a float literal from {@code lex} (consuming it), or returns null
     * without consuming anything if the current token cannot start one.
     */
    static String readFloatText(Lexer lex) {
        String sign = "";
        if (lex.kind == Lexer.NUMBER) {
            String s = lex.text();
            lex.next();
            return s;
        }
        if (lex.kind == Lexer.PLUS || lex.kind == Lexer.MINUS) {
            sign = lex.kind == Lexer.PLUS ? "+" : "-";
            lex.next();
        } else if (lex.kind != Lexer.IDENT) {
            return sign;
        }
        if (lex.kind != Lexer.IDENT) return sign;
        String word = lex.text();
        lex.next();
        if ((word.equals("NaN") || word.equals("sNaN")) && lex.kind == Lexer.COLON) {
            lex.next();
            if (lex.kind != Lexer.NUMBER) return sign + word + ":";
            word = word + ":" + lex.text();
            lex.next();
        }
        return sign + word;
    }

    // =====================================================================================
    // Function header and signatures

    private Function function() {
        expectWord("function");
        if (lex.kind != Lexer.NAME && lex.kind != Lexer.USER_NAME) {
            throw err("expected a function name (%name or uN:M), found " + lex.describe());
        }
        String name = lex.text();
        lex.next();
        Signature sig = signature();
        expect(Lexer.LBRACE);
        f = new Function(name, sig);
        dfg = f.dfg;
        layout = f.layout;
        aliases.clear();
        jumpTableDecls.clear();
        // clear only what the previous function touched, so many small functions after a big one stay cheap
        Arrays.fill(useLine, 0, Math.min(useLine.length, clearValues), 0);
        Arrays.fill(blockRefLine, 0, Math.min(blockRefLine.length, clearBlocks), 0);
        clearValues = Integer.MAX_VALUE;
        clearBlocks = Integer.MAX_VALUE;
        preamble();
        body();
        if (lex.kind != Lexer.RBRACE) throw err("expected '}' at the end of the function, found " + lex.describe());
        lex.next();
        finish();
        clearValues = dfg.numValues();
        clearBlocks = dfg.numBlocks();
        Function done = f;
        f = null;
        dfg = null;
        layout = null;
        return done;
    }

    private Signature signature() {
        expect(Lexer.LPAREN);
        IntVec params = new IntVec(), paramPurposes = new IntVec(), paramExts = new IntVec();
        IntVec rets = new IntVec(), retPurposes = new IntVec(), retExts = new IntVec();
        if (lex.kind != Lexer.RPAREN) {
            do {
                abiParam(params, paramPurposes, paramExts);
                if (lex.kind == Lexer.IDENT) throw err("unknown parameter attribute " + lex.describe());
            } while (accept(Lexer.COMMA));
        }
        expect(Lexer.RPAREN);
        if (accept(Lexer.ARROW)) {
            do {
                abiParam(rets, retPurposes, retExts);
            } while (accept(Lexer.COMMA));
        }
        String callConv = null;
        if (lex.kind == Lexer.IDENT && !atEntityName()) {
            callConv = lex.text();
            if (!Arrays.asList(CALL_CONVS).contains(callConv)) throw err("unknown calling convention " + lex.describe());
            lex.next();
        }
        return new Signature(params.toArray(), paramPurposes.toArray(), paramExts.toArray(),
                rets.toArray(), retPurposes.toArray(), retExts.toArray(), callConv);
    }

    private void abiParam(IntVec types, IntVec purposes, IntVec exts) {
        types.add(type());
        int purpose = Signature.PURPOSE_NORMAL, ext = Signature.EXT_NONE;
        while (true) {
            if (lex.isWord("uext")) ext = Signature.EXT_UEXT;
            else if (lex.isWord("sext")) ext = Signature.EXT_SEXT;
            else if (lex.isWord("vmctx")) purpose = Signature.PURPOSE_VMCTX;
            else break;
            lex.next();
        }
        purposes.add(purpose);
        exts.add(ext);
    }

    // =====================================================================================
    // Preamble

    /** Declarations of one entity kind, by number, with where each was declared. */
    private static final class Decls<T> {
        final List<T> items = new ArrayList<>();
        final IntVec lines = new IntVec(), cols = new IntVec();

        boolean has(int n) {
            return n < items.size() && items.get(n) != null;
        }

        void put(int n, T item, int line, int col) {
            while (items.size() <= n) {
                items.add(null);
                lines.add(0);
                cols.add(0);
            }
            items.set(n, item);
            lines.set(n, line);
            cols.set(n, col);
        }
    }

    /** An {@code fn} declaration: the signature is {@code sig}, or {@code inline} when written in place. */
    private record FnDecl(String name, boolean colocated, int sig, Signature inline) {}

    /** A reference between declarations, checked once all are read. */
    private final IntVec pendingRefs = new IntVec();

    private void preamble() {
        int stackLimitGv = -1;
        List<Decls<Object>> decls = new ArrayList<>();
        for (int k = 0; k < K_PREFIX.length; k++) decls.add(new Decls<>());
        pendingRefs.clear();
        while (lex.kind == Lexer.IDENT) {
            int kind = -1, n = -1;
            for (int k = 0; k < K_PREFIX.length && kind < 0; k++) {
                n = lex.entityNumber(K_PREFIX[k], maxEntity);
                if (n != -1) kind = k;
            }
            if (kind < 0 && lex.isWord("stack_limit")) {
                if (stackLimitGv >= 0) throw err("stack_limit is declared twice");
                lex.next();
                expect(Lexer.EQUAL);
                stackLimitGv = declRef(K_GV);
                continue;
            }
            if (kind < 0) {
                if (lex.isWord("const") || lex.entityNumber("const", maxEntity) != -1) {
                    throw err("constant declarations (vector constants) are not supported");
                }
                break;
            }
            if (n == -2) throw err(K_WHAT[kind] + " number " + lex.describe() + " is too large");
            int line = lex.line, col = lex.column;
            Decls<Object> d = decls.get(kind);
            if (d.has(n)) throw err(K_PREFIX[kind] + n + " is declared twice");
            lex.next();
            expect(Lexer.EQUAL);
            Object item;
            switch (kind) {
                case K_SS: item = stackSlotDecl(); break;
                case K_GV: item = globalValueDecl(); break;
                case K_HEAP: item = heapDecl(); break;
                case K_TABLE: item = tableDecl(); break;
                case K_SIG: item = signature(); break;
                case K_FN: item = fnDecl(); break;
                default: item = jumpTableDecl(); break;
            }
            d.put(n, item, line, col);
        }
        for (int k = 0; k < K_PREFIX.length; k++) {
            Decls<Object> d = decls.get(k);
            for (int n = 0; n < d.items.size(); n++) {
                if (d.items.get(n) != null) continue;
                // CLIF allows gaps in stack slot numbers (ss2 without ss0): empty slots fill
                // them, so every slot keeps the number it was written with
                if (k == K_SS) {
                    d.items.set(n, new StackSlotData(0, 0));
                    continue;
                }
                int m = n + 1;
                while (d.items.get(m) == null) m++;
                throw errAt(d.lines.get(m), d.cols.get(m), K_PREFIX[k] + m + " is declared but " + K_PREFIX[k] + n
                        + " is not (entity numbers must be dense)");
            }
        }
        for (int r = 0; r < pendingRefs.size(); r += 4) {
            int kind = pendingRefs.get(r), n = pendingRefs.get(r + 1);
            if (!decls.get(kind).has(n)) {
                throw errAt(pendingRefs.get(r + 2), pendingRefs.get(r + 3), "undefined " + K_WHAT[kind] + " " + K_PREFIX[kind] + n);
            }
        }
        for (Object o : decls.get(K_SS).items) f.addStackSlot((StackSlotData) o);
        for (Object o : decls.get(K_GV).items) f.addGlobalValue((GlobalValueData) o);
        for (Object o : decls.get(K_HEAP).items) f.addHeap((HeapData) o);
        for (Object o : decls.get(K_TABLE).items) f.addTable((TableData) o);
        for (Object o : decls.get(K_SIG).items) f.addSignature((Signature) o);
        for (Object o : decls.get(K_FN).items) {
            FnDecl fd = (FnDecl) o;
            int sig = fd.inline != null ? f.addSignature(fd.inline) : fd.sig;
            f.addExtFunc(new ExtFuncData(fd.name, sig, fd.colocated));
        }
        for (Object o : decls.get(K_JT).items) jumpTableDecls.add((int[]) o);
        f.stackLimit = stackLimitGv;
    }

    /** Reads {@code <prefix>N} naming another declaration, to be checked when all are read. */
    private int declRef(int kind) {
        int line = lex.line, col = lex.column;
        int n = entityNumber(K_PREFIX[kind], K_WHAT[kind]);
        lex.next();
        pendingRefs.add(kind);
        pendingRefs.add(n);
        pendingRefs.add(line);
        pendingRefs.add(col);
        return n;
    }

    private StackSlotData stackSlotDecl() {
        if (lex.isWord("explicit_dynamic_slot") || lex.isWord("spill_slot") || lex.isWord("incoming_arg")
                || lex.isWord("outgoing_arg") || lex.isWord("emergency_slot")) {
            throw err("stack slot kind " + lex.describe() + " is not supported (only explicit_slot)");
        }
        expectWord("explicit_slot");
        int size = size();
        int align = 0;
        if (accept(Lexer.COMMA)) {
            expectWord("align");
            expect(Lexer.EQUAL);
            int line = lex.line, col = lex.column;
            align = size();
            if (align == 0 || (align & (align - 1)) != 0) throw errAt(line, col, "alignment " + align + " is not a power of two");
        }
        return new StackSlotData(size, align);
    }

    private GlobalValueData globalValueDecl() {
        if (lex.isWord("vmctx")) {
            lex.next();
            return GlobalValueData.vmctx();
        }
        if (lex.isWord("load")) {
            lex.next();
            expect(Lexer.DOT);
            int type = type();
            int flags = memFlags();
            int base = declRef(K_GV);
            long off = offset();
            return GlobalValueData.load(base, off, type, flags);
        }
        if (lex.isWord("iadd_imm")) {
            lex.next();
            expect(Lexer.DOT);
            int type = type();
            int base = declRef(K_GV);
            expect(Lexer.COMMA);
            long imm = integer(64);
            return GlobalValueData.iaddImm(base, imm, type);
        }
        if (lex.isWord("symbol")) {
            lex.next();
            boolean colocated = false;
            if (lex.isWord("colocated")) {
                colocated = true;
                lex.next();
            }
            if (lex.isWord("tls")) throw err("thread-local symbols are not supported");
            String name = externalName();
            long off = offset();
            return GlobalValueData.symbol(name, off, colocated);
        }
        throw err("expected a global value kind (vmctx, load, iadd_imm, symbol), found " + lex.describe());
    }

    private String externalName() {
        if (lex.kind != Lexer.NAME && lex.kind != Lexer.USER_NAME) {
            throw err("expected a name (%name or uN:M), found " + lex.describe());
        }
        String name = lex.text();
        lex.next();
        return name;
    }

    private HeapData heapDecl() {
        HeapData.Style style;
        if (lex.isWord("static")) style = HeapData.Style.STATIC;
        else if (lex.isWord("dynamic")) style = HeapData.Style.DYNAMIC;
        else throw err("expected 'static' or 'dynamic', found " + lex.describe());
        int line = lex.line, col = lex.column;
        lex.next();
        int base = declRef(K_GV);
        long min = 0, bound = 0, guard = 0, reserved = 0;
        int boundGv = -1, indexType = Type.I32;
        boolean hasBound = false;
        while (accept(Lexer.COMMA)) {
            if (lex.isWord("min")) {
                lex.next();
                min = integer(64);
            } else if (lex.isWord("bound")) {
                lex.next();
                if (style == HeapData.Style.STATIC) bound = integer(64);
                else boundGv = declRef(K_GV);
                hasBound = true;
            } else if (lex.isWord("offset_guard")) {
                lex.next();
                guard = integer(64);
            } else if (lex.isWord("index_type")) {
                lex.next();
                indexType = type();
            } else if (lex.isWord("reserved")) {
                lex.next();
                reserved = integer(64);
            } else {
                throw err("expected a heap option (min, bound, offset_guard, index_type, reserved), found " + lex.describe());
            }
        }
        if (!hasBound) throw errAt(line, col, "heap needs a bound");
        return new HeapData(base, min, style, bound, boundGv, guard, indexType, reserved);
    }

    private TableData tableDecl() {
        int line = lex.line, col = lex.column;
        expectWord("dynamic");
        int base = declRef(K_GV);
        long min = 0;
        int boundGv = -1, elementSize = -1, indexType = Type.I32;
        while (accept(Lexer.COMMA)) {
            if (lex.isWord("min")) {
                lex.next();
                min = integer(64);
            } else if (lex.isWord("bound")) {
                lex.next();
                boundGv = declRef(K_GV);
            } else if (lex.isWord("element_size")) {
                lex.next();
                elementSize = size();
            } else if (lex.isWord("index_type")) {
                lex.next();
                indexType = type();
            } else {
                throw err("expected a table option (min, bound, element_size, index_type), found " + lex.describe());
            }
        }
        if (boundGv < 0) throw errAt(line, col, "table needs a bound");
        if (elementSize < 0) throw errAt(line, col, "table needs an element_size");
        return new TableData(base, min, boundGv, elementSize, indexType);
    }

    private FnDecl fnDecl() {
        boolean colocated = false;
        if (lex.isWord("colocated")) {
            colocated = true;
            lex.next();
        }
        String name = externalName();
        if (lex.kind == Lexer.LPAREN) return new FnDecl(name, colocated, -1, signature());
        return new FnDecl(name, colocated, declRef(K_SIG), null);
    }

    private int[] jumpTableDecl() {
        expectWord("jump_table");
        IntVec blocks = new IntVec();
        boolean bracket = accept(Lexer.LBRACKET);
        if (!bracket || lex.kind != Lexer.RBRACKET) {
            do {
                blocks.add(blockRef());
            } while (accept(Lexer.COMMA));
        }
        if (bracket) expect(Lexer.RBRACKET);
        return blocks.toArray();
    }

    private int memFlags() {
        int flags = 0;
        outer:
        while (lex.kind == Lexer.IDENT) {
            for (String name : MEM_FLAGS) {
                if (lex.isWord(name)) {
                    flags |= MemFlags.parse(name);
                    lex.next();
                    continue outer;
                }
            }
            // atomic_rmw's operation follows its flags
            if (!atEntityName() && AtomicRmwOp.parse(lex.text()) == null) throw err("unknown memory flag " + lex.describe());
            break;
        }
        return flags;
    }

    // =====================================================================================
    // Body

    private void body() {
        int block = -1;
        while (lex.kind != Lexer.RBRACE && lex.kind != Lexer.EOF) {
            if (lex.entityNumber("block", maxEntity) != -1) {
                block = blockHeader();
            } else if (block < 0) {
                throw err("expected a block header (blockN:), found " + lex.describe());
            } else {
                statement(block);
            }
        }
    }

    private int blockHeader() {
        int b = entityNumber("block", "block");
        if (layout.isBlockInserted(b)) throw err("block" + b + " is defined twice");
        lex.next();
        dfg.ensureBlock(b);
        layout.appendBlock(b);
        if (b >= blockLine.length) blockLine = Arrays.copyOf(blockLine, Math.max(b + 1, blockLine.length * 2));
        blockLine[b] = lex.prevLine;
        if (accept(Lexer.LPAREN)) {
            if (lex.kind != Lexer.RPAREN) {
                do {
                    int line = lex.line, col = lex.column;
                    int v = entityNumber("v", "value");
                    lex.next();
                    expect(Lexer.COLON);
                    int t = type();
                    checkUndefined(v, line, col);
                    dfg.attachBlockParam(b, v, t);
                } while (accept(Lexer.COMMA));
            }
            expect(Lexer.RPAREN);
        }
        if (lex.isWord("cold")) lex.next();
        expect(Lexer.COLON);
        return b;
    }

    /** Makes sure {@code v} exists and has no definition yet. */
    private void checkUndefined(int v, int line, int col) {
        dfg.ensureValue(v);
        if (dfg.valueKind(v) != DataFlowGraph.DEF_NONE) throw errAt(line, col, "v" + v + " is defined twice");
    }

    /** Reads a value operand and notes its first use. */
    private int value() {
        int v = entityNumber("v", "value");
        dfg.ensureValue(v);
        if (v >= useLine.length) {
            int n = Math.max(v + 1, useLine.length * 2);
            useLine = Arrays.copyOf(useLine, n);
            useCol = Arrays.copyOf(useCol, n);
        }
        if (useLine[v] == 0) {
            useLine[v] = lex.line;
            useCol[v] = lex.column;
        }
        lex.next();
        return v;
    }

    /** Reads a block name and notes its first reference. */
    private int blockRef() {
        int b = entityNumber("block", "block");
        dfg.ensureBlock(b);
        if (b >= blockRefLine.length) {
            int n = Math.max(b + 1, blockRefLine.length * 2);
            blockRefLine = Arrays.copyOf(blockRefLine, n);
            blockRefCol = Arrays.copyOf(blockRefCol, n);
        }
        if (blockRefLine[b] == 0) {
            blockRefLine[b] = lex.line;
            blockRefCol[b] = lex.column;
        }
        lex.next();
        return b;
    }

    /** {@code blockN} or {@code blockN(v1, v2)}: returns the block-call handle. */
    private int blockCall() {
        int b = blockRef();
        values.clear();
        if (accept(Lexer.LPAREN)) {
            if (lex.kind != Lexer.RPAREN) {
                do {
                    values.add(value());
                } while (accept(Lexer.COMMA));
            }
            expect(Lexer.RPAREN);
        }
        return dfg.makeBlockCall(b, values.raw(), values.size());
    }

    /** {@code (v1, v2)} appended to {@link #values}. */
    private void argList() {
        expect(Lexer.LPAREN);
        if (lex.kind != Lexer.RPAREN) {
            do {
                values.add(value());
            } while (accept(Lexer.COMMA));
        }
        expect(Lexer.RPAREN);
    }

    private void statement(int block) {
        results.clear();
        int first = lex.entityNumber("v", maxEntity);
        if (first != -1) {
            int line = lex.line, col = lex.column;
            if (first == -2) throw err("value number " + lex.describe() + " is too large");
            lex.next();
            if (lex.kind == Lexer.ARROW) {
                lex.next();
                int target = value();
                checkUndefined(first, line, col);
                dfg.defineAlias(first, target);
                aliases.add(first);
                aliases.add(line);
                aliases.add(col);
                return;
            }
            results.add(first);
            results.add(line);
            results.add(col);
            while (accept(Lexer.COMMA)) {
                int rl = lex.line, rc = lex.column;
                results.add(entityNumber("v", "value"));
                results.add(rl);
                results.add(rc);
                lex.next();
            }
            expect(Lexer.EQUAL);
        }
        if (lex.kind != Lexer.IDENT) throw err("expected an opcode, found " + lex.describe());
        Opcode op = Opcode.parse(lex.text());
        if (op == null) throw err("unknown opcode " + lex.describe());
        int opLine = lex.line, opCol = lex.column;
        lex.next();
        int suffix = Type.INVALID;
        if (accept(Lexer.DOT)) suffix = type();
        boolean suffixPrinted = Printer.printsTypeSuffix(op);
        int fixedType = fixedCtrlType(op);
        if (suffixPrinted && suffix == Type.INVALID) throw errAt(opLine, opCol, op.text + " needs a type suffix (" + op.text + ".i32 ...)");
        // call_indirect.i64: CLIF may name the callee's (pointer) type, which the callee operand already has
        boolean calleeSuffix = (op == Opcode.CALL_INDIRECT || op == Opcode.RETURN_CALL_INDIRECT) && suffix == Type.I64;
        if (!suffixPrinted && Printer.typeOperand(op) < 0 && suffix != Type.INVALID && suffix != fixedType && !calleeSuffix) {
            throw errAt(opLine, opCol, op.text + " does not take the type suffix ." + Type.name(suffix));
        }
        int ctrl = suffixPrinted ? suffix : fixedType;
        int inst = dfg.makeInst(op, ctrl);
        layout.appendInst(inst, block);
        if (inst >= instLine.length) {
            int n = instLine.length * 2;
            instLine = Arrays.copyOf(instLine, n);
            instCol = Arrays.copyOf(instCol, n);
            instSuffix = Arrays.copyOf(instSuffix, n);
        }
        instLine[inst] = opLine;
        instCol[inst] = opCol;
        instSuffix[inst] = suffix;
        operands(op, inst, opLine, suffix);
        int expected = expectedResults(op, inst);
        int named = results.size() / 3;
        if (named != expected) {
            throw errAt(opLine, opCol, op.text + " produces " + expected + (expected == 1 ? " result" : " results")
                    + " but " + named + (named == 1 ? " is" : " are") + " named");
        }
        boolean typeKnown = suffixPrinted || Printer.typeOperand(op) < 0;
        for (int k = 0; k < results.size(); k += 3) {
            int v = results.get(k);
            checkUndefined(v, results.get(k + 1), results.get(k + 2));
            dfg.attachResult(inst, v);
            dfg.setValueType(v, typeKnown ? resultType(op, inst, k / 3, ctrl) : Type.INVALID);
        }
    }

    /** The controlling type of an instruction that has neither a suffix nor a type operand. */
    private static int fixedCtrlType(Opcode op) {
        switch (op.format) {
            case UNARY_IEEE32: return Type.F32;
            case UNARY_IEEE64: return Type.F64;
            default: return Type.INVALID;
        }
    }

    private int expectedResults(Opcode op, int inst) {
        if (op.hasFlagResult() || op == Opcode.ISPLIT) return 2;
        if (op.isTailCall()) return 0;
        switch (op.format) {
            case CALL: return f.signatures.get(f.extFuncs.get(dfg.aux(inst)).signature).returns.length;
            case CALL_INDIRECT: return f.signatures.get(dfg.aux(inst)).returns.length;
            case NULLARY: case STORE: case STACK_STORE: case HEAP_STORE: case MULTI_ARY: case JUMP: case BRIF:
            case BRANCH: case BRANCH_ICMP: case BRANCH_TABLE: case TRAP: case COND_TRAP: case STORE_NO_OFFSET:
                return 0;
            default:
                return 1;
        }
    }

    /** The type of result {@code k} given the controlling type (mirrors InstBuilder). */
    private int resultType(Opcode op, int inst, int k, int ctrl) {
        if (k == 1 && op.hasFlagResult()) return Type.I8;
        if (op == Opcode.ISPLIT) return Type.intOfBits(Type.bits(ctrl) / 2);
        if (op == Opcode.ICONCAT) return Type.intOfBits(Type.bits(ctrl) * 2);
        switch (op.format) {
            case INT_COMPARE: case INT_COMPARE_IMM: case FLOAT_COMPARE: return Type.I8;
            case CALL: return f.signatures.get(f.extFuncs.get(dfg.aux(inst)).signature).returns[k];
            case CALL_INDIRECT: return f.signatures.get(dfg.aux(inst)).returns[k];
            default: return ctrl;
        }
    }

    private void setArgs(int inst, int n) {
        for (int k = 0; k < n; k++) {
            if (k > 0) expect(Lexer.COMMA);
            dfg.setField(inst, DataFlowGraph.A0 + k, value());
        }
    }

    private int intCC() {
        IntCC cc = lex.kind == Lexer.IDENT ? IntCC.parse(lex.text()) : null;
        if (cc == null) throw err("expected an integer condition code (eq, ne, slt, ...), found " + lex.describe());
        lex.next();
        return cc.ordinal();
    }

    private int floatCC() {
        FloatCC cc = lex.kind == Lexer.IDENT ? FloatCC.parse(lex.text()) : null;
        if (cc == null) throw err("expected a float condition code (eq, lt, uno, ...), found " + lex.describe());
        lex.next();
        return cc.ordinal();
    }

    private int trapCode() {
        if (lex.kind != Lexer.IDENT) throw err("expected a trap code, found " + lex.describe());
        int line = lex.line, col = lex.column;
        String name = lex.text();
        lex.next();
        if (name.equals("user") && lex.kind == Lexer.LPAREN) {
            lex.next();
            if (lex.kind != Lexer.NUMBER) throw err("expected a user trap number, found " + lex.describe());
            name = "user(" + lex.text() + ")";
            lex.next();
            expect(Lexer.RPAREN);
        }
        int code = TrapCode.parse(name);
        if (code < 0) throw errAt(line, col, "unknown trap code '" + clip(name) + "'");
        return code;
    }

    private void operands(Opcode op, int inst, int opLine, int suffix) {
        switch (op.format) {
            case NULLARY: case NULLARY_VALUE:
                break;
            case UNARY_IMM: {
                int bits = Type.laneBits(suffix);
                dfg.setImm(inst, integer(bits == 0 || bits > 64 ? 64 : bits));
                break;
            }
            case UNARY_IEEE32:
                dfg.setImm(inst, floatLiteral(true));
                break;
            case UNARY_IEEE64:
                dfg.setImm(inst, floatLiteral(false));
                break;
            case UNARY:
                setArgs(inst, 1);
                break;
            case BINARY:
                setArgs(inst, 2);
                break;
            case TERNARY:
                setArgs(inst, 3);
                break;
            case UNARY_GLOBAL_VALUE:
                dfg.setAux(inst, entityRef(K_GV, f.globalValues.size()));
                break;
            case FUNC_ADDR:
                dfg.setAux(inst, entityRef(K_FN, f.extFuncs.size()));
                break;
            case BINARY_IMM:
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setImm(inst, integer(64));
                break;
            case INT_COMPARE:
                dfg.setAux(inst, intCC());
                setArgs(inst, 2);
                break;
            case INT_COMPARE_IMM:
                dfg.setAux(inst, intCC());
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setImm(inst, integer(64));
                break;
            case FLOAT_COMPARE:
                dfg.setAux(inst, floatCC());
                setArgs(inst, 2);
                break;
            case LOAD:
                dfg.setAux(inst, memFlags());
                setArgs(inst, 1);
                dfg.setImm(inst, offset());
                break;
            case STORE:
                dfg.setAux(inst, memFlags());
                setArgs(inst, 2);
                dfg.setImm(inst, offset());
                break;
            case STACK_LOAD:
                dfg.setAux(inst, entityRef(K_SS, f.stackSlots.size()));
                dfg.setImm(inst, offset());
                break;
            case STACK_STORE:
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setAux(inst, entityRef(K_SS, f.stackSlots.size()));
                dfg.setImm(inst, offset());
                break;
            case HEAP_LOAD:
                dfg.setAux(inst, entityRef(K_HEAP, f.heaps.size()));
                accept(Lexer.COMMA);
                dfg.setField(inst, DataFlowGraph.A0, value());
                dfg.setImm(inst, offset());
                break;
            case HEAP_STORE:
                dfg.setField(inst, DataFlowGraph.A0, value());
                expect(Lexer.COMMA);
                dfg.setAux(inst, entityRef(K_HEAP, f.heaps.size()));
                accept(Lexer.COMMA);
                dfg.setField(inst, DataFlowGraph.A1, value());
                dfg.setImm(inst, offset());
                break;
            case HEAP_ADDR:
                dfg.setAux(inst, entityRef(K_HEAP, f.heaps.size()));
                expect(Lexer.COMMA);
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setImm(inst, integer(64));
                break;
            case TABLE_ADDR:
                dfg.setAux(inst, entityRef(K_TABLE, f.tables.size()));
                expect(Lexer.COMMA);
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setImm(inst, integer(64));
                break;
            case CALL:
                dfg.setAux(inst, entityRef(K_FN, f.extFuncs.size()));
                values.clear();
                argList();
                dfg.setValueList(inst, dfg.pool.of(values.raw(), 0, values.size()));
                break;
            case CALL_INDIRECT:
                dfg.setAux(inst, entityRef(K_SIG, f.signatures.size()));
                expect(Lexer.COMMA);
                values.clear();
                values.add(value());
                argList();
                dfg.setValueList(inst, dfg.pool.of(values.raw(), 0, values.size()));
                break;
            case MULTI_ARY:
                values.clear();
                // Operands are optional, so they must start on the opcode's line: "return" then
                // "v3 = ..." on the next line is a return of nothing followed by an instruction.
                if (lex.line == opLine && lex.kind == Lexer.IDENT && lex.entityNumber("v", Integer.MAX_VALUE) != -1) {
                    do {
                        values.add(value());
                    } while (accept(Lexer.COMMA));
                }
                dfg.setValueList(inst, dfg.pool.of(values.raw(), 0, values.size()));
                break;
            case JUMP:
                dfg.setField(inst, DataFlowGraph.B0, blockCall());
                break;
            case BRIF:
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setField(inst, DataFlowGraph.B0, blockCall());
                expect(Lexer.COMMA);
                dfg.setField(inst, DataFlowGraph.B1, blockCall());
                break;
            case BRANCH:
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setField(inst, DataFlowGraph.B0, blockCall());
                break;
            case BRANCH_ICMP:
                dfg.setAux(inst, intCC());
                setArgs(inst, 2);
                expect(Lexer.COMMA);
                dfg.setField(inst, DataFlowGraph.B0, blockCall());
                break;
            case BRANCH_TABLE: {
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                calls.clear();
                calls.add(blockCall());
                expect(Lexer.COMMA);
                if (accept(Lexer.LBRACKET)) {
                    if (lex.kind != Lexer.RBRACKET) {
                        do {
                            calls.add(blockCall());
                        } while (accept(Lexer.COMMA));
                    }
                    expect(Lexer.RBRACKET);
                } else if (lex.entityNumber("jt", maxEntity) != -1) {
                    int jt = entityRef(K_JT, jumpTableDecls.size());
                    for (int b : jumpTableDecls.get(jt)) calls.add(dfg.makeBlockCall(b, values.raw(), 0));
                } else {
                    throw err("expected '[' or a jump table (jtN), found " + lex.describe());
                }
                dfg.setAux(inst, dfg.makeJumpTable(calls.raw(), calls.size()));
                break;
            }
            case TRAP:
                dfg.setAux(inst, trapCode());
                break;
            case COND_TRAP:
                setArgs(inst, 1);
                expect(Lexer.COMMA);
                dfg.setAux(inst, trapCode());
                break;
            case INT_ADD_TRAP:
                setArgs(inst, 2);
                expect(Lexer.COMMA);
                dfg.setAux(inst, trapCode());
                break;
            case LOAD_NO_OFFSET:
                dfg.setAux(inst, memFlags());
                setArgs(inst, 1);
                break;
            case STORE_NO_OFFSET:
                dfg.setAux(inst, memFlags());
                setArgs(inst, 2);
                break;
            case ATOMIC_RMW: {
                dfg.setAux(inst, memFlags());
                AtomicRmwOp rmw = lex.kind == Lexer.IDENT ? AtomicRmwOp.parse(lex.text()) : null;
                if (rmw == null) throw err("expected an atomic_rmw operation (add, sub, and, nand, or, xor, xchg, umin, umax, smin, smax), found " + lex.describe());
                lex.next();
                dfg.setImm(inst, rmw.ordinal());
                setArgs(inst, 2);
                break;
            }
            case ATOMIC_CAS:
                dfg.setAux(inst, memFlags());
                setArgs(inst, 3);
                break;
        }
    }

    // =====================================================================================
    // Second pass: undefined names, alias cycles, types

    private void finish() {
        int bestLine = Integer.MAX_VALUE, bestCol = 0, bad = -1;
        int nv = dfg.numValues();
        for (int v = 0; v < nv && v < useLine.length; v++) {
            if (useLine[v] != 0 && dfg.valueKind(v) == DataFlowGraph.DEF_NONE && before(useLine[v], useCol[v], bestLine, bestCol)) {
                bestLine = useLine[v];
                bestCol = useCol[v];
                bad = v;
            }
        }
        if (bad >= 0) throw errAt(bestLine, bestCol, "undefined value v" + bad);
        int nb = dfg.numBlocks();
        for (int b = 0; b < nb && b < blockRefLine.length; b++) {
            if (blockRefLine[b] != 0 && !layout.isBlockInserted(b) && before(blockRefLine[b], blockRefCol[b], bestLine, bestCol)) {
                bestLine = blockRefLine[b];
                bestCol = blockRefCol[b];
                bad = b;
            }
        }
        if (bad >= 0) throw errAt(bestLine, bestCol, "undefined block block" + bad);
        int numAliases = aliases.size() / 3;
        for (int k = 0; k < aliases.size(); k += 3) {
            int x = aliases.get(k);
            for (int steps = 0; dfg.valueKind(x) == DataFlowGraph.DEF_ALIAS; steps++) {
                if (steps > numAliases) throw errAt(aliases.get(k + 1), aliases.get(k + 2), "alias cycle through v" + aliases.get(k));
                x = dfg.valueDef(x);
            }
        }
        inferTypes();
        for (int k = 0; k < aliases.size(); k += 3) {
            int v = aliases.get(k);
            dfg.setValueType(v, dfg.valueType(dfg.resolveAliases(v)));
        }
    }

    private static boolean before(int l1, int c1, int l2, int c2) {
        return l1 < l2 || (l1 == l2 && c1 < c2);
    }

    private static final byte TODO = 0, BUSY = 1, DONE = 2;

    private void inferTypes() {
        int n = dfg.numInsts();
        byte[] state = new byte[n];
        for (int i = 0; i < n; i++) {
            if (state[i] != TODO) continue;
            if (typeKnown(dfg.opcode(i))) {
                state[i] = DONE;
                continue;
            }
            stack.clear();
            stack.add(i);
            state[i] = BUSY;
            while (!stack.isEmpty()) {
                int j = stack.last();
                int operand = dfg.resolveAliases(dfg.arg(j, Printer.typeOperand(dfg.opcode(j))));
                int t = dfg.valueType(operand);
                if (t == Type.INVALID && dfg.valueKind(operand) == DataFlowGraph.DEF_RESULT) {
                    int d = dfg.valueDef(operand);
                    if (state[d] == TODO) {
                        state[d] = BUSY;
                        stack.add(d);
                        continue;
                    }
                    if (state[d] == BUSY) {
                        throw errAt(instLine[j], instCol[j], "cannot infer the type of v" + operand
                                + ": its definition depends on itself");
                    }
                }
                complete(j, operand, t);
                state[j] = DONE;
                stack.pop();
            }
        }
    }

    private static boolean typeKnown(Opcode op) {
        return Printer.printsTypeSuffix(op) || Printer.typeOperand(op) < 0;
    }

    /** Sets the controlling type of {@code j} from its type operand's type {@code t}, and its result types. */
    private void complete(int j, int operand, int t) {
        Opcode op = dfg.opcode(j);
        if (t == Type.INVALID) throw errAt(instLine[j], instCol[j], "cannot infer the type of v" + operand);
        int suffix = instSuffix[j];
        if (suffix != Type.INVALID && suffix != t) {
            throw errAt(instLine[j], instCol[j], op.text + "." + Type.name(suffix) + ": the type suffix does not match the type "
                    + Type.name(t) + " of v" + operand);
        }
        dfg.setCtrlType(j, t);
        int nr = dfg.numResults(j);
        for (int k = 0; k < nr; k++) dfg.setValueType(dfg.result(j, k), resultType(op, j, k, t));
    }
}
