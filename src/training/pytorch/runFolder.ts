// The run folder of a PyTorch run, laid out as a TF.js run's (config.json, metrics.jsonl,
// checkpoints/, model/) plus pytorch/ with a copy of what Python ran: model.py, runner.py, plan.json
// (Python runs its own copies, from a folder the engine makes, never these).
// The format is ../runFolder.ts's; this adds what only PyTorch runs need: the resumed request and
// the checkpoint the runner will load, checked on the TypeScript side before Python starts.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, readSync, statSync } from 'node:fs';
import type { StartedMessage } from '../../protocol/training';
import { checkpointPath, DamagedCheckpointError, loadNewestCheckpoint, readMetricsHead, readRunConfig } from '../runFolder/runFolder';
import { openRegularFile } from '../../node/regularFile';
import { PyTorchEngineError } from './engineError';
import type { PyTorchRequest, PyTorchStart } from './request';

/**
 * A stopped run's request, with the overrides the resume gives. A run folder is data, possibly
 * from someone else: the Python to run, the processes per machine, the machines and the rendezvous
 * address (a host torchrun would connect to) are never taken from its config.json, only from the
 * resume (--python, --nproc-per-node, --nnodes, --rdzv-endpoint, the editor's settings), else the
 * defaults: one process on this machine.
 */
export function resumedRequest(start: Extract<PyTorchStart, { kind: 'resume' }>): PyTorchRequest {
  const { python: _python, nprocPerNode: _nprocPerNode, nnodes: _nnodes, rdzvEndpoint: _rdzvEndpoint, ...saved } = readRunConfig(start.runDir) as PyTorchRequest;
  const { kind: _kind, runDir: _runDir, ...overrides } = start;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...saved, ...defined, engine: 'pytorch' };
}

export interface LatestCheckpoint {
  readonly path: string;
  readonly step: number;
  /** Damaged checkpoints passed over (latest.json now names this one), each naming its file. */
  readonly warnings: readonly string[];
}

/** A PyTorch checkpoint's file name: tensors and JSON in the safetensors layout (see runner.py), never a pickle. */
const SAFETENSORS_NAME = /^step-([0-9]{8})\.safetensors$/;
/** runner.py's CHECKPOINT_FORMAT and MAX_HEADER_BYTES. */
const CHECKPOINT_FORMAT = 'resnet-studio-pytorch-2';
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/**
 * The newest whole PyTorch checkpoint of the run, if it has one; latest.json points at it when
 * this returns. A damaged one (truncated, altered, not our format) is passed over for the one
 * before it, with a warning; a pickle or a TF.js checkpoint stops the resume with a message.
 */
export function latestCheckpoint(runDir: string): LatestCheckpoint | undefined {
  const chosen = loadNewestCheckpoint(
    runDir,
    (name) => {
      const path = checkpointPath(runDir, name);
      if (name.endsWith('.pt')) {
        throw new PyTorchEngineError(
          `${path} is a pickled checkpoint (an older ResNet Studio wrote those, or someone placed it there): pickles can run code when loaded, so it is not loaded; start a new run`,
        );
      }
      if (existsSync(path) && statSync(path).isDirectory()) {
        throw new PyTorchEngineError(`${runDir} holds a TF.js checkpoint, not a PyTorch one; resume it with the TF.js engine (leave out --engine pytorch)`);
      }
      const match = SAFETENSORS_NAME.exec(name);
      if (!match) throw new DamagedCheckpointError(`${path} is not a PyTorch checkpoint of ResNet Studio (step-NNNNNNNN.safetensors)`);
      verifySafetensorsCheckpoint(path);
      return { path, step: Number(match[1]) };
    },
    (name, loaded) => ({ checkpoint: name, step: loaded.step }),
  );
  return chosen && { ...chosen.loaded, warnings: chosen.warnings };
}

/**
 * Checks a checkpoint as runner.py will read it, without loading tensors: the header fits, it is
 * our format, and the tensor bytes match the SHA-256 its header holds. A pickle is refused outright.
 */
export function verifySafetensorsCheckpoint(path: string): void {
  if (!existsSync(path)) throw new DamagedCheckpointError(`${path} is missing`);
  // A named pipe or a device placed as a checkpoint is refused, never waited on.
  let opened: { fd: number; size: number };
  try {
    opened = openRegularFile(path);
  } catch (error) {
    throw new DamagedCheckpointError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { fd, size } = opened;
  try {
    const head = Buffer.alloc(8);
    const got = readSync(fd, head, 0, 8, 0);
    if (got >= 2 && head.readUInt8(0) === 0x80 && head.readUInt8(1) >= 2 && head.readUInt8(1) <= 5) {
      throw new PyTorchEngineError(`${path} is a pickle (torch.save), which can run code when loaded; it was not loaded. Start a new run`);
    }
    if (got < 8) throw new DamagedCheckpointError(`${path} is damaged (shorter than a header)`);
    const headerBytes = Number(head.readBigUInt64LE(0));
    if (headerBytes > MAX_HEADER_BYTES || 8 + headerBytes > size) throw new DamagedCheckpointError(`${path} is truncated or not a ResNet Studio checkpoint (its header does not fit in it)`);
    const headerBuffer = Buffer.alloc(headerBytes);
    readSync(fd, headerBuffer, 0, headerBytes, 8);
    let meta: { format?: unknown; sha256?: unknown };
    try {
      meta = (JSON.parse(headerBuffer.toString('utf8')) as { __metadata__?: typeof meta }).__metadata__ ?? {};
    } catch {
      throw new DamagedCheckpointError(`${path} is damaged (its header is not JSON)`);
    }
    if (meta.format !== CHECKPOINT_FORMAT) throw new DamagedCheckpointError(`${path} is not a ResNet Studio checkpoint (format ${JSON.stringify(meta.format)})`);
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(1 << 20);
    for (let at = 8 + headerBytes; at < size; ) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (n <= 0) break;
      hash.update(chunk.subarray(0, n));
      at += n;
    }
    if (hash.digest('hex') !== meta.sha256) throw new DamagedCheckpointError(`${path} is damaged (its tensor bytes do not match their checksum): it was changed or cut short`);
  } finally {
    closeSync(fd);
  }
}

/** The run's first `started` message: the batch and data its checkpoints' steps count. */
export function firstStarted(runDir: string): StartedMessage | undefined {
  // The first message of the file; a pipe or a device as metrics.jsonl reads as nothing, never waited on.
  return readMetricsHead(runDir, 64 * 1024).messages.find((m): m is StartedMessage => m.type === 'started');
}
