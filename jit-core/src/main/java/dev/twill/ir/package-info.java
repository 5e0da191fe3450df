/**
 * The IR fabric: {@link dev.twill.ir.Function} holds a {@link dev.twill.ir.DataFlowGraph}
 * (instructions, values, blocks with parameters) and a {@link dev.twill.ir.Layout} (the order of
 * extended basic blocks and their instructions). Entities are dense ints; see {@link
 * dev.twill.ir.Opcode} for the instruction set and its semantics.
 */
package dev.twill.ir;
