/**
 * Running compiled code: executable code memory mapped through Panama (W^X), and later the JIT
 * module that links functions and hands out method handles.
 */
package dev.twill.runtime;
