package dev.twill.wasm.wasi;

import static dev.twill.wasm.wasi.WasiError.ACCES;
import static dev.twill.wasm.wasi.WasiError.BADF;
import static dev.twill.wasm.wasi.WasiError.BUSY;
import static dev.twill.wasm.wasi.WasiError.EXIST;
import static dev.twill.wasm.wasi.WasiError.FAULT;
import static dev.twill.wasm.wasi.WasiError.FBIG;
import static dev.twill.wasm.wasi.WasiError.ILSEQ;
import static dev.twill.wasm.wasi.WasiError.INVAL;
import static dev.twill.wasm.wasi.WasiError.ISDIR;
import static dev.twill.wasm.wasi.WasiError.LOOP;
import static dev.twill.wasm.wasi.WasiError.MFILE;
import static dev.twill.wasm.wasi.WasiError.NAMETOOLONG;
import static dev.twill.wasm.wasi.WasiError.NOENT;
import static dev.twill.wasm.wasi.WasiError.NOTCAPABLE;
import static dev.twill.wasm.wasi.WasiError.NOTDIR;
import static dev.twill.wasm.wasi.WasiError.NOTSUP;
import static dev.twill.wasm.wasi.WasiError.PERM;
import static dev.twill.wasm.wasi.WasiError.SPIPE;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The descriptor table of one WASI program and every call on files and directories: {@code
 * path_open} and the other {@code path_*} calls, {@code fd_readdir}, and reads, writes, seeks
 * and metadata of open files. Standard streams live in the table too (so {@code fd_renumber}
 * and {@code fd_close} treat every descriptor alike); their I/O is {@link Wasi}'s.
 *
 * <p><b>Sandbox</b>: the program reaches only the directories preopened in its {@link
 * WasiConfig} and what lies below them; every path goes through {@link SandboxPaths}, under its
 * lock. Only directories and regular files are opened (a FIFO or device could block the host
 * thread or reach outside). Symbolic links can be created with relative targets only.
 *
 * <p><b>Guest memory</b>: every pointer and length is checked against the memory's size before
 * any byte moves ({@code fault}); file data moves directly between the file and guest memory
 * through byte buffers over it, in steps of at most {@link #STEP} bytes.
 *
 * <p>Records (wasi/api.h, little-endian): fdstat 24 bytes (filetype u8 @0, flags u16 @2,
 * rights u64 @8 and @16), filestat 64 bytes (dev @0, ino @8, filetype u8 @16, nlink @24, size
 * @32, atim @40, mtim @48, ctim @56), prestat 8 bytes (tag u8 @0 = directory, name length u32
 * @4), dirent 24 bytes (next cookie @0, ino @8, name length u32 @16, type u8 @20) then the name.
 */
final class WasiFiles implements AutoCloseable {
    static final int FILETYPE_UNKNOWN = 0, FILETYPE_CHARACTER_DEVICE = 2, FILETYPE_DIRECTORY = 3,
            FILETYPE_REGULAR_FILE = 4, FILETYPE_SOCKET_STREAM = 6, FILETYPE_SYMBOLIC_LINK = 7;

    private static final int OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8;
    private static final int FDFLAG_APPEND = 1, FDFLAG_DSYNC = 2, FDFLAG_NONBLOCK = 4, FDFLAG_RSYNC = 8, FDFLAG_SYNC = 16;
    private static final int LOOKUP_SYMLINK_FOLLOW = 1;
    private static final int FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8;

    static final long RIGHT_FD_DATASYNC = 1L, RIGHT_FD_READ = 1L << 1, RIGHT_FD_SEEK = 1L << 2,
            RIGHT_FD_FDSTAT_SET_FLAGS = 1L << 3, RIGHT_FD_SYNC = 1L << 4, RIGHT_FD_TELL = 1L << 5,
            RIGHT_FD_WRITE = 1L << 6, RIGHT_FD_ADVISE = 1L << 7, RIGHT_FD_ALLOCATE = 1L << 8,
            RIGHT_FD_READDIR = 1L << 14, RIGHT_FD_FILESTAT_GET = 1L << 21, RIGHT_FD_FILESTAT_SET_SIZE = 1L << 22,
            RIGHT_FD_FILESTAT_SET_TIMES = 1L << 23, RIGHT_POLL_FD_READWRITE = 1L << 27;
    /** path_create_directory (9) through path_unlink_file (26), except the fd_ rights among them. */
    private static final long PATH_RIGHTS = ((1L << 27) - (1L << 9)) & ~(RIGHT_FD_READDIR | RIGHT_FD_FILESTAT_GET
            | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES);
    private static final long FILE_READ_RIGHTS = RIGHT_FD_READ, FILE_WRITE_RIGHTS = RIGHT_FD_WRITE | RIGHT_FD_DATASYNC
            | RIGHT_FD_SYNC | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE;
    private static final long FILE_RIGHTS = FILE_READ_RIGHTS | FILE_WRITE_RIGHTS | RIGHT_FD_SEEK | RIGHT_FD_TELL
            | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_ADVISE | RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_TIMES
            | RIGHT_POLL_FD_READWRITE;
    private static final long DIRECTORY_RIGHTS = PATH_RIGHTS | RIGHT_FD_READDIR | RIGHT_FD_FILESTAT_GET
            | RIGHT_FD_FILESTAT_SET_TIMES | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC | RIGHT_FD_DATASYNC;

    /** Most descriptors open at once ({@code mfile} beyond): bounds the host resources a program holds. */
    static final int MAX_DESCRIPTORS = 1024;
    /** Bytes one channel call moves at most (a guest length may be up to 4 GiB). */
    private static final int STEP = 1 << 30;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final List<Descriptor> table = new ArrayList<>();

    /** Standard streams at 0, 1, 2 and {@code preopens} (guest name to real host directory) from 3, in order. */
    WasiFiles(Map<String, Path> preopens) {
        table.add(Descriptor.stream(Descriptor.STDIN));
        table.add(Descriptor.stream(Descriptor.STDOUT));
        table.add(Descriptor.stream(Descriptor.STDERR));
        for (Map.Entry<String, Path> p : preopens.entrySet()) table.add(Descriptor.directory(p.getValue(), p.getKey()));
    }

    /** The open descriptor {@code fd}, or null. */
    Descriptor get(int fd) {
        return fd >= 0 && fd < table.size() ? table.get(fd) : null;
    }

    private Descriptor open(int fd) throws WasiError {
        Descriptor d = get(fd);
        if (d == null) throw new WasiError(BADF);
        return d;
    }

    private Descriptor file(int fd) throws WasiError {
        Descriptor d = open(fd);
        if (d.kind == Descriptor.DIRECTORY) throw new WasiError(ISDIR);
        if (d.kind != Descriptor.FILE) throw new WasiError(SPIPE);
        return d;
    }

    private Descriptor directory(int fd) throws WasiError {
        Descriptor d = open(fd);
        if (d.kind != Descriptor.DIRECTORY) throw new WasiError(NOTDIR);
        return d;
    }

    /**
     * Puts {@code d} in the lowest free slot, as POSIX {@code open} does and other WASI hosts do:
     * programs redirect a standard stream by closing it and opening a file in its place.
     */
    private int add(Descriptor d) throws WasiError {
        for (int fd = 0; fd < table.size(); fd++) {
            if (table.get(fd) == null) {
                table.set(fd, d);
                return fd;
            }
        }
        if (table.size() >= MAX_DESCRIPTORS) throw new WasiError(MFILE);
        table.add(d);
        return table.size() - 1;
    }

    /** Closes every open file (when the program's {@link Wasi} closes). */
    @Override
    public void close() {
        for (int fd = 0; fd < table.size(); fd++) {
            Descriptor d = table.get(fd);
            table.set(fd, null);
            if (d != null && d.channel != null) closeQuietly(d);
        }
    }

    /** Closing a file we only read cannot lose data; a failure to close one we wrote is reported where it is visible (fd_close). */
    private static void closeQuietly(Descriptor d) {
        try {
            d.channel.close();
        } catch (IOException e) {
            // the program is gone: nobody is left to hear it, and the descriptor is released either way
            System.getLogger(WasiFiles.class.getName()).log(System.Logger.Level.WARNING, "closing " + d.path + ": " + e);
        }
    }

    // =====================================================================================
    // Guest memory

    static boolean inBounds(MemorySegment m, long ptr, long len) {
        return ptr + len <= m.byteSize();
    }

    private static void check(MemorySegment m, long ptr, long len) throws WasiError {
        if (!inBounds(m, ptr, len)) throw new WasiError(FAULT);
    }

    /** The UTF-8 path the program passes at {@code ptr}: {@code fault} outside memory, {@code ilseq} if not UTF-8. */
    private static String guestPath(MemorySegment m, long ptr, long len) throws WasiError {
        check(m, ptr, len);
        if (len > SandboxPaths.MAX_PATH) throw new WasiError(NAMETOOLONG);
        byte[] bytes = m.asSlice(ptr, len).toArray(ValueLayout.JAVA_BYTE);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new WasiError(ILSEQ);
        }
    }

    // =====================================================================================
    // Descriptors

    int close(int fd) throws WasiError {
        Descriptor d = open(fd);
        table.set(fd, null);
        if (d.channel != null) {
            try {
                d.channel.close();
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
        }
        return Wasi.SUCCESS;
    }

    /** Moves {@code from} to number {@code to}, closing what {@code to} was. */
    int renumber(int from, int to) throws WasiError {
        Descriptor d = open(from);
        open(to);
        if (from == to) return Wasi.SUCCESS;
        close(to);
        table.set(to, d);
        table.set(from, null);
        return Wasi.SUCCESS;
    }

    int prestatGet(MemorySegment m, int fd, long ptr) throws WasiError {
        Descriptor d = open(fd);
        if (d.preopenName == null) throw new WasiError(BADF);
        check(m, ptr, 8);
        m.set(I32, ptr, 0); // tag 0: a directory (and padding)
        m.set(I32, ptr + 4, d.preopenName.getBytes(StandardCharsets.UTF_8).length);
        return Wasi.SUCCESS;
    }

    int prestatDirName(MemorySegment m, int fd, long ptr, long len) throws WasiError {
        Descriptor d = open(fd);
        if (d.preopenName == null) throw new WasiError(BADF);
        byte[] name = d.preopenName.getBytes(StandardCharsets.UTF_8);
        if (len < name.length) throw new WasiError(NAMETOOLONG);
        check(m, ptr, name.length);
        MemorySegment.copy(name, 0, m, ValueLayout.JAVA_BYTE, ptr, name.length);
        return Wasi.SUCCESS;
    }

    /** fdstat of a directory or file (streams are {@link Wasi}'s). */
    int fdstat(MemorySegment m, Descriptor d, long ptr) throws WasiError {
        check(m, ptr, 24);
        m.asSlice(ptr, 24).fill((byte) 0);
        if (d.kind == Descriptor.DIRECTORY) {
            m.set(ValueLayout.JAVA_BYTE, ptr, (byte) FILETYPE_DIRECTORY);
            m.set(I64, ptr + 8, DIRECTORY_RIGHTS);
            m.set(I64, ptr + 16, DIRECTORY_RIGHTS | FILE_RIGHTS);
        } else {
            long rights = FILE_RIGHTS;
            if (!d.readable) rights &= ~FILE_READ_RIGHTS;
            if (!d.writable) rights &= ~FILE_WRITE_RIGHTS;
            m.set(ValueLayout.JAVA_BYTE, ptr, (byte) FILETYPE_REGULAR_FILE);
            m.set(I16, ptr + 2, (short) d.fdflags);
            m.set(I64, ptr + 8, rights);
        }
        return Wasi.SUCCESS;
    }

    /** Only append can change (and non-blocking, which regular files ignore). */
    int setFlags(int fd, int flags) throws WasiError {
        Descriptor d = open(fd);
        if ((flags & ~(FDFLAG_APPEND | FDFLAG_NONBLOCK)) != 0) throw new WasiError(NOTSUP);
        if (d.kind == Descriptor.FILE) d.fdflags = flags & FDFLAG_APPEND;
        return Wasi.SUCCESS;
    }

    // =====================================================================================
    // File data

    /** fd_read (position -1) or fd_pread on a file: fills the iovecs in order until the file ends. */
    int read(MemorySegment m, int fd, long iovs, long iovsLen, long position, long resultPtr) throws WasiError {
        Descriptor d = file(fd);
        if (!d.readable) throw new WasiError(BADF);
        check(m, iovs, 8 * iovsLen);
        check(m, resultPtr, 4);
        long total = 0;
        try {
            reading:
            for (long k = 0; k < iovsLen; k++) {
                long base = Wasi.ptr(m.get(I32, iovs + 8 * k)), len = Wasi.ptr(m.get(I32, iovs + 8 * k + 4));
                check(m, base, len);
                for (long done = 0; done < len; ) {
                    ByteBuffer b = m.asSlice(base + done, Math.min(len - done, STEP)).asByteBuffer();
                    int n = position < 0 ? d.channel.read(b) : d.channel.read(b, position + total);
                    if (n <= 0) break reading;
                    done += n;
                    total += n;
                    if (total >= Integer.MAX_VALUE) break reading;
                }
            }
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        m.set(I32, resultPtr, (int) total);
        return Wasi.SUCCESS;
    }

    /** fd_write (position -1; at the end in append mode) or fd_pwrite on a file. */
    int write(MemorySegment m, int fd, long iovs, long iovsLen, long position, long resultPtr) throws WasiError {
        Descriptor d = file(fd);
        if (!d.writable) throw new WasiError(BADF);
        check(m, iovs, 8 * iovsLen);
        check(m, resultPtr, 4);
        long total = 0;
        try {
            if (position < 0 && (d.fdflags & FDFLAG_APPEND) != 0) d.channel.position(d.channel.size());
            for (long k = 0; k < iovsLen && total < Integer.MAX_VALUE; k++) {
                long base = Wasi.ptr(m.get(I32, iovs + 8 * k)), len = Wasi.ptr(m.get(I32, iovs + 8 * k + 4));
                check(m, base, len);
                len = Math.min(len, Integer.MAX_VALUE - total);
                ByteBuffer b = m.asSlice(base, len).asByteBuffer();
                while (b.hasRemaining()) {
                    if (position < 0) d.channel.write(b);
                    else d.channel.write(b, position + total + b.position());
                }
                total += len;
            }
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        m.set(I32, resultPtr, (int) total);
        return Wasi.SUCCESS;
    }

    /** Bytes between an open file's position and its end. */
    long remaining(Descriptor d) throws WasiError {
        try {
            return Math.max(0, d.channel.size() - d.channel.position());
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
    }

    int seek(MemorySegment m, int fd, long offset, int whence, long resultPtr) throws WasiError {
        Descriptor d = file(fd);
        check(m, resultPtr, 8);
        try {
            long base = switch (whence) {
                case 0 -> 0;
                case 1 -> d.channel.position();
                case 2 -> d.channel.size();
                default -> throw new WasiError(INVAL);
            };
            long at = base + offset;
            if (offset > 0 && at < base) throw new WasiError(WasiError.OVERFLOW);
            if (at < 0) throw new WasiError(INVAL);
            d.channel.position(at);
            m.set(I64, resultPtr, at);
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        return Wasi.SUCCESS;
    }

    int tell(MemorySegment m, int fd, long resultPtr) throws WasiError {
        Descriptor d = file(fd);
        check(m, resultPtr, 8);
        try {
            m.set(I64, resultPtr, d.channel.position());
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        return Wasi.SUCCESS;
    }

    int sync(int fd, boolean metadata) throws WasiError {
        Descriptor d = open(fd);
        if (d.channel == null) return Wasi.SUCCESS;
        try {
            d.channel.force(metadata);
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        return Wasi.SUCCESS;
    }

    int advise(int fd, long offset, long len, int advice) throws WasiError {
        file(fd);
        if (advice < 0 || advice > 5 || offset < 0 || len < 0) throw new WasiError(INVAL);
        return Wasi.SUCCESS;
    }

    /** Grows the file to cover {@code [offset, offset + len)}; never shrinks it. */
    int allocate(int fd, long offset, long len) throws WasiError {
        Descriptor d = file(fd);
        if (!d.writable) throw new WasiError(BADF);
        if (offset < 0 || len < 0) throw new WasiError(INVAL);
        if (offset + len < 0) throw new WasiError(FBIG);
        try {
            if (d.channel.size() < offset + len) grow(d.channel, offset + len);
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        return Wasi.SUCCESS;
    }

    int setSize(int fd, long size) throws WasiError {
        Descriptor d = file(fd);
        if (!d.writable) throw new WasiError(BADF);
        if (size < 0) throw new WasiError(INVAL);
        try {
            long now = d.channel.size();
            if (size < now) d.channel.truncate(size);
            else if (size > now) grow(d.channel, size);
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        return Wasi.SUCCESS;
    }

    /** Extends a file with zeros to {@code size} (FileChannel only truncates) without moving its position. */
    private static void grow(FileChannel c, long size) throws IOException {
        c.write(ByteBuffer.wrap(new byte[1]), size - 1);
    }

    // =====================================================================================
    // Metadata

    int fdFilestat(MemorySegment m, int fd, long ptr) throws WasiError {
        Descriptor d = open(fd);
        check(m, ptr, 64);
        synchronized (SandboxPaths.LOCK) {
            writeFilestat(m, ptr, d.path, NOFOLLOW);
        }
        if (d.channel != null) {
            try {
                m.set(I64, ptr + 32, d.channel.size()); // the open file's size, even if its name moved
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
        }
        return Wasi.SUCCESS;
    }

    int pathFilestat(MemorySegment m, int fd, int lookup, long pathPtr, long pathLen, long ptr) throws WasiError {
        Descriptor dir = directory(fd);
        String path = guestPath(m, pathPtr, pathLen);
        check(m, ptr, 64);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, (lookup & LOOKUP_SYMLINK_FOLLOW) != 0);
            requireDirectoryIfSlash(r);
            writeFilestat(m, ptr, r.path(), NOFOLLOW);
        }
        return Wasi.SUCCESS;
    }

    private static void writeFilestat(MemorySegment m, long ptr, Path p, LinkOption[] options) throws WasiError {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:dev,ino,nlink,size,mode,lastAccessTime,lastModifiedTime,ctime", options);
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
        m.set(I64, ptr, (Long) a.get("dev"));
        m.set(I64, ptr + 8, (Long) a.get("ino"));
        m.set(I64, ptr + 16, fileType((Integer) a.get("mode")) & 0xFF); // the type byte and its padding
        m.set(I64, ptr + 24, ((Integer) a.get("nlink")).longValue());
        m.set(I64, ptr + 32, (Long) a.get("size"));
        m.set(I64, ptr + 40, nanos((FileTime) a.get("lastAccessTime")));
        m.set(I64, ptr + 48, nanos((FileTime) a.get("lastModifiedTime")));
        m.set(I64, ptr + 56, nanos((FileTime) a.get("ctime")));
    }

    /** The WASI file type of POSIX mode bits (S_IFMT). */
    private static int fileType(int mode) {
        return switch (mode & 0170000) {
            case 0040000 -> FILETYPE_DIRECTORY;
            case 0100000 -> FILETYPE_REGULAR_FILE;
            case 0120000 -> FILETYPE_SYMBOLIC_LINK;
            case 0020000 -> FILETYPE_CHARACTER_DEVICE;
            case 0060000 -> 1; // block device
            case 0140000 -> FILETYPE_SOCKET_STREAM;
            default -> FILETYPE_UNKNOWN; // FIFOs have no WASI type
        };
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    int fdSetTimes(int fd, long atim, long mtim, int fst) throws WasiError {
        Descriptor d = open(fd);
        if (d.path == null) throw new WasiError(BADF);
        synchronized (SandboxPaths.LOCK) {
            setTimes(d.path, atim, mtim, fst, NOFOLLOW);
        }
        return Wasi.SUCCESS;
    }

    int pathSetTimes(MemorySegment m, int fd, int lookup, long pathPtr, long pathLen, long atim, long mtim, int fst)
            throws WasiError {
        Descriptor dir = directory(fd);
        String path = guestPath(m, pathPtr, pathLen);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, (lookup & LOOKUP_SYMLINK_FOLLOW) != 0);
            requireDirectoryIfSlash(r);
            setTimes(r.path(), atim, mtim, fst, NOFOLLOW);
        }
        return Wasi.SUCCESS;
    }

    private static void setTimes(Path p, long atim, long mtim, int fst, LinkOption[] options) throws WasiError {
        if ((fst & FST_ATIM) != 0 && (fst & FST_ATIM_NOW) != 0 || (fst & FST_MTIM) != 0 && (fst & FST_MTIM_NOW) != 0
                || (fst & ~15) != 0) {
            throw new WasiError(INVAL);
        }
        FileTime now = FileTime.from(java.time.Instant.now());
        FileTime a = (fst & FST_ATIM_NOW) != 0 ? now : (fst & FST_ATIM) != 0 ? FileTime.from(atim, TimeUnit.NANOSECONDS) : null;
        FileTime mt = (fst & FST_MTIM_NOW) != 0 ? now : (fst & FST_MTIM) != 0 ? FileTime.from(mtim, TimeUnit.NANOSECONDS) : null;
        try {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, options).setTimes(mt, a, null);
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
    }

    // =====================================================================================
    // Directories

    /**
     * Writes entries from {@code cookie} on (0: the start, which lists the directory afresh) as
     * dirents into {@code buf}; the last one is cut off when it does not fit, which tells the
     * program (bufused == len) to call again with that entry's cookie.
     */
    int readdir(MemorySegment m, int fd, long buf, long len, long cookie, long resultPtr) throws WasiError {
        Descriptor d = directory(fd);
        check(m, buf, len);
        check(m, resultPtr, 4);
        if (cookie == 0 || d.listing == null) d.listing = list(d.path);
        Descriptor.Listing l = d.listing;
        long used = 0;
        byte[] header = new byte[24];
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        for (long k = Math.max(cookie, 0); k < l.names().length && used < len; k++) {
            byte[] name = l.names()[(int) k];
            h.putLong(0, k + 1).putLong(8, l.inodes()[(int) k]).putInt(16, name.length).put(20, l.types()[(int) k]);
            int n = (int) Math.min(24, len - used);
            MemorySegment.copy(header, 0, m, ValueLayout.JAVA_BYTE, buf + used, n);
            used += n;
            n = (int) Math.min(name.length, len - used);
            MemorySegment.copy(name, 0, m, ValueLayout.JAVA_BYTE, buf + used, n);
            used += n;
        }
        m.set(I32, resultPtr, (int) used);
        return Wasi.SUCCESS;
    }

    /** ".", ".." and the entries of {@code dir} sorted by name (a stable order for cookies). */
    private static Descriptor.Listing list(Path dir) throws WasiError {
        List<String> names = new ArrayList<>(List.of(".", ".."));
        synchronized (SandboxPaths.LOCK) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                List<String> entries = new ArrayList<>();
                for (Path p : s) entries.add(p.getFileName().toString());
                entries.sort(null);
                names.addAll(entries);
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
            byte[][] bytes = new byte[names.size()][];
            byte[] types = new byte[names.size()];
            long[] inodes = new long[names.size()];
            for (int k = 0; k < names.size(); k++) {
                bytes[k] = names.get(k).getBytes(StandardCharsets.UTF_8);
                Path p = k == 1 ? dir.getParent() != null ? dir.getParent() : dir : dir.resolve(names.get(k));
                try {
                    Map<String, Object> a = Files.readAttributes(p, "unix:ino,mode", NOFOLLOW);
                    inodes[k] = (Long) a.get("ino");
                    types[k] = (byte) fileType((Integer) a.get("mode"));
                } catch (IOException e) {
                    types[k] = FILETYPE_UNKNOWN; // removed since listed: still an entry of this listing
                }
            }
            return new Descriptor.Listing(bytes, types, inodes);
        }
    }

    int createDirectory(MemorySegment m, int fd, long pathPtr, long pathLen) throws WasiError {
        Descriptor dir = directory(fd);
        String path = guestPath(m, pathPtr, pathLen);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, false);
            if (r.isRoot()) throw new WasiError(EXIST);
            try {
                Files.createDirectory(r.path());
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
        }
        return Wasi.SUCCESS;
    }

    int removeDirectory(MemorySegment m, int fd, long pathPtr, long pathLen) throws WasiError {
        Descriptor dir = directory(fd);
        String path = guestPath(m, pathPtr, pathLen);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, false);
            if (r.isRoot()) throw new WasiError(BUSY);
            if (!Files.isDirectory(r.path(), NOFOLLOW)) {
                throw new WasiError(Files.exists(r.path(), NOFOLLOW) ? NOTDIR : NOENT);
            }
            delete(r.path());
        }
        return Wasi.SUCCESS;
    }

    int unlinkFile(MemorySegment m, int fd, long pathPtr, long pathLen) throws WasiError {
        Descriptor dir = directory(fd);
        String path = guestPath(m, pathPtr, pathLen);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, false);
            if (r.isRoot() || Files.isDirectory(r.path(), NOFOLLOW)) throw new WasiError(ISDIR);
            if (r.trailingSlash()) throw new WasiError(Files.exists(r.path(), NOFOLLOW) ? NOTDIR : NOENT);
            delete(r.path());
        }
        return Wasi.SUCCESS;
    }

    private static void delete(Path p) throws WasiError {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new WasiError(WasiError.errnoOf(e));
        }
    }

    int rename(MemorySegment m, int fd, long oldPtr, long oldLen, int newFd, long newPtr, long newLen) throws WasiError {
        Descriptor from = directory(fd), to = directory(newFd);
        String oldPath = guestPath(m, oldPtr, oldLen), newPath = guestPath(m, newPtr, newLen);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved a = SandboxPaths.resolve(from.path, oldPath, false);
            SandboxPaths.Resolved b = SandboxPaths.resolve(to.path, newPath, false);
            if (a.isRoot() || b.isRoot()) throw new WasiError(BUSY);
            if (!Files.exists(a.path(), NOFOLLOW)) throw new WasiError(NOENT);
            boolean dirSource = Files.isDirectory(a.path(), NOFOLLOW);
            if ((a.trailingSlash() || b.trailingSlash()) && !dirSource) throw new WasiError(NOTDIR);
            // a directory may not move below itself (rename(2)'s EINVAL; NIO would copy forever)
            if (dirSource && b.path().startsWith(a.path()) && !b.path().equals(a.path())) throw new WasiError(INVAL);
            try {
                Files.move(a.path(), b.path(), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
        }
        return Wasi.SUCCESS;
    }

    /** A symbolic link at {@code newPath} to {@code target}, which must be relative (the sandbox has no absolute paths). */
    int symlink(MemorySegment m, long targetPtr, long targetLen, int fd, long newPtr, long newLen) throws WasiError {
        String target = guestPath(m, targetPtr, targetLen);
        Descriptor dir = directory(fd);
        String path = guestPath(m, newPtr, newLen);
        if (target.isEmpty()) throw new WasiError(NOENT);
        if (target.startsWith("/")) throw new WasiError(NOTCAPABLE);
        if (target.indexOf('\0') >= 0) throw new WasiError(INVAL);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, false);
            if (r.isRoot()) throw new WasiError(EXIST);
            // a new link named with a trailing slash would have to be a directory (symlink(2))
            if (r.trailingSlash()) throw new WasiError(Files.exists(r.path(), NOFOLLOW) ? EXIST : NOENT);
            try {
                Files.createSymbolicLink(r.path(), Path.of(target));
            } catch (InvalidPathException e) {
                throw new WasiError(ILSEQ);
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
        }
        return Wasi.SUCCESS;
    }

    int link(MemorySegment m, int fd, int lookup, long oldPtr, long oldLen, int newFd, long newPtr, long newLen)
            throws WasiError {
        Descriptor from = directory(fd), to = directory(newFd);
        String oldPath = guestPath(m, oldPtr, oldLen), newPath = guestPath(m, newPtr, newLen);
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved a = SandboxPaths.resolve(from.path, oldPath, (lookup & LOOKUP_SYMLINK_FOLLOW) != 0);
            SandboxPaths.Resolved b = SandboxPaths.resolve(to.path, newPath, false);
            if (Files.isDirectory(a.path(), NOFOLLOW)) throw new WasiError(PERM);
            if (b.isRoot()) throw new WasiError(EXIST);
            if (a.trailingSlash()) throw new WasiError(NOTDIR);
            if (b.trailingSlash()) throw new WasiError(Files.exists(b.path(), NOFOLLOW) ? EXIST : NOENT);
            try {
                Files.createLink(b.path(), a.path());
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
        }
        return Wasi.SUCCESS;
    }

    int readlink(MemorySegment m, int fd, long pathPtr, long pathLen, long buf, long bufLen, long resultPtr)
            throws WasiError {
        Descriptor dir = directory(fd);
        String path = guestPath(m, pathPtr, pathLen);
        check(m, buf, bufLen);
        check(m, resultPtr, 4);
        byte[] target;
        synchronized (SandboxPaths.LOCK) {
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, false);
            if (!Files.isSymbolicLink(r.path())) throw new WasiError(Files.exists(r.path(), NOFOLLOW) ? INVAL : NOENT);
            try {
                target = Files.readSymbolicLink(r.path()).toString().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new WasiError(WasiError.errnoOf(e));
            }
        }
        int n = (int) Math.min(target.length, bufLen);
        MemorySegment.copy(target, 0, m, ValueLayout.JAVA_BYTE, buf, n);
        m.set(I32, resultPtr, n);
        return Wasi.SUCCESS;
    }

    // =====================================================================================
    // path_open

    /**
     * Opens a directory or a regular file below directory {@code fd}. Read and write access come
     * from the rights asked for ({@code fd_read}/{@code fd_readdir}, {@code fd_write}), as
     * wasi-libc derives them from {@code O_RDONLY}/{@code O_WRONLY}/{@code O_RDWR}.
     */
    int pathOpen(MemorySegment m, int fd, int lookup, long pathPtr, long pathLen, int oflags, long rights, int fdflags,
            long resultPtr) throws WasiError {
        Descriptor dir = directory(fd);
        String path = guestPath(m, pathPtr, pathLen);
        check(m, resultPtr, 4);
        boolean creat = (oflags & OFLAG_CREAT) != 0, excl = (oflags & OFLAG_EXCL) != 0;
        boolean wantDir = (oflags & OFLAG_DIRECTORY) != 0, trunc = (oflags & OFLAG_TRUNC) != 0;
        if ((oflags & ~15) != 0 || (fdflags & ~31) != 0) throw new WasiError(INVAL);
        boolean write = (rights & (RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE)) != 0;
        boolean read = (rights & RIGHT_FD_READ) != 0 || !write;
        Descriptor d;
        synchronized (SandboxPaths.LOCK) {
            // O_CREAT|O_EXCL never follows a link in the last component (POSIX)
            boolean follow = (lookup & LOOKUP_SYMLINK_FOLLOW) != 0 && !(creat && excl);
            SandboxPaths.Resolved r = SandboxPaths.resolve(dir.path, path, follow);
            Path p = r.path();
            boolean exists = Files.exists(p, NOFOLLOW);
            if (exists && creat && excl) throw new WasiError(EXIST);
            if (exists && Files.isSymbolicLink(p)) throw new WasiError(LOOP); // not followed: O_NOFOLLOW
            if (exists && Files.isDirectory(p, NOFOLLOW)) {
                if (write || trunc || creat && !wantDir) throw new WasiError(ISDIR);
                try {
                    d = Descriptor.directory(p.toRealPath(), null);
                } catch (IOException e) {
                    throw new WasiError(WasiError.errnoOf(e));
                }
            } else {
                if (wantDir || r.trailingSlash()) throw new WasiError(exists || creat ? NOTDIR : NOENT);
                if (!exists && !creat) throw new WasiError(NOENT);
                if (exists && !Files.isRegularFile(p, NOFOLLOW)) throw new WasiError(ACCES);
                Set<OpenOption> options = new HashSet<>();
                options.add(LinkOption.NOFOLLOW_LINKS);
                if (read) options.add(StandardOpenOption.READ);
                if (write) options.add(StandardOpenOption.WRITE);
                if (creat) options.add(excl ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
                if (trunc) {
                    if (!write) throw new WasiError(ACCES);
                    options.add(StandardOpenOption.TRUNCATE_EXISTING);
                }
                if ((fdflags & (FDFLAG_SYNC | FDFLAG_RSYNC)) != 0) options.add(StandardOpenOption.SYNC);
                else if ((fdflags & FDFLAG_DSYNC) != 0) options.add(StandardOpenOption.DSYNC);
                if (!exists && !write) options.add(StandardOpenOption.WRITE); // Java creates only when writing
                FileChannel channel;
                try {
                    channel = FileChannel.open(p, options);
                } catch (IOException e) {
                    throw new WasiError(WasiError.errnoOf(e));
                } catch (UnsupportedOperationException e) {
                    throw new WasiError(NOTSUP);
                }
                d = Descriptor.file(p, channel, read, write, fdflags & FDFLAG_APPEND);
            }
        }
        int newFd;
        try {
            newFd = add(d);
        } catch (WasiError e) {
            if (d.channel != null) closeQuietly(d);
            throw e;
        }
        m.set(I32, resultPtr, newFd);
        return Wasi.SUCCESS;
    }

    private static void requireDirectoryIfSlash(SandboxPaths.Resolved r) throws WasiError {
        if (r.trailingSlash() && !Files.isDirectory(r.path(), NOFOLLOW)) {
            throw new WasiError(Files.exists(r.path(), NOFOLLOW) ? NOTDIR : NOENT);
        }
    }
}
