package dev.twill.wasm.wasi;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * What a WASI program sees of the world ({@link Wasi}): its arguments (the first is the program
 * name), environment, standard streams and random source. Nothing else is reachable: no files,
 * directories or sockets. Defaults: no arguments, an empty environment, no input, output and
 * errors discarded, randomness from {@link SecureRandom}.
 */
public final class WasiConfig {
    List<String> args = List.of();
    Map<String, String> env = Map.of();
    InputStream stdin = InputStream.nullInputStream();
    OutputStream stdout = OutputStream.nullOutputStream();
    OutputStream stderr = OutputStream.nullOutputStream();
    Random random = new SecureRandom();

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

    /** The source of {@code random_get}; a seeded {@link Random} makes runs reproducible. */
    public WasiConfig random(Random random) {
        this.random = Objects.requireNonNull(random);
        return this;
    }
}
