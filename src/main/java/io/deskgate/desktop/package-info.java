/** The desktop registry: desktops of each project, their status, and where their consoles live. */
package io.deskgate.desktop;
