package dev.twill.ir.text;

import java.util.List;

/**
 * Splits IR text into tokens for {@link Parser} and {@link RunLine}, one token of lookahead,
 * without an object per token: the current token is the fields {@link #kind}, {@link #start},
 * {@link #end}, {@link #line} and {@link #column}.
 *
 * <p>Tokens: identifiers {@code [A-Za-z_][A-Za-z0-9_]*} (opcodes, types, entity names such as
 * {@code v12} and {@code block3}, flags, {@code Inf}, {@code NaN}); numbers, which start with a
 * digit or with a sign directly followed by a digit, and run on over letters, digits, {@code _}
 * and {@code .} (plus a sign right after a hex float's {@code p} or a decimal's {@code e}), so
 * that {@code -0x1.8p-2}, {@code 0xffff_ffff} and {@code 2.5e3} are one token and {@code v1+8}
 * is an identifier followed by the number {@code +8}; function names {@code %name}; user names
 * {@code u0:1}; punctuation {@code ( ) [ ] { } , : = . + - -> == !=}. What a number means is
 * the parser's business: the lexer only finds its extent.
 *
 * <p>Comments run from {@code ;} to the end of the line. They are skipped like white space and,
 * when a sink is given, recorded with the line and column of their text (after the {@code ;} and
 * leading blanks), for the filetest runner's {@code ; run:} and {@code ; check:} lines.
 *
 * <p>Invariant: {@link #next()} always advances by at least one character unless it is at the
 * end, so no loop over tokens can hang.
 */
public final class Lexer {
    public static final int EOF = 0, IDENT = 1, NUMBER = 2, NAME = 3, USER_NAME = 4,
            LPAREN = 5, RPAREN = 6, LBRACKET = 7, RBRACKET = 8, LBRACE = 9, RBRACE = 10,
            COMMA = 11, COLON = 12, EQUAL = 13, ARROW = 14, DOT = 15, PLUS = 16, MINUS = 17,
            EQEQ = 18, NOTEQ = 19, BAD_CHAR = 20;

    private static final String[] KIND_NAMES = {
        "end of input", "identifier", "number", "name", "user name", "'('", "')'", "'['", "']'",
        "'{'", "'}'", "','", "':'", "'='", "'->'", "'.'", "'+'", "'-'", "'=='", "'!='", "character",
    };

    private final String src;
    private final int limit;
    private final List<TestFile.Comment> comments;

    /** Scan position. */
    private int pos;
    /** Line of {@link #pos}, 1-based. */
    private int curLine;
    /** Offset of the first character of {@link #curLine}, minus any column offset of the first line. */
    private int lineStart;

    /** The current token's kind, one of the constants above. */
    public int kind;
    /** The current token's text is {@code src[start, end)}. */
    public int start, end;
    /** The current token's 1-based line and column. */
    public int line, column;
    /** The line on which the previous token ended (to tell whether operands continue a line). */
    public int prevLine;

    /**
     * Lexes {@code src[from, to)}, whose first character is at {@code line:column}; comments go
     * to {@code comments} when it is not null. Call {@link #next()} to read the first token.
     */
    public Lexer(String src, int from, int to, int line, int column, List<TestFile.Comment> comments) {
        this.src = src;
        this.limit = to;
        this.pos = from;
        this.curLine = line;
        this.lineStart = from - (column - 1);
        this.comments = comments;
        this.line = line;
        this.column = column;
        this.prevLine = line;
    }

    public Lexer(String src) {
        this(src, 0, src.length(), 1, 1, null);
    }

    /** Advances to the next token. */
    public void next() {
        prevLine = line;
        skipBlanks();
        start = pos;
        line = curLine;
        column = pos - lineStart + 1;
        if (pos >= limit) {
            kind = EOF;
            end = pos;
            return;
        }
        char c = src.charAt(pos);
        if (isIdentStart(c)) {
            lexIdentOrUserName();
        } else if (isDigit(c)) {
            lexNumber();
        } else {
            pos++;
            switch (c) {
                case '(': kind = LPAREN; break;
                case ')': kind = RPAREN; break;
                case '[': kind = LBRACKET; break;
                case ']': kind = RBRACKET; break;
                case '{': kind = LBRACE; break;
                case '}': kind = RBRACE; break;
                case ',': kind = COMMA; break;
                case ':': kind = COLON; break;
                case '.': kind = DOT; break;
                case '=':
                    if (pos < limit && src.charAt(pos) == '=') {
                        pos++;
                        kind = EQEQ;
                    } else {
                        kind = EQUAL;
                    }
                    break;
                case '!':
                    if (pos < limit && src.charAt(pos) == '=') {
                        pos++;
                        kind = NOTEQ;
                    } else {
                        kind = BAD_CHAR;
                    }
                    break;
                case '+': case '-':
                    if (pos < limit && isDigit(src.charAt(pos))) {
                        pos--;
                        lexNumber();
                        break;
                    }
                    if (c == '-' && pos < limit && src.charAt(pos) == '>') {
                        pos++;
                        kind = ARROW;
                    } else {
                        kind = c == '+' ? PLUS : MINUS;
                    }
                    break;
                case '%':
                    while (pos < limit && isIdentPart(src.charAt(pos))) pos++;
                    kind = pos - start > 1 ? NAME : BAD_CHAR;
                    break;
                default:
                    kind = BAD_CHAR;
            }
        }
        end = pos;
    }

    private void skipBlanks() {
        while (pos < limit) {
            char c = src.charAt(pos);
            if (c == '\n') {
                pos++;
                curLine++;
                lineStart = pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == ';') {
                int eol = pos + 1;
                while (eol < limit && src.charAt(eol) != '\n') eol++;
                if (comments != null) {
                    int t = pos + 1;
                    while (t < eol && src.charAt(t) <= ' ') t++;
                    int e = eol;
                    while (e > t && src.charAt(e - 1) <= ' ') e--;
                    comments.add(new TestFile.Comment(curLine, t - lineStart + 1, src.substring(t, e)));
                }
                pos = eol;
            } else {
                return;
            }
        }
    }

    private void lexIdentOrUserName() {
        int p = pos + 1;
        while (p < limit && isIdentPart(src.charAt(p))) p++;
        // u<digits>:<digits> is one user name token (CLIF's external names, e.g. u0:1).
        if (src.charAt(pos) == 'u' && p > pos + 1 && allDigits(pos + 1, p) && p + 1 < limit
                && src.charAt(p) == ':' && isDigit(src.charAt(p + 1))) {
            int q = p + 1;
            while (q < limit && isDigit(src.charAt(q))) q++;
            if (q == limit || !isIdentPart(src.charAt(q))) {
                pos = q;
                kind = USER_NAME;
                return;
            }
        }
        pos = p;
        kind = IDENT;
    }

    private void lexNumber() {
        int p = pos;
        if (src.charAt(p) == '+' || src.charAt(p) == '-') p++;
        boolean hex = p + 1 < limit && src.charAt(p) == '0' && (src.charAt(p + 1) == 'x' || src.charAt(p + 1) == 'X');
        while (p < limit) {
            char c = src.charAt(p);
            if (isIdentPart(c) || c == '.') {
                p++;
            } else if ((c == '+' || c == '-') && p + 1 < limit && isDigit(src.charAt(p + 1))) {
                char prev = src.charAt(p - 1);
                boolean exponent = hex ? (prev == 'p' || prev == 'P') : (prev == 'e' || prev == 'E');
                if (!exponent) break;
                p++;
            } else {
                break;
            }
        }
        pos = p;
        kind = NUMBER;
    }

    private boolean allDigits(int from, int to) {
        for (int k = from; k < to; k++) if (!isDigit(src.charAt(k))) return false;
        return true;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c);
    }

    // ---- reading the current token

    /** The current token's text (allocates; for names and error messages). */
    public String text() {
        return src.substring(start, end);
    }

    /** True if the current token is the identifier {@code word}. */
    public boolean isWord(String word) {
        return kind == IDENT && end - start == word.length() && src.startsWith(word, start);
    }

    /** The character at offset {@code k} of the current token. */
    public char charAt(int k) {
        return src.charAt(start + k);
    }

    /**
     * If the current token is {@code prefix} followed by a decimal number without leading zeros
     * ({@code v12}, {@code block3}), returns the number; -1 if it is not such a name; -2 if the
     * number is above {@code max}.
     */
    public int entityNumber(String prefix, int max) {
        int n = prefix.length();
        if (kind != IDENT || end - start <= n || !src.startsWith(prefix, start)) return -1;
        int d = start + n;
        if (src.charAt(d) == '0' && end - d > 1) return -1;
        long v = 0;
        for (int k = d; k < end; k++) {
            char c = src.charAt(k);
            if (!isDigit(c)) return -1;
            v = v * 10 + (c - '0');
            if (v > max) {
                for (int q = k + 1; q < end; q++) if (!isDigit(src.charAt(q))) return -1;
                return -2;
            }
        }
        return (int) v;
    }

    /** A description of the current token for error messages: {@code 'iadd'} or {@code end of input}. */
    public String describe() {
        switch (kind) {
            case EOF: return "end of input";
            case IDENT: case NUMBER: case NAME: case USER_NAME: case BAD_CHAR: {
                String t = end - start > 40 ? src.substring(start, start + 40) + "..." : text();
                return "'" + t + "'";
            }
            default: return KIND_NAMES[kind];
        }
    }

    /** The name of a token kind for "expected ..." messages. */
    public static String kindName(int kind) {
        return KIND_NAMES[kind];
    }
}
