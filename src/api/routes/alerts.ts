import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DELIVERY_STATES, listDeliveries } from '../../alerts/outbox.js';
import {
  addSubscription,
  CHANNELS,
  listSubscriptions,
  removeSubscription,
  SEVERITIES,
} from '../../alerts/subscriptions.js';
import { WATCH_KINDS } from '../../cases/types.js';
import { listAlerts, markAlertRead } from '../../cases/watch.js';
import type { Principal } from '../auth/types.js';
import { IdParams, Limit, NoContent, Nullable, Results, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/** Alerts: raised when a new finding names a watched subject (watchlists.ts). */

const tags = ['alerts'];

export const Alert = Type.Object({
  id: Type.String(),
  watchId: Type.String(),
  watchKind: StringEnum(WATCH_KINDS),
  watchRef: Type.String(),
  watchLabel: Nullable(Type.String()),
  findingId: Type.String(),
  findingKind: Type.String(),
  findingStart: Type.String({ description: 'ISO 8601; empty when the finding is no longer in the store' }),
  score: Type.Number(),
  explanation: Type.String(),
  raisedAt: Type.String({ format: 'date-time' }),
  readAt: Nullable(Type.String({ format: 'date-time' })),
});
export type Alert = Static<typeof Alert>;

export const AlertList = Results(Alert);
export type AlertList = Static<typeof AlertList>;

export const AlertsQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: 'only alerts not marked read' })),
    limit: Type.Optional(Limit({ maximum: 1000, default: 200 })),
  },
  { additionalProperties: false },
);
export type AlertsQuery = Static<typeof AlertsQuery>;

export const Subscription = Type.Object({
  id: Type.String(),
  userId: Nullable(Type.String()),
  channel: StringEnum(CHANNELS),
  target: Type.String({ description: 'webhook URL or e-mail address' }),
  watchIds: Nullable(Type.Array(Type.String(), { description: 'only these watches; null: all' })),
  kinds: Nullable(Type.Array(Type.String(), { description: 'only these finding kinds; null: all' })),
  minSeverity: StringEnum(SEVERITIES),
  createdAt: Type.String({ format: 'date-time' }),
  disabled: Type.Boolean(),
});
export type Subscription = Static<typeof Subscription>;
export const SubscriptionList = Results(Subscription);
export type SubscriptionList = Static<typeof SubscriptionList>;

export const NewSubscription = Type.Object(
  {
    channel: StringEnum(CHANNELS),
    target: Type.String({ minLength: 3, maxLength: 2048 }),
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 256, description: 'webhook signing secret (default: generated)' }),
    ),
    watchIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 })),
    kinds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
    minSeverity: Type.Optional(StringEnum(SEVERITIES)),
  },
  { additionalProperties: false },
);
export type NewSubscription = Static<typeof NewSubscription>;

export const CreatedSubscription = Type.Object({
  subscription: Subscription,
  secret: Nullable(Type.String({ description: 'the webhook signing secret, shown this once' })),
});
export type CreatedSubscription = Static<typeof CreatedSubscription>;

export const Delivery = Type.Object({
  id: Type.String(),
  alertId: Type.String(),
  subscriptionId: Type.String(),
  channel: StringEnum(CHANNELS),
  state: StringEnum(DELIVERY_STATES),
  attempts: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  lastError: Nullable(Type.String()),
});
export type Delivery = Static<typeof Delivery>;
export const DeliveryList = Results(Delivery);
export type DeliveryList = Static<typeof DeliveryList>;

export const DeliveriesQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(DELIVERY_STATES)),
    limit: Type.Optional(Limit({ maximum: 1000, default: 200 })),
  },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

/** Whose subscriptions a caller sees: their own; admins and local mode see all (undefined). */
function ownerScope(p: Principal | null | undefined): string | null | undefined {
  if (!p || p.via === 'local' || p.role === 'admin') return undefined;
  return p.userId;
}

export default async function alertRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Querystring: AlertsQuery; Reply: AlertList }>(
    '/alerts',
    {
      schema: {
        operationId: 'listAlerts',
        summary: 'Alerts raised by new findings on watched subjects, newest first',
        tags,
        querystring: AlertsQuery,
        response: { 200: AlertList },
      },
    },
    async (req) => ({ results: await listAlerts(store, req.query) }),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/alerts/:id/read',
    {
      schema: {
        operationId: 'markAlertRead',
        summary: 'Mark an alert read',
        tags,
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await markAlertRead(store, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Reply: SubscriptionList }>(
    '/alerts/subscriptions',
    {
      schema: {
        operationId: 'listAlertSubscriptions',
        summary: "Your alert subscriptions (admins: everyone's)",
        tags,
        response: { 200: SubscriptionList },
      },
    },
    async (req) => ({ results: await listSubscriptions(store.db, ownerScope(req.principal)) }),
  );

  app.post<{ Body: NewSubscription; Reply: CreatedSubscription }>(
    '/alerts/subscriptions',
    {
      schema: {
        operationId: 'createAlertSubscription',
        summary: 'Send alerts to a webhook (signed) or an e-mail address, filtered by watch, kind and severity',
        description:
          'A webhook URL whose host is, or resolves to, a loopback, private, link-local (cloud metadata) or reserved ' +
          'address is refused with 400 `refused_target` unless WATCHKEEPER_WEBHOOK_ALLOW lists it; deliveries ' +
          'check again on the address they connect to.',
        tags,
        body: NewSubscription,
        response: { 201: CreatedSubscription },
      },
    },
    async (req, reply) => {
      const created = await addSubscription(store.db, { ...req.body, userId: req.principal?.userId ?? null });
      return reply.status(201).send(created);
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/alerts/subscriptions/:id',
    {
      schema: {
        operationId: 'deleteAlertSubscription',
        summary: 'Delete a subscription (its pending deliveries are dropped)',
        tags,
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await removeSubscription(store.db, req.params.id, ownerScope(req.principal));
      return reply.status(204).send();
    },
  );

  app.get<{ Querystring: DeliveriesQuery; Reply: DeliveryList }>(
    '/alerts/deliveries',
    {
      schema: {
        operationId: 'listAlertDeliveries',
        summary: 'Alert deliveries of your subscriptions (the outbox), newest first',
        tags,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryList },
      },
    },
    async (req) => ({
      results: await listDeliveries(store.db, { ...req.query, userId: ownerScope(req.principal) }),
    }),
  );
}
