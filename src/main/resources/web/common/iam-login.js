// The IAM password login of Deskgate's pages (POST /v3/auth/tokens, scoped to a project), from a form
// with the fields domain, user, password and project. Answers the token, or null when it is refused.
export async function logIn(form) {
  const body = { auth: { identity: { methods: ['password'], password: { user: {
    name: form.get('user'), password: form.get('password'), domain: { name: form.get('domain') } } } },
    scope: { project: { id: form.get('project') } } } };
  const resp = await fetch('/v3/auth/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body), cache: 'no-store' });
  return resp.status === 201 ? resp.headers.get('X-Subject-Token') : null;
}
