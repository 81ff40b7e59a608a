import { existsSync } from 'node:fs';
import koffi, { type LibraryHandle } from 'koffi';
import type { ChatArchiveSdk, SdkAnswer } from '../app/ports';

/** Why the archive role cannot start: one line an operator acts on (ARCHIVE_SDK_MISSING, ARCHIVE_INIT_FAILED, ARCHIVE_KEYS_INVALID). */
export class ArchiveSetupError extends Error {
  constructor(
    readonly code: 'ARCHIVE_SDK_MISSING' | 'ARCHIVE_INIT_FAILED' | 'ARCHIVE_KEYS_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveSetupError';
  }
}

/** The functions of WeWorkFinanceSdk_C.h the puller calls, as koffi binds them (pointers are opaque bigints). */
interface Bindings {
  NewSdk: () => bigint;
  Init: (sdk: bigint, corpId: string, secret: string) => number;
  GetChatData: (sdk: bigint, seq: number, limit: number, proxy: null, passwd: null, timeout: number, slice: bigint) => number;
  /** GetChatData on koffi's worker thread. */
  getChatDataAsync: (
    sdk: bigint,
    seq: number,
    limit: number,
    proxy: null,
    passwd: null,
    timeout: number,
    slice: bigint,
    done: (err: unknown, ret: number) => void,
  ) => void;
  DecryptData: (key: string, message: string, slice: bigint) => number;
  DestroySdk: (sdk: bigint) => void;
  NewSlice: () => bigint;
  FreeSlice: (slice: bigint) => void;
  GetContentFromSlice: (slice: bigint) => bigint;
  GetSliceLen: (slice: bigint) => number;
}

const loaded = new Map<string, Bindings>();

/** The SDK's functions, declared once per library path (koffi.load of the same file twice is the same library). */
function bind(path: string): Bindings {
  const known = loaded.get(path);
  if (known) return known;
  let lib: LibraryHandle;
  try {
    lib = koffi.load(path);
  } catch (err) {
    throw new ArchiveSetupError('ARCHIVE_SDK_MISSING', `cannot load the archive SDK at ${path}: ${(err as Error).message}`);
  }
  try {
    const getChatData = lib.func(
      'int GetChatData(void *sdk, uint64_t seq, uint32_t limit, const char *proxy, const char *passwd, int timeout, void *chatDatas)',
    );
    const b: Bindings = {
      NewSdk: lib.func('void *NewSdk()'),
      Init: lib.func('int Init(void *sdk, const char *corpid, const char *secret)'),
      GetChatData: getChatData,
      getChatDataAsync: getChatData.async,
      // No sdk parameter in C (the Java binding's extra one gives 10008).
      DecryptData: lib.func('int DecryptData(const char *encrypt_key, const char *encrypt_msg, void *msg)'),
      DestroySdk: lib.func('void DestroySdk(void *sdk)'),
      NewSlice: lib.func('void *NewSlice()'),
      FreeSlice: lib.func('void FreeSlice(void *slice)'),
      GetContentFromSlice: lib.func('void *GetContentFromSlice(void *slice)'),
      GetSliceLen: lib.func('int GetSliceLen(void *slice)'),
    };
    loaded.set(path, b);
    return b;
  } catch (err) {
    throw new ArchiveSetupError('ARCHIVE_SDK_MISSING', `${path} is not WeCom's archive SDK (libWeWorkFinanceSdk_C.so): ${(err as Error).message}`);
  }
}

/** A slice's bytes as UTF-8 text, copied out before the slice is freed. */
function sliceText(b: Bindings, slice: bigint): string {
  const len = b.GetSliceLen(slice);
  if (len <= 0) return '';
  return Buffer.from(koffi.view(b.GetContentFromSlice(slice), len)).toString('utf8');
}

/**
 * WeCom's chat-archive SDK through koffi (ChatArchiveSdk): one instance, initialised with the corp id and the
 * archive Secret. GetChatData runs on koffi's worker thread (the event loop never waits on WeCom) and the calls on
 * the instance are serialised, as Tencent's sample asks of a shared instance. Every slice is freed.
 */
export class FinanceSdk implements ChatArchiveSdk {
  private readonly b: Bindings;
  private sdk: bigint;
  /** The tail of the serialised calls. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, corpId: string, secret: string) {
    if (!existsSync(path))
      throw new ArchiveSetupError(
        'ARCHIVE_SDK_MISSING',
        `WECOM_ARCHIVE_SDK_PATH: no file at ${path} (put Tencent's libWeWorkFinanceSdk_C.so there; see README, 会话内容存档)`,
      );
    this.b = bind(path);
    this.sdk = this.b.NewSdk();
    const ret = this.b.Init(this.sdk, corpId, secret);
    if (ret !== 0) {
      this.b.DestroySdk(this.sdk);
      this.sdk = 0n;
      throw new ArchiveSetupError('ARCHIVE_INIT_FAILED', `the archive SDK's Init answered ${ret} (corp id and WECOM_ARCHIVE_SECRET, the 会话内容存档 Secret)`);
    }
  }

  getChatData(seq: number, limit: number, timeoutSeconds: number): Promise<SdkAnswer> {
    const run = async (): Promise<SdkAnswer> => {
      if (this.sdk === 0n) return { ret: 10000 };
      const slice = this.b.NewSlice();
      try {
        const ret = await new Promise<number>((resolve, reject) =>
          this.b.getChatDataAsync(this.sdk, seq, limit, null, null, timeoutSeconds, slice, (err, res) => (err ? reject(err as Error) : resolve(res))),
        );
        return ret === 0 ? { ret: 0, text: sliceText(this.b, slice) } : { ret };
      } finally {
        this.b.FreeSlice(slice);
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** DecryptData is CPU only (no network, no instance): called directly. */
  decryptData(randomKey: string, encryptedMessage: string): SdkAnswer {
    const slice = this.b.NewSlice();
    try {
      const ret = this.b.DecryptData(randomKey, encryptedMessage, slice);
      return ret === 0 ? { ret: 0, text: sliceText(this.b, slice) } : { ret };
    } finally {
      this.b.FreeSlice(slice);
    }
  }

  /** Destroys the instance once the call in flight, if any, has answered. */
  close(): void {
    void this.queue.then(() => {
      if (this.sdk !== 0n) this.b.DestroySdk(this.sdk);
      this.sdk = 0n;
    });
  }
}
