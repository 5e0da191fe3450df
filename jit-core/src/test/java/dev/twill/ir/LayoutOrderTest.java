package dev.twill.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Order queries of the {@link Layout} against an independent oracle: the position of each
 * instruction in a plain Java list that mirrors every insertion. Inserts, appends, removals and
 * block splits are interleaved with queries, so sequence numbers are checked both while blocks
 * are stale (no room left between neighbours) and after they have been renumbered.
 */
class LayoutOrderTest {
    @Test
    void instPrecedesMatchesListPositionsUnderRandomEdits() {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            Function f = new Function("%o", Signature.of(new int[0], new int[0]));
            List<List<Integer>> blocks = new ArrayList<>();
            List<Integer> blockIds = new ArrayList<>();
            int b0 = f.makeBlock();
            f.layout.appendBlock(b0);
            blocks.add(new ArrayList<>());
            blockIds.add(b0);
            for (int step = 0; step < 600; step++) {
                int which = rnd.nextInt(blocks.size());
                List<Integer> order = blocks.get(which);
                int block = blockIds.get(which);
                int kind = rnd.nextInt(10);
                if (kind < 2 || order.isEmpty()) {
                    int i = f.dfg.makeInst(Opcode.NOP, Type.INVALID);
                    f.layout.appendInst(i, block);
                    order.add(i);
                } else if (kind < 7) {
                    // mostly insert before a few hot spots, which exhausts the gaps quickly
                    int at = rnd.nextBoolean() ? 0 : rnd.nextInt(order.size());
                    int i = f.dfg.makeInst(Opcode.NOP, Type.INVALID);
                    f.layout.insertInstBefore(i, order.get(at));
                    order.add(at, i);
                } else if (kind < 8 && order.size() > 1) {
                    int at = rnd.nextInt(order.size());
                    f.layout.removeInst(order.remove(at));
                } else if (kind < 9 && order.size() > 2 && blocks.size() < 8) {
                    int at = 1 + rnd.nextInt(order.size() - 1);
                    int nb = f.makeBlock();
                    f.layout.insertBlockAfter(nb, block);
                    f.layout.splitBlock(nb, order.get(at));
                    List<Integer> tail = new ArrayList<>(order.subList(at, order.size()));
                    order.subList(at, order.size()).clear();
                    blocks.add(which + 1, tail);
                    blockIds.add(which + 1, nb);
                } else {
                    checkAll(f, blocks, seed, step);
                }
            }
            checkAll(f, blocks, seed, -1);
        }
    }

    @Test
    void clearedLayoutForgetsEveryInstructionOfTheLastFunction() {
        Function f = new Function("%c", Signature.of(new int[0], new int[0]));
        for (int round = 0; round < 3; round++) {
            f.clear("%c", Signature.of(new int[0], new int[0]));
            int b = f.makeBlock();
            f.layout.appendBlock(b);
            // round 0 inserts 500 instructions; later rounds create as many but insert only
            // every third one, out of creation order, so stale records must read as not inserted
            int[] made = new int[500];
            for (int k = 0; k < made.length; k++) made[k] = f.dfg.makeInst(Opcode.NOP, Type.INVALID);
            for (int k = made.length - 1; k >= 0; k--) {
                if (round == 0 || k % 3 == 0) f.layout.appendInst(made[k], b);
            }
            for (int k = 0; k < made.length; k++) {
                boolean inserted = round == 0 || k % 3 == 0;
                assertEquals(inserted, f.layout.isInstInserted(made[k]), "round " + round + " inst " + k);
                assertEquals(inserted ? b : -1, f.layout.instBlock(made[k]), "round " + round + " inst " + k);
            }
            assertEquals(false, f.layout.isInstInserted(100_000));
            assertEquals(-1, f.layout.instBlock(100_000));
        }
    }

    private static void checkAll(Function f, List<List<Integer>> blocks, long seed, int step) {
        for (List<Integer> order : blocks) {
            for (int x = 0; x < order.size(); x++) {
                for (int y = 0; y < order.size(); y++) {
                    if (x == y) continue;
                    assertEquals(x < y, f.layout.instPrecedes(order.get(x), order.get(y)),
                            "seed " + seed + " step " + step + ": positions " + x + ", " + y);
                }
            }
        }
        // instructions of different blocks order like their blocks
        for (int p = 0; p + 1 < blocks.size(); p++) {
            if (blocks.get(p).isEmpty() || blocks.get(p + 1).isEmpty()) continue;
            int a = blocks.get(p).get(0), b = blocks.get(p + 1).get(0);
            assertEquals(true, f.layout.instPrecedes(a, b), "seed " + seed + " blocks " + p);
            assertEquals(false, f.layout.instPrecedes(b, a), "seed " + seed + " blocks " + p);
        }
    }
}
