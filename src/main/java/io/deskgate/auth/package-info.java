/**
 * IAM-compatible authentication and authorization: Keystone-shaped tokens, {@code SDK-HMAC-SHA256}
 * AK/SK signatures, password hashing, the built-in roles and the policy that checks IAM actions.
 * Entry points: {@link io.deskgate.auth.Authenticator} for Workspace calls, {@link io.deskgate.auth.IamRoutes}
 * for {@code /v3/auth/tokens}.
 */
package io.deskgate.auth;
