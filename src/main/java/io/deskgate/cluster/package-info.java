/**
 * Several nodes, one region: cluster events over PostgreSQL LISTEN/NOTIFY (a desktop stopped through
 * one node closes its consoles on all), and the region-wide list of live console sessions.
 */
package io.deskgate.cluster;
