package dev.twill.wasm;

/** Something an instance exports or imports: a function, memory, table or global. */
public sealed interface Extern permits WasmFunction, WasmMemory, WasmTable, WasmGlobal {}
