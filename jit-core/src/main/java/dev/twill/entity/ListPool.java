package dev.twill.entity;

import java.util.Arrays;

/**
 * A pool of small int lists (value lists, block-call arguments, block parameters) stored in one
 * shared {@code int[]}, addressed by an int handle.
 *
 * <p>Why: an instruction's variable operand list must not be an object of its own, or building
 * IR would allocate per instruction. Cranelift's {@code EntityList} solves the same problem; this
 * is the same idea written for the JVM.
 *
 * <p>Layout: a list lives in a block whose capacity is a power of two (size class {@code c}
 * holds {@code 4 << c} ints). The first int of the block holds the length; the handle is the
 * index of the first element, so element {@code i} is {@code data[handle + i]} and the length is
 * {@code data[handle - 1]}. Freed blocks go to a free list per size class, threaded through the
 * block's first element. Handle {@code 0} is the empty list and is never allocated (index 0 of
 * {@code data} is reserved), so an int field initialised to zero is a valid empty list.
 *
 * <p>Invariants: a handle is valid until the list is freed or grows past its capacity; every
 * mutating method returns the (possibly new) handle, which the caller must store.
 */
public final class ListPool {
    /** The empty list. */
    public static final int EMPTY = 0;
    private static final int CLASSES = 28;

    private int[] data = new int[1024];
    private int top = 1;
    private final int[] freeHead = new int[CLASSES];

    public ListPool() {
        Arrays.fill(freeHead, -1);
    }

    /** Forgets every list but keeps the memory. */
    public void clear() {
        top = 1;
        Arrays.fill(freeHead, -1);
    }

    private static int sizeClass(int len) {
        // class c holds up to (4 << c) - 1 elements: one slot is the length
        int c = 0;
        while ((4 << c) - 1 < len) c++;
        return c;
    }

    private int allocBlock(int cls) {
        int head = freeHead[cls];
        if (head >= 0) {
            freeHead[cls] = data[head + 1];
            data[head] = cls << 24;
            return head + 1;
        }
        int size = 4 << cls;
        if (top + size > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, top + size));
        }
        int block = top;
        top += size;
        data[block] = cls << 24;
        return block + 1;
    }

    private void freeBlock(int handle) {
        int block = handle - 1;
        int cls = data[block] >>> 24;
        data[block + 1] = freeHead[cls];
        freeHead[cls] = block;
    }

    private int capacity(int handle) {
        return (4 << (data[handle - 1] >>> 24)) - 1;
    }

    /** The number of elements of the list. */
    public int size(int handle) {
        return handle == EMPTY ? 0 : data[handle - 1] & 0xFF_FFFF;
    }

    public int get(int handle, int index) {
        assert index >= 0 && index < size(handle) : "list index " + index + " of " + size(handle);
        return data[handle + index];
    }

    public void set(int handle, int index, int value) {
        assert index >= 0 && index < size(handle);
        data[handle + index] = value;
    }

    private void setSize(int handle, int len) {
        data[handle - 1] = (data[handle - 1] & 0xFF00_0000) | len;
    }

    /** Makes a list of {@code len} zeros. */
    public int alloc(int len) {
        if (len == 0) return EMPTY;
        int h = allocBlock(sizeClass(len));
        Arrays.fill(data, h, h + len, 0);
        setSize(h, len);
        return h;
    }

    /** Makes a list holding {@code values[from..from+len)}. */
    public int of(int[] values, int from, int len) {
        if (len == 0) return EMPTY;
        int h = allocBlock(sizeClass(len));
        System.arraycopy(values, from, data, h, len);
        setSize(h, len);
        return h;
    }

    public int of(int a) {
        int h = allocBlock(0);
        data[h] = a;
        setSize(h, 1);
        return h;
    }

    /** Appends {@code value}; returns the new handle. */
    public int push(int handle, int value) {
        if (handle == EMPTY) return of(value);
        int len = size(handle);
        if (len == capacity(handle)) handle = grow(handle, len + 1);
        data[handle + len] = value;
        setSize(handle, len + 1);
        return handle;
    }

    /** Inserts {@code value} at {@code index}; returns the new handle. */
    public int insert(int handle, int index, int value) {
        int len = size(handle);
        handle = push(handle, 0);
        System.arraycopy(data, handle + index, data, handle + index + 1, len - index);
        data[handle + index] = value;
        return handle;
    }

    /** Removes the element at {@code index}, shifting the rest down; returns the new handle. */
    public int remove(int handle, int index) {
        int len = size(handle);
        assert index >= 0 && index < len;
        if (len == 1) {
            freeBlock(handle);
            return EMPTY;
        }
        System.arraycopy(data, handle + index + 1, data, handle + index, len - index - 1);
        setSize(handle, len - 1);
        return handle;
    }

    /** Frees the list; the handle must not be used again. */
    public void free(int handle) {
        if (handle != EMPTY) freeBlock(handle);
    }

    /** A fresh copy of the list. */
    public int copy(int handle) {
        int len = size(handle);
        if (len == 0) return EMPTY;
        return of(data, handle, len);
    }

    /** Copies the list into {@code out} starting at {@code at}; returns the length. */
    public int copyTo(int handle, int[] out, int at) {
        int len = size(handle);
        System.arraycopy(data, handle, out, at, len);
        return len;
    }

    private int grow(int handle, int minLen) {
        int len = size(handle);
        int h = allocBlock(sizeClass(minLen));
        System.arraycopy(data, handle, data, h, len);
        setSize(h, len);
        freeBlock(handle);
        return h;
    }
}
