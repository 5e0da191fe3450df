package dev.twill.bench.wasm;

import java.util.SplittableRandom;

/**
 * Generates a large, valid WebAssembly module for compile-throughput benchmarks: {@code n}
 * functions of the shape compilers of C produce (integer and float arithmetic, locals, loads
 * and stores, nested blocks, bounded loops, {@code br_if}, {@code br_table}, calls to earlier
 * functions), deterministic for a seed. Every loop counts a local down from a small constant and
 * calls only go to earlier functions, so every function terminates (though calls nested in loops
 * can make a late function run long: the module is meant to be compiled, not run); memory
 * accesses are masked into the first page.
 *
 * <p>Types: 0 = (i32, i32) -> i32, 1 = (i64, i32) -> i64, 2 = (f64, f64) -> f64. Function {@code
 * i} has type {@code i % 3}; all are exported as {@code f<i>}.
 */
public final class LargeModuleGenerator {
    private static final int I32 = 0x7F, I64 = 0x7E, F64 = 0x7C;
    private static final int[][] PARAMS = {{I32, I32}, {I64, I32}, {F64, F64}};
    private static final int[] RESULTS = {I32, I64, F64};
    /**
     * Locals after the two parameters: i32 scratch, i64 scratch, f64 scratch, then one i32 loop
     * counter per statement nesting depth (a loop nested in a loop needs its own counter, or the
     * inner loop's exit value 0 would make the outer one's decrement wrap and never end).
     */
    private static final int SI32 = 2, SI64 = 3, SF64 = 4, COUNTER = 5, DEPTHS = 3;

    private final SplittableRandom random;
    private WasmWriter code;
    private int function;

    private LargeModuleGenerator(long seed) {
        random = new SplittableRandom(seed);
    }

    /** A module of {@code functions} functions of about {@code statements} statements each. */
    public static byte[] generate(int functions, int statements, long seed) {
        return new LargeModuleGenerator(seed).module(functions, statements);
    }

    private byte[] module(int functions, int statements) {
        WasmWriter m = new WasmWriter();
        m.u8(0).u8('a').u8('s').u8('m').u8(1).u8(0).u8(0).u8(0);
        WasmWriter types = new WasmWriter().u32(3);
        for (int t = 0; t < 3; t++) {
            types.u8(0x60).u32(2).u8(PARAMS[t][0]).u8(PARAMS[t][1]).u32(1).u8(RESULTS[t]);
        }
        m.section(1, types);
        WasmWriter funcs = new WasmWriter().u32(functions);
        for (int i = 0; i < functions; i++) funcs.u32(i % 3);
        m.section(3, funcs);
        m.section(5, new WasmWriter().u32(1).u8(0).u32(1));
        WasmWriter exports = new WasmWriter().u32(functions);
        for (int i = 0; i < functions; i++) exports.name("f" + i).u8(0).u32(i);
        m.section(7, exports);
        WasmWriter codes = new WasmWriter().u32(functions);
        for (int i = 0; i < functions; i++) {
            function = i;
            code = new WasmWriter();
            code.u32(4).u32(1).u8(I32).u32(1).u8(I64).u32(1).u8(F64).u32(DEPTHS).u8(I32);
            for (int s = 0; s < statements; s++) statement(DEPTHS - 1);
            result(i % 3);
            code.u8(0x0B);
            codes.u32(code.size()).bytes(code.toByteArray());
        }
        m.section(10, codes);
        return m.toByteArray();
    }

    /** Leaves the function's result type on the stack. */
    private void result(int type) {
        switch (type) {
            case 0 -> { i32(3); code.u8(0x20).u32(SI32).u8(0x6A); }
            case 1 -> { i64(3); code.u8(0x20).u32(SI64).u8(0x7C); }
            default -> { f64(3); code.u8(0x20).u32(SF64).u8(0xA0); }
        }
    }

    private void statement(int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 5);
        switch (kind) {
            case 0, 1 -> { i32(3); code.u8(0x21).u32(SI32); }
            case 2 -> { i64(3); code.u8(0x21).u32(SI64); }
            case 3 -> { f64(3); code.u8(0x21).u32(SF64); }
            case 4 -> { address(); i32(2); code.u8(0x36).u32(2).u32(random.nextInt(64) * 4); }
            case 5 -> { // if/else on an i32 condition
                i32(2);
                code.u8(0x04).u8(0x40);
                statement(depth - 1);
                code.u8(0x05);
                statement(depth - 1);
                code.u8(0x0B);
            }
            case 6 -> { // bounded loop: counter = k; loop { body; counter -= 1; br_if counter != 0 }
                int counter = COUNTER + depth;
                code.u8(0x41).s64(1 + random.nextInt(8)).u8(0x21).u32(counter);
                code.u8(0x03).u8(0x40);
                statement(depth - 1);
                statement(depth - 1);
                code.u8(0x20).u32(counter).u8(0x41).s64(1).u8(0x6B).u8(0x22).u32(counter);
                code.u8(0x0D).u32(0).u8(0x0B);
            }
            case 7 -> { // block with br_table to one of three exits
                code.u8(0x02).u8(0x40).u8(0x02).u8(0x40).u8(0x02).u8(0x40);
                i32(1);
                code.u8(0x0E).u32(2).u32(0).u32(1).u32(2);
                code.u8(0x0B);
                statement(depth - 1);
                code.u8(0x0B);
                statement(depth - 1);
                code.u8(0x0B);
            }
            default -> { // block with an early br_if exit
                code.u8(0x02).u8(0x40);
                statement(depth - 1);
                i32(1);
                code.u8(0x0D).u32(0);
                statement(depth - 1);
                code.u8(0x0B);
            }
        }
    }

    /** An i32 address masked into the first page, 4-byte aligned. */
    private void address() {
        i32(1);
        code.u8(0x41).s64(0xFF0).u8(0x71);
    }

    private void i32(int depth) {
        int kind = random.nextInt(depth > 0 ? 10 : 3);
        switch (kind) {
            case 0 -> code.u8(0x41).s64(random.nextInt(2000) - 1000);
            case 1 -> code.u8(0x20).u32(function % 3 == 0 ? random.nextInt(2) : function % 3 == 1 ? 1 : SI32);
            case 2 -> code.u8(0x20).u32(SI32);
            case 3, 4, 5 -> { // binary op: add sub mul and or xor shl shr_u rotl
                i32(depth - 1);
                i32(depth - 1);
                int[] ops = {0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x76, 0x77};
                code.u8(ops[random.nextInt(ops.length)]);
            }
            case 6 -> { i32(depth - 1); i32(depth - 1); code.u8(0x46 + random.nextInt(10)); } // i32.eq .. i32.ge_u
            case 7 -> { address(); code.u8(0x28).u32(2).u32(random.nextInt(64) * 4); }
            case 8 -> { i64(depth - 1); code.u8(0xA7); } // i32.wrap_i64
            default -> { // call an earlier function of type 0, or select
                int callee = function - 1 - random.nextInt(Math.min(function, 8) + 1);
                while (callee >= 0 && callee % 3 != 0) callee--;
                if (callee >= 0) {
                    i32(depth - 1);
                    i32(depth - 1);
                    code.u8(0x10).u32(callee);
                } else {
                    i32(depth - 1);
                    i32(depth - 1);
                    i32(depth - 1);
                    code.u8(0x1B);
                }
            }
        }
    }

    private void i64(int depth) {
        int kind = random.nextInt(depth > 0 ? 6 : 2);
        switch (kind) {
            case 0 -> code.u8(0x42).s64(random.nextLong());
            case 1 -> code.u8(0x20).u32(function % 3 == 1 ? 0 : SI64);
            case 2, 3 -> {
                i64(depth - 1);
                i64(depth - 1);
                int[] ops = {0x7C, 0x7D, 0x7E, 0x83, 0x84, 0x85, 0x86, 0x88, 0x89};
                code.u8(ops[random.nextInt(ops.length)]);
            }
            case 4 -> { i32(depth - 1); code.u8(random.nextBoolean() ? 0xAC : 0xAD); } // extend_i32_s/u
            default -> { address(); code.u8(0x29).u32(3).u32(random.nextInt(32) * 8); }
        }
    }

    private void f64(int depth) {
        int kind = random.nextInt(depth > 0 ? 5 : 2);
        switch (kind) {
            case 0 -> code.u8(0x44).f64(random.nextInt(1000) / 8.0);
            case 1 -> code.u8(0x20).u32(function % 3 == 2 ? random.nextInt(2) : SF64);
            case 2, 3 -> {
                f64(depth - 1);
                f64(depth - 1);
                code.u8(0xA0 + random.nextInt(6)); // add sub mul div min max
            }
            default -> { i32(depth - 1); code.u8(0xB7); } // f64.convert_i32_s
        }
    }
}
