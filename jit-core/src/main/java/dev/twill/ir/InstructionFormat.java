package dev.twill.ir;

/**
 * The shape of an instruction: which fields of its record it uses. Field names refer to {@link
 * DataFlowGraph}'s record: {@code A0..A2} fixed value arguments, {@code X} an entity or code,
 * {@code IMM} a 64-bit immediate, {@code L} a value list, {@code B0/B1} block calls.
 */
public enum InstructionFormat {
    /** No operands. */
    NULLARY(0),
    /** No operands, one result of the controlling type: {@code get_stack_pointer.i64}. */
    NULLARY_VALUE(0),
    /** IMM: {@code iconst}. */
    UNARY_IMM(0),
    /** IMM holds the f32 bits: {@code f32const}. */
    UNARY_IEEE32(0),
    /** IMM holds the f64 bits: {@code f64const}. */
    UNARY_IEEE64(0),
    /** A0. */
    UNARY(1),
    /** X = global value: {@code global_value}, {@code symbol_value}. */
    UNARY_GLOBAL_VALUE(0),
    /** X = function reference: {@code func_addr}. */
    FUNC_ADDR(0),
    /** A0, A1. */
    BINARY(2),
    /** A0, IMM: {@code iadd_imm} and friends. */
    BINARY_IMM(1),
    /** A0, A1, A2: {@code select}. */
    TERNARY(3),
    /** X = IntCC, A0, A1. */
    INT_COMPARE(2),
    /** X = IntCC, A0, IMM. */
    INT_COMPARE_IMM(1),
    /** X = FloatCC, A0, A1. */
    FLOAT_COMPARE(2),
    /** X = MemFlags, A0 = address, IMM = offset. */
    LOAD(1),
    /** X = MemFlags, A0 = value, A1 = address, IMM = offset. */
    STORE(2),
    /** X = stack slot, IMM = offset: {@code stack_load}, {@code stack_addr}. */
    STACK_LOAD(0),
    /** X = stack slot, A0 = value, IMM = offset. */
    STACK_STORE(1),
    /** X = heap, A0 = index, IMM = offset. */
    HEAP_LOAD(1),
    /** X = heap, A0 = value, A1 = index, IMM = offset. */
    HEAP_STORE(2),
    /** X = heap, A0 = index, IMM = access size in bytes counted from the index. */
    HEAP_ADDR(1),
    /** X = table, A0 = index, IMM = byte offset into the element. */
    TABLE_ADDR(1),
    /** X = function reference, L = arguments. */
    CALL(0),
    /** X = signature, L = callee followed by the arguments. */
    CALL_INDIRECT(0),
    /** L = values: {@code return}. */
    MULTI_ARY(0),
    /** B0 = destination: {@code jump}. */
    JUMP(0),
    /** A0 = condition, B0 = taken destination, B1 = not-taken destination: {@code brif}. */
    BRIF(1),
    /** A0 = condition, B0 = destination, falls through otherwise: {@code brz}, {@code brnz}. */
    BRANCH(1),
    /** X = IntCC, A0, A1, B0 = destination, falls through otherwise: {@code br_icmp}. */
    BRANCH_ICMP(2),
    /** A0 = index, X = jump table (default destination first): {@code br_table}. */
    BRANCH_TABLE(1),
    /** X = trap code: {@code trap}. */
    TRAP(0),
    /** A0, X = trap code: {@code trapz}, {@code trapnz}. */
    COND_TRAP(1),
    /** A0, A1, X = trap code: {@code uadd_overflow_trap}. */
    INT_ADD_TRAP(2),
    /** X = MemFlags, A0 = address: {@code atomic_load}. */
    LOAD_NO_OFFSET(1),
    /** X = MemFlags, A0 = value, A1 = address: {@code atomic_store}. */
    STORE_NO_OFFSET(2),
    /** X = MemFlags, IMM = {@link dev.twill.ir.AtomicRmwOp} ordinal, A0 = address, A1 = operand: {@code atomic_rmw}. */
    ATOMIC_RMW(2),
    /** X = MemFlags, A0 = address, A1 = expected, A2 = replacement: {@code atomic_cas}. */
    ATOMIC_CAS(3);

    /** The number of fixed value arguments in A0..A2. */
    public final int fixedArgs;

    InstructionFormat(int fixedArgs) {
        this.fixedArgs = fixedArgs;
    }

    /** True if the format's X field holds {@link MemFlags}: the memory-level loads, stores and atomics. */
    public boolean hasMemFlags() {
        return this == LOAD || this == STORE || this == LOAD_NO_OFFSET || this == STORE_NO_OFFSET || this == ATOMIC_RMW
                || this == ATOMIC_CAS;
    }

    /** True if the format keeps its arguments in the value list L. */
    public boolean hasValueList() {
        return this == CALL || this == CALL_INDIRECT || this == MULTI_ARY;
    }
}
