/**
 * Deskgate, a remote-console gateway for cloud desktops. {@link io.deskgate.Main} is the command line;
 * {@link io.deskgate.Deskgate} assembles one node from the feature packages: {@code api}, {@code auth},
 * {@code console}, {@code proxy}, {@code desktop}, {@code store}, {@code inventory}, {@code web},
 * {@code config}, {@code demo}.
 */
package io.deskgate;
