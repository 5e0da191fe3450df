/**
 * The WebAssembly embedding API: an {@link dev.twill.wasm.Engine} compiles a {@link
 * dev.twill.wasm.Module} (decode, validate, translate, compile to native code in one
 * JitModule); a {@link dev.twill.wasm.Linker} resolves its imports (host functions, or the
 * externs of other instances) and instantiates it in a {@link dev.twill.wasm.Store}, which owns
 * all native state and frees it on close; an {@link dev.twill.wasm.Instance} hands out its
 * exports as {@link dev.twill.wasm.WasmFunction}s (raw-bit calls or typed method handles), {@link
 * dev.twill.wasm.WasmMemory}s, {@link dev.twill.wasm.WasmTable}s and {@link
 * dev.twill.wasm.WasmGlobal}s. Traps are {@link dev.twill.runtime.Trap}, link failures {@link
 * dev.twill.runtime.LinkError}, bad modules {@link dev.twill.CompileError}.
 */
package dev.twill.wasm;
