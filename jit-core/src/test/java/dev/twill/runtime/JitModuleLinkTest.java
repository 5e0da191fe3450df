package dev.twill.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.ir.Signature;
import dev.twill.ir.TrapCode;
import dev.twill.ir.Type;
import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.CompiledCode.RelocKind;
import dev.twill.machinst.CompiledCode.Relocation;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The linker without running code (jit-core has no back end on its class path): the bytes the
 * relocations leave in memory, checked against displacements worked out from the addresses.
 */
class JitModuleLinkTest {
    private static final Signature VOID = Signature.of(new int[0], new int[0]);

    static CompiledCode bytes(int n, Relocation... r) {
        byte[] code = new byte[n];
        for (int i = CompiledCode.HEADER_SIZE; i < n; i++) code[i] = (byte) 0xCC;
        return new CompiledCode(code, r, new int[0], new int[0], 0);
    }

    static MemorySegment at(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    @Test
    void relocationsAndHeaders() {
        long host = 0x1234_5678_9ABC_DEF0L;
        try (JitModule m = new JitModule()) {
            m.defineHostSymbol("host", host);
            Signature sigA = Signature.of(new int[] {Type.I32}, new int[] {Type.I64});
            m.declareFunction("%a", sigA);
            m.declareFunction("%b", VOID);
            // %a: rel32 to %b at 9 (+addend 3), abs64 to host at 16 (+addend 5), abs64 to %b at 24
            m.defineFunction("%a", bytes(40,
                    new Relocation(9, RelocKind.X86_PC_REL32, "%b", 3),
                    new Relocation(16, RelocKind.ABS64, "host", 5),
                    new Relocation(24, RelocKind.ABS64, "%b", 0)));
            m.defineFunction("%b", bytes(20));
            m.finalizeDefinitions();
            long a = m.address("%a"), b = m.address("%b");
            long aStart = a - CompiledCode.HEADER_SIZE;
            assertEquals(0, aStart & 15);
            assertTrue(b > a, "laid out in declaration order");
            assertEquals(0, (b - CompiledCode.HEADER_SIZE) & 15);
            MemorySegment code = at(aStart, 40);
            assertEquals((int) (b + 3 - (aStart + 9 + 4)), code.get(ValueLayout.JAVA_INT_UNALIGNED, 9));
            assertEquals(host + 5, code.get(ValueLayout.JAVA_LONG_UNALIGNED, 16));
            assertEquals(b, code.get(ValueLayout.JAVA_LONG_UNALIGNED, 24));
            assertEquals((byte) 0xCC, code.get(ValueLayout.JAVA_BYTE, 8), "code bytes untouched");
            assertEquals(SignatureIds.idOf(sigA), code.get(ValueLayout.JAVA_INT, 0));
            assertEquals(SignatureIds.idOf(VOID), at(b - 8, 4).get(ValueLayout.JAVA_INT, 0));
            assertNotEquals(SignatureIds.idOf(sigA), SignatureIds.idOf(VOID));
            assertEquals("%a", m.functionAt(a + 3));
            assertEquals("%b", m.functionAt(b));
            assertNull(m.functionAt(b + 100));
            assertNull(m.functionAt(0));
        }
    }

    @Test
    void signatureIdsAreFnv1aOfTheText() {
        // FNV-1a 32 values computed independently (Python, over the UTF-8 bytes of the ASCII text)
        assertEquals("()", VOID.toString());
        assertEquals(0x28d9f59a, SignatureIds.idOf(VOID));
        Signature s = Signature.of(new int[] {Type.I32}, new int[] {Type.I64});
        assertEquals("(i32) -> i64", s.toString());
        assertEquals(0x66093f9c, SignatureIds.idOf(s));
        assertEquals(SignatureIds.idOf(s), SignatureIds.idOf(Signature.of(new int[] {Type.I32}, new int[] {Type.I64})));
    }

    @Test
    void farHostSymbolGetsAVeneer() {
        long host = 0x0000_1000_0000_0000L; // never called, only linked: far from any mmap
        try (JitModule m = new JitModule()) {
            m.defineHostSymbol("far", host);
            m.declareFunction("%f", VOID);
            m.defineFunction("%f", bytes(24, new Relocation(12, RelocKind.X86_PC_REL32, "far", 0),
                    new Relocation(17, RelocKind.X86_PC_REL32, "far", 0)));
            m.finalizeDefinitions();
            long start = m.address("%f") - 8;
            MemorySegment code = at(start, 24);
            long veneer = start + 12 + 4 + code.get(ValueLayout.JAVA_INT_UNALIGNED, 12);
            assertEquals(veneer, start + 17 + 4 + code.get(ValueLayout.JAVA_INT_UNALIGNED, 17), "one veneer per symbol");
            assertTrue(veneer >= start + 24, "after the functions");
            MemorySegment v = at(veneer, 14);
            // jmp qword ptr [rip + 0] = FF 25 00 00 00 00, then the target
            assertEquals((byte) 0xFF, v.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals((byte) 0x25, v.get(ValueLayout.JAVA_BYTE, 1));
            assertEquals(0, v.get(ValueLayout.JAVA_INT_UNALIGNED, 2));
            assertEquals(host, v.get(ValueLayout.JAVA_LONG_UNALIGNED, 6));
        }
    }

    @Test
    void aarch64Call26() {
        try (JitModule m = new JitModule()) {
            m.declareFunction("%caller", VOID);
            m.declareFunction("%callee", VOID);
            CompiledCode caller = bytes(16, new Relocation(8, RelocKind.AARCH64_CALL26, "%callee", 0));
            caller.code()[8] = 0;
            caller.code()[9] = 0;
            caller.code()[10] = 0;
            caller.code()[11] = (byte) 0x94; // bl #0
            m.defineFunction("%caller", caller);
            m.defineFunction("%callee", bytes(12));
            m.finalizeDefinitions();
            long place = m.address("%caller");
            long delta = m.address("%callee") - place; // both entries: 16-aligned starts, so a multiple of 4
            int insn = at(place, 4).get(ValueLayout.JAVA_INT, 0);
            assertEquals(0x9400_0000 | (int) (delta / 4), insn);
        }
    }

    @Test
    void errorsAndLifecycle() {
        JitModule m = new JitModule();
        m.declareFunction("%f", VOID);
        assertThrows(LinkError.class, () -> m.declareFunction("%f", VOID));
        assertThrows(LinkError.class, () -> m.defineHostSymbol("%f", 1));
        assertThrows(IllegalStateException.class, () -> m.address("%f"), "not finalized");
        m.defineFunction("%f", bytes(12, new Relocation(8, RelocKind.X86_PC_REL32, "%f", 0x1_0000_0000L)));
        LinkError e = assertThrows(LinkError.class, m::finalizeDefinitions);
        assertTrue(e.getMessage().contains("out of reach"), e.getMessage());
        m.close();
        assertThrows(IllegalStateException.class, () -> m.declareFunction("%g", VOID));
        assertThrows(IllegalStateException.class, m::finalizeDefinitions);

        JitModule tooMany = new JitModule();
        assertThrows(LinkError.class, () -> tooMany.declareFunction("%wide",
                Signature.of(new int[0], new int[CallContext.MAX_RESULTS + 1])));
        tooMany.close();

        try (JitModule empty = new JitModule()) {
            empty.finalizeDefinitions();
            assertEquals(0, empty.mappedBytes());
        }
    }

    @Test
    void methodTypes() {
        Signature s = Signature.of(new int[] {Type.I8, Type.I16, Type.I32, Type.I64, Type.F32, Type.F64}, new int[] {Type.I16});
        assertEquals("(byte,short,int,long,float,double)short", JitModule.methodType(s).toString());
        assertEquals("()long[]", JitModule.methodType(Signature.of(new int[0], new int[] {Type.I32, Type.F64})).toString());
        assertEquals("()void", JitModule.methodType(VOID).toString());
        assertThrows(LinkError.class, () -> JitModule.methodType(Signature.of(new int[] {Type.I128}, new int[0])));
    }

    @Test
    void handleNeedsABackEnd() {
        // jit-core's tests have no trampoline generator on the class path
        try (JitModule m = new JitModule()) {
            m.declareFunction("%f", VOID);
            m.defineFunction("%f", bytes(9));
            m.finalizeDefinitions();
            LinkError e = assertThrows(LinkError.class, () -> m.handle("%f"));
            assertTrue(e.getMessage().contains("trampoline"), e.getMessage());
        }
    }

    @Test
    void trapMessages() {
        Trap t = new Trap(TrapCode.HEAP_OOB, "%load");
        assertEquals("trap: heap_oob in %load", t.getMessage());
        assertEquals("heap_oob", t.codeName());
        assertEquals("user(7)", new Trap(TrapCode.user(7), null).codeName());
        assertEquals("trap: stk_ovf", new Trap(TrapCode.STK_OVF, null).getMessage());
    }

    @Test
    void contextPerThread() throws Exception {
        CallContext mine = CallContext.current();
        assertEquals(mine, CallContext.current());
        CallContext[] other = new CallContext[1];
        Thread t = new Thread(() -> other[0] = CallContext.current());
        t.start();
        t.join();
        assertNotEquals(mine.address(), other[0].address());
        assertEquals(mine, CallContext.current(), "the cache follows the thread");
        assertEquals(TrapContext.NO_TRAP, mine.trapCode());
        assertTrue(mine.stackLimit() > 0);
    }
}
