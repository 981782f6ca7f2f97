// Visage's own declarations of the part of ONNX Runtime's C API that VisageRuntime calls.
//
// No package ships onnxruntime_c_api.h, and the library is loaded with dlopen, so these are
// written from the published API: ORT's `OrtApi` table is append-only and ABI-stable, which
// makes the position of every member a fixed fact. Members we call are typed function
// pointers; members we don't call are `void *` placeholders that keep their published name,
// so the order can be checked entry by entry against the official header. The table ends
// with the last member we call (index 149, SetGlobalSpinControl, already in API 13's table); asking
// GetApi for ORT_VISAGE_API_VERSION returns a table at least that long.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The OrtApi version we ask GetApi for. The table only grows, so every library from 1.29 on
/// serves it, and members 0-149 below sit where they have sat since they were added.
#define ORT_VISAGE_API_VERSION 29

// Opaque handles: ORT owns their layout, we only pass pointers back.
typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtThreadingOptions OrtThreadingOptions;
// OrtAllocator is a struct of function pointers in ORT; we only hand it back to AllocatorFree,
// so it stays opaque here.
typedef struct OrtAllocator OrtAllocator;

typedef enum ONNXTensorElementDataType {
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED = 0,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 = 2,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 = 3,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 = 4,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 = 5,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 = 6,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 = 7,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING = 8,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL = 9,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 = 10,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE = 11,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 = 12,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 = 13,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64 = 14,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128 = 15,
    ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 = 16,
} ONNXTensorElementDataType;

typedef enum OrtLoggingLevel {
    ORT_LOGGING_LEVEL_VERBOSE = 0,
    ORT_LOGGING_LEVEL_INFO = 1,
    ORT_LOGGING_LEVEL_WARNING = 2,
    ORT_LOGGING_LEVEL_ERROR = 3,
    ORT_LOGGING_LEVEL_FATAL = 4,
} OrtLoggingLevel;

typedef enum OrtErrorCode {
    ORT_OK = 0,
    ORT_FAIL = 1,
    ORT_INVALID_ARGUMENT = 2,
    ORT_NO_SUCHFILE = 3,
    ORT_NO_MODEL = 4,
    ORT_ENGINE_ERROR = 5,
    ORT_RUNTIME_EXCEPTION = 6,
    ORT_INVALID_PROTOBUF = 7,
    ORT_MODEL_LOADED = 8,
    ORT_NOT_IMPLEMENTED = 9,
    ORT_INVALID_GRAPH = 10,
    ORT_EP_FAIL = 11,
} OrtErrorCode;

typedef enum GraphOptimizationLevel {
    ORT_DISABLE_ALL = 0,
    ORT_ENABLE_BASIC = 1,
    ORT_ENABLE_EXTENDED = 2,
    ORT_ENABLE_ALL = 99,
} GraphOptimizationLevel;

typedef enum OrtAllocatorType {
    OrtInvalidAllocator = -1,
    OrtDeviceAllocator = 0,
    OrtArenaAllocator = 1,
} OrtAllocatorType;

typedef enum OrtMemType {
    OrtMemTypeCPUInput = -2,
    OrtMemTypeCPUOutput = -1,
    OrtMemTypeDefault = 0,
} OrtMemType;

typedef struct OrtApi OrtApi;

/// What `OrtGetApiBase()` returns: the door to a versioned `OrtApi` table.
typedef struct OrtApiBase {
    /// Returns NULL when the library cannot serve `version`.
    const OrtApi *(*GetApi)(uint32_t version);
    const char *(*GetVersionString)(void);
} OrtApiBase;

/// The type of the one symbol we look up with dlsym.
typedef const OrtApiBase *(*OrtGetApiBaseFunction)(void);

/// Every function returning `OrtStatus *` returns NULL on success; a non-NULL status must be
/// released with ReleaseStatus.
struct OrtApi {
    void *CreateStatus;                                       // 0
    OrtErrorCode (*GetErrorCode)(const OrtStatus *status);    // 1
    const char *(*GetErrorMessage)(const OrtStatus *status);  // 2
    OrtStatus *(*CreateEnv)(OrtLoggingLevel level, const char *log_id, OrtEnv **out);  // 3
    void *CreateEnvWithCustomLogger;                          // 4
    void *EnableTelemetryEvents;                              // 5
    void *DisableTelemetryEvents;                             // 6
    OrtStatus *(*CreateSession)(const OrtEnv *env, const char *model_path,
                                const OrtSessionOptions *options, OrtSession **out);  // 7
    void *CreateSessionFromArray;                             // 8
    OrtStatus *(*Run)(OrtSession *session, const OrtRunOptions *run_options,
                      const char *const *input_names, const OrtValue *const *inputs, size_t input_count,
                      const char *const *output_names, size_t output_count, OrtValue **outputs);  // 9
    OrtStatus *(*CreateSessionOptions)(OrtSessionOptions **out);  // 10
    void *SetOptimizedModelFilePath;                          // 11
    void *CloneSessionOptions;                                // 12
    void *SetSessionExecutionMode;                            // 13
    void *EnableProfiling;                                    // 14
    void *DisableProfiling;                                   // 15
    void *EnableMemPattern;                                   // 16
    void *DisableMemPattern;                                  // 17
    void *EnableCpuMemArena;                                  // 18
    void *DisableCpuMemArena;                                 // 19
    void *SetSessionLogId;                                    // 20
    void *SetSessionLogVerbosityLevel;                        // 21
    void *SetSessionLogSeverityLevel;                         // 22
    OrtStatus *(*SetSessionGraphOptimizationLevel)(OrtSessionOptions *options,
                                                   GraphOptimizationLevel level);  // 23
    OrtStatus *(*SetIntraOpNumThreads)(OrtSessionOptions *options, int count);  // 24
    OrtStatus *(*SetInterOpNumThreads)(OrtSessionOptions *options, int count);  // 25
    void *CreateCustomOpDomain;                               // 26
    void *CustomOpDomain_Add;                                 // 27
    void *AddCustomOpDomain;                                  // 28
    void *RegisterCustomOpsLibrary;                           // 29
    OrtStatus *(*SessionGetInputCount)(const OrtSession *session, size_t *out);   // 30
    OrtStatus *(*SessionGetOutputCount)(const OrtSession *session, size_t *out);  // 31
    void *SessionGetOverridableInitializerCount;              // 32
    OrtStatus *(*SessionGetInputTypeInfo)(const OrtSession *session, size_t index,
                                          OrtTypeInfo **out);  // 33
    OrtStatus *(*SessionGetOutputTypeInfo)(const OrtSession *session, size_t index,
                                           OrtTypeInfo **out);  // 34
    void *SessionGetOverridableInitializerTypeInfo;           // 35
    /// The name is allocated with `allocator` and must be freed with AllocatorFree.
    OrtStatus *(*SessionGetInputName)(const OrtSession *session, size_t index,
                                      OrtAllocator *allocator, char **out);  // 36
    OrtStatus *(*SessionGetOutputName)(const OrtSession *session, size_t index,
                                       OrtAllocator *allocator, char **out);  // 37
    void *SessionGetOverridableInitializerName;               // 38
    void *CreateRunOptions;                                   // 39
    void *RunOptionsSetRunLogVerbosityLevel;                  // 40
    void *RunOptionsSetRunLogSeverityLevel;                   // 41
    void *RunOptionsSetRunTag;                                // 42
    void *RunOptionsGetRunLogVerbosityLevel;                  // 43
    void *RunOptionsGetRunLogSeverityLevel;                   // 44
    void *RunOptionsGetRunTag;                                // 45
    void *RunOptionsSetTerminate;                             // 46
    void *RunOptionsUnsetTerminate;                           // 47
    void *CreateTensorAsOrtValue;                             // 48
    /// The value borrows `data` (ORT neither copies nor frees it) until ReleaseValue.
    OrtStatus *(*CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *info, void *data, size_t byte_count,
                                                 const int64_t *shape, size_t rank,
                                                 ONNXTensorElementDataType type, OrtValue **out);  // 49
    void *IsTensor;                                           // 50
    OrtStatus *(*GetTensorMutableData)(OrtValue *value, void **out);  // 51
    void *FillStringTensor;                                   // 52
    void *GetStringTensorDataLength;                          // 53
    void *GetStringTensorContent;                             // 54
    /// `*out` is NULL for non-tensor types and is owned by `type_info` (never released on its own).
    OrtStatus *(*CastTypeInfoToTensorInfo)(const OrtTypeInfo *type_info,
                                           const OrtTensorTypeAndShapeInfo **out);  // 55
    void *GetOnnxTypeFromTypeInfo;                            // 56
    void *CreateTensorTypeAndShapeInfo;                       // 57
    void *SetTensorElementType;                               // 58
    void *SetDimensions;                                      // 59
    OrtStatus *(*GetTensorElementType)(const OrtTensorTypeAndShapeInfo *info,
                                       ONNXTensorElementDataType *out);  // 60
    OrtStatus *(*GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);  // 61
    /// Symbolic or unknown dimensions come back as -1.
    OrtStatus *(*GetDimensions)(const OrtTensorTypeAndShapeInfo *info, int64_t *dims, size_t count);  // 62
    void *GetSymbolicDimensions;                              // 63
    OrtStatus *(*GetTensorShapeElementCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);  // 64
    OrtStatus *(*GetTensorTypeAndShape)(const OrtValue *value, OrtTensorTypeAndShapeInfo **out);  // 65
    void *GetTypeInfo;                                        // 66
    void *GetValueType;                                       // 67
    void *CreateMemoryInfo;                                   // 68
    OrtStatus *(*CreateCpuMemoryInfo)(OrtAllocatorType type, OrtMemType mem_type,
                                      OrtMemoryInfo **out);  // 69
    void *CompareMemoryInfo;                                  // 70
    void *MemoryInfoGetName;                                  // 71
    void *MemoryInfoGetId;                                    // 72
    void *MemoryInfoGetMemType;                               // 73
    void *MemoryInfoGetType;                                  // 74
    void *AllocatorAlloc;                                     // 75
    OrtStatus *(*AllocatorFree)(OrtAllocator *allocator, void *pointer);  // 76
    void *AllocatorGetInfo;                                   // 77
    /// The default allocator is a process-wide singleton; it is never released.
    OrtStatus *(*GetAllocatorWithDefaultOptions)(OrtAllocator **out);  // 78
    void *AddFreeDimensionOverride;                           // 79
    void *GetValue;                                           // 80
    void *GetValueCount;                                      // 81
    void *CreateValue;                                        // 82
    void *CreateOpaqueValue;                                  // 83
    void *GetOpaqueValue;                                     // 84
    void *KernelInfoGetAttribute_float;                       // 85
    void *KernelInfoGetAttribute_int64;                       // 86
    void *KernelInfoGetAttribute_string;                      // 87
    void *KernelContext_GetInputCount;                        // 88
    void *KernelContext_GetOutputCount;                       // 89
    void *KernelContext_GetInput;                             // 90
    void *KernelContext_GetOutput;                            // 91
    void (*ReleaseEnv)(OrtEnv *env);                          // 92
    void (*ReleaseStatus)(OrtStatus *status);                 // 93
    void (*ReleaseMemoryInfo)(OrtMemoryInfo *info);           // 94
    void (*ReleaseSession)(OrtSession *session);              // 95
    void (*ReleaseValue)(OrtValue *value);                    // 96
    void *ReleaseRunOptions;                                  // 97
    void (*ReleaseTypeInfo)(OrtTypeInfo *info);               // 98
    void (*ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *info);  // 99
    void (*ReleaseSessionOptions)(OrtSessionOptions *options);  // 100
    void *ReleaseCustomOpDomain;                              // 101
    void *GetDenotationFromTypeInfo;                          // 102
    void *CastTypeInfoToMapTypeInfo;                          // 103
    void *CastTypeInfoToSequenceTypeInfo;                     // 104
    void *GetMapKeyType;                                      // 105
    void *GetMapValueType;                                    // 106
    void *GetSequenceElementType;                             // 107
    void *ReleaseMapTypeInfo;                                 // 108
    void *ReleaseSequenceTypeInfo;                            // 109
    void *SessionEndProfiling;                                // 110
    void *SessionGetModelMetadata;                            // 111
    void *ModelMetadataGetProducerName;                       // 112
    void *ModelMetadataGetGraphName;                          // 113
    void *ModelMetadataGetDomain;                             // 114
    void *ModelMetadataGetDescription;                        // 115
    void *ModelMetadataLookupCustomMetadataMap;               // 116
    void *ModelMetadataGetVersion;                            // 117
    void *ReleaseModelMetadata;                               // 118
    OrtStatus *(*CreateEnvWithGlobalThreadPools)(OrtLoggingLevel level, const char *log_id,
                                                 const OrtThreadingOptions *options, OrtEnv **out);  // 119
    OrtStatus *(*DisablePerSessionThreads)(OrtSessionOptions *options);  // 120
    OrtStatus *(*CreateThreadingOptions)(OrtThreadingOptions **out);     // 121
    void (*ReleaseThreadingOptions)(OrtThreadingOptions *options);       // 122
    void *ModelMetadataGetCustomMetadataMapKeys;              // 123
    void *AddFreeDimensionOverrideByName;                     // 124
    void *GetAvailableProviders;                              // 125
    void *ReleaseAvailableProviders;                          // 126
    void *GetStringTensorElementLength;                       // 127
    void *GetStringTensorElement;                             // 128
    void *FillStringTensorElement;                            // 129
    OrtStatus *(*AddSessionConfigEntry)(OrtSessionOptions *options, const char *key,
                                        const char *value);  // 130
    void *CreateAllocator;                                    // 131
    void *ReleaseAllocator;                                   // 132
    void *RunWithBinding;                                     // 133
    void *CreateIoBinding;                                    // 134
    void *ReleaseIoBinding;                                   // 135
    void *BindInput;                                          // 136
    void *BindOutput;                                         // 137
    void *BindOutputToDevice;                                 // 138
    void *GetBoundOutputNames;                                // 139
    void *GetBoundOutputValues;                               // 140
    void *ClearBoundInputs;                                   // 141
    void *ClearBoundOutputs;                                  // 142
    void *TensorAt;                                           // 143
    void *CreateAndRegisterAllocator;                         // 144
    void *SetLanguageProjection;                              // 145
    void *SessionGetProfilingStartTimeNs;                     // 146
    OrtStatus *(*SetGlobalIntraOpNumThreads)(OrtThreadingOptions *options, int count);  // 147
    OrtStatus *(*SetGlobalInterOpNumThreads)(OrtThreadingOptions *options, int count);  // 148
    /// 0 lets idle pool threads sleep at once; 1 lets them spin waiting for work.
    OrtStatus *(*SetGlobalSpinControl)(OrtThreadingOptions *options, int allow_spinning);  // 149
};

#ifdef __cplusplus
}
#endif
