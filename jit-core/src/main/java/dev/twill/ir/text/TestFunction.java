package dev.twill.ir.text;

import dev.twill.ir.Function;
import java.util.ArrayList;
import java.util.List;

/**
 * One function of a {@link TestFile}, with where it is and the comments that belong to it.
 *
 * <p>Which comments belong to a function follows Cranelift's filetests, where {@code ; run:}
 * and {@code ; check:} lines follow the function they test: a function owns the comments inside
 * it and those after its closing brace up to the next {@code function}. The first function also
 * owns the comments before it (after and among the header lines).
 *
 * @param function  the parsed function
 * @param firstLine the line of its {@code function} keyword
 * @param lastLine  the line of its closing brace
 * @param comments  its comments, in order
 */
public record TestFunction(Function function, int firstLine, int lastLine, List<TestFile.Comment> comments) {

    /**
     * The comments whose text starts with {@code directive} followed by a colon or the end
     * ({@code "run"} matches {@code run: %f(1) == 2} and a bare {@code run}).
     */
    public List<TestFile.Comment> directives(String directive) {
        List<TestFile.Comment> out = new ArrayList<>();
        for (TestFile.Comment c : comments) {
            String t = c.text();
            if (t.startsWith(directive) && (t.length() == directive.length() || t.charAt(directive.length()) == ':')) {
                out.add(c);
            }
        }
        return out;
    }
}
