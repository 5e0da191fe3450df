package dev.twill.wasm.wasi;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * A WASI call that fails with an errno: thrown inside the file-system operations, where a
 * failure can come from many nested steps, and turned into the call's result at its boundary.
 * No stack trace: it is an answer to the program, not a fault of the host.
 */
final class WasiError extends Exception {
    // errno values (wasi/api.h)
    static final int ACCES = 2, BADF = 8, BUSY = 10, EXIST = 20, FAULT = 21, FBIG = 22, ILSEQ = 25, INVAL = 28, IO = 29,
            ISDIR = 31, LOOP = 32, MFILE = 33, MLINK = 34, NAMETOOLONG = 37, NOENT = 44, NOSPC = 51, NOTDIR = 54,
            NOTEMPTY = 55, NOTSUP = 58, OVERFLOW = 61, PERM = 63, ROFS = 69, SPIPE = 70, XDEV = 75, NOTCAPABLE = 76;

    final int errno;

    WasiError(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }

    /**
     * The errno for a host I/O failure. NIO names the common cases by exception class; the
     * rest carry the OS's message (strerror text), which is matched for the errors a program
     * can handle; anything else is {@code io}.
     */
    static int errnoOf(IOException e) {
        if (e instanceof NoSuchFileException) return NOENT;
        if (e instanceof FileAlreadyExistsException) return EXIST;
        if (e instanceof DirectoryNotEmptyException) return NOTEMPTY;
        if (e instanceof NotDirectoryException) return NOTDIR;
        if (e instanceof AccessDeniedException) return ACCES;
        if (e instanceof FileSystemLoopException) return LOOP;
        if (e instanceof NotLinkException) return INVAL;
        if (e instanceof AtomicMoveNotSupportedException) return XDEV;
        if (e instanceof ClosedChannelException) return BADF;
        String why = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (why == null) return IO;
        if (why.contains("Is a directory")) return ISDIR;
        if (why.contains("Not a directory")) return NOTDIR;
        if (why.contains("Directory not empty")) return NOTEMPTY;
        if (why.contains("File exists")) return EXIST;
        if (why.contains("Too many levels of symbolic links")) return LOOP;
        if (why.contains("No space left")) return NOSPC;
        if (why.contains("File too large")) return FBIG;
        if (why.contains("Read-only file system")) return ROFS;
        if (why.contains("Operation not permitted")) return PERM;
        if (why.contains("Permission denied")) return ACCES;
        if (why.contains("Invalid cross-device link")) return XDEV;
        if (why.contains("Too many links")) return MLINK;
        if (why.contains("File name too long")) return NAMETOOLONG;
        if (why.contains("Invalid argument")) return INVAL;
        return IO;
    }
}
