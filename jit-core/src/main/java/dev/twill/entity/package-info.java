/**
 * Entity plumbing shared by every stage: dense int indices, pooled int lists ({@link
 * dev.twill.entity.ListPool}), growable int vectors and bit sets. Nothing here knows the IR.
 */
package dev.twill.entity;
