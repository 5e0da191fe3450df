package dev.twill.ir;

/**
 * A table of fixed-size elements: {@code table0 = dynamic gv0, min 0, bound gv1, element_size
 * 16, index_type i32}. {@code base} holds the address of element 0, {@code boundGv} the number
 * of elements. {@code table_addr} of an index at or above the bound traps {@code table_oob}.
 */
public final class TableData {
    public final int base;
    public final long min;
    public final int boundGv;
    public final int elementSize;
    public final int indexType;

    public TableData(int base, long min, int boundGv, int elementSize, int indexType) {
        this.base = base;
        this.min = min;
        this.boundGv = boundGv;
        this.elementSize = elementSize;
        this.indexType = indexType;
    }
}
