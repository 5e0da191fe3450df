package dev.twill.wasm.binary;

import dev.twill.CompileError;

/**
 * Reads function names from the {@code name} custom section (WebAssembly 2.0 §7.4.1). Custom
 * sections never make a module malformed, so a name section that does not parse is ignored
 * (from the first bad byte on), as are names of functions that do not exist.
 */
final class NameSection {
    private NameSection() {}

    private static final int FUNCTION_NAMES = 1;

    /** Fills {@code names[i]} with the name of function {@code i} where the section gives one. */
    static void functionNames(CustomSection section, String[] names) {
        byte[] contents = section.contents();
        ByteReader in = new ByteReader(contents);
        try {
            while (!in.atEnd()) {
                int id = in.u8();
                int size = in.len32();
                int end = in.pos + size;
                if (id == FUNCTION_NAMES) {
                    int n = in.len32();
                    for (int i = 0; i < n; i++) {
                        int index = in.u32();
                        String name = in.name();
                        if (index >= 0 && index < names.length) names[index] = name;
                    }
                }
                in.pos = end;
            }
        } catch (CompileError bad) {
            // Keep the names read so far: a broken name section is not an error in the module.
        }
    }
}
