package dev.twill.machinst;

import dev.twill.ir.Function;
import java.util.ServiceLoader;

/**
 * A back end. {@code jit-core} and the WebAssembly front end find back ends at run time through
 * {@link ServiceLoader}, so they never import a back end's classes: {@link #host()} for the
 * machine we run on, {@link #lookup(String)} by name ({@code "x86_64"}, {@code "aarch64"}).
 */
public interface TargetIsa {
    /** The name used in {@code target} lines and {@link #lookup}. */
    String name();

    /**
     * Everything besides the IR and the settings that decides the code this back end generates:
     * the target and the CPU features it uses. Code compiled under one key is only reused under
     * the same key (a code cache).
     */
    default String codeKey() {
        return name();
    }

    /** The pointer type of the target ({@code i64}). */
    int pointerType();

    /**
     * Compiles a verified, legalized function (memory level) to machine code with the given
     * settings ({@code opt_level}: {@code none} picks the single-pass allocator, {@code speed} the
     * default linear scan). Throws CompileError for IR the back end cannot take.
     */
    CompiledCode compile(Function f, Settings settings);

    /**
     * A human-readable listing of {@code code} for {@code clif compile --disasm}; the default is
     * a hex dump, back ends give a real disassembly.
     */
    default String disassemble(CompiledCode code) {
        StringBuilder sb = new StringBuilder();
        byte[] b = code.code();
        for (int k = 0; k < b.length; k++) {
            if (k % 16 == 0) sb.append(k == 0 ? "" : "\n").append(String.format("%06x:", k));
            sb.append(String.format(" %02x", b[k] & 0xFF));
        }
        return sb.append('\n').toString();
    }

    /** Code-generation settings. */
    record Settings(String optLevel) {
        public static final Settings DEFAULT = new Settings("speed");
        public static final Settings FAST = new Settings("none");
    }

    static TargetIsa lookup(String name) {
        for (TargetIsa isa : ServiceLoader.load(TargetIsa.class)) {
            if (isa.name().equals(name)) return isa;
        }
        return null;
    }

    /** The back end for the machine the JVM runs on, or null if none is on the class path. */
    static TargetIsa host() {
        String arch = System.getProperty("os.arch");
        return lookup(arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "aarch64" : arch);
    }
}
