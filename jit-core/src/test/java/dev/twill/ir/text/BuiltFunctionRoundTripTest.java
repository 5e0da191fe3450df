package dev.twill.ir.text;

import static org.junit.jupiter.api.Assertions.*;

import dev.twill.ir.DataFlowGraph;
import dev.twill.ir.ExtFuncData;
import dev.twill.ir.FloatCC;
import dev.twill.ir.Function;
import dev.twill.ir.GlobalValueData;
import dev.twill.ir.HeapData;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.IntCC;
import dev.twill.ir.Opcode;
import dev.twill.ir.Signature;
import dev.twill.ir.StackSlotData;
import dev.twill.ir.TableData;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.entity.IntVec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random functions built with InstBuilder (the oracle for types and immediates) print, parse and
 * print identically, and the parsed function has the builder's types, opcodes and immediates.
 */
class BuiltFunctionRoundTripTest {
    private static final int[] INTS = {Type.I8, Type.I16, Type.I32, Type.I64};
    private static final Opcode[] INT_BINARY = {
        Opcode.IADD, Opcode.ISUB, Opcode.IMUL, Opcode.UMULHI, Opcode.SMULHI, Opcode.UDIV, Opcode.SDIV, Opcode.UREM,
        Opcode.SREM, Opcode.SMIN, Opcode.SMAX, Opcode.UMIN, Opcode.UMAX, Opcode.BAND, Opcode.BOR, Opcode.BXOR,
        Opcode.BAND_NOT, Opcode.BOR_NOT, Opcode.BXOR_NOT, Opcode.ISHL, Opcode.USHR, Opcode.SSHR, Opcode.ROTL, Opcode.ROTR,
    };
    private static final Opcode[] INT_UNARY = {
        Opcode.INEG, Opcode.IABS, Opcode.BNOT, Opcode.CLZ, Opcode.CTZ, Opcode.POPCNT, Opcode.BSWAP,
    };
    private static final Opcode[] FLOAT_BINARY = {
        Opcode.FADD, Opcode.FSUB, Opcode.FMUL, Opcode.FDIV, Opcode.FMIN, Opcode.FMAX, Opcode.FCOPYSIGN,
    };
    private static final Opcode[] FLOAT_UNARY = {
        Opcode.SQRT, Opcode.FNEG, Opcode.FABS, Opcode.CEIL, Opcode.FLOOR, Opcode.TRUNC, Opcode.NEAREST,
    };
    private static final Opcode[] LOADS = {
        Opcode.LOAD, Opcode.ULOAD8, Opcode.SLOAD8, Opcode.ULOAD16, Opcode.SLOAD16, Opcode.ULOAD32, Opcode.SLOAD32,
    };
    private static final Opcode[] STORES = {Opcode.STORE, Opcode.ISTORE8, Opcode.ISTORE16, Opcode.ISTORE32};

    private Random rnd;
    private Function f;
    private InstBuilder b;
    /** Values made so far, per type (indexed by type code). */
    private IntVec[] byType;

    @Test
    void builtFunctionsPrintParseAndPrintIdentically() {
        long seed = new Random().nextLong();
        for (int n = 0; n < 400; n++) {
            Function built = build(new Random(seed + n), n);
            String text = Printer.print(built);
            Function parsed;
            try {
                parsed = Parser.parseFunction(text, "built");
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + (seed + n) + ": " + e.getMessage() + "\n" + text, e);
            }
            assertEquals(text, Printer.print(parsed), "seed " + (seed + n));
            sameGraph(built, parsed, "seed " + (seed + n) + "\n" + text);
        }
    }

    private static void sameGraph(Function a, Function p, String what) {
        DataFlowGraph x = a.dfg, y = p.dfg;
        for (int v = 0; v < x.numValues(); v++) {
            if (x.valueKind(v) == DataFlowGraph.DEF_NONE) continue;
            assertEquals(x.valueKind(v), y.valueKind(v), "kind of v" + v + " " + what);
            assertEquals(x.valueType(v), y.valueType(v), "type of v" + v + " " + what);
        }
        assertEquals(x.numInsts(), y.numInsts(), what);
        for (int i = 0; i < x.numInsts(); i++) {
            assertEquals(x.opcode(i), y.opcode(i), "inst" + i + " " + what);
            assertEquals(x.ctrlType(i), y.ctrlType(i), "ctrl type of inst" + i + " " + what);
            assertEquals(x.imm(i), y.imm(i), "imm of inst" + i + " " + what);
            assertEquals(x.aux(i), y.aux(i), "aux of inst" + i + " " + what);
        }
    }

    private int pick(int type) {
        IntVec vs = byType[type];
        if (vs.isEmpty() || rnd.nextInt(8) == 0) {
            int v;
            if (type == Type.F32) v = b.f32constBits(rnd.nextInt());
            else if (type == Type.F64) v = b.f64constBits(rnd.nextLong());
            else v = b.iconst(type, rnd.nextLong());
            byType[type].add(v);
            return v;
        }
        return vs.get(rnd.nextInt(vs.size()));
    }

    private void made(int v) {
        byType[f.dfg.valueType(v)].add(v);
    }

    private int anyInt() {
        return INTS[rnd.nextInt(INTS.length)];
    }

    private int anyFloat() {
        return rnd.nextBoolean() ? Type.F32 : Type.F64;
    }

    private long anyImm() {
        switch (rnd.nextInt(3)) {
            case 0: return rnd.nextInt(100) - 50;
            case 1: return rnd.nextInt();
            default: return rnd.nextLong();
        }
    }

    private int blockCall(int target) {
        int n = f.dfg.numBlockParams(target);
        int[] args = new int[n];
        for (int k = 0; k < n; k++) args[k] = pick(f.dfg.valueType(f.dfg.blockParam(target, k)));
        return f.dfg.makeBlockCall(target, args, n);
    }

    private int[] callArgs(int target) {
        int n = f.dfg.numBlockParams(target);
        int[] args = new int[n];
        for (int k = 0; k < n; k++) args[k] = pick(f.dfg.valueType(f.dfg.blockParam(target, k)));
        return args;
    }

    private Function build(Random random, int n) {
        rnd = random;
        f = new Function(n % 3 == 0 ? "u0:" + n : "%r" + n,
                Signature.of(new int[] {Type.I32, Type.I64, Type.F32, Type.F64}, new int[] {Type.I32}));
        b = new InstBuilder(f);
        byType = new IntVec[16];
        for (int t = 0; t < byType.length; t++) byType[t] = new IntVec();
        f.addStackSlot(new StackSlotData(8 + rnd.nextInt(64), rnd.nextBoolean() ? 0 : 1 << rnd.nextInt(5)));
        f.addGlobalValue(GlobalValueData.vmctx());
        f.addGlobalValue(GlobalValueData.load(0, rnd.nextInt(), Type.I64, rnd.nextInt(16)));
        f.addGlobalValue(GlobalValueData.symbol("%sym", rnd.nextInt(2000) - 1000, rnd.nextBoolean()));
        f.addGlobalValue(GlobalValueData.iaddImm(1, anyImm(), Type.I64));
        f.addHeap(new HeapData(1, rnd.nextLong(), HeapData.Style.STATIC, rnd.nextLong(), -1, rnd.nextLong(), Type.I32));
        f.addHeap(new HeapData(1, 0, HeapData.Style.DYNAMIC, 0, 3, 0, Type.I64));
        f.addTable(new TableData(1, rnd.nextInt(1000), 3, 8 << rnd.nextInt(3), Type.I32));
        f.addSignature(Signature.of(new int[] {Type.I32, Type.I32}, new int[] {Type.I32}));
        f.addSignature(new Signature(new int[] {Type.I64}, new int[] {Signature.PURPOSE_VMCTX}, new int[1],
                new int[] {Type.I64, Type.F64}, new int[2], new int[] {Signature.EXT_SEXT, 0}, "tail"));
        f.addExtFunc(new ExtFuncData("%callee", 0, rnd.nextBoolean()));
        f.addExtFunc(new ExtFuncData("u1:" + n, 1, false));

        int numBlocks = 1 + rnd.nextInt(5);
        int[] blocks = new int[numBlocks];
        for (int k = 0; k < numBlocks; k++) {
            blocks[k] = f.makeBlock();
            f.layout.appendBlock(blocks[k]);
        }
        for (int t : new int[] {Type.I32, Type.I64, Type.F32, Type.F64}) made(f.dfg.appendBlockParam(blocks[0], t));
        for (int k = 1; k < numBlocks; k++) {
            int np = rnd.nextInt(3);
            for (int q = 0; q < np; q++) {
                int t = rnd.nextInt(3) == 0 ? anyFloat() : anyInt();
                made(f.dfg.appendBlockParam(blocks[k], t));
            }
        }
        for (int k = 0; k < numBlocks; k++) {
            b.atEnd(blocks[k]);
            int count = rnd.nextInt(14);
            for (int q = 0; q < count; q++) inst(blocks);
            terminator(blocks);
        }
        return f;
    }

    private void inst(int[] blocks) {
        DataFlowGraph dfg = f.dfg;
        switch (rnd.nextInt(21)) {
            case 0: made(b.iconst(anyInt(), rnd.nextLong())); break;
            case 1: made(b.f32constBits(rnd.nextInt())); break;
            case 2: made(b.f64constBits(rnd.nextLong())); break;
            case 3: {
                int t = anyInt();
                made(b.binary(INT_BINARY[rnd.nextInt(INT_BINARY.length)], pick(t), pick(t)));
                break;
            }
            case 4: {
                Opcode op = INT_BINARY[rnd.nextInt(INT_BINARY.length)].immForm();
                if (op == null) op = Opcode.IRSUB_IMM;
                made(b.binaryImm(op, pick(anyInt()), anyImm()));
                break;
            }
            case 5: {
                int t = anyInt();
                made(b.unary(INT_UNARY[rnd.nextInt(INT_UNARY.length)], t, pick(t)));
                break;
            }
            case 6: {
                int t = anyInt();
                IntCC cc = IntCC.of(rnd.nextInt(IntCC.values().length));
                made(rnd.nextBoolean() ? b.icmp(cc, pick(t), pick(t)) : b.icmpImm(cc, pick(t), anyImm()));
                break;
            }
            case 7: {
                int t = anyFloat();
                made(b.fcmp(FloatCC.of(rnd.nextInt(FloatCC.values().length)), pick(t), pick(t)));
                break;
            }
            case 8: {
                int t = anyFloat();
                made(b.binary(FLOAT_BINARY[rnd.nextInt(FLOAT_BINARY.length)], pick(t), pick(t)));
                break;
            }
            case 9: {
                int t = anyFloat();
                made(b.unary(FLOAT_UNARY[rnd.nextInt(FLOAT_UNARY.length)], t, pick(t)));
                break;
            }
            case 10: conversion(); break;
            case 11: {
                int t = rnd.nextBoolean() ? anyInt() : anyFloat();
                made(b.select(pick(Type.I8), pick(t), pick(t)));
                break;
            }
            case 12: {
                Opcode op = LOADS[rnd.nextInt(LOADS.length)];
                int t = op == Opcode.LOAD ? (rnd.nextBoolean() ? anyInt() : anyFloat()) : Type.I64;
                made(b.load(op, t, rnd.nextInt(16), pick(Type.I64), anyImm()));
                break;
            }
            case 13: {
                Opcode op = STORES[rnd.nextInt(STORES.length)];
                b.store(op, rnd.nextInt(16), pick(op == Opcode.STORE ? anyInt() : Type.I64), pick(Type.I64), rnd.nextInt());
                break;
            }
            case 14:
                switch (rnd.nextInt(3)) {
                    case 0: made(b.stackLoad(anyInt(), 0, rnd.nextInt(8))); break;
                    case 1: b.stackStore(pick(anyFloat()), 0, rnd.nextInt(8)); break;
                    default: made(b.stackAddr(Type.I64, 0, rnd.nextInt(8)));
                }
                break;
            case 15: {
                Opcode[] loads = {Opcode.HEAP_LOAD, Opcode.HEAP_ULOAD8, Opcode.HEAP_SLOAD16, Opcode.HEAP_ULOAD32};
                Opcode[] stores = {Opcode.HEAP_STORE, Opcode.HEAP_ISTORE8, Opcode.HEAP_ISTORE16, Opcode.HEAP_ISTORE32};
                switch (rnd.nextInt(4)) {
                    case 0: made(b.heapLoad(loads[rnd.nextInt(4)], Type.I64, 0, pick(Type.I32), rnd.nextInt() & 0xFFFF_FFFFL)); break;
                    case 1: b.heapStore(stores[rnd.nextInt(4)], 1, pick(Type.I64), pick(Type.I64), rnd.nextInt(100)); break;
                    case 2: made(b.heapAddr(Type.I64, rnd.nextInt(2), pick(Type.I32), 1 + rnd.nextInt(8))); break;
                    default: made(b.tableAddr(Type.I64, 0, pick(Type.I32), rnd.nextInt(16)));
                }
                break;
            }
            case 16: {
                if (rnd.nextBoolean()) {
                    made(dfg.firstResult(b.call(0, new int[] {pick(Type.I32), pick(Type.I32)}, 2)));
                } else {
                    int call = b.call(1, new int[] {pick(Type.I64)}, 1);
                    made(dfg.result(call, 0));
                    made(dfg.result(call, 1));
                }
                break;
            }
            case 17: {
                int callee = b.funcAddr(Type.I64, 0);
                made(callee);
                made(dfg.firstResult(b.callIndirect(0, callee, new int[] {pick(Type.I32), pick(Type.I32)}, 2)));
                break;
            }
            case 18:
                switch (rnd.nextInt(3)) {
                    case 0: made(b.globalValue(Type.I64, rnd.nextInt(4))); break;
                    case 1: made(b.symbolValue(Type.I64, 2)); break;
                    default: b.nop();
                }
                break;
            case 19: {
                int target = blocks[rnd.nextInt(blocks.length)];
                int[] args = callArgs(target);
                switch (rnd.nextInt(3)) {
                    case 0: b.branch(Opcode.BRZ, pick(anyInt()), target, args, args.length); break;
                    case 1: b.branch(Opcode.BRNZ, pick(Type.I8), target, args, args.length); break;
                    default: {
                        int t = anyInt();
                        b.brIcmp(IntCC.of(rnd.nextInt(10)), pick(t), pick(t), target, args, args.length);
                    }
                }
                break;
            }
            default: {
                int code = rnd.nextBoolean() ? rnd.nextInt(10) : TrapCode.user(rnd.nextInt(65536));
                b.condTrap(rnd.nextBoolean() ? Opcode.TRAPZ : Opcode.TRAPNZ, pick(anyInt()), code);
            }
        }
    }

    private void conversion() {
        switch (rnd.nextInt(7)) {
            case 0: made(b.convert(rnd.nextBoolean() ? Opcode.UEXTEND : Opcode.SEXTEND, Type.I64, pick(Type.I16))); break;
            case 1: made(b.convert(Opcode.IREDUCE, Type.I8, pick(Type.I32))); break;
            case 2: made(b.convert(Opcode.BITCAST, Type.F32, pick(Type.I32))); break;
            case 3: made(b.convert(Opcode.FPROMOTE, Type.F64, pick(Type.F32))); break;
            case 4: made(b.convert(Opcode.FDEMOTE, Type.F32, pick(Type.F64))); break;
            case 5: {
                Opcode[] ops = {Opcode.FCVT_TO_SINT, Opcode.FCVT_TO_UINT, Opcode.FCVT_TO_SINT_SAT, Opcode.FCVT_TO_UINT_SAT};
                made(b.convert(ops[rnd.nextInt(4)], anyInt(), pick(anyFloat())));
                break;
            }
            default:
                made(b.convert(rnd.nextBoolean() ? Opcode.FCVT_FROM_SINT : Opcode.FCVT_FROM_UINT, anyFloat(), pick(anyInt())));
        }
    }

    private void terminator(int[] blocks) {
        int target = blocks[rnd.nextInt(blocks.length)];
        switch (rnd.nextInt(5)) {
            case 0: {
                int[] args = callArgs(target);
                b.jump(target, args, args.length);
                break;
            }
            case 1: {
                int other = blocks[rnd.nextInt(blocks.length)];
                b.brif(pick(Type.I8), target, callArgs(target), other, callArgs(other));
                break;
            }
            case 2: {
                int n = 1 + rnd.nextInt(4);
                int[] calls = new int[n];
                for (int k = 0; k < n; k++) calls[k] = blockCall(blocks[rnd.nextInt(blocks.length)]);
                b.brTable(pick(Type.I32), calls, n);
                break;
            }
            case 3: b.trap(rnd.nextInt(10)); break;
            default: b.ret(pick(Type.I32));
        }
    }
}
