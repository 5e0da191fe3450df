package dev.twill.isa.x64.run;

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

    @Override
    public String toString() {
        return name;
    }
}
