/**
 * The WebAssembly spec test suite as Twill runs it: wast2json command lists ({@link
 * dev.twill.wasm.spectest.Json}, a strict reader) executed by {@link
 * dev.twill.wasm.spectest.SpecRunner} against the public API ({@code dev.twill.wasm}) with the
 * {@code spectest} host module ({@link dev.twill.wasm.spectest.SpectestHost}); values and NaN
 * classes in {@link dev.twill.wasm.spectest.WastValues}, trap messages in {@link
 * dev.twill.wasm.spectest.TrapPhrases}. {@link dev.twill.wasm.spectest.ForkedSpecRunner} runs
 * scripts in a child JVM so that a crash costs one script; {@link
 * dev.twill.wasm.spectest.SpecReport} turns results into failure categories and the README
 * table. The command line is {@code ./twill wasm spectest}; the JUnit suite is {@code
 * SpecSuiteTest}.
 */
package dev.twill.wasm.spectest;
