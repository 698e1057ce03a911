/**
 * Consoles: the remote-console API call, the one-time console tokens it hands out, and the console
 * page (noVNC) that a console URL opens. The WebSocket side is {@link io.deskgate.proxy}.
 */
package io.deskgate.console;
