/**
 * @aa/train-loop/node — the Node-only parts: checkpoints in directories and a `file://` model handler. Importing it
 * registers both, so `trainNetwork`'s `checkpointDir` option, `model.save('file:///path/dir')` and
 * `tf.loadLayersModel('file:///path/dir/model.json')` work in Node without tfjs-node.
 */
import { registerCheckpointDirStore } from '@aa/train-loop';
import { fileCheckpointStore } from './node/fileCheckpointStore';
import { registerFileRouters } from './node/fileIOHandler';

export { fileCheckpointStore, loadCheckpoint, restoreModel } from './node/fileCheckpointStore';
export { fileIOHandler } from './node/fileIOHandler';

registerCheckpointDirStore(fileCheckpointStore);
registerFileRouters();
