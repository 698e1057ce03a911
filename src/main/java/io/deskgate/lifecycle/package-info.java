/**
 * Desktop lifecycle: the Workspace create/delete/action/job calls, the jobs that carry them out through
 * the providers, and the watcher that keeps desktops' recorded state true to the machines.
 */
package io.deskgate.lifecycle;
