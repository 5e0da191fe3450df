/**
 * WebAssembly 2.0 validation (§3): {@link dev.twill.wasm.validate.Validator} checks a decoded
 * {@link dev.twill.wasm.binary.WasmModule} at module level and decodes and type-checks every
 * function body in a single pass with the operand-stack algorithm of the spec's appendix
 * (§A.3), allocating nothing per instruction. Errors are {@link dev.twill.CompileError}s at a
 * byte offset, with the reference interpreter's messages ("type mismatch", "unknown
 * function 5", ...), and malformed encodings inside bodies take precedence over type errors,
 * as they do in the reference interpreter.
 */
package dev.twill.wasm.validate;
