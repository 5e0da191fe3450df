package dev.twill.regalloc;

import static org.junit.jupiter.api.Assertions.fail;

import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.RegAllocResult;
import dev.twill.machinst.RegisterAllocator;
import dev.twill.machinst.VCode;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Thousands of seeded random functions per allocator: every allocation must pass the checker
 * and compute the same values as the function over vregs. A failure names the seed, the
 * machine and the allocator; {@code -Dregalloc.seeds=N} runs more seeds.
 */
class AllocatorFuzzTest {
    static final int SEEDS = Integer.getInteger("regalloc.seeds", 3000);
    static final int FUEL = 3000;

    static void fuzz(String name, Supplier<RegisterAllocator> make, int seeds) {
        RegisterAllocator alloc = make.get();
        RegAllocChecker checker = new RegAllocChecker();
        VCode code = new VCode();
        RegAllocResult res = new RegAllocResult();
        MachineEnv[] envs = {TestEnvs.small(), TestEnvs.x64Like()};
        String[] envNames = {"small", "x64Like"};
        for (int seed = 0; seed < seeds; seed++) {
            int e = seed % 4 == 3 ? 1 : 0;
            int maxBlocks = 2 + seed % 40;
            RandomVCode.generate(seed, envs[e], code, maxBlocks);
            String where = name + " seed " + seed + " env " + envNames[e] + " maxBlocks " + maxBlocks;
            try {
                alloc.allocate(code, envs[e], res);
                checker.check(code, envs[e], res);
            } catch (RuntimeException ex) {
                fail(where + ": " + ex + "\n" + code + dumpEdits(res), ex);
            }
            long[] want = VCodeExecutor.run(code, null, FUEL);
            long[] got = VCodeExecutor.run(code, res, FUEL);
            if (!Arrays.equals(want, got)) {
                int d = Arrays.mismatch(want, got);
                fail(where + ": execution differs at read " + d + " of " + want.length + "/" + got.length + "\n" + code + dumpEdits(res));
            }
        }
    }

    static String dumpEdits(RegAllocResult res) {
        StringBuilder sb = new StringBuilder("edits:\n");
        for (int e = 0; e < res.numEdits(); e++) {
            int p = res.editPoint(e);
            sb.append("  ").append((p & 1) == 0 ? "before inst" : "after inst").append(p >> 1).append(": ")
                    .append(dev.twill.machinst.Allocation.toString(res.editFrom(e))).append(" -> ")
                    .append(dev.twill.machinst.Allocation.toString(res.editTo(e))).append('\n');
        }
        return sb.toString();
    }

    @Test
    void linearScan() {
        fuzz("LinearScanAllocator", LinearScanAllocator::new, SEEDS);
    }

    @Test
    void singlePass() {
        fuzz("SinglePassAllocator", SinglePassAllocator::new, SEEDS);
    }
}
