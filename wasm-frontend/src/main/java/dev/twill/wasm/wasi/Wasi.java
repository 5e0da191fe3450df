package dev.twill.wasm.wasi;

import dev.twill.wasm.HostFunction;
import dev.twill.wasm.Instance;
import dev.twill.wasm.Linker;
import dev.twill.wasm.WasmMemory;
import dev.twill.wasm.binary.FuncType;
import dev.twill.wasm.binary.ValType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * WASI preview 1 ({@code wasi_snapshot_preview1}) for programs built with wasi-libc, Rust's
 * {@code wasm32-wasi} and the like, as host functions defined into a {@link Linker}.
 *
 * <p><b>What a program can reach</b>: its arguments, environment, standard input, output and
 * error ({@link WasiConfig}), the clocks, randomness, {@code sched_yield}, sleeping through
 * {@code poll_oneoff} clock subscriptions, {@code proc_exit} (a {@link WasiExit}), and the files
 * and directories below the directories the config preopens, and nothing else ({@link
 * WasiFiles}, {@link SandboxPaths}): without a preopen no file can be opened. Sockets cannot
 * be created. Every function of the preview-1 interface is defined with its exact type, so any
 * program links; those that cannot do anything useful here return {@code nosys}, {@code badf}
 * or {@code notsock}, as a real system would for a descriptor of that kind.
 *
 * <p><b>Guest memory</b>: the program's exported {@code memory}. Every pointer and length is an
 * unsigned i32 checked against the memory's current size before any byte moves; a range outside
 * it is {@code fault}, never a Java exception. Multi-byte values are little-endian (WASI's ABI).
 *
 * <p>The standard streams are flushed after every write, so output interleaves with the host's
 * as the program wrote it (wasi-libc buffers before calling {@code fd_write}).
 */
public final class Wasi implements AutoCloseable {
    /** The import module name of WASI preview 1. */
    public static final String MODULE = "wasi_snapshot_preview1";

    // errno values (wasi/api.h)
    static final int SUCCESS = 0, BADF = 8, FAULT = 21, INTR = 27, INVAL = 28, IO = 29, NOSYS = 52, NOTSOCK = 57,
            PIPE = 64, SPIPE = 70;

    /**
     * Bytes moved between guest memory and a stream per step: guest-chosen lengths (up to 4 GiB)
     * never become Java arrays of that size, and a read returns what one step delivered.
     */
    private static final int CHUNK = 64 * 1024;
    /** Most subscriptions one {@code poll_oneoff} takes (wasi-libc's poll uses one per descriptor, plus one). */
    private static final int MAX_SUBSCRIPTIONS = 4096;
    /** Longest sleep, in nanoseconds (about 73 years): larger and unsigned timeouts are clamped to it. */
    private static final long MAX_SLEEP = Long.MAX_VALUE / 4;

    private static final int EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2;
    private static final int SUBSCRIPTION_SIZE = 48, EVENT_SIZE = 32;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Every preview-1 function with its type: parameters, then results after ':', {@code i} for
     * i32 and {@code I} for i64 (from the witx definitions; WasiTest checks them against the
     * imports clang and wasi-libc produce).
     */
    private static final String[][] FUNCTIONS = {
        {"args_get", "ii:i"}, {"args_sizes_get", "ii:i"}, {"environ_get", "ii:i"}, {"environ_sizes_get", "ii:i"},
        {"clock_res_get", "ii:i"}, {"clock_time_get", "iIi:i"},
        {"fd_advise", "iIIi:i"}, {"fd_allocate", "iII:i"}, {"fd_close", "i:i"}, {"fd_datasync", "i:i"},
        {"fd_fdstat_get", "ii:i"}, {"fd_fdstat_set_flags", "ii:i"}, {"fd_fdstat_set_rights", "iII:i"},
        {"fd_filestat_get", "ii:i"}, {"fd_filestat_set_size", "iI:i"}, {"fd_filestat_set_times", "iIIi:i"},
        {"fd_pread", "iiiIi:i"}, {"fd_prestat_get", "ii:i"}, {"fd_prestat_dir_name", "iii:i"},
        {"fd_pwrite", "iiiIi:i"}, {"fd_read", "iiii:i"}, {"fd_readdir", "iiiIi:i"}, {"fd_renumber", "ii:i"},
        {"fd_seek", "iIii:i"}, {"fd_sync", "i:i"}, {"fd_tell", "ii:i"}, {"fd_write", "iiii:i"},
        {"path_create_directory", "iii:i"}, {"path_filestat_get", "iiiii:i"},
        {"path_filestat_set_times", "iiiiIIi:i"}, {"path_link", "iiiiiii:i"}, {"path_open", "iiiiiIIii:i"},
        {"path_readlink", "iiiiii:i"}, {"path_remove_directory", "iii:i"}, {"path_rename", "iiiiii:i"},
        {"path_symlink", "iiiii:i"}, {"path_unlink_file", "iii:i"},
        {"poll_oneoff", "iiii:i"}, {"proc_exit", "i:"}, {"proc_raise", "i:i"}, {"sched_yield", ":i"},
        {"random_get", "ii:i"},
        {"sock_accept", "iii:i"}, {"sock_recv", "iiiiii:i"}, {"sock_send", "iiiii:i"}, {"sock_shutdown", "ii:i"},
    };

    private final WasiConfig config;
    private final byte[][] args, env;
    /** Every descriptor: the standard streams, preopened directories, what the program opened. */
    private final WasiFiles files;

    public Wasi(WasiConfig config) {
        this.config = config;
        args = encode(config.args.toArray(String[]::new));
        env = encode(config.env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new));
        files = new WasiFiles(config.preopens);
    }

    /** Closes the files the program left open. */
    @Override
    public void close() {
        files.close();
    }

    private static byte[][] encode(String[] strings) {
        byte[][] out = new byte[strings.length][];
        for (int k = 0; k < strings.length; k++) out[k] = strings[k].getBytes(StandardCharsets.UTF_8);
        return out;
    }

    /** The type of preview-1 function {@code name}, or null if there is none of that name. */
    public static FuncType type(String name) {
        for (String[] f : FUNCTIONS) if (f[0].equals(name)) return parseType(f[1]);
        return null;
    }

    private static FuncType parseType(String sig) {
        int colon = sig.indexOf(':');
        return new FuncType(valTypes(sig.substring(0, colon)), valTypes(sig.substring(colon + 1)));
    }

    private static byte[] valTypes(String s) {
        byte[] t = new byte[s.length()];
        for (int k = 0; k < t.length; k++) t[k] = s.charAt(k) == 'I' ? ValType.I64 : ValType.I32;
        return t;
    }

    /** Defines every preview-1 function into {@code linker} under {@link #MODULE}. */
    public Wasi define(Linker linker) {
        for (String[] f : FUNCTIONS) linker.defineFunction(MODULE, f[0], parseType(f[1]), implementation(f[0]));
        return this;
    }

    private HostFunction implementation(String name) {
        return switch (name) {
            case "args_get" -> (c, a) -> errno(strings(c, args, ptr(a[0]), ptr(a[1])));
            case "args_sizes_get" -> (c, a) -> errno(sizes(c, args, ptr(a[0]), ptr(a[1])));
            case "environ_get" -> (c, a) -> errno(strings(c, env, ptr(a[0]), ptr(a[1])));
            case "environ_sizes_get" -> (c, a) -> errno(sizes(c, env, ptr(a[0]), ptr(a[1])));
            case "clock_res_get" -> (c, a) -> errno(clockRes((int) a[0], c, ptr(a[1])));
            case "clock_time_get" -> (c, a) -> errno(clockTime((int) a[0], c, ptr(a[2])));
            case "fd_write" -> (c, a) -> errno(() -> fdWrite(c, (int) a[0], ptr(a[1]), ptr(a[2]), ptr(a[3])));
            case "fd_read" -> (c, a) -> errno(() -> fdRead(c, (int) a[0], ptr(a[1]), ptr(a[2]), ptr(a[3])));
            case "fd_pwrite" -> (c, a) -> errno(() -> files.write(memory(c), (int) a[0], ptr(a[1]), ptr(a[2]), offset(a[3]), ptr(a[4])));
            case "fd_pread" -> (c, a) -> errno(() -> files.read(memory(c), (int) a[0], ptr(a[1]), ptr(a[2]), offset(a[3]), ptr(a[4])));
            case "fd_seek" -> (c, a) -> errno(() -> files.seek(memory(c), (int) a[0], a[1], (int) a[2] & 0xFF, ptr(a[3])));
            case "fd_tell" -> (c, a) -> errno(() -> files.tell(memory(c), (int) a[0], ptr(a[1])));
            case "fd_close" -> (c, a) -> errno(() -> files.close((int) a[0]));
            case "fd_renumber" -> (c, a) -> errno(() -> files.renumber((int) a[0], (int) a[1]));
            case "fd_sync" -> (c, a) -> errno(() -> fdSync((int) a[0], true));
            case "fd_datasync" -> (c, a) -> errno(() -> fdSync((int) a[0], false));
            case "fd_fdstat_get" -> (c, a) -> errno(() -> fdstat(c, (int) a[0], ptr(a[1])));
            case "fd_fdstat_set_flags" -> (c, a) -> errno(() -> files.setFlags((int) a[0], (int) a[1] & 0xFFFF));
            case "fd_fdstat_set_rights" -> (c, a) -> errno(isOpen((int) a[0]) ? SUCCESS : BADF); // rights only shrink; none is enforced beyond read/write
            case "fd_filestat_get" -> (c, a) -> errno(() -> filestat(c, (int) a[0], ptr(a[1])));
            case "fd_filestat_set_size" -> (c, a) -> errno(() -> files.setSize((int) a[0], a[1]));
            case "fd_filestat_set_times" -> (c, a) -> errno(() -> files.fdSetTimes((int) a[0], a[1], a[2], (int) a[3] & 0xFFFF));
            case "fd_advise" -> (c, a) -> errno(() -> files.advise((int) a[0], a[1], a[2], (int) a[3] & 0xFF));
            case "fd_allocate" -> (c, a) -> errno(() -> files.allocate((int) a[0], a[1], a[2]));
            case "fd_readdir" -> (c, a) -> errno(() -> files.readdir(memory(c), (int) a[0], ptr(a[1]), ptr(a[2]), a[3], ptr(a[4])));
            case "fd_prestat_get" -> (c, a) -> errno(() -> files.prestatGet(memory(c), (int) a[0], ptr(a[1])));
            case "fd_prestat_dir_name" -> (c, a) -> errno(() -> files.prestatDirName(memory(c), (int) a[0], ptr(a[1]), ptr(a[2])));
            case "path_open" -> (c, a) -> errno(() -> files.pathOpen(memory(c), (int) a[0], (int) a[1], ptr(a[2]), ptr(a[3]),
                    (int) a[4] & 0xFFFF, a[5], (int) a[7] & 0xFFFF, ptr(a[8])));
            case "path_filestat_get" -> (c, a) -> errno(() -> files.pathFilestat(memory(c), (int) a[0], (int) a[1], ptr(a[2]), ptr(a[3]), ptr(a[4])));
            case "path_filestat_set_times" -> (c, a) -> errno(() -> files.pathSetTimes(memory(c), (int) a[0], (int) a[1], ptr(a[2]),
                    ptr(a[3]), a[4], a[5], (int) a[6] & 0xFFFF));
            case "path_create_directory" -> (c, a) -> errno(() -> files.createDirectory(memory(c), (int) a[0], ptr(a[1]), ptr(a[2])));
            case "path_remove_directory" -> (c, a) -> errno(() -> files.removeDirectory(memory(c), (int) a[0], ptr(a[1]), ptr(a[2])));
            case "path_unlink_file" -> (c, a) -> errno(() -> files.unlinkFile(memory(c), (int) a[0], ptr(a[1]), ptr(a[2])));
            case "path_rename" -> (c, a) -> errno(() -> files.rename(memory(c), (int) a[0], ptr(a[1]), ptr(a[2]), (int) a[3], ptr(a[4]), ptr(a[5])));
            case "path_symlink" -> (c, a) -> errno(() -> files.symlink(memory(c), ptr(a[0]), ptr(a[1]), (int) a[2], ptr(a[3]), ptr(a[4])));
            case "path_link" -> (c, a) -> errno(() -> files.link(memory(c), (int) a[0], (int) a[1], ptr(a[2]), ptr(a[3]), (int) a[4],
                    ptr(a[5]), ptr(a[6])));
            case "path_readlink" -> (c, a) -> errno(() -> files.readlink(memory(c), (int) a[0], ptr(a[1]), ptr(a[2]), ptr(a[3]), ptr(a[4]),
                    ptr(a[5])));
            case "poll_oneoff" -> (c, a) -> errno(pollOneoff(c, ptr(a[0]), ptr(a[1]), ptr(a[2]), ptr(a[3])));
            case "proc_exit" -> (c, a) -> {
                throw new WasiExit((int) a[0]);
            };
            case "sched_yield" -> (c, a) -> {
                Thread.yield();
                return errno(SUCCESS);
            };
            case "random_get" -> (c, a) -> errno(randomGet(c, ptr(a[0]), ptr(a[1])));
            case "sock_accept", "sock_recv", "sock_send", "sock_shutdown" ->
                    (c, a) -> errno(isOpen((int) a[0]) ? NOTSOCK : BADF);
            default -> {
                yield (c, a) -> errno(NOSYS); // proc_raise
            }
        };
    }

    private static long[] errno(int e) {
        return new long[] {e};
    }

    /** A call whose failure deep inside is a {@link WasiError}. */
    private interface Call {
        int run() throws WasiError;
    }

    private static long[] errno(Call call) {
        try {
            return errno(call.run());
        } catch (WasiError e) {
            return errno(e.errno);
        }
    }

    /** A file offset argument: a u64 that a file cannot reach beyond 2^63 ({@code inval}). */
    private static long offset(long arg) throws WasiError {
        if (arg < 0) throw new WasiError(INVAL);
        return arg;
    }

    /** A pointer or length argument: an unsigned i32. */
    static long ptr(long arg) {
        return arg & 0xFFFF_FFFFL;
    }

    private static MemorySegment memory(Instance caller) {
        WasmMemory m = caller.memory("memory");
        if (m == null) throw new IllegalStateException("a WASI program must export its linear memory as 'memory'");
        return m.segment();
    }

    private static boolean inBounds(MemorySegment m, long ptr, long len) {
        return ptr + len <= m.byteSize();
    }

    private boolean isOpen(int fd) {
        return files.get(fd) != null;
    }

    private int kind(int fd) {
        Descriptor d = files.get(fd);
        return d == null ? -1 : d.kind;
    }

    // ---- arguments and environment

    private static int sizes(Instance c, byte[][] strings, long countPtr, long bufSizePtr) {
        MemorySegment m = memory(c);
        if (!inBounds(m, countPtr, 4) || !inBounds(m, bufSizePtr, 4)) return FAULT;
        long bytes = 0;
        for (byte[] s : strings) bytes += s.length + 1;
        m.set(I32, countPtr, strings.length);
        m.set(I32, bufSizePtr, (int) bytes);
        return SUCCESS;
    }

    /** Writes the NUL-terminated strings to {@code buf} and a pointer to each into {@code ptrs}. */
    private static int strings(Instance c, byte[][] strings, long ptrs, long buf) {
        MemorySegment m = memory(c);
        long bytes = 0;
        for (byte[] s : strings) bytes += s.length + 1;
        if (!inBounds(m, ptrs, 4L * strings.length) || !inBounds(m, buf, bytes)) return FAULT;
        long at = buf;
        for (int k = 0; k < strings.length; k++) {
            m.set(I32, ptrs + 4L * k, (int) at);
            MemorySegment.copy(strings[k], 0, m, ValueLayout.JAVA_BYTE, at, strings[k].length);
            m.set(ValueLayout.JAVA_BYTE, at + strings[k].length, (byte) 0);
            at += strings[k].length + 1;
        }
        return SUCCESS;
    }

    // ---- clocks and randomness

    /** Clock ids: 0 realtime, 1 monotonic, 2 process CPU time, 3 thread CPU time. */
    private static int clockRes(int id, Instance c, long resultPtr) {
        if (id < 0 || id > 3) return INVAL;
        MemorySegment m = memory(c);
        if (!inBounds(m, resultPtr, 8)) return FAULT;
        m.set(I64, resultPtr, 1L);
        return SUCCESS;
    }

    private static int clockTime(int id, Instance c, long resultPtr) {
        long now;
        switch (id) {
            case 0 -> now = realtimeNanos();
            case 1 -> now = System.nanoTime();
            case 2 -> now = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
            case 3 -> now = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            default -> {
                return INVAL;
            }
        }
        MemorySegment m = memory(c);
        if (!inBounds(m, resultPtr, 8)) return FAULT;
        m.set(I64, resultPtr, now);
        return SUCCESS;
    }

    private static long realtimeNanos() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private int randomGet(Instance c, long buf, long len) {
        MemorySegment m = memory(c);
        if (!inBounds(m, buf, len)) return FAULT;
        byte[] bytes = new byte[(int) Math.min(len, CHUNK)];
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(len - done, bytes.length);
            if (n < bytes.length) bytes = new byte[n];
            config.random.nextBytes(bytes);
            MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, buf + done, n);
            done += n;
        }
        return SUCCESS;
    }

    // ---- standard streams

    /**
     * Writes the iovecs in order, in chunks; stops short of 4 GiB in one call (the count is a
     * u32; a short write is legal). A stream that failed, such as a closed pipe, is {@code pipe}
     * ({@link PrintStream} hides its errors, so they are asked for).
     */
    private int fdWrite(Instance c, int fd, long iovs, long iovsLen, long nwrittenPtr) throws WasiError {
        int kind = kind(fd);
        if (kind == Descriptor.FILE) return files.write(memory(c), fd, iovs, iovsLen, -1, nwrittenPtr);
        OutputStream out = kind == Descriptor.STDOUT ? config.stdout : kind == Descriptor.STDERR ? config.stderr : null;
        if (out == null) return BADF;
        MemorySegment m = memory(c);
        if (!inBounds(m, iovs, 8 * iovsLen) || !inBounds(m, nwrittenPtr, 4)) return FAULT;
        long total = 0;
        byte[] buf = null;
        try {
            for (long k = 0; k < iovsLen && total < 0xFFFF_FFFFL; k++) {
                long base = ptr(m.get(I32, iovs + 8 * k)), len = ptr(m.get(I32, iovs + 8 * k + 4));
                if (!inBounds(m, base, len)) return FAULT;
                len = Math.min(len, 0xFFFF_FFFFL - total);
                for (long done = 0; done < len; ) {
                    int n = (int) Math.min(len - done, CHUNK);
                    if (buf == null || buf.length < n) buf = new byte[n];
                    MemorySegment.copy(m, ValueLayout.JAVA_BYTE, base + done, buf, 0, n);
                    out.write(buf, 0, n);
                    done += n;
                }
                total += len;
            }
            out.flush();
        } catch (IOException e) {
            return IO;
        }
        if (out instanceof PrintStream ps && ps.checkError()) return PIPE;
        m.set(I32, nwrittenPtr, (int) total);
        return SUCCESS;
    }

    /**
     * Reads as a POSIX read does: one read that blocks until some input is there (or its end),
     * then more only while more is available without blocking, so an interactive program gets
     * a line as soon as it is typed.
     */
    private int fdRead(Instance c, int fd, long iovs, long iovsLen, long nreadPtr) throws WasiError {
        int kind = kind(fd);
        if (kind == Descriptor.FILE) return files.read(memory(c), fd, iovs, iovsLen, -1, nreadPtr);
        if (kind != Descriptor.STDIN) return kind == Descriptor.DIRECTORY ? WasiError.ISDIR : BADF;
        InputStream in = config.stdin;
        MemorySegment m = memory(c);
        if (!inBounds(m, iovs, 8 * iovsLen) || !inBounds(m, nreadPtr, 4)) return FAULT;
        long total = 0;
        byte[] buf = null;
        try {
            reading:
            for (long k = 0; k < iovsLen; k++) {
                long base = ptr(m.get(I32, iovs + 8 * k)), len = ptr(m.get(I32, iovs + 8 * k + 4));
                if (!inBounds(m, base, len)) return FAULT;
                for (long done = 0; done < len; ) {
                    if (total > 0 && in.available() <= 0) break reading;
                    int want = (int) Math.min(len - done, CHUNK);
                    if (buf == null || buf.length < want) buf = new byte[want];
                    int n = in.read(buf, 0, want);
                    if (n <= 0) break reading; // end of input
                    MemorySegment.copy(buf, 0, m, ValueLayout.JAVA_BYTE, base + done, n);
                    done += n;
                    total += n;
                    if (total >= 0x7FFF_FFFFL) break reading;
                }
            }
        } catch (IOException e) {
            return IO;
        }
        m.set(I32, nreadPtr, (int) total);
        return SUCCESS;
    }

    private int fdSync(int fd, boolean metadata) throws WasiError {
        int kind = kind(fd);
        if (kind == Descriptor.DIRECTORY || kind == Descriptor.FILE) return files.sync(fd, metadata);
        if (kind < 0) return BADF;
        try {
            if (kind == Descriptor.STDOUT) config.stdout.flush();
            if (kind == Descriptor.STDERR) config.stderr.flush();
        } catch (IOException e) {
            return IO;
        }
        return SUCCESS;
    }

    /** fdstat: filetype at 0, flags at 2, rights at 8 (base) and 16 (inheriting). */
    private int fdstat(Instance c, int fd, long ptr) throws WasiError {
        int kind = kind(fd);
        if (kind == Descriptor.DIRECTORY || kind == Descriptor.FILE) return files.fdstat(memory(c), files.get(fd), ptr);
        int e = describeStream(c, fd, ptr, 24, 0);
        // no seek or tell right: wasi-libc's isatty() then treats the stream as a terminal
        if (e == SUCCESS) {
            memory(c).set(I64, ptr + 8, (kind == Descriptor.STDIN ? WasiFiles.RIGHT_FD_READ : WasiFiles.RIGHT_FD_WRITE)
                    | WasiFiles.RIGHT_POLL_FD_READWRITE);
        }
        return e;
    }

    /** filestat: device, inode, filetype at 16, links, size and times, all zero for a stream. */
    private int filestat(Instance c, int fd, long ptr) throws WasiError {
        int kind = kind(fd);
        if (kind == Descriptor.DIRECTORY || kind == Descriptor.FILE) return files.fdFilestat(memory(c), fd, ptr);
        return describeStream(c, fd, ptr, 64, 16);
    }

    /** Zeroes the {@code size}-byte record at {@code ptr} and marks it a character device. */
    private int describeStream(Instance c, int fd, long ptr, int size, int filetypeOffset) {
        if (!isOpen(fd)) return BADF;
        MemorySegment m = memory(c);
        if (!inBounds(m, ptr, size)) return FAULT;
        m.asSlice(ptr, size).fill((byte) 0);
        m.set(ValueLayout.JAVA_BYTE, ptr + filetypeOffset, (byte) WasiFiles.FILETYPE_CHARACTER_DEVICE);
        return SUCCESS;
    }

    // ---- poll_oneoff

    /**
     * Clock subscriptions sleep until the earliest deadline and then report every clock whose
     * deadline has passed; descriptor subscriptions on the standard streams are always ready
     * (a read may then block), others report {@code badf}. With a ready descriptor nothing
     * sleeps. The subscriptions are copied out first (the events may overwrite them: wasi-libc
     * passes overlapping buffers), at most {@link #MAX_SUBSCRIPTIONS} of them. Timeouts are
     * unsigned and clamped to {@link #MAX_SLEEP}, and deadlines compare by difference, so no
     * timeout overflows into a shorter or endless sleep; absolute timeouts exist for the
     * realtime and monotonic clocks only.
     */
    private int pollOneoff(Instance c, long in, long out, long nsubs, long neventsPtr) {
        if (nsubs == 0 || nsubs > MAX_SUBSCRIPTIONS) return INVAL;
        MemorySegment m = memory(c);
        if (!inBounds(m, in, SUBSCRIPTION_SIZE * nsubs) || !inBounds(m, out, EVENT_SIZE * nsubs)
                || !inBounds(m, neventsPtr, 4)) {
            return FAULT;
        }
        MemorySegment subs = MemorySegment.ofArray(m.asSlice(in, SUBSCRIPTION_SIZE * nsubs).toArray(ValueLayout.JAVA_BYTE));
        long start = System.nanoTime();
        boolean fdReady = false;
        long earliest = MAX_SLEEP; // relative to start
        long[] wait = new long[(int) nsubs];
        for (int k = 0; k < nsubs; k++) {
            long s = (long) SUBSCRIPTION_SIZE * k;
            int tag = subs.get(ValueLayout.JAVA_BYTE, s + 8);
            if (tag == EVENT_CLOCK) {
                int id = subs.get(I32, s + 16);
                long timeout = subs.get(I64, s + 24);
                boolean absolute = (subs.get(I16, s + 40) & 1) != 0;
                if (id < 0 || id > 3 || absolute && id > 1) return INVAL;
                long relative;
                if (timeout < 0) relative = MAX_SLEEP; // unsigned, beyond 2^63 ns: as good as never
                else if (!absolute) relative = timeout;
                else relative = timeout - (id == 0 ? realtimeNanos() : start); // negative: already passed
                wait[k] = Math.max(0, Math.min(relative, MAX_SLEEP));
                earliest = Math.min(earliest, wait[k]);
            } else if (tag == EVENT_FD_READ || tag == EVENT_FD_WRITE) {
                fdReady = true;
            } else {
                return INVAL;
            }
        }
        if (!fdReady) {
            try {
                for (long left; (left = earliest - (System.nanoTime() - start)) > 0; ) {
                    Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return INTR;
            }
        }
        long elapsed = System.nanoTime() - start;
        int events = 0;
        for (int k = 0; k < nsubs; k++) {
            long s = (long) SUBSCRIPTION_SIZE * k;
            int tag = subs.get(ValueLayout.JAVA_BYTE, s + 8);
            int error;
            long nbytes = 0;
            if (tag == EVENT_CLOCK) {
                if (fdReady || wait[k] > elapsed) continue;
                error = SUCCESS;
            } else {
                int fd = subs.get(I32, s + 16);
                Descriptor d = files.get(fd);
                boolean ready = d != null && d.kind != Descriptor.DIRECTORY && (tag == EVENT_FD_READ ? d.readable : d.writable);
                error = ready ? SUCCESS : BADF;
                // a regular file is always ready; what a read would get is the rest of it
                if (ready && tag == EVENT_FD_READ && d.channel != null) {
                    try {
                        nbytes = files.remaining(d);
                    } catch (WasiError x) {
                        error = x.errno; // the event carries the file's error
                    }
                }
            }
            long e = out + (long) EVENT_SIZE * events++;
            m.asSlice(e, EVENT_SIZE).fill((byte) 0);
            m.set(I64, e, subs.get(I64, s));
            m.set(I16, e + 8, (short) error);
            m.set(ValueLayout.JAVA_BYTE, e + 10, (byte) tag);
            m.set(I64, e + 16, nbytes); // fd_readwrite.nbytes
        }
        m.set(I32, neventsPtr, events);
        return SUCCESS;
    }
}
