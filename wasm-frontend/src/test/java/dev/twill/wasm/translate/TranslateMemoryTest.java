package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.TrapCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loads, stores, bounds, memory.size/grow, bulk memory and globals of memory.wat, against a
 * Java byte-array model of the linear memory.
 */
class TranslateMemoryTest {
    static final int PAGE = 65536;
    WasmHarness h;
    /** The model: what memory 0 must hold. */
    ByteBuffer model;

    @BeforeEach
    void setUp() {
        h = WasmHarness.of("memory.wat");
        model = ByteBuffer.allocate(3 * PAGE).order(ByteOrder.LITTLE_ENDIAN);
        byte[] init = {1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc};
        model.put(16, init);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private static long u32(int v) {
        return v & 0xFFFF_FFFFL;
    }

    /** Checks every load kind at {@code addr} against the model, or heap_oob past {@code length}. */
    private void checkLoads(long addr, long length) {
        String[] names = {"i32.load", "i64.load", "f32.load", "f64.load", "i32.load8_s", "i32.load8_u", "i32.load16_s",
            "i32.load16_u", "i64.load8_s", "i64.load8_u", "i64.load16_s", "i64.load16_u", "i64.load32_s", "i64.load32_u"};
        int[] sizes = {4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4};
        for (int k = 0; k < names.length; k++) {
            if (addr + sizes[k] > length) {
                h.expectTrap(names[k], TrapCode.HEAP_OOB, addr);
                continue;
            }
            int a = (int) addr;
            long expected = switch (k) {
                case 0, 2 -> u32(model.getInt(a));
                case 1, 3 -> model.getLong(a);
                case 4 -> u32(model.get(a));
                case 5 -> model.get(a) & 0xFF;
                case 6 -> u32(model.getShort(a));
                case 7 -> model.getShort(a) & 0xFFFF;
                case 8 -> model.get(a);
                case 9 -> model.get(a) & 0xFF;
                case 10 -> model.getShort(a);
                case 11 -> model.getShort(a) & 0xFFFF;
                case 12 -> model.getInt(a);
                default -> u32(model.getInt(a));
            };
            if (k == 2 || k == 3) h.expectBits(names[k], expected, addr);
            else h.expect1(names[k], expected, addr);
        }
    }

    /**
     * Accesses whose index provably stays inside the memory's minimum size need no bounds check
     * (plain loads and stores in the IR); the others keep theirs and still trap. Values against
     * the model; the bounds worked out by hand: (x & 255) * 4 + 1024 + 4 <= 2048, (x & 15) ^ 0x30
     * + 2000 + 1 <= 2064, both within the one-page minimum; (x & 0xffff) * 4 + 1024 + 4 reaches
     * 263168. The wide lookup with x = 0xffff wraps nothing but is out of bounds; a lookup
     * whose i32 arithmetic wrapped would read elsewhere than the model says.
     */
    @Test
    void provablyInBoundsAccessesSkipTheCheckOthersKeepIt() {
        assertTrue(!ir("table_lookup").contains("heap_load") && ir("table_lookup").contains("load.i32 notrap"), ir("table_lookup"));
        // the i32 shift and add cannot wrap, so they become the address mode: zext(x & 255) << 2, offset 1024
        assertTrue(ir("table_lookup").contains("ishl_imm") && ir("table_lookup").contains("+1024"), ir("table_lookup"));
        assertTrue(ir("table_lookup_wide").contains("heap_load"), ir("table_lookup_wide"));
        assertTrue(!ir("table_store").contains("heap_store") && ir("table_store").contains("istore8 notrap"), ir("table_store"));
        for (int k = 0; k < 256; k++) {
            int v = k * 0x0101_0101 ^ 0x5A5A;
            h.expect("i32.store", new long[0], 1024 + 4 * k, v);
            model.putInt(1024 + 4 * k, v);
        }
        for (int x : new int[] {0, 1, 77, 255, 256, 1000, -1, Integer.MIN_VALUE, 0x3eff}) {
            h.expect1("table_lookup", u32(model.getInt((x & 255) * 4 + 1024)), x);
            if ((x & 0xffff) * 4 + 1024 + 4 <= PAGE) h.expect1("table_lookup_wide", u32(model.getInt((x & 0xffff) * 4 + 1024)), x);
        }
        // (0x3f00 * 4 + 1024) + 4 = 65540 > 65536, and every index above
        h.expectTrap("table_lookup_wide", TrapCode.HEAP_OOB, 0x3f00);
        h.expectTrap("table_lookup_wide", TrapCode.HEAP_OOB, -1);
        for (int x : new int[] {0, 5, 15, 16, -1}) {
            int at = ((x & 15) ^ 0x30) + 2000;
            h.expect("table_store", new long[0], x, 0x100 + x);
            model.put(at, (byte) (0x100 + x));
            h.expect1("i32.load8_u", model.get(at) & 0xFF, at);
        }
    }

    private String ir(String export) {
        return dev.twill.ir.text.Printer.print(h.sandboxOf(export));
    }

    @Test
    void loadsOfDataSegment() {
        h.expectI32("i32.load", 0x04030201, 16);
        h.expect1("i64.load", 0x0807060504030201L, 16);
        h.expectI32("i32.load8_s", -1, 24);
        h.expectI32("i32.load16_s", (short) 0xfeff, 24);
        h.expect1("i64.load32_s", (int) 0xfcfdfeff, 24);
        h.expect1("i64.load32_u", 0xfcfdfeffL, 24);
        for (long a = 0; a < 40; a++) checkLoads(a, PAGE);
    }

    @Test
    void storesAgainstModel() {
        Random r = new Random(42);
        String[] names = {"i32.store", "i64.store", "f32.store", "f64.store", "i32.store8", "i32.store16", "i64.store8",
            "i64.store16", "i64.store32"};
        int[] sizes = {4, 8, 4, 8, 1, 2, 1, 2, 4};
        for (int n = 0; n < 300; n++) {
            int k = r.nextInt(names.length);
            int addr = r.nextInt(20) < 2 ? PAGE - r.nextInt(10) : r.nextInt(PAGE);
            long v = r.nextLong();
            if (k == 0 || k == 2 || k == 4 || k == 5) v = u32((int) v);
            if (k == 3 && Double.isNaN(Double.longBitsToDouble(v))) v = 0; // NaN payloads are not the point here
            if (k == 2 && Float.isNaN(Float.intBitsToFloat((int) v))) v = 0;
            if ((long) addr + sizes[k] > PAGE) {
                h.expectTrap(names[k], TrapCode.HEAP_OOB, addr, v);
                continue;
            }
            h.expect(names[k], new long[0], addr, v);
            switch (sizes[k]) {
                case 1 -> model.put(addr, (byte) v);
                case 2 -> model.putShort(addr, (short) v);
                case 4 -> model.putInt(addr, (int) v);
                default -> model.putLong(addr, v);
            }
            checkLoads(addr, PAGE);
            if (addr >= 3) checkLoads(addr - 3, PAGE);
        }
        for (int a = PAGE - 10; a <= PAGE + 1; a++) checkLoads(a, PAGE);
        assertEquals(u32(model.getInt(1000)), h.readMemory(1000, 4));
    }

    @Test
    void boundsAndOffsetsNeverWrap() {
        h.expectTrap("i32.load", TrapCode.HEAP_OOB, 0xFFFF_FFFFL);
        h.expectTrap("i32.load", TrapCode.HEAP_OOB, 0xFFFF_FFFDL);
        h.expectTrap("load_off4", TrapCode.HEAP_OOB, 0xFFFF_FFFCL); // index + offset = 2^32, not 0
        h.expectI32("load_off4", 0x08070605, 16);
        h.expectTrap("load_off4", TrapCode.HEAP_OOB, PAGE - 7);
        h.expectI32("load_off4", 0, PAGE - 8);
        for (long i : new long[] {0, 1, 0xFFFF_FFFFL}) h.expectTrap("load_off_max", TrapCode.HEAP_OOB, i);
        h.expectI32("load_off_64k", 0, 0);
        h.expectTrap("load_off_64k", TrapCode.HEAP_OOB, 1);
        h.expectTrap("store_off", TrapCode.HEAP_OOB, PAGE - 103, 1);
        h.expect("store_off", new long[0], PAGE - 104, 0x11223344);
        assertEquals(0x11223344L, h.readMemory(PAGE - 4, 4));
    }

    @Test
    void growAndSize() {
        h.expectI32("size", 1);
        h.expectTrap("load_off_64k", TrapCode.HEAP_OOB, 1);
        h.expectI32("grow", 1, 1);
        h.expectI32("size", 2);
        h.expectI32("load_off_64k", 0, 1); // the bound is re-read after grow
        h.expect("i32.store", new long[0], 2 * PAGE - 4, 0xCAFE);
        h.expectTrap("i32.store", TrapCode.HEAP_OOB, 2 * PAGE - 3, 0xCAFE);
        h.expectI32("grow", -1, 2); // max 3
        h.expectI32("grow", -1, 0xFFFF_FFFFL);
        h.expectI32("grow", 2, 1);
        h.expectI32("grow", 3, 0);
        h.expectI32("size", 3);
        h.expectI32("i32.load", 0xCAFE, 2 * PAGE - 4);
        h.expectTrap("i32.load", TrapCode.HEAP_OOB, 3 * PAGE - 3);
        // the loop re-reads the bound each access: sum across the old end
        h.expect("i32.store", new long[0], PAGE - 2, 0x01010101);
        h.expectI32("sum_bytes", 4, PAGE - 2, 4);
    }

    @Test
    void bulkMemory() {
        h.expect("fill", new long[0], 100, 0x1AB, 10);
        for (int a = 98; a < 112; a++) h.expectI32("i32.load8_u", a >= 100 && a < 110 ? 0xAB : 0, a);
        h.expect("fill", new long[0], PAGE, 0, 0); // zero bytes at the end: fine
        h.expectBuiltinTrap("fill", TrapCode.HEAP_OOB, PAGE - 5, 1, 10);
        h.expect("copy", new long[0], 200, 16, 8);
        h.expect1("i64.load", 0x0807060504030201L, 200);
        h.expect("copy", new long[0], 17, 16, 4); // overlapping: memmove
        h.expectI32("i32.load", 0x03020101, 16);
        h.expectI32("i32.load8_u", 4, 20);
        h.expectI32("i32.load8_u", 6, 21);
        h.expectBuiltinTrap("copy", TrapCode.HEAP_OOB, 0, PAGE - 1, 2);
        h.expect("init", new long[0], 300, 1, 2);
        h.expectI32("i32.load", 0xCCBB, 300);
        h.expectBuiltinTrap("init", TrapCode.HEAP_OOB, 0, 3, 2);
        h.expect("data_drop", new long[0]);
        h.expect("init", new long[0], 0, 0, 0);
        h.expectBuiltinTrap("init", TrapCode.HEAP_OOB, 0, 0, 1);
        h.expectI32("store_between", 0xCCBB + 5, 300, 5);
    }

    @Test
    void globals() {
        h.expectI32("get_g", 42);
        h.expect("set_g", new long[0], 7);
        h.expectI32("get_g", 7);
        h.expectI32("inc_g", 8);
        assertEquals(8, h.readGlobal(0));
        h.expect1("get_c", -5);
        h.expectBits("get_f", Double.doubleToRawLongBits(1.5));
        h.expect("set_f", new long[0], Double.doubleToRawLongBits(-0.0));
        h.expectBits("get_f", Double.doubleToRawLongBits(-0.0));
        h.expectI32("r_is_null", 1);
        h.expect("set_r", new long[0]);
        h.expectI32("r_is_null", 0);
        // an immutable global is a readonly load, a mutable one is not
        assertTrue(h.ir("get_c").contains("readonly v0+"), h.ir("get_c"));
        assertTrue(!h.ir("get_g").matches("(?s).*load.i32 notrap aligned readonly v0.*"), h.ir("get_g"));
    }
}
