package dev.twill.wasm;

/** Something an instance exports or imports: a function, memory, table, global or tag. */
public sealed interface Extern permits WasmFunction, WasmMemory, WasmTable, WasmGlobal, WasmTag {}
