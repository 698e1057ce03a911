/**
 * Several nodes, one region, PostgreSQL the only coordination point: cluster events over LISTEN/NOTIFY
 * (a desktop stopped through one node closes its consoles on all; a console ended through one node
 * closes on the node that holds it), the node list with heartbeats ({@code nodes}), the region's live
 * consoles ({@code console_sessions}) and their history ({@code console_history}), and chores one node
 * does at a time ({@code cluster_chores}).
 */
package io.deskgate.cluster;
