/** Instruction selection from memory-level IR to x86-64 VCode: {@link dev.twill.isa.x64.lower.X64Lowering}. */
package dev.twill.isa.x64.lower;
