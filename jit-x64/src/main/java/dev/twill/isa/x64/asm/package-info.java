/**
 * The x86-64 machine-code assembler: {@link dev.twill.isa.x64.asm.X64Assembler} encodes the
 * integer, SSE2 and SSE4.1 instruction forms a scalar JIT needs into a reusable byte buffer, with
 * int labels and patched forward references. Registers ({@link dev.twill.isa.x64.asm.X64Reg}) and
 * condition codes ({@link dev.twill.isa.x64.asm.X64Cond}) are plain ints. Nothing here knows the
 * IR; every encoding is checked against {@code llvm-mc} in the tests.
 */
package dev.twill.isa.x64.asm;
