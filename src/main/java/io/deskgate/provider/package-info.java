/**
 * Where desktops come from: one {@link io.deskgate.provider.DesktopProvider} per kind of machine:
 * existing VNC endpoints ({@code static}), Linux desktops Deskgate runs with TigerVNC ({@code xvnc}),
 * and libvirt virtual machines ({@code libvirt}). The lifecycle package drives them.
 */
package io.deskgate.provider;
