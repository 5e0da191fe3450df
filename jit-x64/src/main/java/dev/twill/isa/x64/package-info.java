/**
 * The x86-64 back end: {@link dev.twill.isa.x64.X64Isa} (the {@link dev.twill.machinst.TargetIsa}),
 * CPU features, and the subpackages asm (encoder), inst (VCode payload), lower (instruction
 * selection), abi (calling convention, frame) and emit (machine code).
 */
package dev.twill.isa.x64;
