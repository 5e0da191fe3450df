package dev.twill.filetest;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileCheckTest {
    private static final String OUT = """
            block0(v0: i32):
                v1 = iconst.i32 4
                v2 = iadd v0, v1
                return v2
            """;

    private static List<FileCheck.Directive> d(String... lines) {
        List<FileCheck.Directive> out = new ArrayList<>();
        for (int k = 0; k < lines.length; k++) out.add(FileCheck.parse(lines[k], k + 1));
        return out;
    }

    @Test
    void checkFindsPatternsInOrder() {
        assertNull(FileCheck.match(OUT, d("check: iconst.i32 4", "check: return v2")));
        assertNotNull(FileCheck.match(OUT, d("check: return v2", "check: iconst.i32 4")));
    }

    @Test
    void nextlnMeansTheVeryNextLine() {
        assertNull(FileCheck.match(OUT, d("check: iconst", "nextln: v2 = iadd v0, v1")));
        assertNotNull(FileCheck.match(OUT, d("check: iconst", "nextln: return")));
    }

    @Test
    void samelnStaysOnTheLine() {
        assertNull(FileCheck.match(OUT, d("check: v2 =", "sameln: v0, v1")));
        assertNotNull(FileCheck.match(OUT, d("check: v2 =", "sameln: return")));
    }

    @Test
    void notExcludesBetweenMatches() {
        assertNull(FileCheck.match(OUT, d("check: block0", "not: imul", "check: return")));
        assertNotNull(FileCheck.match(OUT, d("check: block0", "not: iadd", "check: return")));
        assertNotNull(FileCheck.match(OUT, d("check: iconst", "not: return")));
    }

    @Test
    void whitespaceRunsMatchAnyWhitespace() {
        assertNull(FileCheck.match(OUT, d("check: v2   =  iadd v0,  v1")));
        assertNotNull(FileCheck.match(OUT, d("check: v2=iadd")));
    }

    @Test
    void failureNamesTheDirectiveLine() {
        String msg = FileCheck.match(OUT, d("check: block0", "check: nothing like this"));
        assertTrue(msg.startsWith("line 2: check: nothing like this"), msg);
    }

    @Test
    void nonDirectivesAreNotParsed() {
        assertNull(FileCheck.parse("run: %f(1) == 2", 1));
    }
}
