package dev.twill.regalloc;

import dev.twill.machinst.MachineEnv;

/** Machine environments for the allocator tests. */
final class TestEnvs {
    private TestEnvs() {}

    /** Four int registers r0..r3 (r2, r3 callee-saved), two float registers; scratch r15 and f15. */
    static MachineEnv small() {
        return new MachineEnv(new int[] {0, 1, 2, 3}, new int[] {32, 33}, (1L << 2) | (1L << 3), 15, 47);
    }

    /** Like x86-64 System V: 14 int registers, 15 float registers; scratch r11 and xmm15. */
    static MachineEnv x64Like() {
        int[] ints = {0, 1, 2, 6, 7, 8, 9, 10, 3, 12, 13, 14, 15, 5};
        int[] floats = new int[15];
        for (int k = 0; k < 15; k++) floats[k] = 32 + k;
        long callee = (1L << 3) | (1L << 5) | (1L << 12) | (1L << 13) | (1L << 14) | (1L << 15);
        return new MachineEnv(ints, floats, callee, 11, 47);
    }
}
