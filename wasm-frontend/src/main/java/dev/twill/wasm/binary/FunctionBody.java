package dev.twill.wasm.binary;

/**
 * The code of one defined function: its locals in run-length form as encoded ({@code
 * localCounts[i]} locals of type {@code localTypes[i]}; the decoder rejects more than 50,000
 * locals in total, so {@code localCount} fits an int) and the byte range {@code [codeStart,
 * end)} of its instruction sequence in the module's bytes, the final {@code end} opcode
 * included. The instructions are decoded lazily, by the validator and the translator.
 */
public record FunctionBody(int[] localCounts, byte[] localTypes, int localCount, int codeStart, int end) {}
