// Query-string and path parameters of the HTTP API: a bad one is a 400 naming the parameter.

/** An error the API's error handler answers with 400 and this code and message. */
export const badRequest = (message: string): Error & { statusCode: number; code: string } => Object.assign(new Error(message), { statusCode: 400, code: 'bad_request' });

/** A decimal integer parameter from min to max; fallback when absent. */
export const intQuery = (value: unknown, name: string, min: number, max: number, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name}: an integer from ${min} to ${max}`);
  return n;
};
