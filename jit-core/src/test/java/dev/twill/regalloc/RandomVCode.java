package dev.twill.regalloc;

import dev.twill.machinst.MachineEnv;
import dev.twill.machinst.Operand;
import dev.twill.machinst.RegClass;
import dev.twill.machinst.VCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random VCode for allocator tests. The control flow is structured (sequences,
 * diamonds and multi-way branches joining with block parameters, loops with carried
 * parameters), so every def dominates its uses and every critical edge is split by
 * construction; blocks are numbered in layout order (a block before the blocks it dominates).
 * Instructions mix every operand form: register, any and stack uses, late uses, early defs,
 * reuse defs, fixed uses and defs, calls clobbering the caller-saved registers, moves, two
 * register classes, and uses drawn from the whole set of dominating values so that many
 * values stay live and the allocators must spill.
 */
final class RandomVCode {
    private static final class Inst {
        int flags;
        long clobbers;
        final List<Long> ops = new ArrayList<>();
    }

    private static final class Blk {
        final int id;
        final List<Integer> params = new ArrayList<>();
        final List<Inst> insts = new ArrayList<>();
        final List<Blk> succs = new ArrayList<>();
        final List<int[]> args = new ArrayList<>();

        Blk(int id) {
            this.id = id;
        }
    }

    private final Random rnd;
    private final MachineEnv env;
    private final VCode code;
    private final List<Blk> blocks = new ArrayList<>();
    private final List<Integer> avail = new ArrayList<>();
    private final int maxBlocks;
    private final int maxDepth;
    private long callerSaved;
    private Blk cur;

    private RandomVCode(long seed, MachineEnv env, VCode code, int maxBlocks) {
        this.rnd = new Random(seed);
        this.env = env;
        this.code = code;
        this.maxBlocks = maxBlocks;
        this.maxDepth = 3;
        for (int[] regs : env.allocatable) for (int r : regs) if ((env.calleeSaved & (1L << r)) == 0) callerSaved |= 1L << r;
    }

    /** Builds a random function into {@code code} (cleared first). */
    static void generate(long seed, MachineEnv env, VCode code, int maxBlocks) {
        code.clear();
        new RandomVCode(seed, env, code, maxBlocks).build();
    }

    private Blk newBlock() {
        Blk b = new Blk(blocks.size());
        blocks.add(b);
        return b;
    }

    private void build() {
        cur = newBlock();
        // incoming arguments in fixed registers
        Inst args = new Inst();
        int[] ints = env.allocatable[RegClass.INT];
        int nArgs = 1 + rnd.nextInt(Math.min(3, ints.length));
        for (int k = 0; k < nArgs; k++) args.ops.add(Operand.fixedDef(def(RegClass.INT), RegClass.INT, ints[k]));
        if (rnd.nextBoolean()) args.ops.add(Operand.fixedDef(def(RegClass.FLOAT), RegClass.FLOAT, env.allocatable[1][0]));
        cur.insts.add(args);
        sequence(0);
        Inst ret = new Inst();
        ret.flags = VCode.TERMINATOR | VCode.RET;
        ret.ops.add(Operand.fixedUse(pick(RegClass.INT), RegClass.INT, ints[0]));
        if (ints.length > 1 && rnd.nextBoolean()) ret.ops.add(Operand.fixedUse(pick(RegClass.INT), RegClass.INT, ints[1]));
        if (hasAvail(RegClass.FLOAT) && rnd.nextBoolean())
            ret.ops.add(Operand.fixedUse(pick(RegClass.FLOAT), RegClass.FLOAT, env.allocatable[1][0]));
        cur.insts.add(ret);
        emit();
    }

    private int def(int cls) {
        int v = code.newVReg(cls);
        avail.add(v);
        return v;
    }

    private boolean hasAvail(int cls) {
        for (int v : avail) if (code.vregClass(v) == cls) return true;
        return false;
    }

    /** A dominating value of class {@code cls}, recent ones more likely. */
    private int pick(int cls) {
        for (int tries = 0; tries < 64; tries++) {
            int n = avail.size();
            int idx = rnd.nextInt(3) == 0 ? n - 1 - rnd.nextInt(Math.min(n, 4)) : rnd.nextInt(n);
            int v = avail.get(idx);
            if (code.vregClass(v) == cls) return v;
        }
        for (int k = avail.size() - 1; k >= 0; k--) if (code.vregClass(avail.get(k)) == cls) return avail.get(k);
        throw new IllegalStateException("no value of class " + cls);
    }

    private void sequence(int depth) {
        int steps = 1 + rnd.nextInt(4);
        for (int s = 0; s < steps; s++) {
            int choice = rnd.nextInt(10);
            if (depth < maxDepth && blocks.size() < maxBlocks && choice < 3) branch(depth);
            else if (depth < maxDepth && blocks.size() < maxBlocks && choice < 5) loop(depth);
            else straight();
        }
    }

    private void straight() {
        int n = 1 + rnd.nextInt(8);
        for (int k = 0; k < n; k++) cur.insts.add(randomInst());
    }

    private int[] args(Blk target) {
        int[] a = new int[target.params.size()];
        for (int k = 0; k < a.length; k++) a[k] = pick(code.vregClass(target.params.get(k)));
        return a;
    }

    private void jump(Blk target) {
        Inst j = new Inst();
        j.flags = VCode.TERMINATOR;
        cur.insts.add(j);
        cur.succs.add(target);
        cur.args.add(args(target));
    }

    private Inst condBranch() {
        Inst t = new Inst();
        t.flags = VCode.TERMINATOR;
        t.ops.add(rnd.nextInt(4) == 0 ? Operand.anyUse(pick(RegClass.INT), RegClass.INT) : Operand.regUse(pick(RegClass.INT), RegClass.INT));
        cur.insts.add(t);
        return t;
    }

    private void branch(int depth) {
        straight();
        condBranch();
        Blk from = cur;
        int arms = rnd.nextInt(4) == 0 ? 3 : 2;
        List<Blk> ends = new ArrayList<>();
        List<List<Integer>> armAvail = new ArrayList<>();
        int mark = avail.size();
        for (int a = 0; a < arms; a++) {
            Blk arm = newBlock();
            from.succs.add(arm);
            from.args.add(new int[0]);
            cur = arm;
            if (rnd.nextInt(4) != 0) sequence(depth + 1);
            ends.add(cur);
            // the join's params are not known yet: remember what dominates the arm's end
            armAvail.add(new ArrayList<>(avail));
            while (avail.size() > mark) avail.remove(avail.size() - 1);
        }
        Blk join = newBlock();
        int np = rnd.nextInt(4);
        for (int k = 0; k < np; k++) join.params.add(code.newVReg(rnd.nextInt(4) == 0 && hasAvail(RegClass.FLOAT) ? RegClass.FLOAT : RegClass.INT));
        List<Integer> saved = new ArrayList<>(avail);
        for (int a = 0; a < arms; a++) {
            cur = ends.get(a);
            avail.clear();
            avail.addAll(armAvail.get(a));
            jump(join);
        }
        avail.clear();
        avail.addAll(saved);
        avail.addAll(join.params);
        cur = join;
    }

    private void loop(int depth) {
        Blk header = newBlock();
        int np = 1 + rnd.nextInt(3);
        for (int k = 0; k < np; k++) header.params.add(code.newVReg(rnd.nextInt(4) == 0 && hasAvail(RegClass.FLOAT) ? RegClass.FLOAT : RegClass.INT));
        jump(header);
        cur = header;
        avail.addAll(header.params);
        sequence(depth + 1);
        condBranch();
        Blk latch = cur;
        Blk back = newBlock();
        Blk exit = newBlock();
        latch.succs.add(back);
        latch.args.add(new int[0]);
        latch.succs.add(exit);
        latch.args.add(new int[0]);
        cur = back;
        int mark = avail.size();
        if (rnd.nextInt(3) == 0) straight();
        jump(header);
        // a permutation of the header's own params now and then: parallel-move cycles
        if (np >= 2 && rnd.nextBoolean()) {
            int[] a = cur.args.get(cur.args.size() - 1);
            for (int k = 0; k < np; k++) {
                int p = header.params.get((k + 1) % np);
                if (code.vregClass(p) == code.vregClass(header.params.get(k))) a[k] = p;
            }
        }
        while (avail.size() > mark) avail.remove(avail.size() - 1);
        cur = exit;
    }

    private Inst randomInst() {
        Inst in = new Inst();
        int nInt = env.allocatable[0].length, nFlt = env.allocatable[1].length;
        int cls = hasAvail(RegClass.FLOAT) && rnd.nextInt(4) == 0 ? RegClass.FLOAT : RegClass.INT;
        int nRegs = cls == RegClass.INT ? nInt : nFlt;
        int[] regs = env.allocatable[cls];
        switch (rnd.nextInt(12)) {
            case 0, 1 -> { // plain ALU
                int uses = rnd.nextInt(Math.min(3, nRegs) + 1);
                for (int k = 0; k < uses; k++) in.ops.add(Operand.regUse(pick(cls), cls));
                in.ops.add(Operand.regDef(def(cls), cls));
                if (rnd.nextInt(5) == 0) in.ops.add(Operand.regDef(def(cls), cls));
            }
            case 2 -> { // two-address
                in.ops.add(Operand.regUse(pick(cls), cls));
                in.ops.add(rnd.nextBoolean() ? Operand.anyUse(pick(cls), cls) : Operand.regUse(pick(cls), cls));
                in.ops.add(Operand.reuseDef(def(cls), cls, 0));
            }
            case 3 -> { // early def
                int uses = 1 + rnd.nextInt(Math.min(2, nRegs - 1));
                for (int k = 0; k < uses; k++) in.ops.add(Operand.regUse(pick(cls), cls));
                in.ops.add(Operand.earlyDef(def(cls), cls));
            }
            case 4 -> { // late use
                in.ops.add(Operand.lateUse(pick(cls), cls));
                if (nRegs > 2) in.ops.add(Operand.regUse(pick(cls), cls));
                in.ops.add(Operand.regDef(def(cls), cls));
            }
            case 5 -> { // fixed registers, like x86 division
                int p1 = regs[rnd.nextInt(nRegs)];
                int p2 = regs[rnd.nextInt(nRegs)];
                in.ops.add(Operand.fixedUse(pick(cls), cls, p1));
                if (nRegs > 2) in.ops.add(Operand.regUse(pick(cls), cls));
                in.ops.add(Operand.fixedDef(def(cls), cls, p1));
                if (p2 != p1) in.ops.add(Operand.fixedDef(def(cls), cls, p2));
            }
            case 6 -> { // call
                in.flags = VCode.CALL;
                int[] ints = env.allocatable[RegClass.INT];
                int nargs = rnd.nextInt(3);
                for (int k = 0; k < nargs && k < ints.length; k++)
                    in.ops.add(Operand.fixedUse(pick(RegClass.INT), RegClass.INT, ints[k]));
                if (hasAvail(RegClass.FLOAT) && rnd.nextBoolean())
                    in.ops.add(Operand.fixedUse(pick(RegClass.FLOAT), RegClass.FLOAT, env.allocatable[1][0]));
                in.ops.add(rnd.nextInt(4) == 0
                        ? Operand.fixedDef(def(RegClass.FLOAT), RegClass.FLOAT, env.allocatable[1][0])
                        : Operand.fixedDef(def(RegClass.INT), RegClass.INT, ints[0]));
                in.clobbers = callerSaved;
            }
            case 7 -> { // move
                in.flags = VCode.MOVE;
                in.ops.add(Operand.regUse(pick(cls), cls));
                in.ops.add(Operand.regDef(def(cls), cls));
            }
            case 8 -> { // any and stack
                in.ops.add(Operand.anyUse(pick(cls), cls));
                if (rnd.nextBoolean()) in.ops.add(Operand.of(pick(cls), Operand.USE, Operand.EARLY, Operand.STACK, cls, 0));
                in.ops.add(rnd.nextBoolean() ? Operand.of(def(cls), Operand.DEF, Operand.LATE, Operand.STACK, cls, 0)
                        : Operand.of(def(cls), Operand.DEF, Operand.LATE, Operand.ANY, cls, 0));
            }
            case 9 -> { // same value twice, and a two-address op on a value that stays live
                int v = pick(cls);
                in.ops.add(Operand.regUse(v, cls));
                in.ops.add(Operand.regUse(v, cls));
                in.ops.add(Operand.reuseDef(def(cls), cls, rnd.nextInt(2)));
            }
            default -> { // constant-like: a def from nothing, or a use-only (a store)
                if (rnd.nextBoolean()) {
                    in.ops.add(Operand.regDef(def(cls), cls));
                } else {
                    in.ops.add(Operand.regUse(pick(cls), cls));
                    if (nRegs > 1) in.ops.add(Operand.regUse(pick(cls), cls));
                }
            }
        }
        return in;
    }

    private void emit() {
        for (Blk b : blocks) {
            code.startBlock();
            for (int p : b.params) code.addBlockParam(p);
            for (Inst in : b.insts) {
                int i = code.startInst(in.flags);
                for (long op : in.ops) code.addOperand(op);
                if (in.clobbers != 0) code.setClobbers(i, in.clobbers);
            }
            for (int s = 0; s < b.succs.size(); s++) {
                code.addSucc(b.succs.get(s).id);
                for (int a : b.args.get(s)) code.addBranchArg(a);
            }
            code.endBlock();
        }
        code.finish();
    }
}
