/** Emission of allocated x86-64 VCode into machine code: {@link dev.twill.isa.x64.emit.X64Emitter}. */
package dev.twill.isa.x64.emit;
