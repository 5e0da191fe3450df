package dev.twill.ir;

/**
 * A cursor into a function that creates instructions, gives them results of the right types and
 * inserts them at its position: appended to a block, or before a given instruction.
 *
 * <p>Result types follow from the operands (the controlling type), as the verifier expects:
 * {@code iadd} takes the type of its first argument, {@code icmp} yields {@code i8}, a call's
 * results are its signature's returns. Methods return the first result, or the instruction for
 * those without results ({@code store}, branches, {@code return}, traps); {@link #lastInst()}
 * always gives the instruction.
 */
public final class InstBuilder {
    private final Function func;
    private final DataFlowGraph dfg;
    private final Layout layout;
    /** Append to this block when {@link #beforeInst} is -1. */
    private int block = -1;
    /** Insert before this instruction, or -1. */
    private int beforeInst = -1;
    private int lastInst = -1;
    private int[] scratch = new int[8];

    public InstBuilder(Function func) {
        this.func = func;
        this.dfg = func.dfg;
        this.layout = func.layout;
    }

    public Function function() {
        return func;
    }

    /** Appends new instructions to the end of {@code b}. */
    public InstBuilder atEnd(int b) {
        block = b;
        beforeInst = -1;
        return this;
    }

    /** Inserts new instructions before {@code inst}. */
    public InstBuilder before(int inst) {
        beforeInst = inst;
        block = layout.instBlock(inst);
        return this;
    }

    /** Inserts new instructions after {@code inst} (and after each other, in order). */
    public InstBuilder after(int inst) {
        int next = layout.nextInst(inst);
        if (next >= 0) return before(next);
        return atEnd(layout.instBlock(inst));
    }

    /** The block new instructions go into. */
    public int currentBlock() {
        return block;
    }

    /** The instruction most recently created. */
    public int lastInst() {
        return lastInst;
    }

    /** Creates an instruction and inserts it at the cursor; results are added by the caller. */
    public int insert(Opcode op, int type) {
        int i = dfg.makeInst(op, type);
        if (beforeInst >= 0) layout.insertInstBefore(i, beforeInst);
        else layout.appendInst(i, block);
        lastInst = i;
        return i;
    }

    private int withResult(int i, int type) {
        return dfg.appendResult(i, type);
    }

    // ---- generic shapes

    public int unary(Opcode op, int type, int a) {
        int i = insert(op, type);
        dfg.setField(i, DataFlowGraph.A0, a);
        return withResult(i, type);
    }

    /** A conversion: the result type is {@code to}, the argument's type is implied. */
    public int convert(Opcode op, int to, int a) {
        return unary(op, to, a);
    }

    public int binary(Opcode op, int a, int b) {
        int t = dfg.valueType(a);
        int i = insert(op, t);
        dfg.setField(i, DataFlowGraph.A0, a);
        dfg.setField(i, DataFlowGraph.A1, b);
        return withResult(i, t);
    }

    public int binaryImm(Opcode op, int a, long imm) {
        int t = dfg.valueType(a);
        int i = insert(op, t);
        dfg.setField(i, DataFlowGraph.A0, a);
        dfg.setImm(i, imm);
        return withResult(i, t);
    }

    // ---- constants

    public int iconst(int type, long value) {
        int i = insert(Opcode.ICONST, type);
        dfg.setImm(i, value & Type.mask(type));
        return withResult(i, type);
    }

    public int f32const(float value) {
        return f32constBits(Float.floatToRawIntBits(value));
    }

    public int f32constBits(int bits) {
        int i = insert(Opcode.F32CONST, Type.F32);
        dfg.setImm(i, bits & 0xFFFF_FFFFL);
        return withResult(i, Type.F32);
    }

    public int f64const(double value) {
        return f64constBits(Double.doubleToRawLongBits(value));
    }

    public int f64constBits(long bits) {
        int i = insert(Opcode.F64CONST, Type.F64);
        dfg.setImm(i, bits);
        return withResult(i, Type.F64);
    }

    public int nop() {
        return insert(Opcode.NOP, Type.INVALID);
    }

    // ---- common arithmetic shorthands

    public int iadd(int a, int b) {
        return binary(Opcode.IADD, a, b);
    }

    public int isub(int a, int b) {
        return binary(Opcode.ISUB, a, b);
    }

    public int imul(int a, int b) {
        return binary(Opcode.IMUL, a, b);
    }

    public int iaddImm(int a, long imm) {
        return binaryImm(Opcode.IADD_IMM, a, imm);
    }

    public int band(int a, int b) {
        return binary(Opcode.BAND, a, b);
    }

    public int icmp(IntCC cc, int a, int b) {
        int i = insert(Opcode.ICMP, dfg.valueType(a));
        dfg.setAux(i, cc.ordinal());
        dfg.setField(i, DataFlowGraph.A0, a);
        dfg.setField(i, DataFlowGraph.A1, b);
        return withResult(i, Type.I8);
    }

    public int icmpImm(IntCC cc, int a, long imm) {
        int i = insert(Opcode.ICMP_IMM, dfg.valueType(a));
        dfg.setAux(i, cc.ordinal());
        dfg.setField(i, DataFlowGraph.A0, a);
        dfg.setImm(i, imm);
        return withResult(i, Type.I8);
    }

    public int fcmp(FloatCC cc, int a, int b) {
        int i = insert(Opcode.FCMP, dfg.valueType(a));
        dfg.setAux(i, cc.ordinal());
        dfg.setField(i, DataFlowGraph.A0, a);
        dfg.setField(i, DataFlowGraph.A1, b);
        return withResult(i, Type.I8);
    }

    public int select(int c, int x, int y) {
        return ternary(Opcode.SELECT, dfg.valueType(x), c, x, y);
    }

    /** A three-argument instruction with one result of type {@code t} ({@code select}, {@code bitselect}, {@code fma}, ...). */
    public int ternary(Opcode op, int t, int a, int b, int c) {
        int i = insert(op, t);
        dfg.setField(i, DataFlowGraph.A0, a);
        dfg.setField(i, DataFlowGraph.A1, b);
        dfg.setField(i, DataFlowGraph.A2, c);
        return withResult(i, t);
    }

    // ---- memory

    /** {@code load}, {@code uload8} ...: {@code type} is the result type. */
    public int load(Opcode op, int type, int flags, int addr, long offset) {
        int i = insert(op, type);
        dfg.setAux(i, flags);
        dfg.setField(i, DataFlowGraph.A0, addr);
        dfg.setImm(i, offset);
        return withResult(i, type);
    }

    /** {@code store}, {@code istore8} ...; returns the instruction. */
    public int store(Opcode op, int flags, int value, int addr, long offset) {
        int i = insert(op, dfg.valueType(value));
        dfg.setAux(i, flags);
        dfg.setField(i, DataFlowGraph.A0, value);
        dfg.setField(i, DataFlowGraph.A1, addr);
        dfg.setImm(i, offset);
        return i;
    }

    public int stackLoad(int type, int slot, long offset) {
        int i = insert(Opcode.STACK_LOAD, type);
        dfg.setAux(i, slot);
        dfg.setImm(i, offset);
        return withResult(i, type);
    }

    public int stackStore(int value, int slot, long offset) {
        int i = insert(Opcode.STACK_STORE, dfg.valueType(value));
        dfg.setAux(i, slot);
        dfg.setField(i, DataFlowGraph.A0, value);
        dfg.setImm(i, offset);
        return i;
    }

    public int stackAddr(int addrType, int slot, long offset) {
        int i = insert(Opcode.STACK_ADDR, addrType);
        dfg.setAux(i, slot);
        dfg.setImm(i, offset);
        return withResult(i, addrType);
    }

    /** {@code heap_load}, {@code heap_uload8} ...: {@code type} is the result type. */
    public int heapLoad(Opcode op, int type, int heap, int index, long offset) {
        int i = insert(op, type);
        dfg.setAux(i, heap);
        dfg.setField(i, DataFlowGraph.A0, index);
        dfg.setImm(i, offset);
        return withResult(i, type);
    }

    /** {@code heap_store}, {@code heap_istore8} ...; returns the instruction. */
    public int heapStore(Opcode op, int heap, int value, int index, long offset) {
        int i = insert(op, dfg.valueType(value));
        dfg.setAux(i, heap);
        dfg.setField(i, DataFlowGraph.A0, value);
        dfg.setField(i, DataFlowGraph.A1, index);
        dfg.setImm(i, offset);
        return i;
    }

    public int heapAddr(int addrType, int heap, int index, long accessSize) {
        int i = insert(Opcode.HEAP_ADDR, addrType);
        dfg.setAux(i, heap);
        dfg.setField(i, DataFlowGraph.A0, index);
        dfg.setImm(i, accessSize);
        return withResult(i, addrType);
    }

    public int tableAddr(int addrType, int table, int index, long offset) {
        int i = insert(Opcode.TABLE_ADDR, addrType);
        dfg.setAux(i, table);
        dfg.setField(i, DataFlowGraph.A0, index);
        dfg.setImm(i, offset);
        return withResult(i, addrType);
    }

    public int globalValue(int type, int gv) {
        int i = insert(Opcode.GLOBAL_VALUE, type);
        dfg.setAux(i, gv);
        return withResult(i, type);
    }

    public int symbolValue(int type, int gv) {
        int i = insert(Opcode.SYMBOL_VALUE, type);
        dfg.setAux(i, gv);
        return withResult(i, type);
    }

    public int funcAddr(int type, int fn) {
        int i = insert(Opcode.FUNC_ADDR, type);
        dfg.setAux(i, fn);
        return withResult(i, type);
    }

    // ---- calls

    /** {@code call fn(args)}; returns the instruction (results via {@link DataFlowGraph#result}). */
    public int call(int fn, int[] args, int nargs) {
        int i = insert(Opcode.CALL, Type.INVALID);
        dfg.setAux(i, fn);
        dfg.setValueList(i, dfg.pool.of(args, 0, nargs));
        Signature sig = func.signatures.get(func.extFuncs.get(fn).signature);
        for (int r : sig.returns) dfg.appendResult(i, r);
        return i;
    }

    /** {@code call_indirect sig, callee(args)}; returns the instruction. */
    public int callIndirect(int sigRef, int callee, int[] args, int nargs) {
        int i = insert(Opcode.CALL_INDIRECT, Type.INVALID);
        dfg.setAux(i, sigRef);
        int list = dfg.pool.of(callee);
        for (int k = 0; k < nargs; k++) list = dfg.pool.push(list, args[k]);
        dfg.setValueList(i, list);
        Signature sig = func.signatures.get(sigRef);
        for (int r : sig.returns) dfg.appendResult(i, r);
        return i;
    }

    /** {@code return_call fn(args)}: a tail call that ends the block; returns the instruction. */
    public int returnCall(int fn, int[] args, int nargs) {
        int i = insert(Opcode.RETURN_CALL, Type.INVALID);
        dfg.setAux(i, fn);
        dfg.setValueList(i, dfg.pool.of(args, 0, nargs));
        return i;
    }

    /** {@code return_call_indirect sig, callee(args)}: an indirect tail call; returns the instruction. */
    public int returnCallIndirect(int sigRef, int callee, int[] args, int nargs) {
        int i = insert(Opcode.RETURN_CALL_INDIRECT, Type.INVALID);
        dfg.setAux(i, sigRef);
        int list = dfg.pool.of(callee);
        for (int k = 0; k < nargs; k++) list = dfg.pool.push(list, args[k]);
        dfg.setValueList(i, list);
        return i;
    }

    public int ret(int[] values, int n) {
        int i = insert(Opcode.RETURN, Type.INVALID);
        dfg.setValueList(i, dfg.pool.of(values, 0, n));
        return i;
    }

    public int ret(int... values) {
        return ret(values, values.length);
    }

    // ---- branches and traps

    public int jump(int dest, int[] args, int n) {
        int i = insert(Opcode.JUMP, Type.INVALID);
        dfg.setField(i, DataFlowGraph.B0, dfg.makeBlockCall(dest, args, n));
        return i;
    }

    public int jump(int dest, int... args) {
        return jump(dest, args, args.length);
    }

    public int brif(int cond, int thenBlock, int[] thenArgs, int elseBlock, int[] elseArgs) {
        int i = insert(Opcode.BRIF, dfg.valueType(cond));
        dfg.setField(i, DataFlowGraph.A0, cond);
        dfg.setField(i, DataFlowGraph.B0, dfg.makeBlockCall(thenBlock, thenArgs, thenArgs.length));
        dfg.setField(i, DataFlowGraph.B1, dfg.makeBlockCall(elseBlock, elseArgs, elseArgs.length));
        return i;
    }

    /** {@code brz} or {@code brnz}: a mid-block branch that falls through when not taken. */
    public int branch(Opcode op, int cond, int dest, int[] args, int n) {
        assert op == Opcode.BRZ || op == Opcode.BRNZ;
        int i = insert(op, dfg.valueType(cond));
        dfg.setField(i, DataFlowGraph.A0, cond);
        dfg.setField(i, DataFlowGraph.B0, dfg.makeBlockCall(dest, args, n));
        return i;
    }

    public int brIcmp(IntCC cc, int a, int b, int dest, int[] args, int n) {
        int i = insert(Opcode.BR_ICMP, dfg.valueType(a));
        dfg.setAux(i, cc.ordinal());
        dfg.setField(i, DataFlowGraph.A0, a);
        dfg.setField(i, DataFlowGraph.A1, b);
        dfg.setField(i, DataFlowGraph.B0, dfg.makeBlockCall(dest, args, n));
        return i;
    }

    /**
     * {@code br_table index, default, [entries]}: {@code calls} are block calls made with
     * {@link DataFlowGraph#makeBlockCall}, the default first.
     */
    public int brTable(int index, int[] calls, int n) {
        int jt = dfg.makeJumpTable(calls, n);
        int i = insert(Opcode.BR_TABLE, dfg.valueType(index));
        dfg.setField(i, DataFlowGraph.A0, index);
        dfg.setAux(i, jt);
        return i;
    }

    public int trap(int code) {
        int i = insert(Opcode.TRAP, Type.INVALID);
        dfg.setAux(i, code);
        return i;
    }

    /** {@code trapz} or {@code trapnz}. */
    public int condTrap(Opcode op, int cond, int code) {
        assert op == Opcode.TRAPZ || op == Opcode.TRAPNZ;
        int i = insert(op, dfg.valueType(cond));
        dfg.setField(i, DataFlowGraph.A0, cond);
        dfg.setAux(i, code);
        return i;
    }

    /** A scratch array for argument lists, valid until the next call. */
    public int[] scratch(int n) {
        if (scratch.length < n) scratch = new int[Math.max(n, scratch.length * 2)];
        return scratch;
    }
}
