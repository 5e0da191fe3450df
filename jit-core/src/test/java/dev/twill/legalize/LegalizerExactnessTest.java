package dev.twill.legalize;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * Runs legalized heap and table accesses on edge values with {@link MiniEval} and compares with
 * the semantics of HeapData and TableData computed in unbounded integers ({@link BigInteger}):
 * an access of n bytes at {@code index + offset} is in bounds iff {@code 0 <= index + offset}
 * and {@code index + offset + n <= bound}; otherwise it traps {@code heap_oob}. Also checks that
 * dropping covered checks keeps which access traps first.
 */
class LegalizerExactnessTest {
    static final long VMCTX = 0x1000;
    static final long BASE = 0x7000_0000_0000L;
    static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

    static final long[] INDICES = {
        0, 1, 3, 4, 8, 0xFFF, 0xFFFC, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0xFFFF_FFFCL, 0xFFFF_FFFFL,
        0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, -8, -4, -1,
    };
    static final long[] OFFSETS = {
        0, 4, 0xFFFC, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE, Long.MAX_VALUE - 3, -4, -0x10000, Long.MIN_VALUE,
    };
    static final long[] BOUNDS = {
        0, 3, 4, 12, 0x10000, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0001_0000L, Long.MIN_VALUE, -1,
    };
    static final int[] INDEX_TYPES = {Type.I16, Type.I32, Type.I64};
    static final int[] WIDTHS = {Type.I8, Type.I32, Type.I64};

    static BigInteger unsigned(long v) {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(TWO64);
    }

    static final int NA = MemFlags.NOTRAP | MemFlags.ALIGNED;

    /** (i64 vmctx, idx) with base at vmctx+8 and, for a dynamic heap, the bound at vmctx+16. */
    static Function heapFunction(boolean dynamic, long staticBound, int boundType, int indexType, int boundFlags) {
        Function f = new Function("%x", LegalizerTest.sig(new int[] {Type.I64, indexType}, 0, new int[] {Type.I64}));
        int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
        int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, boundType, NA | boundFlags));
        f.addHeap(dynamic
                ? new HeapData(gv1, 0, HeapData.Style.DYNAMIC, 0, gv2, 0, indexType)
                : new HeapData(gv1, 0, HeapData.Style.STATIC, staticBound, -1, 0, indexType));
        int b0 = LegalizerTest.entry(f);
        f.dfg.appendBlockParam(b0, Type.I64);
        f.dfg.appendBlockParam(b0, indexType);
        return f;
    }

    static MiniEval evaluator(long bound) {
        MiniEval e = new MiniEval();
        e.memory.put(VMCTX + 8, BASE);
        e.memory.put(VMCTX + 16, bound);
        return e;
    }

    /** The oracle for one access: the address, or null if it traps. */
    static BigInteger expect(long index, long offset, int bytes, BigInteger bound) {
        BigInteger eff = unsigned(index).add(BigInteger.valueOf(offset));
        if (eff.signum() < 0 || eff.add(BigInteger.valueOf(bytes)).compareTo(bound) > 0) return null;
        return unsigned(BASE).add(eff).mod(TWO64);
    }

    /** Runs one function over all indices with the given bound and compares with the oracle. */
    static void check(Function f, MiniEval e, int indexType, long[] offsets, int[] bytes, BigInteger bound, String what) {
        for (long raw : INDICES) {
            long index = raw & Type.mask(indexType);
            e.run(f, VMCTX, index);
            int expectedTrap = -1;
            int done = 0;
            for (int k = 0; k < offsets.length; k++) {
                BigInteger addr = expect(index, offsets[k], bytes[k], bound);
                if (addr == null) {
                    expectedTrap = TrapCode.HEAP_OOB;
                    break;
                }
                String where = what + " index " + Long.toHexString(index) + " access " + k;
                assertTrue(e.addresses.size() > k, where + ": no access\n" + f);
                assertEquals(addr.longValue(), e.addresses.get(k), where);
                done++;
            }
            String where = what + " index " + Long.toHexString(index);
            assertEquals(expectedTrap, e.trap, () -> where + "\n" + f);
            assertEquals(done, e.addresses.size(), where);
        }
    }

    @Test
    void staticHeapsAreExact() {
        Legalizer legalizer = new Legalizer();
        for (long bound : BOUNDS) {
            for (int indexType : INDEX_TYPES) {
                for (long offset : OFFSETS) {
                    for (int type : WIDTHS) {
                        Function f = heapFunction(false, bound, Type.I64, indexType, 0);
                        InstBuilder b = new InstBuilder(f).atEnd(f.layout.firstBlock());
                        b.ret(b.heapLoad(Opcode.HEAP_LOAD, type, 0, f.dfg.blockParam(f.layout.firstBlock(), 1), offset));
                        MiniEval e = evaluator(0);
                        e.accessInsts.add(f.layout.prevInst(b.lastInst()));
                        legalizer.legalize(f);
                        check(f, e, indexType, new long[] {offset}, new int[] {Type.bytes(type)}, unsigned(bound),
                                "static bound " + Long.toHexString(bound) + " offset " + offset + " " + Type.name(type));
                    }
                }
            }
        }
    }

    @Test
    void dynamicHeapsAreExact() {
        Legalizer legalizer = new Legalizer();
        for (int boundType : new int[] {Type.I32, Type.I64}) {
            for (int indexType : INDEX_TYPES) {
                for (long offset : OFFSETS) {
                    for (int type : WIDTHS) {
                        Function f = heapFunction(true, 0, boundType, indexType, 0);
                        InstBuilder b = new InstBuilder(f).atEnd(f.layout.firstBlock());
                        b.ret(b.heapLoad(Opcode.HEAP_LOAD, type, 0, f.dfg.blockParam(f.layout.firstBlock(), 1), offset));
                        int access = f.layout.prevInst(b.lastInst());
                        legalizer.legalize(f);
                        for (long rawBound : BOUNDS) {
                            long bound = rawBound & Type.mask(boundType);
                            MiniEval e = evaluator(bound);
                            e.accessInsts.add(access);
                            check(f, e, indexType, new long[] {offset}, new int[] {Type.bytes(type)}, unsigned(bound),
                                    "dynamic " + Type.name(boundType) + " bound " + Long.toHexString(bound)
                                            + " offset " + offset + " " + Type.name(type));
                        }
                    }
                }
            }
        }
    }

    @Test
    void droppedChecksKeepTheOrderOfTraps() {
        long[] offsets = {0, 4, 8, 0xFFF0, 0xFFFC};
        int[] types = {Type.I32, Type.I64};
        Legalizer legalizer = new Legalizer();
        for (boolean dynamic : new boolean[] {false, true}) {
            for (int indexType : new int[] {Type.I32, Type.I64}) {
                for (long o1 : offsets) {
                    for (long o2 : offsets) {
                        for (int t1 : types) {
                            for (int t2 : types) {
                                Function f = heapFunction(dynamic, 0x10000, Type.I64, indexType, MemFlags.READONLY);
                                int b0 = f.layout.firstBlock();
                                int index = f.dfg.blockParam(b0, 1);
                                InstBuilder b = new InstBuilder(f).atEnd(b0);
                                b.heapLoad(Opcode.HEAP_LOAD, t1, 0, index, o1);
                                int first = b.lastInst();
                                b.heapLoad(Opcode.HEAP_LOAD, t2, 0, index, o2);
                                int second = b.lastInst();
                                b.ret(f.dfg.blockParam(b0, 0));
                                legalizer.legalize(f);
                                for (long bound : new long[] {0x10000, 0x8, 0xFFF8, 0xFFFF}) {
                                    MiniEval e = evaluator(bound);
                                    e.accessInsts.add(first);
                                    e.accessInsts.add(second);
                                    check(f, e, indexType, new long[] {o1, o2},
                                            new int[] {Type.bytes(t1), Type.bytes(t2)},
                                            unsigned(dynamic ? bound : 0x10000), "two accesses " + o1 + ", " + o2);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void tablesAreExact() {
        Legalizer legalizer = new Legalizer();
        long[] offsets = {0, 8, -8};
        for (int elementSize : new int[] {1, 8, 12, 24, 0x10000}) {
            for (int indexType : INDEX_TYPES) {
                for (long offset : offsets) {
                    Function f = new Function("%t", LegalizerTest.sig(new int[] {Type.I64, indexType}, 0, new int[] {Type.I64}));
                    int gv0 = f.addGlobalValue(GlobalValueData.vmctx());
                    int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 8, Type.I64, NA));
                    int gv2 = f.addGlobalValue(GlobalValueData.load(gv0, 16, Type.I32, NA));
                    int table = f.addTable(new TableData(gv1, 0, gv2, elementSize, indexType));
                    int b0 = LegalizerTest.entry(f);
                    f.dfg.appendBlockParam(b0, Type.I64);
                    int index = f.dfg.appendBlockParam(b0, indexType);
                    InstBuilder b = new InstBuilder(f).atEnd(b0);
                    b.ret(b.tableAddr(Type.I64, table, index, offset));
                    int access = f.layout.prevInst(b.lastInst());
                    legalizer.legalize(f);
                    for (long bound : new long[] {0, 1, 5, 0x10000, 0xFFFF_FFFFL}) {
                        MiniEval e = evaluator(bound);
                        e.accessInsts.add(access);
                        for (long raw : INDICES) {
                            long idx = raw & Type.mask(indexType);
                            e.run(f, VMCTX, idx);
                            String where = "element " + elementSize + " bound " + bound + " index " + Long.toHexString(idx);
                            if (Long.compareUnsigned(idx, bound) >= 0) {
                                assertEquals(TrapCode.TABLE_OOB, e.trap, where);
                            } else {
                                assertEquals(-1, e.trap, where);
                                BigInteger addr = unsigned(BASE).add(unsigned(idx).multiply(BigInteger.valueOf(elementSize)))
                                        .add(BigInteger.valueOf(offset)).mod(TWO64);
                                assertEquals(addr.longValue(), e.addresses.get(0), where);
                                assertEquals(addr.longValue(), e.returned, where);
                            }
                        }
                    }
                }
            }
        }
    }
}
