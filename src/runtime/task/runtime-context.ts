/** The `RuntimeContext` rich functions get from `getRuntimeContext()`. */
import type { RuntimeContext } from '../../api/functions.js';
import type { ParameterTool } from '../../api/parameter-tool.js';

export interface TaskInfo {
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attemptNumber: number;
}

export function createRuntimeContext(info: TaskInfo, globalJobParameters: ParameterTool): RuntimeContext {
  return {
    getTaskName: () => info.taskName,
    getTaskNameWithSubtasks: () => `${info.taskName} (${info.subtaskIndex + 1}/${info.parallelism})`,
    getIndexOfThisSubtask: () => info.subtaskIndex,
    getNumberOfParallelSubtasks: () => info.parallelism,
    getMaxNumberOfParallelSubtasks: () => info.maxParallelism,
    getAttemptNumber: () => info.attemptNumber,
    getGlobalJobParameters: () => globalJobParameters,
  };
}
