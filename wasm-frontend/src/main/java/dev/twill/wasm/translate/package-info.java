/**
 * WebAssembly to Twill IR: {@link dev.twill.wasm.translate.FunctionTranslator} turns one
 * validated function body into sandbox-level IR in a single streaming pass (operand and control
 * stacks of ints driving {@link dev.twill.frontend.FunctionBuilder}), and {@link
 * dev.twill.wasm.translate.ModuleCompiler} translates, legalizes and compiles every defined
 * function of a module in parallel, with output independent of the thread count. Instance state
 * is reached through the VM context as {@link dev.twill.wasm.vm.VmContextLayout} lays it out.
 */
package dev.twill.wasm.translate;
