/** Twill's x86-64 calling convention (System V based), frame layout, trap protocol and signature header: {@link dev.twill.isa.x64.abi.X64Abi}. */
package dev.twill.isa.x64.abi;
