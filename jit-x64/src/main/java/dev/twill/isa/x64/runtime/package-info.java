/**
 * x86-64 pieces of the runtime that need the assembler: the entry trampoline through which Java
 * calls compiled code (found by {@code dev.twill.runtime.JitModule} through ServiceLoader).
 */
package dev.twill.isa.x64.runtime;
