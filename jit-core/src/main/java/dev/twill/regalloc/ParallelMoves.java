package dev.twill.regalloc;

import dev.twill.machinst.Allocation;
import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.RegAllocResult;

/**
 * A parallel move (every source read before any destination is written) turned into a
 * sequence of single moves, the classic sequentialisation: emit a move whose destination no
 * pending move still reads; when none is left every pending move lies on a cycle, so one
 * source is parked in a temporary (the class's scratch register, or a spare slot when a
 * pending slot-to-slot move will itself need the scratch register) and the readers of that
 * source read the temporary instead. Slot-to-slot moves go through the scratch register.
 *
 * <p>Invariant expected of the caller: destinations are distinct. Working arrays are reused.
 */
final class ParallelMoves {
    private int[] src = new int[16], dst = new int[16], cls = new int[16];
    private int n;
    /** The spare slot for cycles through memory, or -1 until one is needed. */
    int spareSlot = -1;
    /** Slots in use by the function; the spare slot is taken from here when first needed. */
    int numSlots;
    /** Registers written by emitted moves. */
    long usedRegs;

    void clear() {
        n = 0;
        spareSlot = -1;
        numSlots = 0;
        usedRegs = 0;
    }

    boolean isEmpty() {
        return n == 0;
    }

    int size() {
        return n;
    }

    int dst(int k) {
        return dst[k];
    }

    void add(int from, int to, int regClass) {
        if (from == to) return;
        if (n == src.length) {
            src = java.util.Arrays.copyOf(src, n * 2);
            dst = java.util.Arrays.copyOf(dst, n * 2);
            cls = java.util.Arrays.copyOf(cls, n * 2);
        }
        src[n] = from;
        dst[n] = to;
        cls[n] = regClass;
        n++;
    }

    /** Emits the pending moves at {@code point} and clears them. */
    void emit(int point, RegAllocResult out, MachineEnv env) {
        while (n > 0) {
            boolean progress = false;
            for (int m = 0; m < n; m++) {
                int d = dst[m];
                boolean read = false;
                for (int o = 0; o < n; o++) {
                    if (o != m && src[o] == d) {
                        read = true;
                        break;
                    }
                }
                if (read) continue;
                copy(point, src[m], d, cls[m], out, env);
                n--;
                src[m] = src[n];
                dst[m] = dst[n];
                cls[m] = cls[n];
                m--;
                progress = true;
            }
            if (progress) continue;
            int s = src[0], c = cls[0];
            boolean slotToSlotPending = false;
            for (int o = 0; o < n; o++) slotToSlotPending |= Allocation.isSlot(src[o]) && Allocation.isSlot(dst[o]);
            int temp;
            if (!slotToSlotPending && env.scratch[c] >= 0) {
                temp = env.scratch[c];
            } else {
                if (spareSlot < 0) spareSlot = numSlots++;
                temp = Allocation.slot(spareSlot);
            }
            copy(point, s, temp, c, out, env);
            for (int o = 0; o < n; o++) if (src[o] == s) src[o] = temp;
        }
    }

    private void copy(int point, int from, int to, int c, RegAllocResult out, MachineEnv env) {
        if (Allocation.isSlot(from) && Allocation.isSlot(to)) {
            int scratch = env.scratch[c];
            if (scratch < 0) throw new IllegalArgumentException("a slot-to-slot move needs a scratch register");
            out.addMove(point, from, scratch);
            out.addMove(point, scratch, to);
            usedRegs |= 1L << scratch;
        } else {
            out.addMove(point, from, to);
            if (Allocation.isReg(to)) usedRegs |= 1L << to;
        }
    }
}
