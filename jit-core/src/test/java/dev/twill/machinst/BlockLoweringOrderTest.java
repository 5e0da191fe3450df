package dev.twill.machinst;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Function;
import dev.twill.ir.text.Parser;
import org.junit.jupiter.api.Test;

class BlockLoweringOrderTest {
    private static BlockLoweringOrder order(Function f) {
        BlockLoweringOrder o = new BlockLoweringOrder();
        o.compute(f);
        return o;
    }

    @Test
    void splitsAtMidBlockBranchesAndCriticalEdges() {
        // block0 has a mid-block brz to block2 and then jumps to block1; block1 branches to block2
        // or block3: block2 has two predecessors, so both edges into it from multi-successor
        // blocks are critical; block4 is unreachable.
        Function f = Parser.parseFunction("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                brz v0, block2(v0)
                v1 = iadd_imm v0, 1
                jump block1
            block1:
                brif v1, block2(v1), block3
            block2(v2: i32):
                return v2
            block3:
                return v0
            block4:
                return v0
            }""");
        BlockLoweringOrder o = order(f);
        // 0: block0 up to brz; 1: block0's rest; 2: edge from 0 to block2; 3: block1;
        // 4: edge from 3 to block2; 5: block2; 6: block3
        assertEquals(7, o.numBlocks(), o.toString());
        assertEquals(BlockLoweringOrder.SEGMENT, o.kind(0));
        assertEquals(BlockLoweringOrder.SEGMENT, o.kind(1));
        assertEquals(0, o.irBlock(1));
        assertEquals(BlockLoweringOrder.EDGE, o.kind(2));
        assertEquals(BlockLoweringOrder.EDGE, o.kind(4));
        assertEquals(2, o.numSuccs(0));
        assertEquals(2, o.succ(0, 0)); // taken: the edge block
        assertEquals(1, o.succ(0, 1)); // fall-through
        assertEquals(-1, o.succBlockCall(0, 0)); // the edge block carries the arguments
        assertEquals(5, o.succ(2, 0));
        assertTrue(o.succBlockCall(2, 0) >= 0);
        assertEquals(3, o.succ(1, 0)); // jump block1: block1 has one predecessor, no edge block
        assertEquals(4, o.succ(3, 0));
        assertEquals(6, o.succ(3, 1));
        assertEquals(0, o.blockIndex(0));
        assertEquals(3, o.blockIndex(1));
        assertEquals(5, o.blockIndex(2));
        assertEquals(6, o.blockIndex(3));
        assertEquals(-1, o.blockIndex(4));
        int brz = f.layout.firstInst(f.layout.firstBlock());
        assertEquals(0, o.segmentEndingAt(brz));
    }

    @Test
    void entryBlockThatIsABranchTargetGetsASyntheticEntry() {
        Function f = Parser.parseFunction("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = iadd_imm v0, -1
                brif v1, block0(v1), block1
            block1:
                return v1
            }""");
        BlockLoweringOrder o = order(f);
        assertEquals(BlockLoweringOrder.ENTRY, o.kind(0), o.toString());
        assertEquals(1, o.blockIndex(0));
        assertEquals(1, o.succ(0, 0));
        // block0 has two predecessors (entry and itself) and the brif two successors: split
        assertEquals(BlockLoweringOrder.EDGE, o.kind(o.succ(1, 0)));
        assertEquals(1, o.succ(o.succ(1, 0), 0));
    }

    @Test
    void brTableEntriesWithTheSameEdgeShareIt() {
        Function f = Parser.parseFunction("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                br_table v0, block1, [block2, block1, block2]
            block1:
                return v0
            block2:
                return v0
            }""");
        BlockLoweringOrder o = order(f);
        int seg = o.blockIndex(0);
        assertEquals(2, o.numSuccs(seg), o.toString());
        assertEquals(0, o.jumpTableSucc(seg, 0));
        assertEquals(1, o.jumpTableSucc(seg, 1));
        assertEquals(0, o.jumpTableSucc(seg, 2));
        assertEquals(1, o.jumpTableSucc(seg, 3));
    }
}
