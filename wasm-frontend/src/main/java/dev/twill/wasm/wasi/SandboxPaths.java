package dev.twill.wasm.wasi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a program's path against a directory descriptor without ever leaving it, as WASI's
 * capability model asks: the directory is the root of everything reachable through it.
 *
 * <p>Algorithm: the path's components are walked one by one from the directory. {@code .} is
 * skipped; {@code ..} goes up one component and fails with {@code notcapable} above the root;
 * each symbolic link met on the way (and the last component when the caller follows it) is
 * read and its target's components put in front of the rest, so {@code ..} inside a target is
 * resolved against where the link points, never against the host's view. An absolute path or
 * link target is {@code notcapable} (the sandbox has no absolute namespace); more than {@link
 * #MAX_LINKS} links is {@code loop}; a component under a non-directory is {@code notdir}. The
 * result is a host path that names, at the time of the walk, a location inside the root whose
 * components are not symbolic links (except the last, when it is not followed).
 *
 * <p>Invariant the callers keep: resolution and the operation on its result run under {@link
 * #LOCK}, so no program sharing a directory (in this JVM) can swap a checked component for a
 * link between the two. Another host process changing the tree concurrently is outside the
 * model (Java has no {@code openat}); it has the host's access anyway.
 */
final class SandboxPaths {
    private SandboxPaths() {}

    /** Serializes every path operation of every WASI program in this JVM (see the class comment). */
    static final Object LOCK = new Object();

    /** Most symbolic links one resolution follows (Linux's own limit is 40). */
    static final int MAX_LINKS = 32;

    /** Longest path accepted, in bytes (Linux's PATH_MAX). */
    static final int MAX_PATH = 4096;

    /** A resolved path; {@code trailingSlash} when the program's path ended in '/', which requires a directory. */
    record Resolved(Path path, boolean isRoot, boolean trailingSlash) {}

    /**
     * Resolves {@code guestPath} against the directory {@code root} (absolute, real), following
     * a symbolic link in the last component only if {@code followLast}.
     */
    static Resolved resolve(Path root, String guestPath, boolean followLast) throws WasiError {
        try {
            return walk(root, guestPath, followLast);
        } catch (InvalidPathException e) {
            // a name the JVM's file-name encoding cannot express (sun.jnu.encoding, from the locale)
            throw new WasiError(WasiError.ILSEQ);
        }
    }

    private static Resolved walk(Path root, String guestPath, boolean followLast) throws WasiError {
        if (guestPath.isEmpty()) throw new WasiError(WasiError.NOENT);
        if (guestPath.indexOf('\0') >= 0) throw new WasiError(WasiError.INVAL);
        if (guestPath.startsWith("/")) throw new WasiError(WasiError.NOTCAPABLE);
        boolean trailingSlash = guestPath.endsWith("/");
        ArrayDeque<String> todo = new ArrayDeque<>();
        pushFront(todo, guestPath);
        List<String> done = new ArrayList<>();
        Path at = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                if (done.isEmpty()) throw new WasiError(WasiError.NOTCAPABLE);
                if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                    throw new WasiError(Files.exists(at, LinkOption.NOFOLLOW_LINKS) ? WasiError.NOTDIR : WasiError.NOENT);
                }
                done.remove(done.size() - 1);
                at = at.getParent();
                continue;
            }
            // the component before this one must be a directory to look inside it
            if (!done.isEmpty() && !Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                throw new WasiError(Files.exists(at, LinkOption.NOFOLLOW_LINKS) ? WasiError.NOTDIR : WasiError.NOENT);
            }
            Path next = at.resolve(c);
            boolean last = todo.isEmpty();
            if ((!last || followLast || trailingSlash) && Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) throw new WasiError(WasiError.LOOP);
                String target;
                try {
                    target = Files.readSymbolicLink(next).toString();
                } catch (IOException e) {
                    throw new WasiError(WasiError.errnoOf(e));
                }
                if (target.isEmpty()) throw new WasiError(WasiError.NOENT);
                if (target.startsWith("/")) throw new WasiError(WasiError.NOTCAPABLE);
                pushFront(todo, target);
                continue;
            }
            done.add(c);
            at = next;
        }
        return new Resolved(at, done.isEmpty(), trailingSlash);
    }

    /** Puts the components of {@code path} (separated by one or more '/') in front of {@code todo}, in order. */
    private static void pushFront(ArrayDeque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int k = parts.length - 1; k >= 0; k--) if (!parts[k].isEmpty()) todo.addFirst(parts[k]);
    }
}
