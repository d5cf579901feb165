/**
 * The EGWTTP handler of egw-ble: answers the BLE service's own routes (/ble/status, /ble/challenge,
 * /ble/session), applies the allow-list, the PIN session and the provisioning window, and forwards
 * everything else to the gateway's web API.
 */
import type { EgwttpHandler } from '../egwttp/egwttp-connection.ts';
import { errorResponse, type EgwttpRequest, type EgwttpResponse } from '../egwttp/egwttp-message.ts';
import type { ApiForwarder } from './api-forwarder.ts';
import type { PinSessions } from './pin-session.ts';
import type { ProvisioningWindow } from './provisioning-window.ts';
import { routeAccess } from './route-policy.ts';

export interface ProvisioningHandlerOptions {
  forwarder: Pick<ApiForwarder, 'forward'>;
  sessions: PinSessions;
  window: ProvisioningWindow;
  /** Bluetooth adapter state for /ble/status ("poweredOn", "unsupported", "disabled", …). */
  bleState: () => string;
  /** Advertising state ({state: 'failed', error} when the controller refused it). */
  advertising?: () => unknown;
  /** Minutes a button press or `egw-ble open-window` opens the window, for the 403 message. */
  openWindowMinutes: number;
}

function json(status: number, request: EgwttpRequest, value: unknown): EgwttpResponse {
  const body = new TextEncoder().encode(JSON.stringify(value));
  return { status, method: request.method, path: request.path, body };
}

function parseBody(request: EgwttpRequest): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(request.body).toString('utf8') || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Builds the handler the EGWTTP connections run. */
export function createProvisioningHandler(options: ProvisioningHandlerOptions): EgwttpHandler {
  const { sessions, window } = options;
  return async (request, connectionId) => {
    const where = { method: request.method, path: request.path };
    if (request.path.startsWith('/ble/')) {
      if (request.method === 'GET' && request.path === '/ble/status') {
        return json(200, request, {
          ble: options.bleState(),
          advertising: options.advertising?.(),
          window: window.state(),
          authenticated: sessions.isAuthenticated(connectionId),
        });
      }
      if (request.method === 'GET' && request.path === '/ble/challenge') {
        const nonce = sessions.challenge(connectionId);
        return json(200, request, {
          alg: 'HMAC-SHA256',
          nonce,
          message: 'egw-pin-v1:client:<nonce>:<clientNonce>',
        });
      }
      if (request.method === 'POST' && request.path === '/ble/session') {
        const body = parseBody(request);
        const result = await sessions.prove(connectionId, body.clientNonce, body.proof);
        if (result.ok) return json(200, request, { authenticated: true, serverProof: result.serverProof });
        return errorResponse(
          result.status,
          result.status === 429 ? 'locked_out' : 'pin_rejected',
          result.message,
          where,
        );
      }
      return errorResponse(
        404,
        'not_found',
        `${request.method} ${request.path} is not a BLE service route`,
        where,
      );
    }
    const access = routeAccess(request.method, request.path);
    if (!access) {
      return errorResponse(
        404,
        'not_reachable_over_ble',
        `${request.method} ${request.path} is not reachable over BLE`,
        where,
      );
    }
    if (access !== 'identity' && !sessions.isAuthenticated(connectionId)) {
      const msg =
        'prove the gateway PIN first: GET /ble/challenge, then POST /ble/session {clientNonce, proof}';
      return errorResponse(401, 'pin_required', msg, where);
    }
    if (access === 'mutate' && !window.isOpen()) {
      const msg =
        `provisioning window closed: press the gateway's button, run "egw-ble open-window" on the gateway, ` +
        `or restart it; it then stays open ${options.openWindowMinutes} minutes`;
      return errorResponse(403, 'window_closed', msg, where);
    }
    return options.forwarder.forward(request);
  };
}
