package dev.twill.ir.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed filetest file: the header ({@code test}, {@code target} and {@code set} lines), the
 * functions, and every comment, as {@link Parser#parseFile} reads them.
 *
 * <p>Comments carry the directives of the filetest runner ({@code ; run:}, {@code ; check:},
 * {@code ; nextln:}, {@code ; error:}, {@code ; heap:}); each {@link TestFunction} holds the
 * ones that belong to it, and {@link #comments} holds all of them in file order.
 *
 * @param sourceName the name used in error locations
 * @param commands   {@code test <name> <rest of line>} lines, in order
 * @param targets    {@code target <isa> <rest of line>} lines, in order
 * @param settings   {@code set key=value} items, in order (a bare {@code set key} has value {@code true})
 * @param functions  the functions, in order
 * @param comments   every comment of the file, in order
 */
public record TestFile(String sourceName, List<Command> commands, List<Target> targets, List<Setting> settings,
                       List<TestFunction> functions, List<Comment> comments) {

    /** A {@code test} line: {@code test compile precise-output} is name "compile", args "precise-output". */
    public record Command(String name, String args, int line) {}

    /** A {@code target} line: {@code target x86_64 has_avx} is isa "x86_64", flags "has_avx". */
    public record Target(String isa, String flags, int line) {}

    /** One item of a {@code set} line. */
    public record Setting(String key, String value, int line) {}

    /**
     * A comment: {@code text} is what follows the {@code ;}, trimmed; {@code column} is the
     * 1-based column of its first character (so that errors inside it point at the right place).
     */
    public record Comment(int line, int column, String text) {}

    /** The function named {@code name} (with its sigil, {@code %f}), or null. */
    public TestFunction function(String name) {
        for (TestFunction f : functions) if (f.function().name.equals(name)) return f;
        return null;
    }

    /** True if there is a {@code test <name>} line. */
    public boolean hasCommand(String name) {
        for (Command c : commands) if (c.name.equals(name)) return true;
        return false;
    }

    /** The value of setting {@code key} (the last one given), or null. */
    public String setting(String key) {
        String v = null;
        for (Setting s : settings) if (s.key.equals(key)) v = s.value;
        return v;
    }

    static List<Comment> slice(List<Comment> all, int from, int to) {
        return List.copyOf(new ArrayList<>(all.subList(from, to)));
    }
}
