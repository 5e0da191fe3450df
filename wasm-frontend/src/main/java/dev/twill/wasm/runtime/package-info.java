/**
 * The machinery behind instances: linear memories reserved at their maximum and committed on
 * grow ({@link dev.twill.wasm.runtime.LinearMemory}, {@link dev.twill.runtime.NativeMemory}),
 * reference tables ({@link dev.twill.wasm.runtime.ReferenceTable}), constant expressions, the
 * Java builtins compiled code calls ({@link dev.twill.wasm.runtime.BuiltinFunctions}), the
 * adapters that make Java host functions callable through FuncRef records ({@link
 * dev.twill.wasm.runtime.HostAdapters}), the registry that maps a vmctx back to its
 * instance's Java state ({@link dev.twill.wasm.runtime.InstanceRegistry}), and the one that maps a
 * code address to the wasm function it belongs to, for naming traps ({@link
 * dev.twill.wasm.runtime.CodeRegistry}).
 */
package dev.twill.wasm.runtime;
