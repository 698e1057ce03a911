/** HTTP plumbing shared by every route: request ids, the access log, and the metrics registry. */
package io.deskgate.web;
