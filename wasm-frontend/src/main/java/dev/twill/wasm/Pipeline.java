package dev.twill.wasm;

import dev.twill.machinst.CompiledCode;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.WasmModule;
import dev.twill.wasm.translate.ModuleCompiler;
import dev.twill.wasm.validate.Validator;

/** The front half of {@link Module#compile}: decode, validate, translate and compile every defined function. */
final class Pipeline {
    private Pipeline() {}

    static WasmModule decode(byte[] bytes, Engine engine) {
        return ModuleDecoder.decode(bytes, engine.config().memory64(), engine.config().tags());
    }

    static void validate(WasmModule m, Engine engine) {
        Validator.validate(m, engine.config().multiMemory(), engine.config().memory64(), engine.config().extendedConst(),
                engine.config().tailCall());
    }

    static CompiledCode[] compile(WasmModule m, Engine engine) {
        return ModuleCompiler.compile(m, engine.isa(), engine.settings(), engine.config().threads(), false, engine.guardPages());
    }
}
