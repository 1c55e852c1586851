import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { UserError } from '../errors.js';

/**
 * A tool answer: the JSON as text (what every MCP client shows a model) and as `structuredContent` (what a program
 * reads). Bigints become decimal strings, as on the wire everywhere else.
 */
export function jsonResult(value: unknown): CallToolResult {
  const json = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
  const structured = JSON.parse(json) as unknown;
  return {
    content: [{ type: 'text', text: json }],
    ...(structured && typeof structured === 'object' && !Array.isArray(structured)
      ? { structuredContent: structured as Record<string, unknown> }
      : {}),
  };
}

/**
 * Run a tool body; an error the user can act on (bad id, unknown entity) is a tool error the model can read
 * (`isError`), not a protocol failure.
 */
export async function answer(fn: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return jsonResult(await fn());
  } catch (e) {
    if (e instanceof UserError) return { isError: true, content: [{ type: 'text', text: e.message }] };
    throw e;
  }
}
