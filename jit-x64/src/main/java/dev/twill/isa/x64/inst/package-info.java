/** x86-64 machine instructions as the payload of a {@link dev.twill.machinst.VCode}: {@link dev.twill.isa.x64.inst.X64Insts}. */
package dev.twill.isa.x64.inst;
