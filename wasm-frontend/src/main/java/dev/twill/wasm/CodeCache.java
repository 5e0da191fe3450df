package dev.twill.wasm;

import dev.twill.machinst.CompiledCode;
import dev.twill.machinst.CompiledCodeFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Compiled modules kept on disk ({@link EngineConfig#cacheDirectory}), so that compiling the same
 * module again with the same engine settings and the same build of Twill links the stored code
 * instead of compiling: a large module (CPython, 6 MB of code) starts in a fraction of the time.
 *
 * <p><b>Key.</b> An entry is named by the SHA-256 of: this format's version, the <i>build id</i>
 * (a SHA-256 over the class files of the modules that generate code: the front end, the core and
 * the back end, as loaded), the back end's {@link dev.twill.machinst.TargetIsa#codeKey() code
 * key} (target and CPU features used), every engine setting that changes what is accepted or
 * generated, and the module's bytes. So any change to Twill's code, the CPU or the settings
 * misses; nothing is ever invalidated by hand. A build whose classes cannot be located (no code
 * source) has no build id, and its engine does not cache.
 *
 * <p><b>Entry.</b> A magic number, the key again, the function count, each defined function in
 * {@link CompiledCodeFormat}, and a SHA-256 of all of that. An entry that fails any check
 * (damaged, truncated, written by something else) is a miss: the module is compiled and the
 * entry written again. Entries are written to a temporary file and renamed into place, so
 * concurrent compiles of one module, in one process or several, never see half an entry.
 * The module is still decoded and validated on a hit; only translation and code generation are
 * skipped.
 *
 * <p><b>Trust.</b> Stored code runs as it is, so whoever can write the directory can run code in
 * every process that uses it: the directory is created private ({@code rwx------}) and refused
 * (an {@link IllegalArgumentException} when the engine is made) if it is writable by group or
 * others; one that cannot be written is refused too. Entries are never removed; delete the
 * directory to reclaim the space.
 */
final class CodeCache {
    private static final int MAGIC = 0x54574343; // "TWCC"
    private static final int FORMAT_VERSION = 1;

    private final Path dir;
    private final byte[] buildId;

    private CodeCache(Path dir, byte[] buildId) {
        this.dir = dir;
        this.buildId = buildId;
    }

    /** A cache in {@code dir} (created if missing), or null if this build cannot be identified. */
    static CodeCache open(Path dir, Class<?>... codeGenerators) {
        byte[] id = buildId(codeGenerators);
        if (id == null) return null;
        try {
            if (!Files.isDirectory(dir)) {
                Set<PosixFilePermission> own = PosixFilePermissions.fromString("rwx------");
                if (Files.getFileAttributeView(dir.toAbsolutePath().getParent(), PosixFileAttributeView.class) != null) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(own));
                } else {
                    Files.createDirectories(dir);
                }
            }
            PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
            if (view != null) {
                Set<PosixFilePermission> p = view.readAttributes().permissions();
                if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                    throw new IllegalArgumentException("code cache directory " + dir
                            + " is writable by others: code stored there would run in this process (chmod 700 it)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the code cache directory " + dir, e);
        }
        // found now rather than at the first store, which would fail a compile that succeeded
        if (!Files.isWritable(dir)) throw new IllegalArgumentException("code cache directory " + dir + " is not writable");
        return new CodeCache(dir, id);
    }

    /** The key of {@code wasm} compiled under {@code settings} (the engine's code-relevant settings, as text). */
    byte[] key(String settings, byte[] wasm) {
        MessageDigest d = sha256();
        d.update(("twill code cache " + FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
        d.update(buildId);
        d.update(settings.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(wasm);
        return d.digest();
    }

    /** The stored code of the module with {@code key}, or null on a miss (no entry, or one that fails a check). */
    CompiledCode[] load(byte[] key, int functions) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(entry(key));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the code cache entry " + entry(key), e);
        }
        int body = bytes.length - 32;
        if (body < 0) return null;
        MessageDigest d = sha256();
        d.update(bytes, 0, body);
        if (!MessageDigest.isEqual(d.digest(), Arrays.copyOfRange(bytes, body, bytes.length))) return null;
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, body));
            byte[] storedKey = new byte[32];
            if (in.readInt() != MAGIC) return null;
            in.readFully(storedKey);
            if (!Arrays.equals(storedKey, key) || in.readInt() != functions) return null;
            CompiledCode[] codes = new CompiledCode[functions];
            for (int f = 0; f < functions; f++) codes[f] = CompiledCodeFormat.read(in);
            return in.available() == 0 ? codes : null;
        } catch (IOException e) {
            // damaged despite the checksum (e.g. written by a different format): a miss, rewritten by the caller
            return null;
        }
    }

    /** Stores {@code codes} under {@code key}, replacing any entry. */
    void store(byte[] key, CompiledCode[] codes) {
        Path tmp = null;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.write(key);
            out.writeInt(codes.length);
            for (CompiledCode c : codes) CompiledCodeFormat.write(out, c);
            out.write(sha256().digest(bytes.toByteArray()));
            tmp = Files.createTempFile(dir, "entry", ".tmp");
            Files.write(tmp, bytes.toByteArray());
            try {
                Files.move(tmp, entry(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, entry(key), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("cannot write the code cache entry " + entry(key), e);
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException cleanup) {
                    failure.addSuppressed(cleanup);
                }
            }
            throw failure;
        }
    }

    private Path entry(byte[] key) {
        return dir.resolve(HexFormat.of().formatHex(key) + ".twcc");
    }

    /**
     * A digest of the class files of the code sources (jar files or class directories) that
     * {@code classes} were loaded from, or null if one of them has none.
     */
    private static byte[] buildId(Class<?>... classes) {
        List<Path> sources = new ArrayList<>();
        for (Class<?> c : classes) {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) return null;
            Path p;
            try {
                p = Path.of(cs.getLocation().toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                return null; // not a file: no way to tell builds apart
            }
            if (!sources.contains(p)) sources.add(p);
        }
        MessageDigest d = sha256();
        try {
            for (Path source : sources) {
                if (Files.isDirectory(source)) {
                    List<Path> files;
                    try (Stream<Path> walk = Files.walk(source)) {
                        files = walk.filter(f -> f.toString().endsWith(".class")).sorted().toList();
                    }
                    for (Path f : files) {
                        d.update(source.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                        d.update(Files.readAllBytes(f));
                    }
                } else {
                    d.update(Files.readAllBytes(source));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Twill's own classes to identify the build", e);
        }
        return d.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
