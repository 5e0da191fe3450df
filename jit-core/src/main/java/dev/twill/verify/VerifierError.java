package dev.twill.verify;

/**
 * One problem the verifier found.
 *
 * @param location where it is, as written in a {@link dev.twill.CompileError}: {@code inst12
 *     `v3 = iadd v1, v2`} for an instruction, {@code block3} for a block, {@code gv2}, {@code
 *     heap0}, {@code v5} (an alias), {@code signature} ... for declarations
 * @param inst the instruction it points at, or -1
 * @param block the block it points at (for an instruction, the block holding it), or -1
 * @param instText the printed instruction ({@code v3 = iadd v1, v2}), or null
 * @param message the reason, without location
 */
public record VerifierError(String location, int inst, int block, String instText, String message) {
    @Override
    public String toString() {
        return location + ": " + message;
    }
}
