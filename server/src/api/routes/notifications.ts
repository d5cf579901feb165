/**
 * Operations: GET /api/state (the gateway's state and why), GET /api/notifications (active and
 * recently cleared), POST /api/notifications/:id/ack (token).
 */
import { NotFoundError } from '../../core/errors.ts';
import { defineRoute, type AnyRoute } from '../route-spec.ts';
import type { RouteDeps } from '../route-deps.ts';
import {
  GatewayStateSchema,
  NotificationListSchema,
  NotificationSchema,
} from '../responses/operations-responses.ts';
import { NotificationParamsSchema } from '../schemas.ts';

/** The notifications route group. */
export function notificationRoutes({ services }: RouteDeps): AnyRoute[] {
  const center = services.notifications;
  return [
    defineRoute({
      method: 'GET',
      path: '/api/state',
      operationId: 'getState',
      summary: 'starting | unprovisioned | running | degraded | stopping, with the reasons',
      tag: 'operations',
      response: GatewayStateSchema,
      handler: () => services.state(),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/notifications',
      operationId: 'listNotifications',
      summary: 'active notifications (newest first) and the recently cleared ones',
      tag: 'operations',
      response: NotificationListSchema,
      handler: () => center.list(),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/notifications/:id/ack',
      operationId: 'ackNotification',
      summary: 'acknowledge a notification (it stays active until its cause is gone)',
      tag: 'operations',
      params: NotificationParamsSchema,
      response: NotificationSchema,
      errors: { 404: 'no such notification (ids are per run of the gateway)' },
      handler: (_ctx, { params }) => {
        const id = params.id as string;
        const notification = center.ack(id);
        if (!notification) {
          throw new NotFoundError(`notification "${id}": no such notification`, { field: 'id' });
        }
        return notification;
      },
    }),
  ];
}
