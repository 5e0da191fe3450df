package dev.twill.wasm.binary;

/** A data segment: its bytes, and for ACTIVE ones the memory and offset expression. */
public record DataSegment(int mode, int memory, ConstExpr offset, byte[] bytes) {}
