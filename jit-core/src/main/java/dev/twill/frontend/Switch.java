package dev.twill.frontend;

import dev.twill.CompileError;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import java.util.Arrays;

/**
 * Lowers a multi-way branch on an integer ({@code switch}, wasm's {@code br_table} with sparse
 * labels) to {@code br_table} and compare-and-branch code.
 *
 * <p><b>Case values</b> are taken modulo 2^bits of the index type and ordered as signed numbers
 * of that type: for an {@code i8} index, 255 and -1 are the same case (and a duplicate if both
 * are given), and a value that fits neither the signed nor the unsigned range is an error.
 *
 * <p><b>Algorithm</b>: sort the cases; cut them greedily, left to right, into <i>clusters</i>
 * that are dense (at least half of the values between the first and last are cases) and have at
 * least {@link #MIN_TABLE_CASES} cases; the rest stay single. A cluster becomes {@code idx =
 * index - min; br_table idx, fallback, [...]}: subtracting the minimum wraps, and br_table
 * compares its index unsigned, so one instruction does the whole range check even when the
 * cluster crosses zero or touches the extremes of the type. Singles become {@code br_icmp eq}
 * mid-block branches. When a range holds more than {@link #LINEAR_LIMIT} items, or more than one
 * cluster, it is split in the middle by {@code br_icmp sge index, pivot} (a binary search: the
 * left half falls through in the same block, the right half gets a new block), so any switch
 * costs O(log n) comparisons plus one table jump. Spans are compared as unsigned {@code long}s,
 * so {@code Long.MIN_VALUE .. Long.MAX_VALUE} never overflows.
 *
 * <p>Case blocks and the default receive no arguments. Blocks this class creates are sealed by
 * it; the case and default blocks are the caller's to seal.
 */
public final class Switch {
    /** Fewest cases worth a jump table. */
    static final int MIN_TABLE_CASES = 4;
    /** Largest jump table, in entries. */
    static final int MAX_TABLE_SPAN = 1 << 16;
    /** Items a range may test one after another before it is split. */
    static final int LINEAR_LIMIT = 4;

    private long[] values = new long[16];
    private int[] blocks = new int[16];
    private int size;

    /** Sorted (signed, normalized) case values and their blocks, built by {@link #emit}. */
    private long[] sortedValues = new long[16];
    private int[] sortedBlocks = new int[16];
    /** Items: [first, last] indices into the sorted cases and whether they form a table. */
    private int[] itemFirst = new int[16], itemLast = new int[16];
    private boolean[] itemTable = new boolean[16];
    private int numItems;
    private long[] sortKeys = new long[16];
    private int[] targets = new int[16];

    /** Forgets the cases, keeping capacity. */
    public void clear() {
        size = 0;
    }

    /** Branch to {@code block} when the index equals {@code value}. */
    public Switch addCase(long value, int block) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
            blocks = Arrays.copyOf(blocks, size * 2);
        }
        values[size] = value;
        blocks[size] = block;
        size++;
        return this;
    }

    public int numCases() {
        return size;
    }

    /**
     * Emits the dispatch on {@code index} at the end of the builder's current block, which ends
     * filled (the builder's current block is then the last block this switch created, or the
     * one it started in).
     */
    public void emit(FunctionBuilder fb, int index, int defaultBlock) {
        DataFlowGraph dfg = fb.function().dfg;
        int type = dfg.valueType(index);
        if (!Type.isInt(type) || Type.bits(type) > 64) {
            throw error(fb, "switch index v" + index + " has type " + Type.name(type) + ", not an integer type");
        }
        normalizeAndSort(fb, type);
        if (size == 0) {
            fb.jump(defaultBlock);
            return;
        }
        buildItems();
        emitRange(fb, index, type, 0, numItems - 1, defaultBlock);
    }

    // ---- preparation

    private void normalizeAndSort(FunctionBuilder fb, int type) {
        int bits = Type.bits(type);
        if (sortedValues.length < size) {
            int n = Math.max(size, sortedValues.length * 2);
            sortedValues = new long[n];
            sortedBlocks = new int[n];
            sortKeys = new long[n];
        }
        for (int k = 0; k < size; k++) {
            long v = values[k];
            if (bits < 64) {
                long min = -(1L << (bits - 1)), max = (1L << bits) - 1;
                if (v < min || v > max) {
                    throw error(fb, "switch case " + v + " does not fit the index type " + Type.name(type));
                }
                v = (v << (64 - bits)) >> (64 - bits); // sign-extend from the index width
            }
            sortedValues[k] = v;
        }
        // sort the values, then give each case the rank of its value (unique once duplicates are out)
        System.arraycopy(sortedValues, 0, sortKeys, 0, size);
        Arrays.sort(sortKeys, 0, size);
        for (int k = 1; k < size; k++) {
            if (sortKeys[k] == sortKeys[k - 1]) {
                throw error(fb, "switch case " + sortKeys[k] + " appears twice (as " + Type.name(type) + ")");
            }
        }
        for (int k = 0; k < size; k++) sortedBlocks[Arrays.binarySearch(sortKeys, 0, size, sortedValues[k])] = blocks[k];
        System.arraycopy(sortKeys, 0, sortedValues, 0, size);
    }

    /** Unsigned span {@code hi - lo} of sorted values (hi >= lo as signed). */
    private static long span(long lo, long hi) {
        return hi - lo;
    }

    private void buildItems() {
        numItems = 0;
        int i = 0;
        while (i < size) {
            int j = i;
            while (j + 1 < size) {
                long s = span(sortedValues[i], sortedValues[j + 1]);
                int count = j + 2 - i;
                // dense enough: span + 1 <= 2 * count, and small enough to be a table
                if (Long.compareUnsigned(s, MAX_TABLE_SPAN - 1) > 0 || Long.compareUnsigned(s, 2L * count - 1) > 0) break;
                j++;
            }
            if (j + 1 - i >= MIN_TABLE_CASES) {
                addItem(i, j, true);
                i = j + 1;
            } else {
                addItem(i, i, false);
                i++;
            }
        }
    }

    private void addItem(int first, int last, boolean table) {
        if (numItems == itemFirst.length) {
            itemFirst = Arrays.copyOf(itemFirst, numItems * 2);
            itemLast = Arrays.copyOf(itemLast, numItems * 2);
            itemTable = Arrays.copyOf(itemTable, numItems * 2);
        }
        itemFirst[numItems] = first;
        itemLast[numItems] = last;
        itemTable[numItems] = table;
        numItems++;
    }

    // ---- emission

    private void emitRange(FunctionBuilder fb, int index, int type, int lo, int hi, int defaultBlock) {
        int tables = 0;
        for (int k = lo; k <= hi; k++) if (itemTable[k]) tables++;
        if (hi - lo + 1 <= LINEAR_LIMIT && tables <= 1) {
            emitLinear(fb, index, type, lo, hi, defaultBlock);
            return;
        }
        int mid = (lo + hi + 1) >>> 1;
        int right = fb.createBlock();
        int pivot = fb.ins().iconst(type, sortedValues[itemFirst[mid]]);
        fb.brIcmp(IntCC.SGE, index, pivot, right);
        emitRange(fb, index, type, lo, mid - 1, defaultBlock);
        fb.switchToBlock(right);
        fb.sealBlock(right);
        emitRange(fb, index, type, mid, hi, defaultBlock);
    }

    /** Singles as {@code br_icmp eq} chains; then the one table, or a jump to the default. */
    private void emitLinear(FunctionBuilder fb, int index, int type, int lo, int hi, int defaultBlock) {
        int table = -1;
        for (int k = lo; k <= hi; k++) {
            if (itemTable[k]) {
                table = k;
                continue;
            }
            int c = itemFirst[k];
            int v = fb.ins().iconst(type, sortedValues[c]);
            fb.brIcmp(IntCC.EQ, index, v, sortedBlocks[c]);
        }
        if (table < 0) {
            fb.jump(defaultBlock);
            return;
        }
        int first = itemFirst[table], last = itemLast[table];
        long min = sortedValues[first];
        int n = (int) (span(min, sortedValues[last]) + 1);
        int idx = min == 0 ? index : fb.ins().binaryImm(Opcode.IADD_IMM, index, -min);
        if (targets.length < n) targets = new int[Math.max(n, targets.length * 2)];
        Arrays.fill(targets, 0, n, defaultBlock);
        for (int c = first; c <= last; c++) targets[(int) span(min, sortedValues[c])] = sortedBlocks[c];
        fb.brTable(idx, defaultBlock, targets, n);
    }

    private static CompileError error(FunctionBuilder fb, String reason) {
        return CompileError.inFunction(fb.function().name, "switch", reason);
    }
}
