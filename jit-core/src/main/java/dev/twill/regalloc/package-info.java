/**
 * Register allocation over {@link dev.twill.machinst.VCode}: {@link
 * dev.twill.regalloc.SinglePassAllocator} for the fastest compiles, {@link
 * dev.twill.regalloc.LinearScanAllocator} (linear scan on SSA form) for the default tier, and
 * {@link dev.twill.regalloc.RegAllocChecker}, a symbolic checker that every allocation passes
 * in tests.
 */
package dev.twill.regalloc;
