package dev.twill.wasm.binary;

/** A table: its element type (a reference type, {@link ValType}) and limits in elements. */
public record TableType(byte elemType, Limits limits) {}
