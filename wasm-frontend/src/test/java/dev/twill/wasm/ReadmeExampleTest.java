package dev.twill.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.twill.runtime.Trap;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's WebAssembly API example, as written there, with its claimed results checked. */
class ReadmeExampleTest {
    @Test
    void readmeExampleWorksAsDocumented() throws Throwable {
        byte[] wasm = Wat.wasm("readme.wat");
        List<Integer> logged = new ArrayList<>();
        // ---- as in README.md
        try (Engine engine = new Engine();
             Module module = Module.compile(engine, wasm);
             Store store = new Store(engine)) {
            Linker linker = new Linker(engine);
            linker.defineFunction("env", "log", new FuncType(new byte[] {ValType.I32}, new byte[0]),
                    (caller, args) -> { logged.add((int) args[0]); return new long[0]; });
            Instance instance = linker.instantiate(store, module);
            WasmFunction fib = instance.function("fib");
            long[] r = fib.call(30);                                   // raw bits: {832040}
            int fast = (int) fib.handle().invokeExact(30);             // typed handle, inlined by C2
            instance.function("log_fib").call(20);                     // the host function receives 6765
            Trap t = assertThrows(Trap.class, () -> instance.function("div").call(1, 0));
            // ---- checks
            assertArrayEquals(new long[] {832040}, r);                 // F(30), a known value
            assertEquals(832040, fast);
            assertEquals(List.of(6765), logged);                       // F(20)
            assertEquals("int_divz", t.codeName());
            assertEquals("div", t.function());
        }
    }
}
