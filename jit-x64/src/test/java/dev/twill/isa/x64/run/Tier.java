package dev.twill.isa.x64.run;

import dev.twill.machinst.RegisterAllocator;
import dev.twill.regalloc.SinglePassAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A compilation tier the native tests run under: a name ({@code opt_level}) and the register
 * allocator it uses. {@link #available()} lists the tiers whose allocator is on the class path,
 * so the linear-scan tier joins the runs as soon as its allocator is merged.
 */
record Tier(String name, Supplier<RegisterAllocator> allocator) {
    static final Tier NONE = new Tier("none", SinglePassAllocator::new);

    /** Every tier that can run here, fastest first. */
    static List<Tier> available() {
        List<Tier> out = new ArrayList<>();
        out.add(NONE);
        try {
            Class<?> c = Class.forName("dev.twill.regalloc.LinearScanAllocator");
            out.add(new Tier("speed", () -> {
                try {
                    return (RegisterAllocator) c.getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }));
        } catch (ClassNotFoundException e) {
            // not merged yet: the speed tier is absent from the runs
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
