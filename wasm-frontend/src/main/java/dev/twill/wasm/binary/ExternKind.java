package dev.twill.wasm.binary;

/** The kinds of imports and exports, as encoded in the binary format (WebAssembly 2.0 §5.5.10). */
public final class ExternKind {
    private ExternKind() {}

    public static final int FUNC = 0;
    public static final int TABLE = 1;
    public static final int MEMORY = 2;
    public static final int GLOBAL = 3;
    /** An exception tag (WebAssembly 3.0's exception handling; Twill has tags, not yet their instructions). */
    public static final int TAG = 4;

    public static String name(int kind) {
        return switch (kind) {
            case FUNC -> "func";
            case TABLE -> "table";
            case MEMORY -> "memory";
            case GLOBAL -> "global";
            case TAG -> "tag";
            default -> "kind " + kind;
        };
    }
}
