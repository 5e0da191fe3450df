package dev.twill.bench;

import dev.twill.ir.Function;

/** The verify and legalize stages with their reusable contexts. */
final class IrPipeline {
    void verifyAndLegalize(Function f) {
        // wired to the verifier and legalizer once they land
    }
}
