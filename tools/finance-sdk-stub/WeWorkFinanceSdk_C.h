#pragma once
// The C interface of WeCom's chat-archive SDK (会话内容存档, libWeWorkFinanceSdk_C.so): the same 17 functions, in the
// same order and with the same prototypes as Tencent's WeWorkFinanceSdk_C.h. The stub beside it implements them.
//
// 返回码  错误说明
// 10000  参数错误，请求参数错误
// 10001  网络错误，网络请求错误
// 10002  数据解析失败
// 10003  系统失败
// 10004  密钥错误导致加密失败
// 10005  fileid错误
// 10006  解密失败
// 10007  找不到消息加密版本的私钥，需要重新传入私钥对
// 10008  解析encrypt_key出错
// 10009  ip非法
// 10010  数据过期
// 10011  证书错误

typedef struct WeWorkFinanceSdk_t WeWorkFinanceSdk_t;

typedef struct Slice_t {
    char* buf;
    int len;
} Slice_t;

typedef struct MediaData {
    char* outindexbuf;
    int out_len;
    char* data;
    int data_len;
    int is_finish;
} MediaData_t;

#ifdef __cplusplus
extern "C" {
#endif
    WeWorkFinanceSdk_t* NewSdk();
    int Init(WeWorkFinanceSdk_t* sdk, const char* corpid, const char* secret);
    int GetChatData(WeWorkFinanceSdk_t* sdk, unsigned long long seq, unsigned int limit, const char *proxy,const char* passwd, int timeout,Slice_t* chatDatas);
    int DecryptData(const char* encrypt_key, const char* encrypt_msg, Slice_t* msg);
    int GetMediaData(WeWorkFinanceSdk_t* sdk, const char* indexbuf,
                     const char* sdkFileid,const char *proxy,const char* passwd, int timeout, MediaData_t* media_data);
    void DestroySdk(WeWorkFinanceSdk_t* sdk);
    Slice_t* NewSlice();
    void FreeSlice(Slice_t* slice);
    char* GetContentFromSlice(Slice_t* slice);
    int GetSliceLen(Slice_t* slice);
    MediaData_t*  NewMediaData();
    void FreeMediaData(MediaData_t* media_data);
    char* GetOutIndexBuf(MediaData_t* media_data);
    char* GetData(MediaData_t* media_data);
    int GetIndexLen(MediaData_t* media_data);
    int GetDataLen(MediaData_t* media_data);
    int IsMediaDataFinish(MediaData_t* media_data);
#ifdef __cplusplus
}
#endif
