package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twill.runtime.JitModule;
import dev.twill.runtime.Trap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A heap offset of 2^31 or more (as wasm allows) goes into the address, not into the memory
 * access's signed 32-bit displacement. An in-bounds access at such an offset needs a heap of
 * more than 2 GiB, so the heap base here points 2^31 bytes before a small buffer: the access at
 * index {@code i} + 0x8000_0000 reads the buffer's byte {@code i}.
 */
class LargeHeapOffsetTest {
    private static final String IR = """
            function %load(i64 vmctx, i32) -> i32 {
                gv0 = vmctx
                gv1 = load.i64 notrap aligned gv0
                gv2 = load.i64 notrap aligned gv0+8
                heap0 = dynamic gv1, min 0, bound gv2, offset_guard 0, index_type i32
            block0(v0: i64, v1: i32):
                v2 = heap_load.i32 heap0 v1+0x8000_0000
                return v2
            }
            function %store(i64 vmctx, i32, i32) {
                gv0 = vmctx
                gv1 = load.i64 notrap aligned gv0
                gv2 = load.i64 notrap aligned gv0+8
                heap0 = dynamic gv1, min 0, bound gv2, offset_guard 0, index_type i32
            block0(v0: i64, v1: i32, v2: i32):
                heap_store v2, heap0 v1+0xffff_ff00
                return
            }
            """;

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void accessesAtOffsetsBeyondTwoGiB(String tier) throws Throwable {
        try (JitModule m = new JitModule(); Arena arena = Arena.ofConfined()) {
            (tier.equals("none") ? Tier.NONE : Tier.SPEED).compileInto(m, IR);
            MemorySegment buf = arena.allocate(64, 16);
            MemorySegment vmctx = arena.allocate(16, 16);
            buf.set(ValueLayout.JAVA_INT_UNALIGNED, 16, 0x1234_5678);
            MethodHandle load = m.handle("%load"), store = m.handle("%store");
            // heap_load: base = buf - 2^31, bound = 2^31 + 64: bytes [2^31, 2^31 + 64) are the buffer
            vmctx.set(ValueLayout.JAVA_LONG, 0, buf.address() - 0x8000_0000L);
            vmctx.set(ValueLayout.JAVA_LONG, 8, 0x8000_0000L + 64);
            assertEquals(0x1234_5678, (int) load.invokeExact(vmctx.address(), 16));
            assertEquals(0, (int) load.invokeExact(vmctx.address(), 60));          // the last 4 bytes
            Trap t = assertThrows(Trap.class, () -> {
                int unused = (int) load.invokeExact(vmctx.address(), 61);          // one byte past the bound
            });
            assertEquals("heap_oob", t.codeName());
            // heap_store at 0xffff_ff00: base = buf - 0xffff_ff00, bound = 0xffff_ff00 + 64
            vmctx.set(ValueLayout.JAVA_LONG, 0, buf.address() - 0xFFFF_FF00L);
            vmctx.set(ValueLayout.JAVA_LONG, 8, 0xFFFF_FF00L + 64);
            store.invokeExact(vmctx.address(), 8, 0x0BAD_F00D);
            assertEquals(0x0BAD_F00D, buf.get(ValueLayout.JAVA_INT_UNALIGNED, 8));
            assertThrows(Trap.class, () -> {
                store.invokeExact(vmctx.address(), -1, 1);                         // index 0xffff_ffff
            });
        }
    }
}
