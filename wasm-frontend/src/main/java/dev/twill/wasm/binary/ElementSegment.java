package dev.twill.wasm.binary;

/**
 * An element segment. Items are given either as function indices ({@code functionIndices}
 * non-null, {@code items} null: the encodings with an {@code elemkind}) or as constant
 * expressions ({@code items} non-null). {@code table} and {@code offset} matter for ACTIVE
 * segments only ({@code offset} null otherwise).
 */
public record ElementSegment(int mode, int table, ConstExpr offset, byte elemType, int[] functionIndices, ConstExpr[] items) {
    public int count() {
        return functionIndices != null ? functionIndices.length : items.length;
    }
}
