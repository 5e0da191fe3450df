package dev.twill.bench;

import dev.twill.ir.Function;
import dev.twill.legalize.Legalizer;
import dev.twill.verify.Verifier;

/** The verify and legalize stages with their reusable contexts. */
final class IrPipeline {
    private final Verifier verifier = new Verifier();
    private final Legalizer legalizer = new Legalizer();

    void verifyAndLegalize(Function f) {
        if (!verifier.run(f).isEmpty()) throw new IllegalStateException("benchmark function does not verify");
        legalizer.legalize(f);
    }
}
