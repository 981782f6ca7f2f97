// A small C layer over libavformat/libavcodec/libswscale: FFmpeg's API is macro- and
// pointer-heavy (AVERROR codes, side-data arrays, packet/frame ownership), so the Swift side
// sees only these few calls with plain types and an error buffer.
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef struct vc_reader vc_reader;
typedef struct vc_writer vc_writer;

typedef struct {
    int width;            // coded frame size, before rotation
    int height;
    int rotation;         // clockwise degrees (0, 90, 180, 270) that make the picture upright
    double fps;           // average frame rate; 0 when the container does not say
    double duration;      // seconds; 0 when unknown
    int64_t frame_count;  // declared number of frames; 0 when unknown
    char codec[32];
    char container[32];
} vc_info;

// Loads FFmpeg (dlopen, once per process). Returns 0, or -1 with `error` saying which library
// could not be loaded and how to provide it. The calls below load it themselves too.
int vc_ffmpeg_available(char *error, size_t error_size);

// Opens the first video stream of `path`. Returns 0, or -1 with `error` filled.
int vc_reader_open(const char *path, int threads, vc_reader **reader, vc_info *info, char *error, size_t error_size);
// Seeks to the last key frame at or before `seconds`; frames before it are then decoded and dropped by the caller.
int vc_reader_seek(vc_reader *reader, double seconds, char *error, size_t error_size);
// Decodes the next frame. When `rgb` is not NULL it receives width*height*3 bytes of RGB24.
// Returns 1 for a frame, 0 at the end of the stream, -1 with `error` filled.
// `damaged` counts packets the demuxer or decoder rejected so far (a truncated or corrupt file).
int vc_reader_next(vc_reader *reader, uint8_t *rgb, double *seconds, int *damaged, char *error, size_t error_size);
void vc_reader_close(vc_reader *reader);

// Writes RGB frames as H.264 (libx264 when present, else MPEG-4 part 2) in an MP4 file.
// `rotation` (clockwise degrees) is stored as display-matrix side data, as phones do.
int vc_writer_open(const char *path, int width, int height, int fps_num, int fps_den, int rotation,
                   vc_writer **writer, char *encoder_name, size_t encoder_name_size, char *error, size_t error_size);
int vc_writer_add(vc_writer *writer, const uint8_t *rgb, char *error, size_t error_size);
// Flushes, writes the trailer and frees the writer, whatever the result.
int vc_writer_finish(vc_writer *writer, char *error, size_t error_size);
