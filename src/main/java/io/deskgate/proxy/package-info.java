/**
 * The WebSocket-to-VNC proxy, websockify's job: the upgrade with its Origin and token checks
 * ({@link io.deskgate.proxy.ConsoleProxy}), the pluggable token lookup ({@link io.deskgate.proxy.TokenLookup}),
 * the byte relay with back-pressure ({@code Relay}), and the live sessions ({@link io.deskgate.proxy.Sessions}).
 * The proxy is byte-transparent: the RFB conversation is between the browser and the VNC server.
 */
package io.deskgate.proxy;
