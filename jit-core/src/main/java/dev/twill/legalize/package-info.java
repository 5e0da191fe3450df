/**
 * Legalization: rewriting a function in place from the sandbox level ({@code heap_load},
 * {@code heap_store}, {@code global_value}, {@code table_addr}) and the memory-level {@code
 * heap_addr} down to plain loads, stores, arithmetic and explicit bounds checks, so that back
 * ends see only memory-level and shared instructions. See {@link dev.twill.legalize.Legalizer}.
 */
package dev.twill.legalize;
