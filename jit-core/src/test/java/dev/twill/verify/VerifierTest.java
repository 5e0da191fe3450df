package dev.twill.verify;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.CompileError;
import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.MemFlags;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule of the verifier with a function that breaks it and the exact error expected, plus
 * functions that break nothing. Expected instruction text is written by hand in the text
 * format; value and instruction numbers follow creation order (entry parameters first).
 */
class VerifierTest {
    private static final int I8 = Type.I8, I16 = Type.I16, I32 = Type.I32, I64 = Type.I64, F32 = Type.F32, F64 = Type.F64;
    private static final int[] NONE = {};

    private Function f;
    private DataFlowGraph dfg;
    private InstBuilder b;
    private int b0;

    /** A function with the given signature and an entry block0 whose parameters v0.. match it. */
    private void fn(int[] params, int... returns) {
        f = new Function("%f", Signature.of(params, returns));
        dfg = f.dfg;
        b = new InstBuilder(f);
        b0 = block();
        for (int t : params) dfg.appendBlockParam(b0, t);
        b.atEnd(b0);
    }

    private int block() {
        int blk = f.makeBlock();
        f.layout.appendBlock(blk);
        return blk;
    }

    private static int[] a(int... xs) {
        return xs;
    }

    private List<String> errors() {
        List<String> out = new ArrayList<>();
        for (VerifierError e : Verifier.verify(f)) out.add(e.toString());
        return out;
    }

    private void assertValid() {
        assertEquals(List.of(), errors(), () -> f.toString());
    }

    private void assertErrors(String... expected) {
        assertEquals(List.of(expected), errors(), () -> f.toString());
    }

    // =====================================================================================
    // Valid functions

    @Test
    void kitchenSinkIsValid() {
        f = SampleFunctions.kitchenSink();
        assertValid();
        Verifier.verifyOrThrow(f);
    }

    @Test
    void midBlockBranchesAndLoopsAreValid() {
        // block0(v0, v1): brz v1, block1(v0); v3 = iadd v0, v1; jump block1(v3)
        // block1(v2): v4 = iadd_imm v2, -1; brif v4, block1(v4), block2; block2: return v2
        fn(a(I32, I32), I32);
        int b1 = block(), b2 = block();
        int p = dfg.appendBlockParam(b1, I32);
        b.branch(Opcode.BRZ, 1, b1, a(0), 1);
        int s = b.iadd(0, 1);
        b.jump(b1, s);
        b.atEnd(b1);
        int d = b.iaddImm(p, -1);
        b.brif(d, b1, a(d), b2, NONE);
        b.atEnd(b2);
        b.ret(p);
        assertValid();
    }

    @Test
    void aliasesAreResolvedForUses() {
        fn(a(I64), I64);
        int c = b.iconst(I64, 7); // v1
        int s = b.iadd(0, c); // v2
        b.ret(s);
        dfg.changeToAlias(s, 0);
        assertValid();
    }

    // =====================================================================================
    // Entity references

    @Test
    void invalidValue() {
        fn(a(I32), I32);
        int s = b.iadd(0, 0);
        dfg.setField(b.lastInst(), DataFlowGraph.A1, 99);
        b.ret(s);
        assertErrors("inst0 `v1 = iadd v0, v99`: invalid value v99");
    }

    @Test
    void missingArgument() {
        fn(a(I32), I32);
        int i = b.insert(Opcode.INEG, I32);
        int r = dfg.appendResult(i, I32);
        b.ret(r);
        assertErrors("inst0 `v1 = ineg v-1`: missing argument");
    }

    @Test
    void placeholderValueHasNoDefinition() {
        fn(a(I32), I32);
        dfg.ensureValue(5); // v1..v5 are placeholders
        b.ret(5);
        assertErrors("inst0 `return v5`: v5 has no definition");
    }

    @Test
    void invalidBlock() {
        fn(NONE);
        int call = dfg.makeBlockCall(7, NONE, 0);
        int j = b.insert(Opcode.JUMP, Type.INVALID);
        dfg.setField(j, DataFlowGraph.B0, call);
        assertErrors("inst0 `jump block7`: invalid block block7");
    }

    @Test
    void branchToBlockNotInLayout() {
        fn(NONE);
        int out = f.makeBlock(); // block1, never inserted
        b.jump(out);
        assertErrors("inst0 `jump block1`: branch to block1, which is not in the layout");
    }

    @Test
    void invalidStackSlot() {
        fn(NONE, I32);
        b.ret(b.stackLoad(I32, 3, 0));
        assertErrors("inst0 `v0 = stack_load.i32 ss3`: invalid stack slot ss3");
    }

    @Test
    void invalidGlobalValue() {
        fn(NONE, I64);
        b.ret(b.globalValue(I64, 5));
        assertErrors("inst0 `v0 = global_value.i64 gv5`: invalid global value gv5");
    }

    @Test
    void globalValueCycleAndBadBase() {
        fn(NONE);
        f.addGlobalValue(GlobalValueData.load(1, 0, I64, 0)); // gv0 = load gv1
        f.addGlobalValue(GlobalValueData.iaddImm(0, 8, I64)); // gv1 = iadd_imm gv0: a cycle
        f.addGlobalValue(GlobalValueData.load(4, 0, I64, 0)); // gv2 = load gv4: no such gv
        f.addGlobalValue(GlobalValueData.iaddImm(2, 8, I32)); // gv3: i32 on an i64 base
        b.ret();
        assertErrors(
                "gv0: global value base chain forms a cycle",
                "gv1: global value base chain forms a cycle",
                "gv2: invalid base gv4",
                "gv3: base gv2 has type i64, expected i32");
    }

    @Test
    void stackLimitNamesAPointerGlobalValue() {
        fn(NONE);
        int gv0 = f.addGlobalValue(GlobalValueData.symbol("%limit", 0, false));
        f.addGlobalValue(GlobalValueData.load(gv0, 0, I32, 0));
        b.ret();
        f.stackLimit = 1;
        assertErrors("stack_limit: gv1 has type i32, expected i64");
        f.stackLimit = 2;
        assertErrors("stack_limit: invalid global value gv2");
        f.stackLimit = gv0;
        assertErrors();
    }

    @Test
    void vmctxNeedsAVmctxParameter() {
        fn(a(I64));
        f.addGlobalValue(GlobalValueData.vmctx());
        b.ret();
        assertErrors("gv0: vmctx needs a vmctx parameter in the signature");
    }

    @Test
    void heapAndTableDeclarations() {
        fn(NONE);
        int gv0 = f.addGlobalValue(GlobalValueData.symbol("%mem", 0, false));
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 0, I32, 0));
        f.addHeap(new HeapData(gv1, 0, HeapData.Style.DYNAMIC, 0, 9, 0, I8));
        f.addTable(new TableData(3, 0, gv1, 0, I64));
        b.ret();
        assertErrors(
                "heap0: base gv1 has type i32, expected i64",
                "heap0: invalid bound gv9",
                "heap0: index type i8 is not i32 or i64",
                "table0: invalid base gv3",
                "table0: element size 0 is not positive");
    }

    @Test
    void aStaticHeapReservesAtLeastItsBound() {
        fn(a(I64));
        int gv0 = f.addGlobalValue(GlobalValueData.symbol("%mem", 0, false));
        f.addHeap(new HeapData(gv0, 0, HeapData.Style.STATIC, 0x2000, -1, 0, I32, 0x2000));
        f.addHeap(new HeapData(gv0, 0, HeapData.Style.STATIC, 0x2000, -1, 0, I32, 0x1fff));
        b.ret();
        assertErrors("heap1: reserved 8191 is less than the bound 8192");
    }

    @Test
    void invalidHeapTableSignatureFunctionAndJumpTable() {
        fn(a(I32));
        b.heapAddr(I64, 1, 0, 4);
        b.tableAddr(I64, 2, 0, 0);
        int ci = b.insert(Opcode.CALL_INDIRECT, Type.INVALID);
        dfg.setAux(ci, 4);
        dfg.setValueList(ci, dfg.pool.of(0));
        int call = b.insert(Opcode.CALL, Type.INVALID);
        dfg.setAux(call, 2);
        b.funcAddr(I64, 3);
        int bt = b.insert(Opcode.BR_TABLE, I32);
        dfg.setField(bt, DataFlowGraph.A0, 0);
        dfg.setAux(bt, 7);
        List<VerifierError> errs = Verifier.verify(f);
        List<String> msgs = new ArrayList<>();
        for (VerifierError e : errs) msgs.add(e.message());
        assertEquals(List.of(
                "invalid heap heap1",
                "invalid table table2",
                "invalid signature sig4",
                "callee v0 has type i32, expected i64",
                "invalid function reference fn2",
                "invalid function reference fn3",
                "invalid jump table jt7"), msgs);
        // the printer cannot print br_table's missing jump table: the location falls back
        assertEquals("inst5 `br_table <malformed>`", errs.get(6).location());
        assertEquals(bt, errs.get(6).inst());
        assertEquals(b0, errs.get(6).block());
    }

    @Test
    void extFuncWithInvalidSignature() {
        fn(NONE);
        f.addExtFunc(new ExtFuncData("%g", 1, false));
        b.ret();
        assertErrors("fn0: invalid signature sig1");
    }

    @Test
    void invalidCodesAndFlags() {
        fn(a(I32, I64), I8);
        int c = b.icmp(IntCC.EQ, 0, 0);
        dfg.setAux(b.lastInst(), 99);
        b.load(Opcode.LOAD, I32, 0x40, 1, 0);
        b.condTrap(Opcode.TRAPZ, 0, 12);
        b.ret(c);
        assertErrors(
                "inst0 `icmp <malformed>`: invalid integer condition code 99",
                "inst1 `v3 = load.i32 v1`: invalid memory flags 0x40",
                "inst2 `trapz v0, trapcode12`: invalid trap code 12");
    }

    // =====================================================================================
    // Block shape

    @Test
    void emptyBlock() {
        fn(NONE);
        b.ret();
        block();
        assertErrors("block1: block is empty");
    }

    @Test
    void blockWithoutTerminator() {
        fn(a(I32));
        b.iadd(0, 0);
        b.branch(Opcode.BRZ, 0, b0, a(0), 1); // a mid-block branch does not end a block
        assertErrors("block0: block does not end with a terminator");
    }

    @Test
    void terminatorInTheMiddle() {
        fn(NONE);
        int b1 = block();
        b.jump(b1);
        b.ret();
        b.atEnd(b1);
        b.ret();
        assertErrors("inst0 `jump block1`: terminator in the middle of block0");
    }

    @Test
    void entryParametersMustMatchTheSignature() {
        fn(a(I32, I64));
        b.ret();
        dfg.setValueType(1, I32);
        assertErrors("block0: entry block parameter v1 has type i32, the signature's parameter 1 is i64");
        dfg.setValueType(1, I64);
        dfg.appendBlockParam(b0, F32);
        assertErrors("block0: entry block has 3 parameters, the signature has 2");
    }

    @Test
    void blockParameterDefinedElsewhere() {
        fn(NONE);
        int b1 = block();
        int p = dfg.appendBlockParam(b1, I32); // v0
        b.jump(b1, b.iconst(I32, 1));
        b.atEnd(b1);
        b.ret();
        int i = b.insert(Opcode.NOP, Type.INVALID);
        f.layout.removeInst(i);
        dfg.attachResult(i, p); // v0 now claims to be a result of inst3
        assertErrors("block1: parameter v0 is not defined by this block");
    }

    // =====================================================================================
    // SSA

    @Test
    void useNotDominatedInDiamond() {
        // block0(v0): brif v0, block1, block2; block1: v1 = iconst; jump block3
        // block2: jump block3; block3: return v1  -- v1 only on one arm
        fn(a(I32), I32);
        int b1 = block(), b2 = block(), b3 = block();
        b.brif(0, b1, NONE, b2, NONE);
        b.atEnd(b1);
        int v = b.iconst(I32, 1);
        b.jump(b3);
        b.atEnd(b2);
        b.jump(b3);
        b.atEnd(b3);
        b.ret(v);
        assertErrors("inst4 `return v1`: use of v1 is not dominated by its definition at inst1");
    }

    @Test
    void useBeforeDefinitionInTheSameBlock() {
        fn(a(I32), I32);
        int x = b.iadd(0, 0); // inst0: v1
        int y = b.iadd(0, 0); // inst1: v2
        dfg.setArg(0, 1, y);
        b.ret(x);
        assertErrors("inst0 `v1 = iadd v0, v2`: use of v2 is not dominated by its definition at inst1");
    }

    @Test
    void aReusedContextForgetsWhichValuesWereDefinedInTheLastFunction() {
        // one context: the first function makes v2 defined before inst2 uses it; in the second,
        // with the same numbers, inst0 uses v2 before inst1 defines it, which must be reported
        Verifier verifier = new Verifier();
        fn(a(I32), I32);
        int x = b.iadd(0, 0);
        b.ret(b.iadd(x, 0));
        assertEquals(List.of(), verifier.run(f));
        fn(a(I32), I32);
        x = b.iadd(0, 0);
        int y = b.iadd(x, 0);
        dfg.setArg(0, 1, y);
        b.ret(y);
        List<String> found = new ArrayList<>();
        for (VerifierError e : verifier.run(f)) found.add(e.toString());
        assertEquals(List.of("inst0 `v1 = iadd v0, v2`: use of v2 is not dominated by its definition at inst1"), found);
    }

    @Test
    void aValueDefinedInABlockWalkedEarlierIsNotTakenAsDefinedInTheNext() {
        // block0 branches to block1 and block2, laid out in that order; block2 uses v2, which
        // block1 defines: block1 is walked just before block2 but does not dominate it
        fn(a(I32), I32);
        int b1 = block();
        int b2 = block();
        int x = b.iadd(0, 0);                        // inst0: v1
        b.branch(Opcode.BRNZ, 0, b2, NONE, 0);       // inst1
        b.jump(b1, NONE, 0);                         // inst2
        b.atEnd(b1);
        int y = b.iadd(x, 0);                        // inst3: v2 (v1 is dominated: fine)
        b.ret(y);                                    // inst4
        b.atEnd(b2);
        b.ret(b.iadd(y, 0));                         // inst5: v3, inst6
        assertErrors("inst5 `v3 = iadd v2, v0`: use of v2 is not dominated by its definition at inst3");
    }

    @Test
    void usesItsOwnResult() {
        fn(a(I32), I32);
        int x = b.iadd(0, 0);
        dfg.setArg(0, 0, x);
        b.ret(x);
        assertErrors("inst0 `v1 = iadd v1, v0`: uses its own result v1");
    }

    @Test
    void definitionAfterAMidBlockBranchDoesNotReachItsTarget() {
        // block0(v0): brz v0, block1(v0); v2 = iconst.i32 5; jump block1(v2)
        // block1(v1): return v1 -- valid; then the brz is made to pass v2 before it is defined
        fn(a(I32), I32);
        int b1 = block();
        int p = dfg.appendBlockParam(b1, I32); // v1
        int brz = b.branch(Opcode.BRZ, 0, b1, a(0), 1); // inst0
        int c = b.iconst(I32, 5); // v2
        b.jump(b1, c);
        b.atEnd(b1);
        b.ret(p);
        assertValid();
        dfg.setBlockCallArg(dfg.blockCall(brz, 0), 0, c);
        assertErrors("inst0 `brz v0, block1(v2)`: use of v2 is not dominated by its definition at inst1");
    }

    @Test
    void definitionAfterAMidBlockBranchDoesNotDominateItsTarget() {
        // block0(v0): brz v0, block1; v1 = iconst; jump block2
        // block1: jump block2;  block2: return v1 -- reached from block1 around v1
        fn(a(I32), I32);
        int b1 = block(), b2 = block();
        b.branch(Opcode.BRZ, 0, b1, NONE, 0);
        int v = b.iconst(I32, 5);
        b.jump(b2);
        b.atEnd(b1);
        b.jump(b2);
        b.atEnd(b2);
        b.ret(v);
        assertErrors("inst4 `return v1`: use of v1 is not dominated by its definition at inst1");
    }

    @Test
    void blockParameterNotDominatingItsUse() {
        // block0(v0): brif v0, block1(v0), block2; block1(v1): jump block2; block2: return v1
        fn(a(I32), I32);
        int b1 = block(), b2 = block();
        int p = dfg.appendBlockParam(b1, I32);
        b.brif(0, b1, a(0), b2, NONE);
        b.atEnd(b1);
        b.jump(b2);
        b.atEnd(b2);
        b.ret(p);
        assertErrors("inst2 `return v1`: use of v1 is not dominated by its definition in block1");
    }

    @Test
    void usesInUnreachableBlocksAreNotCheckedForDominance() {
        // block1 is unreachable and uses v2 of block2, which does not dominate it: not checked.
        // block2 is reachable and uses v1, defined in unreachable block1: an error.
        fn(a(I32), I32);
        int b1 = block(), b2 = block();
        b.jump(b2); // inst0
        b.atEnd(b1);
        int u = b.iconst(I32, 1); // inst1: v1
        int j1 = b.jump(b2); // inst2
        b.atEnd(b2);
        int r = b.iconst(I32, 2); // inst3: v2
        int ret = b.ret(r); // inst4
        b.before(j1).iadd(u, r); // inst5 in block1: v3
        assertValid();
        b.before(ret).iadd(r, u); // inst6 in block2: v4
        assertErrors("inst6 `v4 = iadd v2, v1`: use of v1 is not dominated by its definition at inst1");
    }

    @Test
    void aDefinitionLaidOutAfterItsDominatedUseIsValid() {
        // block0: jump block2; block1 (laid out second): return v1; block2: v1 = iconst; jump
        // block1. block2 dominates block1 though it comes later in the layout: valid, and one
        // use more of v1 from block0, which block2 does not dominate, is an error
        fn(a(I32), I32);
        int b1 = block(), b2 = block();
        b.jump(b2);                                  // inst0
        b.atEnd(b2);
        int v = b.iconst(I32, 7);                    // inst1: v1
        b.jump(b1);                                  // inst2
        b.atEnd(b1);
        b.ret(v);                                    // inst3
        assertValid();
        b.before(0).iadd(v, 0);                      // inst4 in block0: v2
        assertErrors("inst4 `v2 = iadd v1, v0`: use of v1 is not dominated by its definition at inst1");
    }

    @Test
    void aUseBeforeItsDefinitionInAnUnreachableBlockIsNotChecked() {
        // block1 is unreachable: v1 = iadd v2, v0 before v2 = iconst is not a dominance error
        fn(a(I32), I32);
        int b1 = block();
        b.ret(0);                                    // inst0
        b.atEnd(b1);
        int x = b.iadd(0, 0);                        // inst1: v1
        int y = b.iconst(I32, 3);                    // inst2: v2
        b.ret(x);                                    // inst3
        dfg.setArg(1, 0, y);
        assertValid();
    }

    @Test
    void valueDefinedOutsideTheLayout() {
        fn(NONE, I32);
        int i = dfg.makeInst(Opcode.ICONST, I32); // inst0, never inserted
        int v = dfg.appendResult(i, I32);
        b.ret(v);
        assertErrors("inst1 `return v0`: v0 is defined by inst0, which is not in the layout");
    }

    @Test
    void parameterOfABlockOutsideTheLayout() {
        fn(NONE, I32);
        int out = f.makeBlock();
        int p = dfg.appendBlockParam(out, I32);
        b.ret(p);
        assertErrors("inst0 `return v0`: v0 is a parameter of block1, which is not in the layout");
    }

    @Test
    void valueDefinedTwice() {
        fn(NONE, I32);
        int v = b.iconst(I32, 1); // inst0: v0
        int second = b.insert(Opcode.ICONST, I32); // inst1
        dfg.setImm(second, 2);
        dfg.attachResult(second, v); // v0 is now also result 0 of inst1
        b.ret(v);
        assertErrors("inst0 `v0 = iconst.i32 1`: result v0 is not defined by this instruction");
    }

    @Test
    void staleResultAfterDetach() {
        fn(NONE, I32);
        int v = b.iconst(I32, 1);
        b.ret(v);
        dfg.detachResults(0);
        assertErrors(
                "inst0 `iconst.i32 1`: expected 1 result, found 0",
                "inst1 `return v0`: v0 is not a result of inst0, which is said to define it");
    }

    @Test
    void aliasCycle() {
        fn(NONE, I32);
        dfg.ensureValue(2);
        dfg.defineAlias(1, 2);
        dfg.defineAlias(2, 1);
        dfg.setValueType(1, I32);
        dfg.setValueType(2, I32);
        b.ret(1);
        assertErrors("v1: alias cycle through v1");
    }

    @Test
    void aliasOfPlaceholderAndMistypedAlias() {
        fn(a(I32), I32);
        dfg.ensureValue(3);
        dfg.defineAlias(1, 3); // v3 is a placeholder
        dfg.defineAlias(2, 0);
        dfg.setValueType(2, I64);
        b.ret(0);
        assertErrors("v1: alias of v3, which has no definition", "v2: alias of type i64 resolves to v0 of type i32");
    }

    // =====================================================================================
    // Types

    @Test
    void integerBinaryOperandsMustMatch() {
        fn(a(I32, I64), I32);
        b.ret(b.iadd(0, 1));
        assertErrors("inst0 `v2 = iadd v0, v1`: v1 has type i64, expected i32");
    }

    @Test
    void integerOpOnFloats() {
        fn(a(F32), F32);
        b.ret(b.imul(0, 0));
        assertErrors("inst0 `v1 = imul v0, v0`: controlling type f32 is not an integer type");
    }

    @Test
    void floatOpOnIntegers() {
        fn(a(I32), I32);
        b.ret(b.binary(Opcode.FMUL, 0, 0));
        assertErrors("inst0 `v1 = fmul v0, v0`: controlling type i32 is not a float type");
    }

    @Test
    void controllingTypeMustBeTheOperandType() {
        fn(a(I32), I32);
        int s = b.iadd(0, 0);
        dfg.setCtrlType(0, I64);
        b.ret(s);
        assertErrors(
                "inst0 `v1 = iadd v0, v0`: controlling type i64 differs from the type of v0, i32",
                "inst0 `v1 = iadd v0, v0`: v0 has type i32, expected i64",
                "inst0 `v1 = iadd v0, v0`: result v1 has type i32, expected i64");
    }

    @Test
    void shiftAmountAnyIntegerButNotFloat() {
        fn(a(I64, I8, F32), I64);
        int s = b.binary(Opcode.ROTL, 0, 1);
        int t = b.binary(Opcode.USHR, s, 2);
        b.ret(t);
        assertErrors("inst1 `v4 = ushr v3, v2`: v2 has type f32, expected an integer type");
    }

    @Test
    void compareResultsAreI8() {
        fn(a(I32, F64), I8);
        int i = b.insert(Opcode.ICMP, I32);
        dfg.setAux(i, IntCC.ULT.ordinal());
        dfg.setField(i, DataFlowGraph.A0, 0);
        dfg.setField(i, DataFlowGraph.A1, 0);
        dfg.appendResult(i, I32);
        int fc = b.fcmp(FloatCC.EQ, 1, 0);
        b.ret(fc);
        assertErrors(
                "inst0 `v2 = icmp ult v0, v0`: result v2 has type i32, expected i8",
                "inst1 `v3 = fcmp eq v1, v0`: v0 has type i32, expected f64");
    }

    @Test
    void selectConditionAndArms() {
        fn(a(F32, I32, I64), I32);
        int s = b.select(0, 1, 2);
        b.ret(s);
        assertErrors(
                "inst0 `v3 = select v0, v1, v2`: v0 has type f32, expected an integer type",
                "inst0 `v3 = select v0, v1, v2`: v2 has type i64, expected i32");
    }

    @Test
    void extensionsAndReductionsChangeTheWidthTheRightWay() {
        fn(a(I32), I64);
        b.convert(Opcode.UEXTEND, I32, 0);
        b.convert(Opcode.SEXTEND, I16, 0);
        int r = b.convert(Opcode.IREDUCE, I64, 0);
        b.ret(r);
        assertErrors(
                "inst0 `v1 = uextend.i32 v0`: uextend to i32 needs a narrower argument, v0 is i32",
                "inst1 `v2 = sextend.i16 v0`: sextend to i16 needs a narrower argument, v0 is i32",
                "inst2 `v3 = ireduce.i64 v0`: ireduce to i64 needs a wider argument, v0 is i32");
    }

    @Test
    void floatConversions() {
        fn(a(I32, F64));
        b.convert(Opcode.BITCAST, F64, 0);
        b.convert(Opcode.FPROMOTE, F64, 1);
        b.convert(Opcode.FDEMOTE, F64, 1);
        b.convert(Opcode.FCVT_FROM_SINT, F32, 1);
        b.convert(Opcode.FCVT_TO_UINT, I32, 0);
        b.convert(Opcode.FCVT_TO_SINT, F32, 1);
        b.ret();
        assertErrors(
                "inst0 `v2 = bitcast.f64 v0`: bitcast from i32 to f64 changes the width",
                "inst1 `v3 = fpromote.f64 v1`: v1 has type f64, expected f32",
                "inst2 `v4 = fdemote.f64 v1`: controlling type f64 should be f32",
                "inst3 `v5 = fcvt_from_sint.f32 v1`: v1 has type f64, expected an integer type",
                "inst4 `v6 = fcvt_to_uint.i32 v0`: v0 has type i32, expected a float type",
                "inst5 `v7 = fcvt_to_sint.f32 v1`: controlling type f32 is not an integer type");
    }

    @Test
    void bswapNeedsSixteenBits() {
        fn(a(I8), I8);
        b.ret(b.unary(Opcode.BSWAP, I8, 0));
        assertErrors("inst0 `v1 = bswap v0`: bswap needs at least i16, got i8");
    }

    @Test
    void iconstTypeAndRange() {
        fn(NONE);
        b.iconst(Type.INVALID, 0);
        int i = b.insert(Opcode.ICONST, I8);
        dfg.setImm(i, 0x100);
        dfg.appendResult(i, I8);
        int ok = b.insert(Opcode.ICONST, I8);
        dfg.setImm(ok, -128); // sign-extended form is accepted
        dfg.appendResult(ok, I8);
        b.ret();
        assertErrors(
                "inst0 `v0 = iconst.invalid 0`: controlling type invalid is not an integer type",
                "inst1 `v1 = iconst.i8 256`: immediate 256 does not fit in i8");
    }

    @Test
    void resultCounts() {
        fn(a(I32, I64));
        b.iadd(0, 0);
        dfg.detachResults(0);
        int st = b.store(Opcode.STORE, 0, 0, 1, 0);
        dfg.appendResult(st, I32);
        b.ret();
        assertErrors(
                "inst0 `iadd v0, v0`: expected 1 result, found 0",
                "inst1 `v3 = store v0, v1`: expected 0 results, found 1");
    }

    @Test
    void loadsAndStoresTakePointersAndNarrowFormsNeedWiderTypes() {
        fn(a(I32, I64));
        b.load(Opcode.LOAD, I32, 0, 0, 0); // address is i32
        b.load(Opcode.ULOAD8, I8, 0, 1, 0);
        b.load(Opcode.SLOAD32, I64, 0, 1, 0); // fine
        b.store(Opcode.ISTORE32, 0, 0, 1, 0); // i32 into 32 bits
        b.store(Opcode.ISTORE32, 0, 1, 1, 0); // fine: i64
        b.load(Opcode.LOAD, I32, 0, 1, 1L << 32);
        b.ret();
        assertErrors(
                "inst0 `v2 = load.i32 v0`: v0 has type i32, expected i64",
                "inst1 `v3 = uload8.i8 v1`: uload8 needs an integer type wider than 8 bits, got i8",
                "inst3 `istore32 v0, v1`: istore32 needs an integer type wider than 32 bits, got i32",
                "inst5 `v5 = load.i32 v1+4294967296`: offset 4294967296 does not fit in 32 bits");
    }

    @Test
    void stackAccessStaysInsideTheSlot() {
        fn(a(I64));
        int ss = f.addStackSlot(new StackSlotData(8, 0));
        b.stackLoad(I64, ss, 0); // fine
        b.stackLoad(I64, ss, 4);
        b.stackStore(0, ss, -8);
        b.stackAddr(I32, ss, 0);
        b.stackAddr(I64, ss, 9);
        b.ret();
        assertErrors(
                "inst1 `v2 = stack_load.i64 ss0+4`: access of 8 bytes at offset 4 is outside ss0, which has 8 bytes",
                "inst2 `stack_store v0, ss0-8`: access of 8 bytes at offset -8 is outside ss0, which has 8 bytes",
                "inst3 `v3 = stack_addr.i32 ss0`: controlling type i32 should be i64",
                "inst4 `v4 = stack_addr.i64 ss0+9`: access of 0 bytes at offset 9 is outside ss0, which has 8 bytes");
    }

    @Test
    void heapAccessIndexTypesOffsetsAndAddresses() {
        fn(a(I32, I64));
        int gv = f.addGlobalValue(GlobalValueData.symbol("%mem", 0, true));
        int h = f.addHeap(new HeapData(gv, 0, HeapData.Style.STATIC, 0x10000, -1, 0, I32));
        b.heapLoad(Opcode.HEAP_LOAD, I32, h, 1, 0);
        b.heapLoad(Opcode.HEAP_ULOAD16, I16, h, 0, -4);
        b.heapStore(Opcode.HEAP_ISTORE8, h, 1, 0, 0); // fine
        b.heapAddr(I32, h, 0, 4);
        b.ret();
        assertErrors(
                "inst0 `v2 = heap_load.i32 heap0 v1`: v1 has type i64, expected i32",
                "inst1 `v3 = heap_uload16.i16 heap0 v0-4`: heap offset -4 is not in 0..0xffff_ffff",
                "inst1 `v3 = heap_uload16.i16 heap0 v0-4`: heap_uload16 needs an integer type wider than 16 bits, got i16",
                "inst3 `v4 = heap_addr.i32 heap0, v0, 4`: controlling type i32 should be i64");
    }

    @Test
    void tableAddress() {
        fn(a(I64));
        int gv0 = f.addGlobalValue(GlobalValueData.symbol("%t", 0, false));
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 0, I32, 0));
        int t = f.addTable(new TableData(gv0, 0, gv1, 16, I32));
        b.tableAddr(I64, t, 0, 16);
        b.ret();
        assertErrors(
                "inst0 `v1 = table_addr.i64 table0, v0, 16`: v0 has type i64, expected i32",
                "inst0 `v1 = table_addr.i64 table0, v0, 16`: offset 16 is outside the 16-byte element of table0");
    }

    @Test
    void globalValueTypes() {
        fn(NONE);
        int gv0 = f.addGlobalValue(GlobalValueData.symbol("%s", 0, false));
        int gv1 = f.addGlobalValue(GlobalValueData.load(gv0, 0, I32, 0));
        b.globalValue(I64, gv1);
        b.symbolValue(I64, gv1);
        b.funcAddr(I32, 0);
        b.ret();
        assertErrors(
                "inst0 `v0 = global_value.i64 gv1`: controlling type i64 differs from gv1's type i32",
                "inst1 `v1 = symbol_value.i64 gv1`: symbol_value of gv1, which is not a symbol",
                "inst1 `v1 = symbol_value.i64 gv1`: controlling type i64 differs from gv1's type i32",
                "inst2 `v2 = func_addr.i32 fn0`: invalid function reference fn0",
                "inst2 `v2 = func_addr.i32 fn0`: controlling type i32 should be i64");
    }

    @Test
    void callArgumentsAndResultsFollowTheSignature() {
        fn(a(I32, I64));
        int sig = f.addSignature(Signature.of(a(I32, I32), a(I64)));
        int fnr = f.addExtFunc(new ExtFuncData("%g", sig, false));
        b.call(fnr, a(0, 1), 2); // second argument i64, expects i32
        b.call(fnr, a(0), 1);
        int c3 = b.call(fnr, a(0, 0), 2);
        dfg.setValueType(dfg.firstResult(c3), I32);
        b.callIndirect(sig, 0, a(0, 0), 2); // callee i32
        b.ret();
        assertErrors(
                "inst0 `v2 = call fn0(v0, v1)`: argument 1 is v1: i64, but fn0 takes i32",
                "inst1 `v3 = call fn0(v0)`: fn0 takes 2 arguments, got 1",
                "inst2 `v4 = call fn0(v0, v0)`: result v4 has type i32, but fn0 returns i64",
                "inst3 `v5 = call_indirect sig0, v0(v0, v0)`: callee v0 has type i32, expected i64");
    }

    @Test
    void callResultCount() {
        fn(a(I32));
        int sig = f.addSignature(Signature.of(a(I32), NONE));
        int fnr = f.addExtFunc(new ExtFuncData("%g", sig, false));
        int c = b.call(fnr, a(0), 1);
        dfg.appendResult(c, I32);
        b.ret();
        assertErrors("inst0 `v1 = call fn0(v0)`: expected 0 results, found 1");
    }

    @Test
    void returnValuesFollowTheFunctionSignature() {
        fn(a(I32, I64), I32, I32);
        b.ret(0, 1);
        assertErrors("inst0 `return v0, v1`: return value 1 is v1: i64, but the function returns i32");
    }

    @Test
    void returnValueCount() {
        fn(a(I32), I32, I32);
        b.ret(0);
        assertErrors("inst0 `return v0`: the function returns 2 values, got 1");
    }

    @Test
    void blockCallArgumentsFollowTheParameters() {
        fn(a(I32, I64));
        int b1 = block();
        dfg.appendBlockParam(b1, I32); // v2
        dfg.appendBlockParam(b1, I32); // v3
        b.branch(Opcode.BRNZ, 0, b1, a(0), 1);
        b.jump(b1, 0, 1);
        b.atEnd(b1);
        b.ret();
        assertErrors(
                "inst0 `brnz v0, block1(v0)`: block1 takes 2 arguments, got 1",
                "inst1 `jump block1(v0, v1)`: argument 1 to block1 is v1: i64, but parameter v3 is i32");
    }

    @Test
    void branchConditionsAndTableIndexAreIntegers() {
        fn(a(F32, I32, I64));
        int b1 = block();
        b.branch(Opcode.BRZ, 0, b1, NONE, 0);
        b.brIcmp(IntCC.SGT, 1, 2, b1, NONE, 0);
        int[] calls = {dfg.makeBlockCall(b1, NONE, 0)};
        b.brTable(0, calls, 1);
        b.atEnd(b1);
        b.ret();
        assertErrors(
                "inst0 `brz v0, block1`: v0 has type f32, expected an integer type",
                "inst1 `br_icmp sgt v1, v2, block1`: v2 has type i64, expected i32",
                "inst2 `br_table v0, block1, []`: v0 has type f32, expected an integer type");
    }

    @Test
    void emptyJumpTableHasNoDefault() {
        fn(a(I32));
        int bt = b.brTable(0, NONE, 0);
        List<VerifierError> errs = Verifier.verify(f);
        assertEquals(1, errs.size(), errs::toString);
        assertEquals(bt, errs.get(0).inst());
        assertEquals("jt0 has no default destination", errs.get(0).message());
    }

    @Test
    void invalidSignatureTypesAndStackSlots() {
        int i32x4 = Type.I32 | 2 << 4; // vectors are not supported yet
        f = new Function("%f", Signature.of(a(i32x4), a(Type.INVALID)));
        dfg = f.dfg;
        b = new InstBuilder(f);
        b0 = block();
        dfg.appendBlockParam(b0, i32x4);
        f.addStackSlot(new StackSlotData(-1, 3));
        b.atEnd(b0);
        b.trap(TrapCode.UNREACHABLE);
        assertErrors(
                "signature: parameter 0 has invalid type i32x4",
                "signature: return value 0 has invalid type invalid",
                "ss0: negative size -1",
                "ss0: alignment 3 is not a power of two",
                "block0: parameter v0 has invalid type i32x4");
    }

    @Test
    void functionWithoutBlocks() {
        f = new Function("%empty", Signature.of(NONE, NONE));
        assertEquals(List.of("function: function has no blocks"), errors());
    }

    // =====================================================================================
    // verifyOrThrow

    @Test
    void verifyOrThrowNamesFunctionInstructionAndReason() {
        fn(a(I32, I64), I32);
        int s = b.iadd(0, 1);
        b.ret(b.iadd(s, 1));
        CompileError e = assertThrows(CompileError.class, () -> Verifier.verifyOrThrow(f));
        assertEquals("%f, inst0 `v2 = iadd v0, v1`: v1 has type i64, expected i32", e.getMessage());
        assertEquals("v1 has type i64, expected i32", e.reason);
        assertEquals("%f", e.source);
        assertEquals(1, e.getSuppressed().length);
        assertEquals("%f, inst1 `v3 = iadd v2, v1`: v1 has type i64, expected i32", e.getSuppressed()[0].getMessage());
    }

    @Test
    void errorRecordsPointAtInstructionAndBlock() {
        fn(a(I32), I32);
        int b1 = block();
        b.jump(b1);
        b.atEnd(b1);
        int s = b.iadd(0, 0);
        dfg.setArg(b.lastInst(), 1, 42);
        b.ret(s);
        List<VerifierError> errs = Verifier.verify(f);
        assertEquals(1, errs.size());
        VerifierError e = errs.get(0);
        assertEquals(1, e.inst());
        assertEquals(b1, e.block());
        assertEquals("v1 = iadd v0, v42", e.instText());
        assertEquals("invalid value v42", e.message());
    }
}
