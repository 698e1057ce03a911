/**
 * The relational store (H2 file by default, PostgreSQL for production and several nodes): pool,
 * schema migrations, the blocking-work bridge to Vert.x, and encryption of secrets at rest.
 */
package io.deskgate.store;
