import type { Tenant } from './ims-test-client';

/** A REST call to a service (`base` URL) with `tenant`'s token: the status and the JSON body (undefined when empty). */
export async function restCall<T = any>(base: string, tenant: Tenant, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...tenant.auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
