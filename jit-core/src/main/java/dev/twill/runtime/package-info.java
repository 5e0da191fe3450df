/**
 * Running compiled code. {@link dev.twill.runtime.CodeMemory} maps executable memory through
 * Panama (W^X); {@link dev.twill.runtime.JitModule} links compiled functions into it (relocations
 * between functions and to host symbols, veneers for far host symbols, signature-id headers) and
 * hands out function pointers and method handles; {@link dev.twill.runtime.TrapContext} is the
 * protocol by which compiled code leaves on a trap, checks its stack limit and sees interrupts,
 * without signals; {@link dev.twill.runtime.CallContext} is its per-thread block; {@link
 * dev.twill.runtime.Trap} and {@link dev.twill.runtime.LinkError} are what Java sees. The
 * machine-specific entry trampolines come from a back end through {@link
 * dev.twill.runtime.EntryTrampolineGenerator}.
 */
package dev.twill.runtime;
