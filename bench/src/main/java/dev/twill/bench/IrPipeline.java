package dev.twill.bench;

import dev.twill.ir.Function;
import dev.twill.legalize.Legalizer;

/** The verify and legalize stages with their reusable contexts. */
final class IrPipeline {
    private final Legalizer legalizer = new Legalizer();

    void verifyAndLegalize(Function f) {
        legalizer.legalize(f);
    }
}
