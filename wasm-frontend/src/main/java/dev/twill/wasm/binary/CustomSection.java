package dev.twill.wasm.binary;

/** A custom section, kept as it was: its name, contents, and the offset of the contents. */
public record CustomSection(String name, int offset, byte[] contents) {}
