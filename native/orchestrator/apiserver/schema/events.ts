// events.k8s.io/v1: Event (the same events as core/v1, in their newer form).
import { f, kind, type SchemaPackage } from './dsl.ts';

export const eventsPackage: SchemaPackage = {
  name: 'io.k8s.api.events.v1',
  types: {
    Event: kind('events.k8s.io', 'v1', 'Event', 'A report of something that happened to an object.', {
      eventTime: f('MicroTime', 'When it first happened.', { required: true }),
      series: f('EventSeries', 'Repetitions of the event.'),
      reportingController: f('string', 'The controller that reported it.'),
      reportingInstance: f('string', 'The instance of that controller.'),
      action: f('string', 'What was done.'),
      reason: f('string', 'Why, in one CamelCase word.'),
      regarding: f('ObjectReference', 'The object it is about.'),
      related: f('ObjectReference', 'A second object involved.'),
      note: f('string', 'What happened, for humans.'),
      type: f('string', 'Normal or Warning.'),
      deprecatedSource: f('object', 'The source, as core/v1 events have it.'),
      deprecatedFirstTimestamp: f('Time', 'First seen, as core/v1 events have it.'),
      deprecatedLastTimestamp: f('Time', 'Last seen, as core/v1 events have it.'),
      deprecatedCount: f('int32', 'Count, as core/v1 events have it.'),
    }),
    EventSeries: {
      desc: 'Repetitions of an event.',
      fields: {
        count: f('int32', 'How often so far.', { required: true }),
        lastObservedTime: f('MicroTime', 'When last seen.', { required: true }),
      },
    },
  },
};
