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
 * @param instLines the source line of each instruction, indexed by instruction number
 * @param blockLines the source line of each block's header, indexed by block number (0 if none)
 */
public record TestFunction(Function function, int firstLine, int lastLine, List<TestFile.Comment> comments,
                           int[] instLines, int[] blockLines) {

    /** The source line of instruction {@code inst}, or 0 if unknown. */
    public int instLine(int inst) {
        return inst >= 0 && inst < instLines.length ? instLines[inst] : 0;
    }

    /** The source line of block {@code block}'s header, or 0 if unknown. */
    public int blockLine(int block) {
        return block >= 0 && block < blockLines.length ? blockLines[block] : 0;
    }

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
