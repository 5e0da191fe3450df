package dev.twill.wasm.translate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.CompileError;
import dev.twill.ir.Function;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.TargetIsa;
import dev.twill.wasm.binary.CustomSection;
import dev.twill.wasm.binary.DataSegment;
import dev.twill.wasm.binary.ElementSegment;
import dev.twill.wasm.binary.Export;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.FunctionBody;
import dev.twill.wasm.binary.Global;
import dev.twill.wasm.binary.GlobalType;
import dev.twill.wasm.binary.Import;
import dev.twill.wasm.binary.MemoryType;
import dev.twill.wasm.binary.TableType;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.vm.VmContextLayout;
import org.junit.jupiter.api.Test;

/** Parallel compilation is deterministic, errors name the wasm function, translation allocates next to nothing. */
class ModuleCompilerTest {
    @Test
    void sameBytesForAnyThreadCount() {
        TargetIsa isa = TargetIsa.host();
        for (String wat : new String[] {"control.wat", "numeric.wat", "memory.wat", "calls.wat"}) {
            WasmModule m = TestDecoder.decode(TestDecoder.wat(wat));
            CompiledCode[] one = ModuleCompiler.compile(m, isa, 1);
            for (int threads : new int[] {2, 4, 16}) {
                CompiledCode[] many = ModuleCompiler.compile(m, isa, threads);
                assertEquals(one.length, many.length);
                for (int k = 0; k < one.length; k++) {
                    assertArrayEquals(one[k].code(), many[k].code(), wat + " function " + k + " with " + threads + " threads");
                    assertArrayEquals(one[k].relocations(), many[k].relocations());
                    assertArrayEquals(one[k].traps(), many[k].traps());
                    assertArrayEquals(one[k].trapCodes(), many[k].trapCodes());
                    assertEquals(one[k].frameSize(), many[k].frameSize());
                }
            }
            assertEquals(m.bodies.length, one.length);
        }
    }

    /** A module of two () -> () functions: the first fine, the second with the undefined opcode 0xFF. */
    private static WasmModule brokenModule(String[] names) {
        byte[] bytes = {0x00, 0x01, 0x0B, 0x00, (byte) 0xFF, 0x0B};
        FunctionBody ok = new FunctionBody(new int[0], new byte[0], 0, 1, 3);
        FunctionBody bad = new FunctionBody(new int[0], new byte[0], 0, 4, 6);
        return new WasmModule(bytes, new FuncType[] {new FuncType(new byte[0], new byte[0])}, new Import[0],
                new int[] {0, 0}, 0, new TableType[0], 0, new MemoryType[0], 0, new GlobalType[0], 0, new Global[0],
                new Export[0], -1, new ElementSegment[0], new DataSegment[0], -1, new FunctionBody[] {ok, bad},
                new CustomSection[0], names);
    }

    @Test
    void failuresNameTheWasmFunction() {
        for (int threads : new int[] {1, 3}) {
            CompileError e = assertThrows(CompileError.class, () -> ModuleCompiler.compile(brokenModule(new String[0]), TargetIsa.host(), threads));
            assertTrue(e.getMessage().contains("func[1]") && e.getMessage().contains("%f1"), e.getMessage());
            assertTrue(e.getCause() instanceof CompileError, String.valueOf(e.getCause()));
        }
        CompileError named = assertThrows(CompileError.class,
                () -> ModuleCompiler.compile(brokenModule(new String[] {null, "my_func"}), TargetIsa.host(), 2));
        assertTrue(named.getMessage().contains("my_func"), named.getMessage());
    }

    @Test
    void steadyStateTranslationAllocatesNextToNothing() {
        StringBuilder wat = new StringBuilder("(module (memory 1) (func (export \"big\") (param i32) (result i32) (local i32)\n");
        int reps = 1500;
        for (int k = 0; k < reps; k++) {
            wat.append("(local.set 1 (i32.add (local.get 1) (i32.load offset=8 (i32.and (local.get 0) (i32.const 255)))))\n");
            wat.append("(block (br_if 0 (i32.eqz (local.get 1))) (local.set 0 (i32.mul (local.get 0) (i32.const 3))))\n");
            wat.append("(loop (br_if 0 (i32.lt_u (local.get 0) (i32.const ").append(k).append("))))\n");
        }
        wat.append("(local.get 1)))");
        WasmModule m = TestDecoder.decode(TestDecoder.watText(wat.toString()));
        VmContextLayout layout = VmContextLayout.of(m);
        FunctionTranslator t = new FunctionTranslator();
        Function f = new Function("", null);
        for (int k = 0; k < 5; k++) t.translate(m, layout, 0, f);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE;
        for (int k = 0; k < 5; k++) {
            long before = threads.getThreadAllocatedBytes(self);
            t.translate(m, layout, 0, f);
            best = Math.min(best, threads.getThreadAllocatedBytes(self) - before);
        }
        int wasmInstructions = reps * 22;
        assertTrue(f.dfg.numInsts() > wasmInstructions / 2, "the function is big: " + f.dfg.numInsts());
        // per function: the builder, entity records, the name; nothing per instruction
        assertTrue(best < 16_384, best + " bytes allocated translating " + wasmInstructions + " wasm instructions");
    }
}
