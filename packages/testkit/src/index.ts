export { startStack, stopStack } from './stack';
export type { RunningStack } from './stack';
export { chooseStackSource } from './choose-source';
export type { StackSource, SourceChoice } from './choose-source';
export { dockerEngineAnswers } from './docker';
export { uniqueName } from './names';
export { scratchDir, removeScratchDirs } from './scratch-dir';
export { createTopics, testKafka, waitForEvent } from './kafka-helpers';
export type { ReceivedMessage } from './kafka-helpers';
