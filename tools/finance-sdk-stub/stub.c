// A stand-in for WeCom's chat-archive SDK (libWeWorkFinanceSdk_C.so) with its exact C interface
// (WeWorkFinanceSdk_C.h): the 17 functions and nothing else exported. It serves the records the sandbox writes
// (tools/sandbox/archive.ts) to the bot through the same calls, return codes and JSON as Tencent's library, so the
// bot's FFI, decryption and pulling are tested as they run against the real one. Not Tencent's code, and not its
// cipher: DecryptData opens what tools/sandbox/archive.ts sealed with the same random key, and nothing else.
//
// Everything lives in the directory WECOM_SDK_STUB_DIR names (read at Init):
//   records.jsonl  one chatdata item per line, line n carrying seq n:
//                  {"seq":n,"msgid":…,"publickey_ver":…,"encrypt_random_key":…,"encrypt_chat_msg":…}
//   mode           how the next GetChatData answers, read at every call (absent: normally). Words, in any order:
//                  `ret N` (return code N, nothing in the slice), `errcode N` (ret 0 with errcode N in the JSON),
//                  `no_chatdata` (ret 0, {"errcode":0,"errmsg":"ok"}), `slow MS` (answer after MS milliseconds; past
//                  the call's timeout it answers 10001, as a network timeout does)
//   secret         when present, the archive Secret Init must be given; another one is answered errcode 40001
//   media/<id>     the bytes GetMediaData serves for sdkfileid <id>, 512 KB per call
//   calls.log      one line per GetChatData, appended when it answers:
//                  pid start_us end_us seq limit ret records slices_live
//
// Build: tools/finance-sdk-stub/build.sh (gcc, no other library).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "WeWorkFinanceSdk_C.h"

#define API __attribute__((visibility("default")))
#define MEDIA_CHUNK (512 * 1024)

struct WeWorkFinanceSdk_t {
    char dir[1024];
    char corpid[128];
    char secret[256];
    int ready;
    // Byte offsets of the starts of records.jsonl's complete lines, read so far (line i: seq i + 1).
    long* starts;
    size_t lines, capacity;
    long indexed;  // bytes of records.jsonl indexed
    pthread_mutex_t lock;
};

static long slices_live = 0;
static pthread_mutex_t counters = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_us(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void path_of(const WeWorkFinanceSdk_t* sdk, const char* name, char* out, size_t size) {
    snprintf(out, size, "%s/%s", sdk->dir, name);
}

// The whole of a small file, NUL-terminated (NULL when absent); *len gets its size.
static char* read_file(const char* path, long* len) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* buf = malloc((size_t)n + 1);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = 0;
    if (len) *len = (long)got;
    return buf;
}

static void set_slice(Slice_t* s, const char* data, int len) {
    free(s->buf);
    s->buf = malloc((size_t)len + 1);
    memcpy(s->buf, data, (size_t)len);
    s->buf[len] = 0;
    s->len = len;
}

struct mode {
    int ret, errcode, no_chatdata, slow_ms;
};

static struct mode read_mode(const WeWorkFinanceSdk_t* sdk) {
    struct mode m = {0, 0, 0, 0};
    char path[1100];
    path_of(sdk, "mode", path, sizeof path);
    char* text = read_file(path, NULL);
    if (!text) return m;
    char* save = NULL;
    for (char* w = strtok_r(text, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        if (!strcmp(w, "no_chatdata")) m.no_chatdata = 1;
        else if (!strcmp(w, "ret") || !strcmp(w, "errcode") || !strcmp(w, "slow")) {
            char* v = strtok_r(NULL, " \t\r\n", &save);
            int n = v ? atoi(v) : 0;
            if (!strcmp(w, "ret")) m.ret = n;
            else if (!strcmp(w, "errcode")) m.errcode = n;
            else m.slow_ms = n;
        }
    }
    free(text);
    return m;
}

// Index the complete lines appended to records.jsonl since the last call.
static int refresh_index(WeWorkFinanceSdk_t* sdk) {
    char path[1100];
    path_of(sdk, "records.jsonl", path, sizeof path);
    FILE* f = fopen(path, "rb");
    if (!f) return 0;
    if (fseek(f, sdk->indexed, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    char buf[65536];
    long pos = sdk->indexed, line_start = sdk->indexed;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (buf[i] != '\n') continue;
            if (sdk->lines == sdk->capacity) {
                sdk->capacity = sdk->capacity ? sdk->capacity * 2 : 1024;
                sdk->starts = realloc(sdk->starts, sdk->capacity * sizeof(long));
            }
            sdk->starts[sdk->lines++] = line_start;
            line_start = pos + (long)i + 1;
        }
        pos += (long)n;
    }
    fclose(f);
    sdk->indexed = line_start;  // an unfinished last line is read again next time
    return 0;
}

static void log_call(const WeWorkFinanceSdk_t* sdk, int64_t start, unsigned long long seq, unsigned int limit, int ret, size_t records) {
    char path[1100], line[256];
    path_of(sdk, "calls.log", path, sizeof path);
    pthread_mutex_lock(&counters);
    long live = slices_live;
    pthread_mutex_unlock(&counters);
    int len = snprintf(line, sizeof line, "%d %lld %lld %llu %u %d %zu %ld\n", (int)getpid(), (long long)start, (long long)now_us(), seq, limit, ret,
                       records, live);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) return;
    ssize_t w = write(fd, line, (size_t)len);  // one write with O_APPEND: lines from several processes never interleave
    (void)w;
    close(fd);
}

API WeWorkFinanceSdk_t* NewSdk() {
    WeWorkFinanceSdk_t* sdk = calloc(1, sizeof *sdk);
    if (sdk) pthread_mutex_init(&sdk->lock, NULL);
    return sdk;
}

API int Init(WeWorkFinanceSdk_t* sdk, const char* corpid, const char* secret) {
    if (!sdk || !corpid || !*corpid || !secret || !*secret) return 10000;
    const char* dir = getenv("WECOM_SDK_STUB_DIR");
    if (!dir || !*dir || strlen(dir) >= sizeof sdk->dir) return 10000;
    snprintf(sdk->dir, sizeof sdk->dir, "%s", dir);
    snprintf(sdk->corpid, sizeof sdk->corpid, "%s", corpid);
    snprintf(sdk->secret, sizeof sdk->secret, "%s", secret);
    sdk->ready = 1;
    return 0;
}

API int GetChatData(WeWorkFinanceSdk_t* sdk, unsigned long long seq, unsigned int limit, const char* proxy, const char* passwd, int timeout,
                    Slice_t* chatDatas) {
    (void)proxy;
    (void)passwd;  // NULL and "" both mean no proxy
    if (!sdk || !sdk->ready || !chatDatas || limit < 1 || limit > 1000) return 10000;
    int64_t start = now_us();
    pthread_mutex_lock(&sdk->lock);
    struct mode m = read_mode(sdk);
    int ret = 0;
    size_t count = 0;
    if (m.slow_ms > 0) {
        long budget = timeout > 0 ? (long)timeout * 1000 : m.slow_ms;
        long wait = m.slow_ms < budget ? m.slow_ms : budget;
        struct timespec ts = {wait / 1000, (wait % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
        }
        if (m.slow_ms > budget) ret = 10001;
    }
    char path[1100];
    path_of(sdk, "secret", path, sizeof path);
    char* want = ret ? NULL : read_file(path, NULL);
    if (want) {
        want[strcspn(want, "\r\n")] = 0;
        if (strcmp(want, sdk->secret) != 0) m.errcode = 40001;
        free(want);
    }
    if (ret) {
    } else if (m.ret) {
        ret = m.ret;
    } else if (m.errcode) {
        char json[160];
        int n = snprintf(json, sizeof json, "{\"errcode\":%d,\"errmsg\":\"%s\",\"chatdata\":[]}", m.errcode,
                         m.errcode == 40001 ? "invalid credential" : "stub error");
        set_slice(chatDatas, json, n);
    } else if (m.no_chatdata) {
        set_slice(chatDatas, "{\"errcode\":0,\"errmsg\":\"ok\"}", 27);
    } else if (refresh_index(sdk) != 0) {
        ret = 10003;
    } else {
        size_t first = seq < sdk->lines ? (size_t)seq : sdk->lines;
        size_t last = first + limit < sdk->lines ? first + limit : sdk->lines;
        count = last - first;
        long from = count ? sdk->starts[first] : 0;
        long to = count ? (last < sdk->lines ? sdk->starts[last] : sdk->indexed) : 0;
        const char* head = "{\"errcode\":0,\"errmsg\":\"ok\",\"chatdata\":[";
        size_t cap = strlen(head) + (size_t)(to - from) + 4;
        char* json = malloc(cap);
        size_t len = strlen(head);
        memcpy(json, head, len);
        if (count) {
            path_of(sdk, "records.jsonl", path, sizeof path);
            FILE* f = fopen(path, "rb");
            size_t got = 0;
            if (f && fseek(f, from, SEEK_SET) == 0) got = fread(json + len, 1, (size_t)(to - from), f);
            if (f) fclose(f);
            if (got != (size_t)(to - from)) ret = 10003;
            // Lines become array items: each newline but the last turns into a comma.
            for (size_t i = 0; i < got; i++)
                if (json[len + i] == '\n') json[len + i] = i + 1 == got ? ' ' : ',';
            len += got;
        }
        memcpy(json + len, "]}", 2);
        len += 2;
        if (!ret) set_slice(chatDatas, json, (int)len);
        free(json);
    }
    pthread_mutex_unlock(&sdk->lock);
    log_call(sdk, start, seq, limit, ret, ret ? 0 : count);
    return ret;
}

// FNV-1a (32-bit) over the key seeds xorshift32: the stub's keystream (a test cipher, nothing more).
static uint32_t fnv1a(const unsigned char* p, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t xorshift(uint32_t* state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static int b64value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Standard base64 with padding; answers the decoded length, or -1.
static long b64decode(const char* in, unsigned char* out) {
    size_t n = strlen(in);
    if (n % 4) return -1;
    long o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)in[i + k];
            v[k] = c == '=' && i + 4 == n && k >= 2 ? 0 : b64value(c);
            if (v[k] < 0) return -1;
        }
        uint32_t w = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) | (uint32_t)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (in[i + 2] != '=') out[o++] = (unsigned char)(w >> 8);
        if (in[i + 3] != '=') out[o++] = (unsigned char)w;
    }
    return o;
}

// encrypt_chat_msg = base64(tag ‖ body): body = plaintext XOR keystream(key), tag = FNV-1a(key ‖ 0 ‖ plaintext),
// 4 bytes little-endian. Another key gives another plaintext, whose tag does not match: 10006.
API int DecryptData(const char* encrypt_key, const char* encrypt_msg, Slice_t* msg) {
    if (!encrypt_key || !*encrypt_key) return 10008;
    if (!encrypt_msg || !msg) return 10000;
    unsigned char* raw = malloc(strlen(encrypt_msg) / 4 * 3 + 4);
    long n = b64decode(encrypt_msg, raw);
    if (n < 4) {
        free(raw);
        return 10002;
    }
    size_t klen = strlen(encrypt_key);
    uint32_t keyhash = fnv1a((const unsigned char*)encrypt_key, klen, 2166136261u);
    uint32_t state = keyhash ? keyhash : 0x9E3779B9u;
    unsigned char* body = raw + 4;
    size_t blen = (size_t)n - 4;
    for (size_t i = 0; i < blen; i += 4) {
        uint32_t k = xorshift(&state);
        for (size_t j = 0; j < 4 && i + j < blen; j++) body[i + j] ^= (unsigned char)(k >> (8 * j));
    }
    uint32_t tag = (uint32_t)raw[0] | ((uint32_t)raw[1] << 8) | ((uint32_t)raw[2] << 16) | ((uint32_t)raw[3] << 24);
    unsigned char zero = 0;
    uint32_t want = fnv1a(body, blen, fnv1a(&zero, 1, keyhash));
    int ret = 0;
    if (want != tag) ret = 10006;
    else set_slice(msg, (const char*)body, (int)blen);
    free(raw);
    return ret;
}

API int GetMediaData(WeWorkFinanceSdk_t* sdk, const char* indexbuf, const char* sdkFileid, const char* proxy, const char* passwd, int timeout,
                     MediaData_t* media_data) {
    (void)proxy;
    (void)passwd;
    (void)timeout;
    if (!sdk || !sdk->ready || !sdkFileid || !*sdkFileid || !media_data) return 10000;
    for (const char* p = sdkFileid; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '=')) return 10005;
    char name[1100], path[2200];
    snprintf(name, sizeof name, "media/%s", sdkFileid);
    path_of(sdk, name, path, sizeof path);
    FILE* f = fopen(path, "rb");
    if (!f) return 10005;
    long offset = indexbuf && *indexbuf ? atol(indexbuf) : 0;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    if (offset < 0 || offset > size) {
        fclose(f);
        return 10000;
    }
    fseek(f, offset, SEEK_SET);
    long want = size - offset < MEDIA_CHUNK ? size - offset : MEDIA_CHUNK;
    free(media_data->data);
    media_data->data = malloc((size_t)want + 1);
    size_t got = fread(media_data->data, 1, (size_t)want, f);
    fclose(f);
    media_data->data_len = (int)got;
    char next[32];
    int nlen = snprintf(next, sizeof next, "%ld", offset + (long)got);
    free(media_data->outindexbuf);
    media_data->outindexbuf = strdup(next);
    media_data->out_len = nlen;
    media_data->is_finish = offset + (long)got >= size ? 1 : 0;
    return 0;
}

API void DestroySdk(WeWorkFinanceSdk_t* sdk) {
    if (!sdk) return;
    free(sdk->starts);
    pthread_mutex_destroy(&sdk->lock);
    free(sdk);
}

API Slice_t* NewSlice() {
    pthread_mutex_lock(&counters);
    slices_live++;
    pthread_mutex_unlock(&counters);
    return calloc(1, sizeof(Slice_t));
}

API void FreeSlice(Slice_t* slice) {
    if (!slice) return;
    pthread_mutex_lock(&counters);
    slices_live--;
    pthread_mutex_unlock(&counters);
    free(slice->buf);
    free(slice);
}

API char* GetContentFromSlice(Slice_t* slice) { return slice ? slice->buf : NULL; }
API int GetSliceLen(Slice_t* slice) { return slice ? slice->len : 0; }
API MediaData_t* NewMediaData() { return calloc(1, sizeof(MediaData_t)); }

API void FreeMediaData(MediaData_t* media_data) {
    if (!media_data) return;
    free(media_data->outindexbuf);
    free(media_data->data);
    free(media_data);
}

API char* GetOutIndexBuf(MediaData_t* media_data) { return media_data ? media_data->outindexbuf : NULL; }
API char* GetData(MediaData_t* media_data) { return media_data ? media_data->data : NULL; }
API int GetIndexLen(MediaData_t* media_data) { return media_data ? media_data->out_len : 0; }
API int GetDataLen(MediaData_t* media_data) { return media_data ? media_data->data_len : 0; }
API int IsMediaDataFinish(MediaData_t* media_data) { return media_data ? media_data->is_finish : 0; }
