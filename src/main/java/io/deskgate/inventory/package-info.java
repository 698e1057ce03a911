/**
 * What the store holds before any API call: the config file's inventory, applied at every start,
 * and the generated admin of a first start without one.
 */
package io.deskgate.inventory;
