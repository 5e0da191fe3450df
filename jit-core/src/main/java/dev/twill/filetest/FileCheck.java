package dev.twill.filetest;

import java.util.ArrayList;
import java.util.List;

/**
 * Matches a pass's text output against the {@code ; check:} directives of a filetest, in the
 * manner of LLVM's FileCheck and Cranelift's filecheck, with literal patterns:
 * <ul>
 *   <li>{@code check: P} -- P occurs after the previous match;
 *   <li>{@code nextln: P} -- P occurs on the line after the previous match;
 *   <li>{@code sameln: P} -- P occurs later on the same line as the previous match;
 *   <li>{@code not: P} -- P does not occur between the previous match and the next one (or the
 *       end of the output).
 * </ul>
 * Runs of white space in a pattern match any run of white space. A mismatch is reported with
 * the directive's line and the part of the output searched.
 */
public final class FileCheck {
    public enum Kind { CHECK, NEXTLN, SAMELN, NOT }

    /** One directive and the source line it came from. */
    public record Directive(Kind kind, String pattern, int line) {}

    private FileCheck() {}

    /** Parses {@code check: ...}-style comment text; returns null if it is not a directive. */
    public static Directive parse(String comment, int line) {
        String c = comment.strip();
        for (Kind k : Kind.values()) {
            String prefix = k.name().toLowerCase(java.util.Locale.ROOT) + ":";
            if (c.startsWith(prefix)) return new Directive(k, c.substring(prefix.length()).strip(), line);
        }
        return null;
    }

    /** Returns null if {@code output} satisfies every directive, else a description of the first failure. */
    public static String match(String output, List<Directive> directives) {
        String[] lines = output.split("\n", -1);
        int[] lineStart = new int[lines.length + 1];
        for (int k = 0, pos = 0; k < lines.length; k++) {
            lineStart[k] = pos;
            pos += lines[k].length() + 1;
        }
        lineStart[lines.length] = output.length() + 1;
        int pos = 0; // search position: just after the previous match
        int prevLine = -1;
        List<Directive> pendingNot = new ArrayList<>();
        for (Directive d : directives) {
            if (d.kind == Kind.NOT) {
                pendingNot.add(d);
                continue;
            }
            int from = pos, to = output.length();
            if (d.kind == Kind.NEXTLN) {
                int ln = prevLine + 1;
                if (ln >= lines.length) return fail(d, "no line after the previous match", output, pos);
                from = lineStart[ln];
                to = lineStart[ln] + lines[ln].length();
            } else if (d.kind == Kind.SAMELN) {
                if (prevLine < 0) return fail(d, "sameln: without a previous match", output, pos);
                to = lineStart[prevLine] + lines[prevLine].length();
            }
            int[] m = find(output, d.pattern, from, to);
            if (m == null) return fail(d, "pattern not found", output, from);
            for (Directive n : pendingNot) {
                if (find(output, n.pattern, pos, m[0]) != null) return fail(n, "excluded pattern found", output, pos);
            }
            pendingNot.clear();
            pos = m[1];
            prevLine = lineOf(lineStart, m[0]);
        }
        for (Directive n : pendingNot) {
            if (find(output, n.pattern, pos, output.length()) != null) return fail(n, "excluded pattern found", output, pos);
        }
        return null;
    }

    private static int lineOf(int[] lineStart, int offset) {
        int lo = 0, hi = lineStart.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStart[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** Finds the pattern in {@code text[from, to)} with white-space runs matching any white space. */
    static int[] find(String text, String pattern, int from, int to) {
        String p = pattern.strip();
        if (p.isEmpty()) return new int[] {from, from};
        for (int start = from; start < to; start++) {
            int end = matchAt(text, p, start, to);
            if (end >= 0) return new int[] {start, end};
        }
        return null;
    }

    private static int matchAt(String text, String p, int start, int to) {
        int i = start, j = 0;
        while (j < p.length()) {
            char pc = p.charAt(j);
            if (Character.isWhitespace(pc)) {
                while (j < p.length() && Character.isWhitespace(p.charAt(j))) j++;
                if (i >= to || !isBlank(text.charAt(i))) return -1;
                while (i < to && isBlank(text.charAt(i))) i++;
                continue;
            }
            if (i >= to || text.charAt(i) != pc) return -1;
            i++;
            j++;
        }
        return i;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static String fail(Directive d, String why, String output, int from) {
        String rest = output.substring(Math.min(from, output.length()));
        if (rest.length() > 600) rest = rest.substring(0, 600) + "...";
        return "line " + d.line + ": " + d.kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + d.pattern + ": " + why
                + "\nsearched output:\n" + rest;
    }
}
