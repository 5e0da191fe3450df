package dev.twill.isa.x64.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import dev.twill.ir.text.Printer;
import dev.twill.ir.text.TestFunction;
import dev.twill.isa.x64.X64Isa;
import dev.twill.legalize.Legalizer;
import dev.twill.machinst.TargetIsa;
import dev.twill.runtime.FaultTraps;
import dev.twill.runtime.JitModule;
import dev.twill.runtime.NativeMemory;
import dev.twill.runtime.Trap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Heap accesses legalized with fault traps ({@link Legalizer#setFaultTraps}) on a heap mapped
 * as its {@code reserved} declaration promises: 6 GiB reserved, 64 KiB accessible, the rest
 * inaccessible and registered with {@link FaultTraps}. Accesses that cannot reach past the
 * reservation have no bounds check and trap by faulting; one with an offset beyond the guard
 * keeps its check. The oracle is the definition of a heap access: it traps heap_oob iff {@code
 * index + offset + size > bound}, and otherwise reads what Java wrote there.
 */
class GuardedHeapTest {
    private static final long RESERVED = 0x1_8000_0000L;
    private static final long BOUND = 0x1_0000;
    private static final long[] OFFSETS = {0, 0x10, 0x7fff_fff0L, 0xffff_fff0L};
    private static final int[] SIZES = {1, 2, 4, 8};
    private static long heap;
    private static MemorySegment bytes;
    private static Arena arena;
    private static MemorySegment vmctx;

    @BeforeAll
    static void mapHeap() {
        assertTrue(FaultTraps.available(), () -> "guard regions unavailable: " + FaultTraps.unavailableReason());
        heap = NativeMemory.reserve(RESERVED);
        NativeMemory.commit(heap, BOUND);
        FaultTraps.addGuard(heap, RESERVED);
        bytes = MemorySegment.ofAddress(heap).reinterpret(BOUND);
        for (int k = 0; k < BOUND; k++) bytes.set(ValueLayout.JAVA_BYTE, k, (byte) (k * 131 + 7));
        arena = Arena.ofShared();
        vmctx = arena.allocate(16, 8);
        vmctx.set(ValueLayout.JAVA_LONG, 0, heap);
        vmctx.set(ValueLayout.JAVA_LONG, 8, BOUND);
    }

    @AfterAll
    static void unmapHeap() {
        FaultTraps.removeGuard(heap);
        NativeMemory.release(heap, RESERVED);
        arena.close();
    }

    /** One function per (offset, size): loads at {@code idx + offset} (zero-extending). */
    private static String ir() {
        StringBuilder sb = new StringBuilder();
        for (long off : OFFSETS) {
            for (int size : SIZES) {
                String load = switch (size) {
                    case 1 -> "uload8.i64";
                    case 2 -> "uload16.i64";
                    case 4 -> "uload32.i64";
                    default -> "load.i64";
                };
                sb.append("function %load_").append(Long.toHexString(off)).append('_').append(size).append("""
                        (i64 vmctx, i32) -> i64 {
                            gv0 = vmctx
                            gv1 = load.i64 notrap aligned readonly gv0
                            gv2 = load.i64 notrap aligned gv0+8
                            heap0 = dynamic gv1, min 0, bound gv2, offset_guard 0, index_type i32, reserved 0x180000000
                        block0(v0: i64, v1: i32):
                        """).append("    v2 = heap_").append(load).append(" heap0 v1+").append(off).append("\n    return v2\n}\n");
            }
        }
        return sb.toString();
    }

    private static long expected(long index, long offset, int size) {
        long at = index + offset;
        if (at + size > BOUND) return Long.MIN_VALUE;
        long v = 0;
        for (int k = size - 1; k >= 0; k--) v = v << 8 | (bytes.get(ValueLayout.JAVA_BYTE, at + k) & 0xff);
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void accessesWithoutChecksTrapExactlyWhenOutOfBounds(String opt) throws Throwable {
        X64Isa isa = new X64Isa();
        Legalizer legalizer = new Legalizer();
        legalizer.setFaultTraps(true);
        Map<String, MethodHandle> handles = new LinkedHashMap<>();
        try (JitModule m = new JitModule()) {
            Map<String, Function> functions = new LinkedHashMap<>();
            for (TestFunction tf : Parser.parseFile(ir(), "guarded").functions()) {
                Function f = tf.function();
                legalizer.legalize(f);
                String text = Printer.print(f);
                boolean checked = f.name.startsWith("%load_fffffff0");
                // only the offset past the 2 GiB guard keeps a bounds check (and a notrap load)
                assertEquals(checked, text.contains("trapnz"), text);
                assertEquals(checked, text.contains("notrap v"), text);
                m.declareFunction(f.name, f.signature);
                functions.put(f.name, f);
            }
            for (Map.Entry<String, Function> e : functions.entrySet()) {
                m.defineFunction(e.getKey(), isa.compile(e.getValue(), new TargetIsa.Settings(opt)));
            }
            m.finalizeDefinitions();
            for (String name : functions.keySet()) handles.put(name, m.handle(name));

            SplittableRandom random = new SplittableRandom(42);
            long[] indices = new long[64];
            long[] edges = {0, 1, BOUND - 9, BOUND - 8, BOUND - 4, BOUND - 2, BOUND - 1, BOUND, BOUND + 1, 0x7fff_ffffL,
                    0x8000_0000L, 0xffff_fff0L, 0xffff_ffffL};
            System.arraycopy(edges, 0, indices, 0, edges.length);
            for (int k = edges.length; k < indices.length; k++) {
                indices[k] = random.nextBoolean() ? random.nextLong(BOUND + 16) : random.nextLong(0x1_0000_0000L);
            }
            int traps = 0;
            for (long off : OFFSETS) {
                for (int size : SIZES) {
                    MethodHandle h = handles.get("%load_" + Long.toHexString(off) + "_" + size);
                    for (long index : indices) {
                        long want = expected(index, off, size);
                        try {
                            long got = (long) h.invokeExact(vmctx.address(), (int) index);
                            if (want == Long.MIN_VALUE) fail("no trap at index " + index + " offset " + off + " size " + size);
                            assertEquals(want, got, "index " + index + " offset " + off + " size " + size);
                        } catch (Trap t) {
                            assertEquals("heap_oob", t.codeName());
                            if (want != Long.MIN_VALUE) fail("trap at in-bounds index " + index + " offset " + off + " size " + size);
                            traps++;
                        }
                    }
                }
            }
            assertTrue(traps > 100, "too few out-of-bounds cases: " + traps);
        }
    }
}
