/** The `RuntimeContext` rich functions get from `getRuntimeContext()`. */
import { FlinktsError } from '../../api/errors.js';
import type { RuntimeContext } from '../../api/functions.js';
import type { ParameterTool } from '../../api/parameter-tool.js';
import type { AnyStateDescriptor } from '../../api/state.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';

export interface TaskInfo {
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attemptNumber: number;
}

/** The context of one operator's function; keyed state needs a keyed operator. */
export function createRuntimeContext(
  info: TaskInfo,
  globalJobParameters: ParameterTool,
  operatorName: string,
  backend: KeyedStateBackend | undefined,
): RuntimeContext {
  const state = <S>(descriptor: AnyStateDescriptor): S => {
    if (backend === undefined) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `${operatorName}: keyed state ('${descriptor.name}') can only be used on a keyed stream, i.e. after keyBy(...)`,
      );
    }
    return backend.getState(descriptor) as S;
  };
  return {
    getTaskName: () => info.taskName,
    getTaskNameWithSubtasks: () => `${info.taskName} (${info.subtaskIndex + 1}/${info.parallelism})`,
    getIndexOfThisSubtask: () => info.subtaskIndex,
    getNumberOfParallelSubtasks: () => info.parallelism,
    getMaxNumberOfParallelSubtasks: () => info.maxParallelism,
    getAttemptNumber: () => info.attemptNumber,
    getGlobalJobParameters: () => globalJobParameters,
    getState: (d) => state(d),
    getListState: (d) => state(d),
    getMapState: (d) => state(d),
    getReducingState: (d) => state(d),
    getAggregatingState: (d) => state(d),
  };
}
