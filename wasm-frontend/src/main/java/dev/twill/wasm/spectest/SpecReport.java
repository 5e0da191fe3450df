package dev.twill.wasm.spectest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Summaries of spec results: failure categories (a failure reason with its particulars taken
 * out, so that 300 "wrong result" lines read as one cause) and the README's Markdown table, one
 * row per script with passed/total and the reasons for anything short of 100%.
 */
public final class SpecReport {
    private SpecReport() {}

    private static final Pattern OFFSET = Pattern.compile("<?[\\w.-]*>?@0x[0-9a-fA-F]+: ");
    private static final Pattern NUMBER = Pattern.compile("(0x[0-9a-fA-F]+|\\b\\d+\\b)");
    private static final Pattern TRAP_INSTEAD = Pattern.compile("^trapped (\\S+), expected \"([^\"]*)\"");
    private static final Pattern NO_TRAP = Pattern.compile("^returned .*, expected a trap \"([^\"]*)\"$");
    private static final Pattern ACCEPTED = Pattern.compile("^compiled; expected it rejected \\((invalid|malformed): (.*)\\)$");
    private static final Pattern CRASH = Pattern.compile("^crashed: ([\\w.$]+)(: ([^\n]*?))?( at .*)?$");

    /** The failure's cause without the particulars (values, offsets, lines): what to group by. */
    public static String category(FileResult.Failure f) {
        String r = f.reason();
        Matcher m;
        if ((m = ACCEPTED.matcher(r)).matches()) return "accepts " + (m.group(1).equals("invalid") ? "an invalid" : "a malformed") + " module (" + m.group(2) + ")";
        if ((m = TRAP_INSTEAD.matcher(r)).find()) return "traps " + m.group(1) + " instead of \"" + m.group(2) + "\"";
        if ((m = NO_TRAP.matcher(r)).matches()) return "no trap where \"" + m.group(1) + "\" is expected";
        if (r.startsWith("returned ")) return "wrong result (" + f.command() + ")";
        if (r.startsWith("trapped ")) return "unexpected trap " + r.substring(8).split(" ")[0];
        if (r.startsWith("rejected: ")) return "rejects a valid module: " + generic(r.substring(10));
        if (r.startsWith("rejected ")) return generic(r);
        if ((m = CRASH.matcher(r)).matches()) {
            String cls = m.group(1);
            String msg = m.group(3);
            return "crash: " + cls.substring(cls.lastIndexOf('.') + 1) + (msg == null ? "" : ": " + generic(msg));
        }
        if (r.startsWith("the module at line ")) return "follows a failed module";
        if (r.startsWith("timed out")) return "timeout";
        return generic(r);
    }

    private static String generic(String s) {
        String g = NUMBER.matcher(OFFSET.matcher(s).replaceAll("")).replaceAll("N");
        return g.length() > 100 ? g.substring(0, 97) + "..." : g;
    }

    /** Categories with their counts, most frequent first (ties in order of first appearance). */
    public static List<Map.Entry<String, Integer>> categories(FileResult r) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (FileResult.Failure f : r.failures()) {
            // the aggregated "not run" entry stands for many commands
            int n = f.command().equals("rest") ? restCount(f) : 1;
            counts.merge(f.command().equals("rest") ? "not run after a crash" : category(f), n, Integer::sum);
        }
        List<Map.Entry<String, Integer>> list = new ArrayList<>(counts.entrySet());
        list.sort((a, b) -> b.getValue() - a.getValue());
        return list;
    }

    private static int restCount(FileResult.Failure f) {
        String r = f.reason();
        int sp = r.indexOf(' ');
        try {
            return Integer.parseInt(r.substring(0, sp));
        } catch (RuntimeException e) {
            return 1;
        }
    }

    /** One short sentence of reasons: {@code 3× wrong result (assert_return), e.g. line 12: ...}. */
    public static String reasons(FileResult r, int maxCategories) {
        if (r.allPassed()) return "";
        StringBuilder sb = new StringBuilder();
        List<Map.Entry<String, Integer>> cats = categories(r);
        for (int k = 0; k < cats.size() && k < maxCategories; k++) {
            if (k > 0) sb.append("; ");
            Map.Entry<String, Integer> c = cats.get(k);
            sb.append(c.getValue()).append("× ").append(c.getKey());
            FileResult.Failure first = firstOf(r, c.getKey());
            if (first != null && first.line() > 0) sb.append(" (first: line ").append(first.line()).append(')');
        }
        if (cats.size() > maxCategories) sb.append("; ").append(cats.size() - maxCategories).append(" more kinds");
        return sb.toString();
    }

    private static FileResult.Failure firstOf(FileResult r, String category) {
        for (FileResult.Failure f : r.failures()) {
            if (f.command().equals("rest") ? category.equals("not run after a crash") : category(f).equals(category)) return f;
        }
        return null;
    }

    /** The README table: per script passed/total, skipped text modules and reasons; then the totals. */
    public static String markdownTable(List<FileResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("| script | passed/total | text modules skipped | reasons for failures |\n");
        sb.append("|---|---:|---:|---|\n");
        long passed = 0;
        long total = 0;
        long skipped = 0;
        int perfect = 0;
        for (FileResult r : results) {
            passed += r.passed();
            total += r.total();
            skipped += r.skippedText();
            if (r.allPassed()) perfect++;
            sb.append("| ").append(r.name()).append(" | ").append(r.passed()).append('/').append(r.total())
                    .append(r.allPassed() ? "" : String.format(" (%.1f%%)", 100.0 * r.passed() / Math.max(1, r.total())))
                    .append(" | ").append(r.skippedText() == 0 ? "" : Integer.toString(r.skippedText()))
                    .append(" | ").append(reasons(r, 3).replace("|", "\\|")).append(" |\n");
        }
        sb.append(String.format("| **total: %d scripts, %d at 100%%** | **%d/%d (%.2f%%)** | %d | |%n",
                results.size(), perfect, passed, total, 100.0 * passed / Math.max(1, total), skipped));
        return sb.toString();
    }
}
