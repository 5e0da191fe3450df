package dev.twill.wasm.binary;

/** A global defined by the module: its type and initializer. */
public record Global(GlobalType type, ConstExpr init) {}
