/** The operator's web page ({@code /admin/}), served from the jar; all it does goes through the API. */
package io.deskgate.admin;
