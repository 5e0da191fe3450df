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
 *
 * <p><b>Misuse is an exception, never a crash.</b> What a host hands to wasm is checked where
 * it crosses ({@link dev.twill.wasm.Store} has the details):
 * <ul>
 *   <li>a funcref must be 0 or a function of the same store (a FuncRef record of one of its
 *       instances), an externref 0 or a handle that store made; otherwise {@link
 *       IllegalArgumentException}: function arguments, table and global writes, initial
 *       values, host-function results;
 *   <li>an i32 or f32 must be a 32-bit value, sign- or zero-extended (so {@code -1} and {@code
 *       0xFFFF_FFFFL} are both the i32 -1); wider values are refused, not cut;
 *   <li>types a host makes up (memory and table limits, element and value types) are checked;
 *   <li>after {@code close()} of a store everything of it, of a module its instantiation and
 *       calls from Java to its functions, of an engine compiling, instantiating and new stores,
 *       throw {@link IllegalStateException}. A store keeps the code of the modules it
 *       instantiated until it closes, and closing a store while its guests run interrupts them
 *       and frees nothing until they have returned;
 *   <li>native resources are bounded process-wide ({@link
 *       dev.twill.wasm.runtime.ResourceBudget}): past a limit instantiation throws {@link
 *       OutOfMemoryError} naming it, and {@code grow} returns -1.
 * </ul>
 */
package dev.twill.wasm;
