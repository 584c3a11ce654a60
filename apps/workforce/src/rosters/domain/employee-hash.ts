import { createHmac } from 'node:crypto';

/**
 * The only form an employee id is kept in: HMAC-SHA256 under the deployment secret, over the enterprise
 * code and the id. Without the secret the id cannot be recovered by hashing guesses, and the same worker
 * id in two enterprises does not link them.
 */
export function employeeHash(secret: string, enterpriseCode: string, employeeId: string): string {
  return createHmac('sha256', secret).update(enterpriseCode).update('\u0000').update(employeeId).digest('hex');
}
