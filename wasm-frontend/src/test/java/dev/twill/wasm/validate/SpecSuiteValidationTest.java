package dev.twill.wasm.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.twill.CompileError;
import dev.twill.wasm.binary.ModuleDecoder;
import dev.twill.wasm.binary.WasmModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder and validator against the spec suite's verdicts: (a) every module that a
 * {@code module}, {@code assert_unlinkable} or {@code assert_uninstantiable} command loads
 * decodes and validates; (b) every binary {@code assert_malformed} module is rejected by
 * decode-or-validate and every {@code assert_invalid} one by validation (the decoder accepts
 * it), always with a {@link CompileError}. Messages are compared loosely (ours contains the
 * spec's text) and the mismatches counted and printed, not failed: only the verdict is the
 * oracle here. The suite is 2.0's, so multi-memory and memory64 are off (its binary.wast calls
 * {@code memory.size 0x80 0x00} malformed, which 3.0 reads as memory 0, and its
 * binary-leb128.wast an overlong u32 memory limit, which 3.0 reads as a u64).
 */
class SpecSuiteValidationTest {
    @Test
    void suiteVerdicts() throws Exception {
        Path core = SpecSuite.core();
        assumeTrue(core != null, "spec suite not found (set -Dtwill.wasmTestsuite=<dir>)");
        List<SpecSuite.Command> cmds = SpecSuite.commands(core);
        assertTrue(cmds.size() > 3000, "too few commands found: " + cmds.size());

        int valid = 0, validOk = 0, malformed = 0, malformedOk = 0, invalid = 0, invalidOk = 0, msgMismatch = 0;
        List<String> failures = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (SpecSuite.Command c : cmds) {
            byte[] bytes = Files.readAllBytes(c.wasm());
            switch (c.type()) {
                case "module", "assert_unlinkable", "assert_uninstantiable" -> {
                    valid++;
                    try {
                        Validator.validate(ModuleDecoder.decode(bytes, false), false, false, false); // the 2.0 suite: 2.0 rules
                        validOk++;
                    } catch (CompileError e) {
                        failures.add("valid module rejected: " + c.where() + ": " + e.getMessage());
                    } catch (RuntimeException e) {
                        failures.add("crash on valid module " + c.where() + ": " + e);
                    }
                }
                case "assert_malformed", "assert_invalid" -> {
                    boolean isMalformed = c.type().equals("assert_malformed");
                    if (isMalformed) malformed++;
                    else invalid++;
                    WasmModule m;
                    try {
                        m = ModuleDecoder.decode(bytes, false);
                    } catch (CompileError e) {
                        if (isMalformed) {
                            malformedOk++;
                            if (!e.reason.contains(c.text())) {
                                msgMismatch++;
                                mismatches.add(c.where() + ": expected \"" + c.text() + "\", got \"" + e.reason + "\"");
                            }
                        } else {
                            failures.add("invalid module rejected by the decoder: " + c.where() + " (expected \""
                                + c.text() + "\"): " + e.getMessage());
                        }
                        continue;
                    } catch (RuntimeException e) {
                        failures.add("crash decoding " + c.where() + ": " + e);
                        continue;
                    }
                    try {
                        Validator.validate(m, false, false, false);
                        failures.add(c.type() + " module accepted: " + c.where() + " (expected \"" + c.text() + "\")");
                    } catch (CompileError e) {
                        if (isMalformed) malformedOk++;
                        else invalidOk++;
                        if (!e.reason.contains(c.text())) {
                            msgMismatch++;
                            mismatches.add(c.where() + ": expected \"" + c.text() + "\", got \"" + e.reason + "\"");
                        }
                    } catch (RuntimeException e) {
                        failures.add("crash validating " + c.where() + ": " + e);
                    }
                }
                default -> {}
            }
        }
        System.out.printf("spec suite wasm-2.0 (no SIMD): valid modules %d/%d, assert_malformed %d/%d, "
            + "assert_invalid %d/%d; message mismatches %d%n", validOk, valid, malformedOk, malformed, invalidOk,
            invalid, msgMismatch);
        mismatches.stream().limit(60).forEach(s -> System.out.println("  message: " + s));
        failures.stream().limit(60).forEach(s -> System.out.println("  FAIL: " + s));
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " failures");
    }
}
