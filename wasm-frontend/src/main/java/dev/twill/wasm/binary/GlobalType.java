package dev.twill.wasm.binary;

/** A global's value type ({@link ValType}) and mutability. */
public record GlobalType(byte valType, boolean mutable) {}
