package dev.twill.interp;

import static dev.twill.interp.IrKit.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.Opcode;
import dev.twill.ir.Type;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The interpreter loop allocates nothing per executed instruction. */
class AllocationTest {
    @Test
    void aLongLoopAllocatesAlmostNothing() {
        // loop(a, b, n): brz n, exit(a); jump loop(b, a + b, n - 1): 5 instructions per iteration
        IrKit k = new IrKit("%fib", types(Type.I32), types(Type.I64));
        int loop = k.block(Type.I64, Type.I64, Type.I32), exit = k.block(Type.I64);
        k.b.jump(loop, k.b.iconst(Type.I64, 0), k.b.iconst(Type.I64, 1), k.args[0]);
        k.b.atEnd(loop);
        int a = k.param(loop, 0), b = k.param(loop, 1), n = k.param(loop, 2);
        k.b.branch(Opcode.BRZ, n, exit, new int[] {a}, 1);
        k.b.jump(loop, b, k.b.iadd(a, b), k.b.iaddImm(n, -1));
        k.b.atEnd(exit);
        k.b.ret(k.param(exit, 0));
        Interpreter in = new Interpreter(new InterpModule().add(k.f));
        in.call("%fib", 10); // decode once

        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        InterpResult r = in.call("%fib", 1_000_000);
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(r.returned());
        // 4 million instructions; a per-instruction allocation of even one object would be > 16 MB
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes");
    }
}
