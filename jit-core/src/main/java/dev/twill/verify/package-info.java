/**
 * The IR verifier: {@link dev.twill.verify.Verifier} checks that a function is well formed
 * (entity references, extended-basic-block shape, SSA dominance, operand and result types) and
 * reports every problem as a {@link dev.twill.verify.VerifierError} that names the instruction,
 * block or declaration it is about. Tests run it after every pass.
 */
package dev.twill.verify;
