/**
 * The IR text format, a superset of Cranelift's CLIF for scalar code: {@link
 * dev.twill.ir.text.Printer} writes it, {@link dev.twill.ir.text.Parser} reads it back losslessly
 * (and reads CLIF written for Cranelift), {@link dev.twill.ir.text.TestFile} and {@link
 * dev.twill.ir.text.RunLine} model filetest files and their {@code ; run:} directives, {@link
 * dev.twill.ir.text.Literals} and {@link dev.twill.ir.text.FloatText} read and write immediates
 * bit-exactly.
 */
package dev.twill.ir.text;
