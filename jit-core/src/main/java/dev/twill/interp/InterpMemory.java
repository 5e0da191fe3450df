package dev.twill.interp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The interpreter's memory: a flat 64-bit address space holding separate regions (heaps, tables,
 * VM contexts the host sets up, and the stack slots of running frames).
 *
 * <p>Problem: memory-level IR reads and writes raw addresses, and the oracle must trap exactly
 * where the access is invalid rather than read a neighbour's bytes. So regions are handed out
 * by a bump allocator that never reuses an address and leaves an unmapped gap of {@link #GAP}
 * bytes after each region: an access that runs even one byte past a region touches no region
 * and traps {@code heap_oob}.
 *
 * <p>Algorithm: live regions sit in parallel arrays sorted by start address (bump allocation
 * appends in order; {@link #free} removes, which for stack slots freed last-in-first-out is a
 * pop). An access finds its region by checking the region hit last, then by binary search.
 *
 * <p>Invariants: {@code start[0..count)} is strictly increasing; regions never overlap and are
 * at least {@link #GAP} bytes apart; every address handed out is at or above {@link #BASE}, so
 * small integers and addresses truncated to 32 bits are never valid.
 */
public final class InterpMemory {
    /** The first address handed out: above 4 GiB so a pointer wrongly cut to 32 bits misses. */
    public static final long BASE = 0x1_0000_0000L;
    /** Unmapped bytes kept after every region. */
    public static final long GAP = 0x1_0000L;

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long[] start = new long[16];
    private byte[][] data = new byte[16][];
    private int count;
    /** The region found last, or -1: most accesses hit the same region as the one before. */
    private int lastHit = -1;
    private long next = BASE;

    /**
     * Allocates a zero-filled region of {@code size} bytes whose address is a multiple of
     * {@code align} (a power of two); returns its address.
     */
    public long allocate(long size, long align) {
        if (size < 0 || size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("bad region size " + size);
        if (align <= 0 || (align & (align - 1)) != 0) throw new IllegalArgumentException("alignment not a power of two: " + align);
        long a = Math.max(align, 16);
        long addr = (next + a - 1) & -a;
        next = addr + size + GAP;
        if (count == start.length) {
            start = Arrays.copyOf(start, count * 2);
            data = Arrays.copyOf(data, count * 2);
        }
        start[count] = addr;
        data[count] = new byte[(int) size];
        count++;
        return addr;
    }

    /** Frees the region starting at {@code address}; later accesses to it trap. */
    public void free(long address) {
        int r = find(address);
        if (r < 0 || start[r] != address) throw new IllegalArgumentException("no region at 0x" + Long.toHexString(address));
        System.arraycopy(start, r + 1, start, r, count - r - 1);
        System.arraycopy(data, r + 1, data, r, count - r - 1);
        count--;
        data[count] = null;
        lastHit = -1;
    }

    /** The number of live regions. */
    public int regionCount() {
        return count;
    }

    /** True if the {@code n} bytes at {@code address} lie inside one live region. */
    public boolean isMapped(long address, int n) {
        return region(address, n) >= 0;
    }

    /** Reads {@code n} (1, 2, 4 or 8) bytes little-endian, zero-extended; throws if unmapped. */
    public long read(long address, int n) {
        int r = region(address, n);
        if (r < 0) throw unmapped(address, n);
        return readIn(r, address, n);
    }

    /** Writes the low {@code n} (1, 2, 4 or 8) bytes of {@code value} little-endian; throws if unmapped. */
    public void write(long address, int n, long value) {
        int r = region(address, n);
        if (r < 0) throw unmapped(address, n);
        writeIn(r, address, n, value);
    }

    /** Copies {@code bytes} to {@code address}; throws if the range is not inside one region. */
    public void writeBytes(long address, byte[] bytes) {
        int r = bytes.length == 0 ? find(address) : region(address, bytes.length);
        if (r < 0) throw unmapped(address, bytes.length);
        System.arraycopy(bytes, 0, data[r], (int) (address - start[r]), bytes.length);
    }

    /** Reads {@code n} bytes at {@code address}; throws if the range is not inside one region. */
    public byte[] readBytes(long address, int n) {
        int r = n == 0 ? find(address) : region(address, n);
        if (r < 0) throw unmapped(address, n);
        return Arrays.copyOfRange(data[r], (int) (address - start[r]), (int) (address - start[r]) + n);
    }

    private static IndexOutOfBoundsException unmapped(long address, int n) {
        return new IndexOutOfBoundsException(n + " bytes at 0x" + Long.toHexString(address) + " are not mapped");
    }

    /** The region holding all {@code n >= 1} bytes at {@code address}, or -1. */
    int region(long address, int n) {
        int r = lastHit;
        if (r < 0 || address < start[r] || address - start[r] > data[r].length - n) {
            r = find(address);
            if (r < 0 || address - start[r] > data[r].length - n) return -1;
            lastHit = r;
        }
        return r;
    }

    /** The region with the greatest start at or below {@code address}, or -1. */
    private int find(long address) {
        // addresses are compared signed: every region lies in [BASE, 2^62), so an address with
        // the top bit set (huge unsigned) sorts below all of them and correctly finds nothing
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (start[mid] <= address) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    long readIn(int r, long address, int n) {
        byte[] d = data[r];
        int off = (int) (address - start[r]);
        switch (n) {
            case 1: return d[off] & 0xFFL;
            case 2: return (short) I16.get(d, off) & 0xFFFFL;
            case 4: return (int) I32.get(d, off) & 0xFFFF_FFFFL;
            default: return (long) I64.get(d, off);
        }
    }

    void writeIn(int r, long address, int n, long value) {
        byte[] d = data[r];
        int off = (int) (address - start[r]);
        switch (n) {
            case 1: d[off] = (byte) value; break;
            case 2: I16.set(d, off, (short) value); break;
            case 4: I32.set(d, off, (int) value); break;
            default: I64.set(d, off, value);
        }
    }
}
