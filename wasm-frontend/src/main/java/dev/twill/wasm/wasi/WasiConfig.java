package dev.twill.wasm.wasi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * What a WASI program sees of the world ({@link Wasi}): its arguments (the first is the program
 * name), environment, standard streams, random source and preopened directories. Nothing else
 * is reachable: no file outside the preopened directories, no socket. Defaults: no arguments,
 * an empty environment, no input, output and errors discarded, randomness from {@link
 * SecureRandom}, no directory.
 */
public final class WasiConfig {
    List<String> args = List.of();
    Map<String, String> env = Map.of();
    InputStream stdin = InputStream.nullInputStream();
    OutputStream stdout = OutputStream.nullOutputStream();
    OutputStream stderr = OutputStream.nullOutputStream();
    Random random = new SecureRandom();
    /** Guest name to the host directory's real path, in descriptor order (3, 4, ...). */
    Map<String, Path> preopens = new LinkedHashMap<>();

    /** The program's arguments, {@code argv[0]} (by convention the program name) first. */
    public WasiConfig args(List<String> args) {
        this.args = List.copyOf(new ArrayList<>(args));
        return this;
    }

    public WasiConfig env(Map<String, String> env) {
        this.env = new LinkedHashMap<>(env);
        return this;
    }

    public WasiConfig stdin(InputStream in) {
        this.stdin = Objects.requireNonNull(in);
        return this;
    }

    public WasiConfig stdout(OutputStream out) {
        this.stdout = Objects.requireNonNull(out);
        return this;
    }

    public WasiConfig stderr(OutputStream err) {
        this.stderr = Objects.requireNonNull(err);
        return this;
    }

    /**
     * Lets the program reach host directory {@code hostDir} and everything below it (reading,
     * writing, creating and deleting, as the host process may) under the name {@code guestName}
     * ({@code "."} makes it the directory relative paths resolve against, as wasmtime's {@code
     * --dir} does). Nothing above it is reachable: {@code ..} and symbolic links stop at it.
     *
     * @throws IOException if {@code hostDir} is not an existing directory
     */
    public WasiConfig preopen(Path hostDir, String guestName) throws IOException {
        if (guestName.isEmpty()) throw new IllegalArgumentException("a preopened directory needs a name");
        if (!Files.isDirectory(hostDir)) throw new NotDirectoryException(hostDir.toString());
        preopens.put(guestName, hostDir.toRealPath());
        return this;
    }

    /** The source of {@code random_get}; a seeded {@link Random} makes runs reproducible. */
    public WasiConfig random(Random random) {
        this.random = Objects.requireNonNull(random);
        return this;
    }
}
