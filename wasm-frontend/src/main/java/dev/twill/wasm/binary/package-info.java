/**
 * The WebAssembly binary format (WebAssembly 2.0 §5) and the module model it decodes to.
 *
 * <ul>
 *   <li>{@link dev.twill.wasm.binary.ModuleDecoder}: bytes to {@link
 *       dev.twill.wasm.binary.WasmModule}, rejecting malformed modules; function bodies are
 *       kept as byte ranges for the validator and translator to decode.
 *   <li>{@link dev.twill.wasm.binary.ByteReader}: the cursor both use (LEB128 with the spec's
 *       limits, little-endian floats, UTF-8 names).
 *   <li>{@link dev.twill.wasm.binary.Opcodes}: instruction opcodes (SIMD excluded), and
 *       {@link dev.twill.wasm.binary.InstructionSkipper}: well-formedness of instruction
 *       sequences without typing.
 *   <li>The model: types, imports, exports, segments, constant expressions, bodies.
 * </ul>
 *
 * <p>SIMD is not supported: {@code v128} and the 0xFD prefix are refused with "SIMD is not
 * supported".
 */
package dev.twill.wasm.binary;
