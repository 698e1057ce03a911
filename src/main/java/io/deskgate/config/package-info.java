/**
 * Configuration: one YAML file ({@code --config FILE} or {@code DESKGATE_CONFIG}) overlaid by
 * {@code DESKGATE_*} environment variables, with defaults that start a working single node.
 */
package io.deskgate.config;
