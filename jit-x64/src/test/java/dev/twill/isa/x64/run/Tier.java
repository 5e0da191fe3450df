package dev.twill.isa.x64.run;

import dev.twill.filetest.NativeModule;
import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.runtime.JitModule;
import dev.twill.verify.Verifier;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.regalloc.LinearScanAllocator;
import dev.twill.regalloc.SinglePassAllocator;
import java.util.List;
import java.util.function.Supplier;

/**
 * A compilation tier the native tests run under: a name ({@code opt_level}) and the register
 * allocator {@link dev.twill.isa.x64.X64Isa} uses for it.
 */
record Tier(String name, Supplier<RegisterAllocator> allocator) {
    static final Tier NONE = new Tier("none", SinglePassAllocator::new);
    static final Tier SPEED = new Tier("speed", LinearScanAllocator::new);

    /** Every tier, fastest compile first. */
    static List<Tier> available() {
        return List.of(NONE, SPEED);
    }

    /** Compiles legalized functions with {@link X64Isa} under this tier, for {@link NativeModule}. */
    NativeModule.Compiler compiler() {
        X64Isa isa = new X64Isa();
        return f -> isa.compile(f, allocator.get());
    }

    /**
     * Parses, verifies, legalizes and compiles (under this tier) every function of the CLIF
     * {@code text} into {@code m}, then finalizes it; host functions must be defined before.
     */
    void compileInto(JitModule m, String text) {
        NativeModule.Compiler compiler = compiler();
        List<Function> fs = Parser.parseFile(text, "test").functions().stream().map(TestFunction::function).toList();
        for (Function f : fs) m.declareFunction(f.name, f.signature);
        Legalizer legalizer = new Legalizer();
        for (Function f : fs) {
            Verifier.verifyOrThrow(f);
            legalizer.legalize(f);
            m.defineFunction(f.name, compiler.compile(f));
        }
        m.finalizeDefinitions();
    }

    @Override
    public String toString() {
        return name;
    }
}
