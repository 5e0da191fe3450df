package dev.twill.wasm.binary;

/** An export: a name, an {@link ExternKind} and an index into that kind's index space. */
public record Export(String name, int kind, int index) {}
