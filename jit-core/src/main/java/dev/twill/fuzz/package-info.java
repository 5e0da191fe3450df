/**
 * Seeded random IR programs for differential testing (interpreter vs legalized IR vs native
 * code). Every program is valid IR that terminates; a failure is reproduced from its seed.
 */
package dev.twill.fuzz;
