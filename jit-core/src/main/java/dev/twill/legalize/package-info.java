/**
 * Legalization: rewriting a function in place from the sandbox level ({@code heap_load},
 * {@code heap_store}, {@code global_value}, {@code table_addr}) and the memory-level {@code
 * heap_addr} down to plain loads, stores, arithmetic and explicit bounds checks, so that back
 * ends see only memory-level and shared instructions. See {@link dev.twill.legalize.Legalizer}.
 * Functions with {@code i128} values are first narrowed to pairs of {@code i64} ({@link
 * dev.twill.legalize.I128Narrowing}, which also defines Twill's i128 ABI: two i64, low first).
 */
package dev.twill.legalize;
