package dev.twill.wasm.spectest;

import java.util.List;

/**
 * The outcome of one spec script ({@code <name>.json}): every command counts once in {@code
 * total} except those that need a text-format parser ({@code skippedText}, never counted as
 * passed), and each command short of passing has a {@link Failure}.
 *
 * @param name the script's name ({@code i32}, from {@code i32.json})
 * @param passed commands that did what the script says
 * @param total commands judged (modules, registrations, actions and assertions)
 * @param skippedText {@code assert_malformed}/{@code assert_invalid} of {@code .wat} text
 *     modules: judging them needs a text parser, which Twill does not have
 * @param failures one per failed command, in script order; when the JVM running the script
 *     crashed ({@link ForkedSpecRunner}), the commands it never ran share one last entry of
 *     command type {@code rest}
 */
public record FileResult(String name, int passed, int total, int skippedText, List<Failure> failures) {
    /** One failed command: its line in {@code <name>.wast}, its type and why it failed. */
    public record Failure(int line, String command, String reason) {
        @Override
        public String toString() {
            return "line " + line + " " + command + ": " + reason;
        }
    }

    public int failed() {
        return total - passed;
    }

    public boolean allPassed() {
        return passed == total;
    }

    /** {@code i32: 374/374}, with the skipped text modules when there are any. */
    public String summary() {
        return name + ": " + passed + "/" + total + (skippedText == 0 ? "" : " (" + skippedText + " skipped: text module)");
    }
}
