/**
 * The machine-independent back end: {@link dev.twill.machinst.VCode} (machine instructions
 * over virtual registers with packed {@link dev.twill.machinst.Operand} constraints), the
 * register allocator interface and its result, the machine environment, and (to come) the
 * block lowering order, code buffer and ABI framework.
 */
package dev.twill.machinst;
