// Events, served as core/v1 and as events.k8s.io/v1 over one storage (kept in the core form), as the
// real API server does: an event written through one API is read through the other.
import type { KubeObject, ResourceDef } from '../registry.ts';
import { fieldPath } from '../selectors.ts';
import type { FieldError } from '../status.ts';
import { column, since } from '../table.ts';
import { required } from '../validation.ts';
import { asObj } from './podspec.ts';

function lastSeen(o: KubeObject, now: number): string {
  const series = asObj(o.series);
  if (series.lastObservedTime) return since(series.lastObservedTime, now);
  return since(o.lastTimestamp || o.firstTimestamp || o.eventTime, now);
}

function eventObject(o: KubeObject): string {
  const inv = asObj(o.involvedObject);
  const kind = String(inv.kind ?? '').toLowerCase();
  return inv.name ? `${kind}/${inv.name}` : kind;
}

function eventSource(o: KubeObject): string {
  const src = asObj(o.source);
  const component = String(src.component || o.reportingComponent || '');
  const host = String(src.host || o.reportingInstance || '');
  return host ? `${component}, ${host}` : component;
}

function eventCount(o: KubeObject): number {
  const series = asObj(o.series);
  if (series.count !== undefined) return Number(series.count);
  return Number(o.count || 1);
}

// The server always sends the wide cells; kubectl hides the priority-1 ones unless -o wide.
const eventTable = [
  column('Last Seen', lastSeen, 'When the event was last seen.'),
  column('Type', (o) => String(o.type ?? ''), 'Normal or Warning.'),
  column('Reason', (o) => String(o.reason ?? ''), 'Why the event happened, in one word.'),
  column('Object', eventObject, 'The object the event is about.'),
  column(
    'Subobject',
    (o) => String(asObj(o.involvedObject).fieldPath ?? ''),
    'The part of the object the event is about.',
    { wide: true },
  ),
  column('Source', eventSource, 'The component that reported the event.', { wide: true }),
  column('Message', (o) => String(o.message ?? '').trim(), 'What happened.'),
  column(
    'First Seen',
    (o, now) => since(o.firstTimestamp || o.eventTime, now),
    'When the event was first seen.',
    { wide: true },
  ),
  column('Count', eventCount, 'How often the event happened.', { type: 'integer', wide: true }),
  {
    ...column('Name', (o) => o.metadata?.name ?? '', 'The name of the event.', { wide: true }),
    format: 'name',
  },
];

const involvedSelectors = Object.fromEntries(
  ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [
    `involvedObject.${f}`,
    fieldPath(`involvedObject.${f}`),
  ]),
);

export const eventDef: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  fieldSelectors: {
    ...involvedSelectors,
    reason: fieldPath('reason'),
    reportingComponent: fieldPath('reportingComponent'),
    source: (o) => String(asObj(o.source).component ?? ''),
    type: fieldPath('type'),
  },
  table: eventTable,
  strategy: {
    validate: (o) => (o.involvedObject ? [] : [required('involvedObject')]),
  },
};

/** core/v1 (stored) → events.k8s.io/v1. */
export function toEventsV1(e: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  };
  out.eventTime = e.eventTime ?? null;
  set('series', e.series);
  set('reportingController', e.reportingComponent);
  set('reportingInstance', e.reportingInstance);
  set('action', e.action);
  set('reason', e.reason);
  set('regarding', e.involvedObject);
  set('related', e.related);
  set('note', e.message);
  set('type', e.type);
  set('deprecatedSource', Object.keys(asObj(e.source)).length ? e.source : undefined);
  set('deprecatedFirstTimestamp', e.firstTimestamp);
  set('deprecatedLastTimestamp', e.lastTimestamp);
  set('deprecatedCount', e.count);
  return out;
}

/** events.k8s.io/v1 → core/v1 (stored). */
export function fromEventsV1(e: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: e.metadata };
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  };
  out.involvedObject = e.regarding ?? {};
  set('reason', e.reason);
  set('message', e.note);
  set('source', e.deprecatedSource);
  set('firstTimestamp', e.deprecatedFirstTimestamp);
  set('lastTimestamp', e.deprecatedLastTimestamp);
  set('count', e.deprecatedCount);
  set('type', e.type);
  out.eventTime = e.eventTime ?? null;
  set('series', e.series);
  set('action', e.action);
  set('related', e.related);
  set('reportingComponent', e.reportingController);
  set('reportingInstance', e.reportingInstance);
  return out;
}

const regardingSelectors = Object.fromEntries(
  ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [
    `regarding.${f}`,
    fieldPath(`regarding.${f}`),
  ]),
);

export const eventsV1Def: ResourceDef = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  storage: { resource: 'events', fromStored: toEventsV1, toStored: fromEventsV1 },
  fieldSelectors: {
    ...regardingSelectors,
    reason: fieldPath('reason'),
    reportingController: fieldPath('reportingController'),
    type: fieldPath('type'),
  },
  // Rows are printed from the core form, which the columns read.
  table: eventTable.map((c) => ({
    ...c,
    cell: (o: KubeObject, now: number) => c.cell(fromEventsV1(o), now),
  })),
  strategy: {
    validate: (o) => {
      const errs: FieldError[] = [];
      for (const f of ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason'])
        if (!o[f]) errs.push(required(f));
      return errs;
    },
  },
};
