package dev.twill.entity;

import java.util.Arrays;

/** A growable list of ints without boxing; {@link #clear()} keeps the capacity. */
public final class IntVec {
    private int[] data;
    private int size;

    public IntVec() {
        this(16);
    }

    public IntVec(int capacity) {
        data = new int[Math.max(capacity, 4)];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        size = 0;
    }

    public void add(int v) {
        if (size == data.length) data = Arrays.copyOf(data, size * 2);
        data[size++] = v;
    }

    public int get(int i) {
        assert i < size;
        return data[i];
    }

    public void set(int i, int v) {
        assert i < size;
        data[i] = v;
    }

    public int pop() {
        return data[--size];
    }

    public int last() {
        return data[size - 1];
    }

    public void truncate(int newSize) {
        assert newSize <= size;
        size = newSize;
    }

    public boolean contains(int v) {
        for (int i = 0; i < size; i++) if (data[i] == v) return true;
        return false;
    }

    public int[] toArray() {
        return Arrays.copyOf(data, size);
    }

    /** The backing array; valid up to {@link #size()}. */
    public int[] raw() {
        return data;
    }
}
