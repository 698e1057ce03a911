/**
 * What every API answer shares: the contract's error format ({@link io.deskgate.api.ApiException},
 * one factory per row of the error table), the failure handler that renders it, JSON responses, and
 * per-caller throttling.
 */
package io.deskgate.api;
