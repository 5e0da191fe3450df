package dev.twill.wasm.wasi;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One open descriptor of a WASI program: a standard stream, a directory (a capability: paths
 * resolved against it cannot leave it) or a regular file. Descriptors are owned by one {@link
 * Wasi} and touched only from the thread that runs its program.
 */
final class Descriptor {
    static final int STDIN = 0, STDOUT = 1, STDERR = 2, DIRECTORY = 3, FILE = 4;

    /** One of the kinds above. */
    final int kind;
    /** The host path of a directory or file (a directory's is absolute and real: no symlink in it). */
    final Path path;
    /** The name the program sees for a preopened directory, else null. */
    final String preopenName;
    /** An open file's channel; null for other kinds. */
    final FileChannel channel;
    /** Whether the program may read or write an open file (from the rights it asked for). */
    final boolean readable, writable;
    /** WASI fdflags: only {@link #APPEND} changes behaviour. */
    int fdflags;
    /** A directory's entries as {@code fd_readdir} last listed them (refreshed when the cookie is 0). */
    Listing listing;

    /** Directory entries in {@code fd_readdir} order: names (UTF-8), WASI file types and inode numbers. */
    record Listing(byte[][] names, byte[] types, long[] inodes) {}

    static final int APPEND = 1;

    private Descriptor(int kind, Path path, String preopenName, FileChannel channel, boolean readable, boolean writable) {
        this.kind = kind;
        this.path = path;
        this.preopenName = preopenName;
        this.channel = channel;
        this.readable = readable;
        this.writable = writable;
    }

    static Descriptor stream(int kind) {
        return new Descriptor(kind, null, null, null, kind == STDIN, kind != STDIN);
    }

    static Descriptor directory(Path realPath, String preopenName) {
        return new Descriptor(DIRECTORY, realPath, preopenName, null, true, false);
    }

    static Descriptor file(Path path, FileChannel channel, boolean readable, boolean writable, int fdflags) {
        Descriptor d = new Descriptor(FILE, path, null, channel, readable, writable);
        d.fdflags = fdflags;
        return d;
    }
}
