/** A real local desktop (TigerVNC Xvnc) for {@code ./deskgate --demo} and for the tests. */
package io.deskgate.demo;
