package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twill.ir.Signature;
import dev.twill.ir.Type;
import dev.twill.isa.x64.X64Isa;
import dev.twill.runtime.JitModule;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Java host function that throws, called from the middle of a chain of calls between functions
 * compiled by {@link X64Isa} (under each {@link Tier}): the Java caller of the outer function
 * receives the very exception object, no compiled code runs after the host call returned
 * abnormally (the {@link dev.twill.runtime.TrapContext} host-call protocol: compiled code checks
 * {@code TRAP_CODE} after the call and unwinds), and the module stays usable.
 */
class HostCallUnwindTest {
    static List<Tier> tiers() {
        return Tier.available();
    }

    /** The exception the host function throws: a type no layer could make up. */
    static final class HostFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HostFailure(long x) {
            super("host failed on " + x);
        }
    }

    static final AtomicReference<HostFailure> THROWN = new AtomicReference<>();

    /** The host function: {@code 2x}, but throws on 43. */
    static long host(long x) {
        if (x == 43) {
            HostFailure e = new HostFailure(x);
            THROWN.set(e);
            throw e;
        }
        return 2 * x;
    }

    /**
     * %outer calls %inner (colocated, in the module), which calls %host (a Java function) and,
     * after it returns, stores its result through the pointer it was given: a store that must
     * not happen when the host function threw.
     */
    static final String HOST_CHAIN = """
            function %inner(i64, i64) -> i64 {
                fn0 = %host(i64) -> i64
            block0(v0: i64, v1: i64):
                v2 = iadd_imm v0, 1
                v3 = call fn0(v2)
                v4 = imul_imm v3, 3
                store v4, v1
                return v4
            }
            function %outer(i64, i64) -> i64 {
                fn0 = colocated %inner(i64, i64) -> i64
            block0(v0: i64, v1: i64):
                v2 = call fn0(v0, v1)
                v3 = iadd_imm v2, 100
                return v3
            }
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("tiers")
    void hostExceptionUnwindsThroughCompiledCallers(Tier tier) throws Throwable {
        JitModule m = new JitModule();
        MethodHandle host = MethodHandles.lookup().findStatic(HostCallUnwindTest.class, "host",
                MethodType.methodType(long.class, long.class));
        m.defineHostFunction("%host", Signature.of(new int[] {Type.I64}, new int[] {Type.I64}), host);
        tier.compileInto(m, HOST_CHAIN);
        try (m; Arena arena = Arena.ofConfined()) {
            MemorySegment cell = arena.allocate(8, 8);
            MethodHandle outer = m.handle("%outer");
            for (int round = 0; round < 3; round++) {
                // (5 + 1) * 2 * 3 + 100
                assertEquals(136L, (long) outer.invokeExact(5L, cell.address()));
                assertEquals(36L, cell.get(ValueLayout.JAVA_LONG, 0));
                cell.set(ValueLayout.JAVA_LONG, 0, -7);
                HostFailure e = assertThrows(HostFailure.class, () -> {
                    long unused = (long) outer.invokeExact(42L, cell.address());
                });
                assertSame(THROWN.get(), e, "the host's own exception object");
                assertEquals(-7L, cell.get(ValueLayout.JAVA_LONG, 0), "%inner ran on after the host threw");
            }
            // the module still works, also through a fresh handle: (10 + 1) * 2 * 3 + 100
            assertEquals(166L, (long) m.handle("%outer").invokeExact(10L, cell.address()));
        }
    }
}
