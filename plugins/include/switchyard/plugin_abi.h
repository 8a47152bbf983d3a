/*
 * Switchyard backend plugin ABI, version 1.
 *
 * This is the only contract between the switchyard host and a backend plugin
 * (libswitchyard-backend-<name>[-<variant>].so). It is plain C and includes
 * nothing but <stdint.h>, <stddef.h> and <stdbool.h>, so a plugin built by a
 * different compiler, or by another team, still loads.
 *
 * Rules of the boundary
 *  - No exceptions, STL types, or ownership cross it. Errors come back as
 *    sy_status codes; the message of the last error on a device is read with
 *    sy_device_vtbl.last_error.
 *  - Every struct starts with a version/size field. Members are append-only and
 *    marked "since vN"; the host checks struct_size before it touches a member
 *    newer than v1.
 *  - Negotiation happens once: the host passes the highest ABI it speaks to
 *    sy_plugin_entry.query; a plugin that cannot serve any version up to that
 *    returns NULL, and the host reports the plugin's own range (abi_range).
 *  - Lifetime: everything a plugin hands out (backend table, devices, buffers,
 *    strings) stays valid until the host calls sy_backend.shutdown. The host
 *    unloads the library only after shutdown has returned; shutdown joins every
 *    thread the plugin started and frees everything it allocated.
 *
 * One exported symbol per shared library:
 *     const sy_plugin_entry *sy_plugin_get_entry(void);
 * In static builds (SWITCHYARD_STATIC_BACKENDS) the same table is exported as
 * sy_plugin_get_entry_<id> so several backends can live in one executable;
 * use SY_PLUGIN_DEFINE_ENTRY below and never spell the symbol by hand.
 */
#ifndef SWITCHYARD_PLUGIN_ABI_H
#define SWITCHYARD_PLUGIN_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SY_PLUGIN_ABI_VERSION 1u

/* ---- status codes ------------------------------------------------------ */
typedef int32_t sy_status;
#define SY_STATUS_OK 0
#define SY_STATUS_INVALID_ARGUMENT 1 /* bad shape, type, offset, NULL ... */
#define SY_STATUS_UNSUPPORTED 2      /* op/type combination not implemented */
#define SY_STATUS_OUT_OF_MEMORY 3
#define SY_STATUS_DEVICE_ERROR 4 /* driver or hardware failure */
#define SY_STATUS_OUT_OF_RANGE 5 /* buffer offset + size past the end */

/* ---- log levels for sy_host_env.log ------------------------------------ */
#define SY_LOG_DEBUG 0
#define SY_LOG_INFO 1
#define SY_LOG_WARN 2
#define SY_LOG_ERROR 3

/*
 * What the host gives a plugin at query time. Plugins allocate host-side
 * bookkeeping and log only through this (never printf/malloc of their own for
 * anything the host may need to see or account for).
 */
typedef struct sy_host_env {
    uint32_t abi_version; /* the version the host negotiated with this plugin */
    uint32_t struct_size; /* sizeof(sy_host_env) of the host */
    void *user;           /* passed back as the first argument below */
    /* Returns NULL on failure, never aborts. align is a power of two. */
    void *(*alloc)(void *user, size_t size, size_t align);
    void (*free)(void *user, void *ptr);
    /* msg is a NUL-terminated line without trailing newline. */
    void (*log)(void *user, int32_t level, const char *msg);
} sy_host_env;

/* ---- devices ----------------------------------------------------------- */
#define SY_DEVICE_KIND_CPU 0   /* host memory; named "CPU" */
#define SY_DEVICE_KIND_GPU 1   /* separate memory; named "CUDA0", "CL0", ... */
#define SY_DEVICE_KIND_ACCEL 2 /* anything else */

/* Feature bits of sy_device_props.features (what the device can do). */
#define SY_DEVICE_FEATURE_HOST_MEMORY (1ull << 0) /* buffers are host pointers (map_host works) */
#define SY_DEVICE_FEATURE_F16 (1ull << 1)         /* native fp16 arithmetic */
#define SY_DEVICE_FEATURE_BF16 (1ull << 2)        /* native bf16 arithmetic */
#define SY_DEVICE_FEATURE_INT8_DOT (1ull << 3)    /* int8 dot-product instructions */
#define SY_DEVICE_FEATURE_ASYNC (1ull << 4)       /* run() may return before completion */

typedef struct sy_device_props {
    uint32_t struct_size;     /* sizeof(sy_device_props) as the plugin knows it */
    const char *name;         /* "CPU", "CUDA0", "CL0", "TEST0": what -ot rules name */
    const char *description;  /* human readable, e.g. the CPU or GPU model */
    uint32_t kind;            /* SY_DEVICE_KIND_* */
    uint64_t memory_total;    /* bytes */
    uint64_t memory_free;     /* bytes, at the time of the call */
    uint64_t features;        /* SY_DEVICE_FEATURE_* bits */
    const char *feature_text; /* ISA/driver features in words, e.g. "AVX2 FMA F16C" */
} sy_device_props;

typedef struct sy_device_s *sy_device; /* opaque, owned by the plugin */
typedef struct sy_buffer_s *sy_buffer; /* opaque, owned by the plugin */

/* ---- ops --------------------------------------------------------------- */
/* Op kinds. Values are stable and append-only. */
#define SY_OP_NONE 0
#define SY_OP_MUL_MAT 1 /* dst[N,M] = src0[K,N] (weights, any type) x src1[K,M] (activations) */
#define SY_OP_ADD 2     /* dst = src0 + src1, src1 broadcast along rows                     */
#define SY_OP_MUL 3     /* dst = src0 * src1, src1 broadcast along rows                     */
#define SY_OP_RMS_NORM 4 /* dst = src0 / sqrt(mean(src0^2) + eps) per row; eps = params_f[0] */
#define SY_OP_SCALE 5   /* dst = src0 * params_f[0]                                         */
#define SY_OP_SILU 6    /* dst = src0 * sigmoid(src0)                                       */
#define SY_OP_SOFTMAX 7 /* per row                                                          */
#define SY_OP_GET_ROWS 8 /* dst[K,R,B] = rows src1[R,B] (int32) of src0[K,N,B], any src0 type */
#define SY_OP_ROPE 9     /* rotary embedding, see below                                       */
#define SY_OP_CPY 10     /* dst = src0 converted to dst.type, same shape, any strides         */
#define SY_OP_ATTENTION 11 /* causal softmax attention, see below                            */
#define SY_OP_SIGMOID 12 /* dst = 1 / (1 + exp(-src0))                                        */
#define SY_OP_TOP_K 13   /* dst[k,T] int32 = indices of the k largest of each row of src0     */
#define SY_OP_MUL_MAT_ID 14 /* mixture-of-experts matrix product, see below                  */
#define SY_OP_SUM_ROWS 15 /* dst[1,R,..] = sum of each row of src0[K,R,..]                    */
#define SY_OP_DIV 16     /* dst = src0 / src1, src1 broadcast along rows                      */
#define SY_OP_COUNT 17

/*
 * Op semantics beyond the one-line summaries (shapes are ggml order, ne0 first; "rows"
 * are ne0-long; every activation is F32 unless a type is named):
 *
 * MUL_MAT     dst[N,M,B2,B3] = src0[K,N,b2,b3] x src1[K,M,B2,B3]: dst[n,m] = sum_k
 *             src0[k,n] * src1[k,m]; src0 (weights, any type) is broadcast over the batch
 *             dims (B2 % b2 == 0, B3 % b3 == 0). Quantized weights take the activations
 *             converted to the weight type's dot-product type (core/types: vec_dot_type).
 * ADD/MUL/DIV dst = src0 (op) src1 where every ne[i] of src1 divides src0's; src1 is indexed
 *             modulo its own shape (so [1,S,T] scales each ne0-row of [K,S,T]).
 * ROPE        dst[D,H,T] = src0[D,H,T] with its first n_rot = params_i[0] elements of each
 *             row rotated; src1[n_rot,T] F32 holds, per token, (cos, sin) pairs: element
 *             (2i, 2i+1) = (cos theta_i, sin theta_i), already multiplied by any attention
 *             factor (the host computes the angles: YaRN lives in core). params_i[1] = mode:
 *             0 (NORM) rotates pairs (2i, 2i+1); 2 (NEOX) rotates (i, i + n_rot/2). Elements
 *             past n_rot are copied.
 * CPY         dst.type F32/F16/BF16/Q8_0 (and any type a backend lists): rounding of the
 *             core reference quantizer. Strided views on both sides (concatenation into a
 *             slice, writes into a KV cache).
 * ATTENTION   dst[Dv,H,T] = softmax(scale * Q K^T + mask) V per head, with src0 Q[Dk,H,T]
 *             F32, src1 K[Dk,Hkv,N] and src2 V[Dv,Hkv,N] of type F32/F16/Q8_0 (cache rows;
 *             V may be a view into K's rows), H % Hkv == 0 (head h reads kv head
 *             h / (H/Hkv)). Causal: key j is visible to query t iff j <= params_i[0] + t
 *             (params_i[0] = position of the first query; keys 0..N-1 are positions
 *             0..N-1). scale = params_f[0]; params_f[1] > 0 soft-caps scores as
 *             c*tanh(s/c). A query that sees no key gets zeros.
 * TOP_K       dst[k,R] int32, k = dst.ne0: for each row of src0[n,R] the indices of the k
 *             largest values, largest first; equal values: lower index first.
 * MUL_MAT_ID  dst[N,S,T]: dst[:,s,t] = src0[:,:,e] x src1[:, s % S1, t] with e = src2[s,t];
 *             src0[K,N,E] expert weights (any type), src1[K,S1,T] (S1 = 1 or S),
 *             src2[S,T] int32 expert ids (each < E).
 * SOFTMAX     per row, plain (no mask, no scale).
 */

/* Element types are the GGML type ids of ik_llama.cpp (0 = F32, 1 = F16, 8 = Q8_0 ...). */
#define SY_TYPE_NONE (-1)

#define SY_MAX_DIMS 4
#define SY_MAX_SRC 4

/*
 * A tensor view inside a device buffer. ne[0] is the row length (fastest
 * varying); nb[i] is the stride of dimension i in bytes. For types with a
 * per-row header the row stride nb[1] includes the header.
 */
typedef struct sy_tensor {
    sy_buffer buffer;
    uint64_t offset;        /* bytes from the start of the buffer */
    int32_t type;           /* GGML type id */
    int32_t n_dims;         /* 1..SY_MAX_DIMS; unused ne are 1 */
    int64_t ne[SY_MAX_DIMS];
    uint64_t nb[SY_MAX_DIMS];
} sy_tensor;

typedef struct sy_op {
    uint32_t struct_size; /* sizeof(sy_op) of the host */
    int32_t kind;         /* SY_OP_* */
    int32_t n_src;
    sy_tensor dst;
    sy_tensor src[SY_MAX_SRC];
    float params_f[4];
    int32_t params_i[4];
} sy_op;

/*
 * Everything a device can do. All members are required in v1 unless marked
 * (optional), in which case they may be NULL.
 * Thread safety: calls on one device are made from one host thread at a time;
 * different devices may be driven from different threads.
 */
typedef struct sy_device_vtbl {
    uint32_t struct_size;
    sy_status (*get_props)(sy_device dev, sy_device_props *out_props);
    /* Message of the last failed call on this device; valid until the next call. */
    const char *(*last_error)(sy_device dev);

    /* Buffers: size in bytes; contents are undefined after alloc. */
    sy_status (*buffer_alloc)(sy_device dev, uint64_t size, sy_buffer *out_buffer);
    void (*buffer_free)(sy_device dev, sy_buffer buffer);
    sy_status (*buffer_upload)(sy_device dev, sy_buffer dst, uint64_t dst_offset, const void *src,
                               uint64_t size);
    sy_status (*buffer_download)(sy_device dev, sy_buffer src, uint64_t src_offset, void *dst,
                                 uint64_t size);
    sy_status (*buffer_copy)(sy_device dev, sy_buffer dst, uint64_t dst_offset, sy_buffer src,
                             uint64_t src_offset, uint64_t size);
    /* (optional) Host address of a buffer of a HOST_MEMORY device, else NULL. */
    void *(*buffer_host_ptr)(sy_device dev, sy_buffer buffer);

    /* Capability: can this device run op `kind` with weights of `weight_type`
     * and activations of `act_type` (SY_TYPE_NONE where the op has none)?
     * Pure and cheap; the host calls it freely.
     * Which operand is which (the same for every backend):
     *   MUL_MAT, GET_ROWS            weight = src[0].type, act = src[1].type
     *   ADD, MUL                     weight = src[1].type (bias, norm weight), act = src[0].type
     *   RMS_NORM, SCALE, SILU, SOFTMAX
     *                                weight = SY_TYPE_NONE, act = src[0].type */
    bool (*supports)(sy_device dev, int32_t kind, int32_t weight_type, int32_t act_type);
    /* Full check of one concrete op: types, shapes, strides, alignment. Pure. */
    bool (*supports_op)(sy_device dev, const sy_op *op);

    /* Runs one op. Tensors must live in buffers of this device. */
    sy_status (*run)(sy_device dev, const sy_op *op);
    /* Waits until every op submitted to this device has finished. */
    sy_status (*synchronize)(sy_device dev);

    /* (optional) How many host threads run() may use; n_threads >= 1. Devices that compute
     * on the host split their work across this many threads (default: 1). */
    sy_status (*set_threads)(sy_device dev, int32_t n_threads);
} sy_device_vtbl;

/* The table a plugin returns from query(). */
typedef struct sy_backend {
    uint32_t abi_version; /* the version this table speaks (<= host_max_abi) */
    uint32_t struct_size;
    const char *name;       /* backend name, e.g. "reference", "x86": the file name's <name> */
    const char *variant;    /* e.g. "avx2", "" when there is only one */
    const char *build_info; /* compiler, flags, version: free text */

    int32_t (*device_count)(void);
    /* Opens device index < device_count(). The vtbl pointer stays valid until shutdown. */
    sy_status (*device_open)(int32_t index, sy_device *out_device,
                             const sy_device_vtbl **out_vtbl);
    void (*device_close)(sy_device device);

    /* Joins plugin threads and frees everything; no call may follow except
     * another query(). Returns SY_STATUS_OK or an error the host reports. */
    sy_status (*shutdown)(void);
    void *reserved[8]; /* zero; room for v2 members */
} sy_backend;

/* The one entry table each plugin exports. */
typedef struct sy_plugin_entry {
    uint32_t struct_size;
    /* 0 = cannot run on this machine (missing ISA extension, driver, device);
     * otherwise larger is better among variants of the same backend name. */
    uint32_t (*score)(void);
    /* The ABI versions this plugin can serve, inclusive. */
    void (*abi_range)(uint32_t *out_min, uint32_t *out_max);
    /* NULL if no version in [abi_min, host_max_abi] can be served. env stays
     * valid until shutdown returns. */
    const sy_backend *(*query)(uint32_t host_max_abi, const sy_host_env *env);
} sy_plugin_entry;

typedef const sy_plugin_entry *(*sy_plugin_get_entry_fn)(void);

#define SY_PLUGIN_ENTRY_SYMBOL "sy_plugin_get_entry"

#if defined(_WIN32)
#define SY_PLUGIN_EXPORT __declspec(dllexport)
#else
#define SY_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/*
 * SY_PLUGIN_DEFINE_ENTRY(entry) defines the exported function that returns &entry:
 * sy_plugin_get_entry in a shared plugin, and sy_plugin_get_entry_<id> when the backend is
 * linked statically (the build defines SWITCHYARD_STATIC_BACKEND and SY_BACKEND_ENTRY_ID).
 */
#define SY_PLUGIN_CONCAT_(a, b) a##b
#define SY_PLUGIN_CONCAT(a, b) SY_PLUGIN_CONCAT_(a, b)
#ifdef SWITCHYARD_STATIC_BACKEND
#define SY_PLUGIN_DEFINE_ENTRY(entry)                                                   \
    const sy_plugin_entry *SY_PLUGIN_CONCAT(sy_plugin_get_entry_, SY_BACKEND_ENTRY_ID)(void) { \
        return &(entry);                                                                \
    }
#else
#define SY_PLUGIN_DEFINE_ENTRY(entry) \
    SY_PLUGIN_EXPORT const sy_plugin_entry *sy_plugin_get_entry(void) { return &(entry); }
#endif

#ifdef __cplusplus
}
#endif

#endif /* SWITCHYARD_PLUGIN_ABI_H */
