package dev.twill.wasm.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.twill.wasm.Engine;
import dev.twill.wasm.EngineConfig;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.Module;
import dev.twill.wasm.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WASI files and directories: C programs (wasi-libc) against the same program built natively
 * and run in an identical directory; escapes from the preopened directory, whose expected
 * answers come from WASI's capability rules; the resolver on its own; and the calls' edges
 * through a hand-written module.
 */
class WasiFilesTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The directory files.c expects: input.txt and dir/ with a file and a subdirectory. */
    private static Path populate(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("dir/sub"));
        Files.writeString(dir.resolve("input.txt"), "first line\nsecond line\nthird\n");
        Files.writeString(dir.resolve("dir/a.txt"), "hi\n");
        return dir;
    }

    /** Runs {@code wasm}'s _start with {@code dir} preopened as ".". */
    private static CPrograms.Run runWasm(byte[] wasm, String opt, Path dir) throws IOException {
        return CPrograms.runWasm(wasm, opt, new WasiConfig().args(List.of("program")).preopen(dir, "."));
    }

    /** Every path below {@code dir} with its size (directories -1), sorted: what a program left behind. */
    private static List<String> tree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p) + ":" + (Files.isDirectory(p) ? -1 : p.toFile().length())).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void filesAndDirectoriesBehaveAsNatively(String opt, @TempDir Path tmp) throws IOException {
        Path nativeDir = populate(tmp.resolve("native")), wasmDir = populate(tmp.resolve("wasm"));
        CPrograms.Run expected = CPrograms.runNative("files", List.of(), Map.of(), new byte[0], nativeDir);
        assertEquals(0, expected.exitCode(), expected.stdout());
        assertTrue(expected.stdout().contains("made: hard.bin link@ moved.txt"), expected.stdout());
        // 300 names of 29 bytes; the numbers 0..299 plus one each sum to 300 * 301 / 2
        assertTrue(expected.stdout().contains("many: 300 entries, 8700 name bytes, checksum 45150"), expected.stdout());
        CPrograms.Run actual = runWasm(CPrograms.wasm("files"), opt, wasmDir);
        assertEquals(expected, actual);
        assertEquals(tree(nativeDir), tree(wasmDir));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "speed"})
    void nothingOutsideThePreopenedDirectoryIsReachable(String opt, @TempDir Path tmp) throws IOException {
        Path inside = Files.createDirectories(tmp.resolve("inside/dir"));
        inside = inside.getParent();
        Files.writeString(tmp.resolve("outside.txt"), "secret");
        Files.writeString(inside.resolve("input.txt"), "in");
        Files.createSymbolicLink(inside.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(inside.resolve("up"), Path.of("../outside.txt"));
        CPrograms.Run run;
        try {
            run = runWasm(CPrograms.wasm("escape"), opt, inside);
        } finally {
            // links out of the temporary directory: removed here so its cleanup need not warn
            Files.delete(inside.resolve("abs"));
            Files.deleteIfExists(inside.resolve("evil"));
        }
        // Every path that leaves the directory, by .., by a link or absolutely, is notcapable;
        // an absolute path is refused by wasi-libc itself (no preopen has that prefix). A link
        // to outside may be created with a relative target, but not followed.
        assertEquals("""
                open ../outside.txt: ENOTCAPABLE
                open dir/../../outside.txt: ENOTCAPABLE
                open /etc/passwd: ENOENT
                open abs/passwd: ENOTCAPABLE
                open up: ENOTCAPABLE
                stat ..: ENOTCAPABLE
                opendir ..: ENOTCAPABLE
                create ../created.txt: ENOTCAPABLE
                mkdir ../newdir: ENOTCAPABLE
                rename input.txt ../stolen.txt: ENOTCAPABLE
                symlink to /etc/passwd: ENOTCAPABLE
                symlink to ../outside.txt: SUCCEEDED
                open evil2: ENOTCAPABLE
                unlink ../outside.txt: ENOTCAPABLE
                link ../outside.txt: ENOTCAPABLE
                """, run.stdout());
        assertEquals("secret", Files.readString(tmp.resolve("outside.txt")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("inside", "outside.txt"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void pollingAFileReportsWhatIsLeftToRead(@TempDir Path tmp) throws IOException {
        CPrograms.Run run = runWasm(CPrograms.wasm("poll_file"), "speed", populate(tmp));
        // input.txt is 11 + 12 + 6 = 29 bytes, 5 of them read: 24 left; a directory is no
        // pollable descriptor (badf = 8); event type 1 is fd_read
        assertEquals("""
                poll: errno 0, 2 events
                event 7: error 0, type 1, nbytes 24
                event 8: error 8, type 1, nbytes 0
                """, run.stdout());
    }

    // ---- the resolver alone

    @Test
    void resolverFollowsLinksInsideAndStopsAtTheRoot(@TempDir Path tmp) throws IOException, WasiError {
        Path root = Files.createDirectories(tmp.resolve("root/a/b")).getParent().getParent().toRealPath();
        Files.writeString(root.resolve("a/b/f"), "x");
        Files.createSymbolicLink(root.resolve("a/toB"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("a/b/upTwo"), Path.of("../.."));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        Files.createSymbolicLink(root.resolve("out"), Path.of("../.."));
        assertEquals(root.resolve("a/b/f"), SandboxPaths.resolve(root, "a/toB/f", true).path());
        assertEquals(root.resolve("a/b/f"), SandboxPaths.resolve(root, "a//./b/../b/f", true).path());
        // .. after a link goes up from where the link points (a/b), not from a
        assertEquals(root.resolve("a"), SandboxPaths.resolve(root, "a/toB/..", true).path());
        assertEquals(root, SandboxPaths.resolve(root, "a/b/upTwo", true).path());
        assertTrue(SandboxPaths.resolve(root, "a/b/upTwo", true).isRoot());
        // the last link is kept when not followed
        assertEquals(root.resolve("a/toB"), SandboxPaths.resolve(root, "a/toB", false).path());
        assertEquals(WasiError.NOTCAPABLE, errno(() -> SandboxPaths.resolve(root, "a/b/upTwo/..", true)));
        assertEquals(WasiError.NOTCAPABLE, errno(() -> SandboxPaths.resolve(root, "out", true)));
        assertEquals(WasiError.NOTCAPABLE, errno(() -> SandboxPaths.resolve(root, "out/x", false)));
        assertEquals(WasiError.NOTCAPABLE, errno(() -> SandboxPaths.resolve(root, "/etc", true)));
        assertEquals(WasiError.NOTCAPABLE, errno(() -> SandboxPaths.resolve(root, "..", true)));
        assertEquals(WasiError.LOOP, errno(() -> SandboxPaths.resolve(root, "loop", true)));
        assertEquals(WasiError.NOTDIR, errno(() -> SandboxPaths.resolve(root, "a/b/f/g", true)));
        assertEquals(WasiError.NOTDIR, errno(() -> SandboxPaths.resolve(root, "a/b/f/..", true)));
        assertEquals(WasiError.NOENT, errno(() -> SandboxPaths.resolve(root, "missing/g", true)));
        assertEquals(WasiError.NOENT, errno(() -> SandboxPaths.resolve(root, "", true)));
        Files.delete(root.resolve("out")); // a link out of the temporary directory, which its cleanup would warn about
    }

    private interface Resolution {
        SandboxPaths.Resolved run() throws WasiError;
    }

    private static int errno(Resolution r) {
        return assertThrows(WasiError.class, r::run).errno;
    }

    // ---- edges, through the hand-written module

    @Test
    void preopensPathsAndDescriptorEdges(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("f.txt"), "data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WasiConfig config = new WasiConfig().stdout(out).preopen(tmp, "/sandbox");
        WasiTest.withEdgeModule(config, out, e -> {
            MemorySegment m = e.memory();
            assertEquals(Wasi.SUCCESS, e.call("prestat", 3));
            assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 0));                  // a directory
            assertEquals("/sandbox".length(), m.get(I32, 4));
            assertEquals(WasiError.NAMETOOLONG, e.call("prestat_name", 3, 100, 3));
            assertEquals(Wasi.SUCCESS, e.call("prestat_name", 3, 100, 8));
            assertEquals("/sandbox", new String(m.asSlice(100, 8).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(Wasi.BADF, e.call("prestat", 4));
            assertEquals(Wasi.BADF, e.call("prestat", 1));                     // a stream is no preopen
            byte[] name = "f.txt".getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(name, 0, m, ValueLayout.JAVA_BYTE, 200, name.length);
            long read = 1L << 1;
            assertEquals(Wasi.SUCCESS, e.call("open", 3, 0, 200, 5, 0, read, 0, 8));
            assertEquals(4, m.get(I32, 8));                                    // the lowest free descriptor
            assertEquals(Wasi.FAULT, e.call("open", 3, 0, 4 * 65536 - 2, 5, 0, read, 0, 8)); // path past the end
            assertEquals(Wasi.FAULT, e.call("open", 3, 0, 200, 5, 0, read, 0, 4 * 65536 - 2)); // result past the end
            assertEquals(WasiError.NOTDIR, e.call("open", 4, 0, 200, 5, 0, read, 0, 8)); // a file is no directory
            assertEquals(Wasi.BADF, e.call("open", 9, 0, 200, 5, 0, read, 0, 8));
            assertEquals(WasiError.INVAL, e.call("open", 3, 0, 200, 5, 0x100, read, 0, 8)); // unknown oflags
            m.set(ValueLayout.JAVA_BYTE, 300, (byte) 0xFF);
            assertEquals(WasiError.ILSEQ, e.call("open", 3, 0, 300, 1, 0, read, 0, 8)); // not UTF-8
            m.set(ValueLayout.JAVA_BYTE, 300, (byte) '/');
            assertEquals(WasiError.NOTCAPABLE, e.call("open", 3, 0, 300, 1, 0, read, 0, 8));
            assertEquals(Wasi.SUCCESS, e.call("seek", 4));                     // a file seeks (streams do not)
            assertEquals(Wasi.BADF, e.call("write", 4, 16, 0, 8));              // opened for reading only
            assertEquals(Wasi.SUCCESS, e.call("close", 4));
            assertEquals(Wasi.BADF, e.call("seek", 4));
            // descriptors are bounded: opening without closing ends in mfile, and nothing breaks
            int last;
            int opened = 0;
            while ((last = (int) e.call("open", 3, 0, 200, 5, 0, read, 0, 8)) == Wasi.SUCCESS) opened++;
            assertEquals(WasiError.MFILE, last);
            assertEquals(WasiFiles.MAX_DESCRIPTORS - 4, opened);
            assertEquals(Wasi.SUCCESS, e.call("close", 500));
            assertEquals(Wasi.SUCCESS, e.call("open", 3, 0, 200, 5, 0, read, 0, 8));
            assertEquals(500, m.get(I32, 8));
        });
    }
}
