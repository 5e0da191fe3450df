package dev.twill.wasm.binary;

/**
 * A constant expression (global initializers, segment offsets, element items), kept as its
 * instruction bytes, the final {@code end} (0x0B) included, and the offset of its first byte in
 * the module, so that errors point into the binary. The validator checks it is constant and of
 * the right type; the runtime evaluates it at instantiation ({@code i32.const}, {@code
 * i64.const}, {@code f32.const}, {@code f64.const}, {@code ref.null t}, {@code ref.func x},
 * {@code global.get x}).
 */
public record ConstExpr(byte[] code, int offset) {}
