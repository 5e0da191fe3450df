package dev.twill.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CodeMemoryTest {
    private static boolean isX64() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /** mov eax, imm32; ret */
    private static byte[] returnConstant(int value) {
        return new byte[] {(byte) 0xB8, (byte) value, (byte) (value >> 8), (byte) (value >> 16), (byte) (value >> 24), (byte) 0xC3};
    }

    @Test
    void runsCodeWrittenIntoIt() throws Throwable {
        Assumptions.assumeTrue(isX64(), "x86-64 host needed to execute the test code");
        try (CodeMemory mem = new CodeMemory()) {
            MemorySegment[] fns = new MemorySegment[100];
            for (int k = 0; k < fns.length; k++) {
                fns[k] = mem.allocate(6);
                MemorySegment.copy(MemorySegment.ofArray(returnConstant(k * 7 + 1)), 0, fns[k], 0, 6);
            }
            mem.publish();
            // small functions share pages
            assertEquals(CodeMemory.CHUNK_SIZE, mem.mappedBytes());
            for (int k = 0; k < fns.length; k++) {
                MethodHandle h = Linker.nativeLinker().downcallHandle(fns[k], FunctionDescriptor.of(ValueLayout.JAVA_INT));
                assertEquals(k * 7 + 1, (int) h.invokeExact());
                assertEquals(0, fns[k].address() % 16);
            }
        }
    }

    @Test
    void publishedPagesAreNotWritableAndNewAllocationsStartOnAFreshPage() {
        try (CodeMemory mem = new CodeMemory()) {
            MemorySegment a = mem.allocate(10);
            mem.publish();
            MemorySegment b = mem.allocate(10);
            long page = CodeMemory.pageSize();
            assertNotEquals(a.address() / page, b.address() / page);
            assertEquals("r-x", protection(a.address()));
            assertEquals("rw-", protection(b.address()));
        }
    }

    @Test
    void blocksStayWritableUntilPublishedEvenAcrossChunks() {
        try (CodeMemory mem = new CodeMemory()) {
            MemorySegment a = mem.allocate(CodeMemory.CHUNK_SIZE - 64);
            MemorySegment b = mem.allocate(CodeMemory.CHUNK_SIZE - 64); // needs a second chunk
            a.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xC3); // would crash if the first chunk were already r-x
            b.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xC3);
            assertEquals("rw-", protection(a.address()));
            mem.publish();
            assertEquals("r-x", protection(a.address()));
            assertEquals("r-x", protection(b.address()));
        }
    }

    @Test
    void largeAllocationsGetTheirOwnChunk() {
        try (CodeMemory mem = new CodeMemory()) {
            MemorySegment big = mem.allocate(CodeMemory.CHUNK_SIZE * 3 + 5);
            big.set(ValueLayout.JAVA_BYTE, big.byteSize() - 1, (byte) 0xC3);
            mem.publish();
            assertTrue(mem.mappedBytes() >= CodeMemory.CHUNK_SIZE * 3 + 5);
        }
    }

    @Test
    void closingUnmapsEverything() throws Exception {
        long before = mappedKiB();
        for (int k = 0; k < 10_000; k++) {
            try (CodeMemory mem = new CodeMemory()) {
                mem.allocate(100);
                mem.publish();
            }
        }
        long after = mappedKiB();
        // 10,000 leaked 256 KiB chunks would be 2.5 GiB; allow ordinary JVM noise
        assertTrue(after - before < 64 * 1024, "mapped memory grew by " + (after - before) + " KiB");
    }

    @Test
    void aClosedChunkIsReusedWritableAndWipedOfItsOldCode() {
        long address;
        try (CodeMemory mem = new CodeMemory()) {
            MemorySegment a = mem.allocate(6);
            MemorySegment.copy(MemorySegment.ofArray(returnConstant(42)), 0, a, 0, 6);
            mem.publish();
            address = a.address();
            assertEquals("r-x", protection(address));
        }
        try (CodeMemory mem = new CodeMemory()) {
            MemorySegment b = mem.allocate(6);
            // the pool is last-in first-out and nothing else in this test JVM frees chunks meanwhile
            assertEquals(address, b.address());
            assertEquals("rw-", protection(b.address()));
            for (int k = 0; k < 6; k++) assertEquals((byte) 0xCC, b.get(ValueLayout.JAVA_BYTE, k), "byte " + k);
            MemorySegment.copy(MemorySegment.ofArray(returnConstant(7)), 0, b, 0, 6);
            mem.publish();
            assertEquals("r-x", protection(b.address()));
            if (isX64()) {
                MethodHandle h = Linker.nativeLinker().downcallHandle(b, FunctionDescriptor.of(ValueLayout.JAVA_INT));
                try {
                    assertEquals(7, (int) h.invokeExact());
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            }
        }
    }

    @Test
    void useAfterCloseIsAnError() {
        CodeMemory mem = new CodeMemory();
        mem.close();
        assertThrows(IllegalStateException.class, () -> mem.allocate(1));
        mem.close();
    }

    private static long mappedKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmSize in /proc/self/status");
    }

    /** The permission bits of the mapping holding {@code address}, from /proc/self/maps. */
    private static String protection(long address) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] parts = line.split("\\s+");
                String[] range = parts[0].split("-");
                long lo = Long.parseUnsignedLong(range[0], 16), hi = Long.parseUnsignedLong(range[1], 16);
                if (address >= lo && address < hi) return parts[1].substring(0, 3);
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("address not mapped");
    }
}
