// `@monitorch/core/testing`: build scripted events and hand them to a lens the way the
// Inspector does — for the tests of lens packages and of users' own lenses.
export {
  deliver,
  gradientEvent,
  moduleInfo,
  outputEvent,
  tensorEvent,
  type EventStampOptions,
  type ModuleInfoOptions,
} from './scripted-events.js';
