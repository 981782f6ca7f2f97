// FFmpeg is loaded with dlopen the first time a video is opened, not linked: every other command
// of the `visage` executable (and every library product but VisageVideo) then runs on a machine
// without FFmpeg, does not load its ~130 libraries at start, and does not link Debian's FFmpeg,
// whose binaries are GPL-2+ (THIRD_PARTY_NOTICES.md). The headers still fix the ABI, so the
// libraries are opened by the sonames of the major versions compiled against.
//
// Included once, by VideoCodecs.c, after FFmpeg's headers: each function below becomes a call
// through a pointer of exactly its declared type (__typeof__), filled by vc_ffmpeg_load().
#pragma once
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// X(library, function) for every FFmpeg function VideoCodecs.c calls.
#define VC_FFMPEG_FUNCTIONS(X) \
    X(avutil, av_strerror) X(avutil, av_log_set_level) X(avutil, av_mallocz) X(avutil, av_free) \
    X(avutil, av_frame_alloc) X(avutil, av_frame_free) X(avutil, av_frame_get_buffer) X(avutil, av_frame_unref) \
    X(avutil, av_frame_make_writable) X(avutil, av_opt_set) X(avutil, av_display_rotation_get) \
    X(avutil, av_display_rotation_set) \
    X(avcodec, avcodec_alloc_context3) X(avcodec, avcodec_free_context) X(avcodec, avcodec_open2) \
    X(avcodec, avcodec_parameters_to_context) X(avcodec, avcodec_parameters_from_context) \
    X(avcodec, avcodec_send_packet) X(avcodec, avcodec_receive_frame) X(avcodec, avcodec_send_frame) \
    X(avcodec, avcodec_receive_packet) X(avcodec, avcodec_flush_buffers) X(avcodec, avcodec_find_encoder) \
    X(avcodec, avcodec_find_encoder_by_name) X(avcodec, av_packet_alloc) X(avcodec, av_packet_free) \
    X(avcodec, av_packet_unref) X(avcodec, av_packet_rescale_ts) \
    X(avformat, avformat_open_input) X(avformat, avformat_find_stream_info) X(avformat, av_find_best_stream) \
    X(avformat, avformat_close_input) X(avformat, av_seek_frame) X(avformat, av_read_frame) \
    X(avformat, av_stream_get_side_data) X(avformat, av_stream_new_side_data) \
    X(avformat, avformat_alloc_output_context2) X(avformat, avformat_new_stream) X(avformat, avformat_free_context) \
    X(avformat, avio_open) X(avformat, avio_closep) X(avformat, avformat_write_header) \
    X(avformat, av_interleaved_write_frame) X(avformat, av_write_trailer) \
    X(swscale, sws_getContext) X(swscale, sws_getCachedContext) X(swscale, sws_scale) X(swscale, sws_freeContext)

static struct {
#define VC_POINTER(library, name) __typeof__(&name) name;
    VC_FFMPEG_FUNCTIONS(VC_POINTER)
#undef VC_POINTER
} vc_ffmpeg;

#define VC_STRING(x) #x
#define VC_SONAME(library, major) "lib" #library ".so." VC_STRING(major)

static char vc_ffmpeg_error[512];
static pthread_once_t vc_ffmpeg_once = PTHREAD_ONCE_INIT;

// `VISAGE_FFMPEG_DIR`, when set, is where the four libraries are taken from (a build of your
// own, e.g. LGPL-only); otherwise the dynamic loader's search path (Debian's packages).
static void *vc_ffmpeg_open(const char *soname) {
    const char *directory = getenv("VISAGE_FFMPEG_DIR");
    char path[1024];
    if (directory && *directory) snprintf(path, sizeof path, "%s/%s", directory, soname);
    else snprintf(path, sizeof path, "%s", soname);
    // Dependencies first, so that each library finds the ones it needs already loaded.
    void *handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!handle && !vc_ffmpeg_error[0]) {
        const char *reason = dlerror();
        snprintf(vc_ffmpeg_error, sizeof vc_ffmpeg_error,
                 "FFmpeg, which video needs, cannot be loaded: %s (install Debian's libavformat59, libavcodec59, libswscale6 and "
                 "libavutil57, which `make setup` does, or set VISAGE_FFMPEG_DIR to a folder holding these major versions)",
                 reason ? reason : path);
    }
    return handle;
}

static void vc_ffmpeg_load_once(void) {
    void *avutil = vc_ffmpeg_open(VC_SONAME(avutil, LIBAVUTIL_VERSION_MAJOR));
    void *swscale = avutil ? vc_ffmpeg_open(VC_SONAME(swscale, LIBSWSCALE_VERSION_MAJOR)) : NULL;
    void *avcodec = swscale ? vc_ffmpeg_open(VC_SONAME(avcodec, LIBAVCODEC_VERSION_MAJOR)) : NULL;
    void *avformat = avcodec ? vc_ffmpeg_open(VC_SONAME(avformat, LIBAVFORMAT_VERSION_MAJOR)) : NULL;
    if (!avformat) return;
#define VC_RESOLVE(library, name) \
    if (!vc_ffmpeg_error[0]) { \
        vc_ffmpeg.name = (__typeof__(&name))dlsym(library, #name); \
        if (!vc_ffmpeg.name) snprintf(vc_ffmpeg_error, sizeof vc_ffmpeg_error, "FFmpeg's lib%s has no %s: not the version Visage was built against", #library, #name); \
    }
    VC_FFMPEG_FUNCTIONS(VC_RESOLVE)
#undef VC_RESOLVE
}

// 0 when every function is there; -1 with `error` filled (the same words for every call).
static int vc_ffmpeg_load(char *error, size_t error_size) {
    pthread_once(&vc_ffmpeg_once, vc_ffmpeg_load_once);
    if (!vc_ffmpeg_error[0]) return 0;
    if (error && error_size > 0) snprintf(error, error_size, "%s", vc_ffmpeg_error);
    return -1;
}

// From here on, VideoCodecs.c's calls go through the table. The preprocessor cannot define a
// macro from a list, so the names are written twice; the build keeps the two in step: a name
// missing below is an undefined symbol at link time (FFmpeg is not linked), one missing above a
// compile error.
#define av_strerror vc_ffmpeg.av_strerror
#define av_log_set_level vc_ffmpeg.av_log_set_level
#define av_mallocz vc_ffmpeg.av_mallocz
#define av_free vc_ffmpeg.av_free
#define av_frame_alloc vc_ffmpeg.av_frame_alloc
#define av_frame_free vc_ffmpeg.av_frame_free
#define av_frame_get_buffer vc_ffmpeg.av_frame_get_buffer
#define av_frame_unref vc_ffmpeg.av_frame_unref
#define av_frame_make_writable vc_ffmpeg.av_frame_make_writable
#define av_opt_set vc_ffmpeg.av_opt_set
#define av_display_rotation_get vc_ffmpeg.av_display_rotation_get
#define av_display_rotation_set vc_ffmpeg.av_display_rotation_set
#define avcodec_alloc_context3 vc_ffmpeg.avcodec_alloc_context3
#define avcodec_free_context vc_ffmpeg.avcodec_free_context
#define avcodec_open2 vc_ffmpeg.avcodec_open2
#define avcodec_parameters_to_context vc_ffmpeg.avcodec_parameters_to_context
#define avcodec_parameters_from_context vc_ffmpeg.avcodec_parameters_from_context
#define avcodec_send_packet vc_ffmpeg.avcodec_send_packet
#define avcodec_receive_frame vc_ffmpeg.avcodec_receive_frame
#define avcodec_send_frame vc_ffmpeg.avcodec_send_frame
#define avcodec_receive_packet vc_ffmpeg.avcodec_receive_packet
#define avcodec_flush_buffers vc_ffmpeg.avcodec_flush_buffers
#define avcodec_find_encoder vc_ffmpeg.avcodec_find_encoder
#define avcodec_find_encoder_by_name vc_ffmpeg.avcodec_find_encoder_by_name
#define av_packet_alloc vc_ffmpeg.av_packet_alloc
#define av_packet_free vc_ffmpeg.av_packet_free
#define av_packet_unref vc_ffmpeg.av_packet_unref
#define av_packet_rescale_ts vc_ffmpeg.av_packet_rescale_ts
#define avformat_open_input vc_ffmpeg.avformat_open_input
#define avformat_find_stream_info vc_ffmpeg.avformat_find_stream_info
#define av_find_best_stream vc_ffmpeg.av_find_best_stream
#define avformat_close_input vc_ffmpeg.avformat_close_input
#define av_seek_frame vc_ffmpeg.av_seek_frame
#define av_read_frame vc_ffmpeg.av_read_frame
#define av_stream_get_side_data vc_ffmpeg.av_stream_get_side_data
#define av_stream_new_side_data vc_ffmpeg.av_stream_new_side_data
#define avformat_alloc_output_context2 vc_ffmpeg.avformat_alloc_output_context2
#define avformat_new_stream vc_ffmpeg.avformat_new_stream
#define avformat_free_context vc_ffmpeg.avformat_free_context
#define avio_open vc_ffmpeg.avio_open
#define avio_closep vc_ffmpeg.avio_closep
#define avformat_write_header vc_ffmpeg.avformat_write_header
#define av_interleaved_write_frame vc_ffmpeg.av_interleaved_write_frame
#define av_write_trailer vc_ffmpeg.av_write_trailer
#define sws_getContext vc_ffmpeg.sws_getContext
#define sws_getCachedContext vc_ffmpeg.sws_getCachedContext
#define sws_scale vc_ffmpeg.sws_scale
#define sws_freeContext vc_ffmpeg.sws_freeContext
