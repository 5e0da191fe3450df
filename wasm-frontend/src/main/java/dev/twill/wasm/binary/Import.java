package dev.twill.wasm.binary;

/**
 * An import {@code module.name} of one {@link ExternKind}: for FUNC, {@code typeIndex} names its
 * type; for TABLE, MEMORY, GLOBAL the matching field is set and the others are null / -1.
 */
public record Import(String module, String name, int kind, int typeIndex, TableType table, MemoryType memory, GlobalType global) {}
