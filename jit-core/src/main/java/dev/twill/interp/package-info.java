/**
 * The IR interpreter: executes functions of any abstraction level exactly by the semantics stated
 * in {@link dev.twill.ir.Opcode}, and is the oracle every back end is tested against.
 *
 * <p>{@link dev.twill.interp.InterpModule} holds functions and host functions by name, {@link
 * dev.twill.interp.InterpMemory} a flat address space of separated regions, {@link
 * dev.twill.interp.Interpreter} runs calls and returns an {@link dev.twill.interp.InterpResult}
 * (values, a trap code, or out of fuel). {@link dev.twill.interp.IntOps} and {@link
 * dev.twill.interp.FloatOps} are the per-instruction semantics as static functions, reusable by
 * constant folding.
 */
package dev.twill.interp;
