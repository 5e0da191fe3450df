package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import dev.twill.isa.x64.X64Isa;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.Trap;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unbounded recursion through code compiled by {@link X64Isa} (under each {@link Tier}), with
 * small, medium and huge frames: every prologue checks the stack limit against the whole new
 * frame, so the recursion ends in a {@code stk_ovf} {@link Trap} in Java, on the main thread and
 * on a thread with a small stack, instead of overflowing the thread's stack; the JVM survives
 * and the module keeps working.
 */
class RecursionTrapTest {
    static List<Tier> tiers() {
        return Tier.available();
    }

    /** Calls itself forever; each frame holds a stack slot of {@code slotBytes}. */
    static String recursion(int slotBytes) {
        return """
                function %rec(i64) -> i64 {
                    ss0 = explicit_slot SIZE
                    fn0 = colocated %rec(i64) -> i64
                block0(v0: i64):
                    stack_store v0, ss0
                    v1 = iadd_imm v0, 1
                    v2 = call fn0(v1)
                    v3 = stack_load.i64 ss0
                    v4 = iadd v2, v3
                    return v4
                }
                function %ok(i64) -> i64 {
                block0(v0: i64):
                    v1 = iadd_imm v0, 1
                    return v1
                }
                """.replace("SIZE", Integer.toString(slotBytes));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tiers")
    void unboundedRecursionTrapsStackOverflow(Tier tier) throws Throwable {
        // 8 bytes: thousands of small frames; 64 KiB: a few dozen; 64 MiB: more than any thread's
        // stack, so the very first frame must trap (the limit is checked against the whole frame)
        for (int slot : new int[] {8, 64 * 1024, 64 * 1024 * 1024}) {
            JitModule m = new JitModule();
            tier.compileInto(m, recursion(slot));
            try (m) {
                for (int round = 0; round < 3; round++) {
                    Trap t = assertThrows(Trap.class, () -> {
                        long unused = (long) m.handle("%rec").invokeExact(0L);
                    }, "slot " + slot);
                    assertEquals(TrapCode.STK_OVF, t.code(), "slot " + slot + ": " + t);
                    assertEquals(8L, (long) m.handle("%ok").invokeExact(7L));
                }
                // also on a thread with a small stack
                AtomicReference<Throwable> seen = new AtomicReference<>();
                Thread th = new Thread(null, () -> {
                    try {
                        long unused = (long) m.handle("%rec").invokeExact(0L);
                    } catch (Throwable x) {
                        seen.set(x);
                    }
                }, "small-stack", 512 * 1024);
                th.start();
                th.join();
                assertTrue(seen.get() instanceof Trap tr && tr.code() == TrapCode.STK_OVF, "slot " + slot + ": " + seen.get());
            }
        }
    }
}
