#include "VideoCodecs.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <math.h>

#include "FFmpegLoader.h"
#include <stdio.h>
#include <string.h>

int vc_ffmpeg_available(char *error, size_t error_size) { return vc_ffmpeg_load(error, error_size); }

static void set_error(char *error, size_t size, const char *what, int code) {
    if (!error || size == 0) return;
    if (code < 0) {
        char text[AV_ERROR_MAX_STRING_SIZE] = {0};
        av_strerror(code, text, sizeof text);
        snprintf(error, size, "%s: %s", what, text);
    } else {
        snprintf(error, size, "%s", what);
    }
}

struct vc_reader {
    AVFormatContext *format;
    AVCodecContext *codec;
    struct SwsContext *scaler;
    AVPacket *packet;
    AVFrame *frame;
    AVFrame *rgb;  // swscale may write past the end of a tight buffer: it converts into this padded one
    int stream;
    int width, height;
    int draining;
    int damaged;
    double time_base;
    int64_t start_pts;
};

int vc_reader_open(const char *path, int threads, vc_reader **out, vc_info *info, char *error, size_t error_size) {
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (vc_ffmpeg_load(error, error_size) != 0) return -1;
    // Every failure reaches the caller as an error naming the file; FFmpeg's own log lines
    // on stderr would only repeat it, out of context.
    av_log_set_level(AV_LOG_QUIET);
    vc_reader *r = av_mallocz(sizeof *r);
    if (!r) { set_error(error, error_size, "out of memory", 0); return -1; }
    int code = avformat_open_input(&r->format, path, NULL, NULL);
    if (code < 0) { set_error(error, error_size, "not a readable container", code); av_free(r); return -1; }
    code = avformat_find_stream_info(r->format, NULL);
    if (code < 0) { set_error(error, error_size, "cannot read stream information", code); goto fail; }
    const AVCodec *decoder = NULL;
    r->stream = av_find_best_stream(r->format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (r->stream == AVERROR_STREAM_NOT_FOUND) { set_error(error, error_size, "no video stream", 0); goto fail; }
    if (r->stream < 0 || !decoder) { set_error(error, error_size, "no decoder for the video stream's codec", r->stream < 0 ? r->stream : 0); goto fail; }
    AVStream *stream = r->format->streams[r->stream];
    r->codec = avcodec_alloc_context3(decoder);
    if (!r->codec) { set_error(error, error_size, "out of memory", 0); goto fail; }
    avcodec_parameters_to_context(r->codec, stream->codecpar);
    r->codec->thread_count = threads > 0 ? threads : 1;
    code = avcodec_open2(r->codec, decoder, NULL);
    if (code < 0) { set_error(error, error_size, "cannot open the decoder", code); goto fail; }
    if (r->codec->width <= 0 || r->codec->height <= 0) { set_error(error, error_size, "the video stream has no frame size", 0); goto fail; }
    r->packet = av_packet_alloc();
    r->frame = av_frame_alloc();
    if (!r->packet || !r->frame) { set_error(error, error_size, "out of memory", 0); goto fail; }
    r->width = r->codec->width;
    r->height = r->codec->height;
    r->time_base = av_q2d(stream->time_base);
    r->start_pts = stream->start_time == AV_NOPTS_VALUE ? 0 : stream->start_time;

    info->width = r->width;
    info->height = r->height;
    AVRational rate = stream->avg_frame_rate.num > 0 ? stream->avg_frame_rate : stream->r_frame_rate;
    info->fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0;
    if (stream->duration != AV_NOPTS_VALUE) info->duration = stream->duration * r->time_base;
    else if (r->format->duration != AV_NOPTS_VALUE) info->duration = (double)r->format->duration / AV_TIME_BASE;
    info->frame_count = stream->nb_frames > 0 ? stream->nb_frames : 0;
    snprintf(info->codec, sizeof info->codec, "%s", decoder->name);
    snprintf(info->container, sizeof info->container, "%s", r->format->iformat->name);
    const int32_t *matrix = (const int32_t *)av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (matrix) {
        // av_display_rotation_get is counter-clockwise; players turn the picture the other way.
        double degrees = -av_display_rotation_get(matrix);
        if (!isnan(degrees)) {
            int quarter = (int)lround(degrees / 90.0);
            info->rotation = ((quarter % 4) + 4) % 4 * 90;
        }
    }
    *out = r;
    return 0;
fail:
    vc_reader_close(r);
    return -1;
}

int vc_reader_seek(vc_reader *r, double seconds, char *error, size_t error_size) {
    int64_t target = r->start_pts + (int64_t)(seconds / r->time_base);
    int code = av_seek_frame(r->format, r->stream, target, AVSEEK_FLAG_BACKWARD);
    if (code < 0) { set_error(error, error_size, "cannot seek", code); return -1; }
    avcodec_flush_buffers(r->codec);
    r->draining = 0;
    return 0;
}

static int convert(vc_reader *r, uint8_t *rgb, char *error, size_t error_size) {
    r->scaler = sws_getCachedContext(r->scaler, r->frame->width, r->frame->height, r->frame->format,
                                     r->width, r->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
    if (!r->scaler) { set_error(error, error_size, "cannot convert the frame's pixel format to RGB", 0); return -1; }
    if (!r->rgb) {
        r->rgb = av_frame_alloc();
        if (!r->rgb) { set_error(error, error_size, "out of memory", 0); return -1; }
        r->rgb->format = AV_PIX_FMT_RGB24;
        r->rgb->width = r->width;
        r->rgb->height = r->height;
        int code = av_frame_get_buffer(r->rgb, 0);
        if (code < 0) { av_frame_free(&r->rgb); set_error(error, error_size, "out of memory", code); return -1; }
    }
    sws_scale(r->scaler, (const uint8_t *const *)r->frame->data, r->frame->linesize, 0, r->frame->height, r->rgb->data, r->rgb->linesize);
    for (int y = 0; y < r->height; y++) memcpy(rgb + (size_t)y * r->width * 3, r->rgb->data[0] + (size_t)y * r->rgb->linesize[0], (size_t)r->width * 3);
    return 0;
}

int vc_reader_next(vc_reader *r, uint8_t *rgb, double *seconds, int *damaged, char *error, size_t error_size) {
    for (;;) {
        int code = avcodec_receive_frame(r->codec, r->frame);
        if (code == 0) {
            int64_t pts = r->frame->best_effort_timestamp;
            *seconds = pts == AV_NOPTS_VALUE ? -1 : (pts - r->start_pts) * r->time_base;
            int result = 1;
            if (rgb && convert(r, rgb, error, error_size) < 0) result = -1;
            av_frame_unref(r->frame);
            *damaged = r->damaged;
            return result;
        }
        if (code == AVERROR_EOF) { *damaged = r->damaged; return 0; }
        if (code != AVERROR(EAGAIN)) { set_error(error, error_size, "decoding failed", code); return -1; }
        if (r->draining) { *damaged = r->damaged; return 0; }
        // The decoder wants input: feed it the next packet of our stream.
        for (;;) {
            code = av_read_frame(r->format, r->packet);
            if (code < 0) {
                if (code != AVERROR_EOF) r->damaged++;
                r->draining = 1;
                avcodec_send_packet(r->codec, NULL);
                break;
            }
            if (r->packet->stream_index != r->stream) { av_packet_unref(r->packet); continue; }
            code = avcodec_send_packet(r->codec, r->packet);
            av_packet_unref(r->packet);
            if (code < 0 && code != AVERROR(EAGAIN)) { r->damaged++; continue; }
            break;
        }
    }
}

void vc_reader_close(vc_reader *r) {
    if (!r) return;
    sws_freeContext(r->scaler);
    av_frame_free(&r->rgb);
    av_frame_free(&r->frame);
    av_packet_free(&r->packet);
    avcodec_free_context(&r->codec);
    avformat_close_input(&r->format);
    av_free(r);
}

struct vc_writer {
    AVFormatContext *format;
    AVCodecContext *codec;
    AVStream *stream;
    struct SwsContext *scaler;
    AVFrame *frame;
    AVFrame *rgb;  // padded copy of the caller's tight RGB rows, for swscale's wide reads
    AVPacket *packet;
    int width, height;
    int64_t next_pts;
};

static int drain(vc_writer *w, char *error, size_t error_size) {
    for (;;) {
        int code = avcodec_receive_packet(w->codec, w->packet);
        if (code == AVERROR(EAGAIN) || code == AVERROR_EOF) return 0;
        if (code < 0) { set_error(error, error_size, "encoding failed", code); return -1; }
        av_packet_rescale_ts(w->packet, w->codec->time_base, w->stream->time_base);
        w->packet->stream_index = w->stream->index;
        code = av_interleaved_write_frame(w->format, w->packet);
        if (code < 0) { set_error(error, error_size, "cannot write a packet", code); return -1; }
    }
}

static void free_writer(vc_writer *w) {
    if (!w) return;
    sws_freeContext(w->scaler);
    av_frame_free(&w->rgb);
    av_frame_free(&w->frame);
    av_packet_free(&w->packet);
    avcodec_free_context(&w->codec);
    if (w->format) {
        if (w->format->pb) avio_closep(&w->format->pb);
        avformat_free_context(w->format);
    }
    av_free(w);
}

int vc_writer_open(const char *path, int width, int height, int fps_num, int fps_den, int rotation,
                   vc_writer **out, char *encoder_name, size_t encoder_name_size, char *error, size_t error_size) {
    *out = NULL;
    if (vc_ffmpeg_load(error, error_size) != 0) return -1;
    vc_writer *w = av_mallocz(sizeof *w);
    if (!w) { set_error(error, error_size, "out of memory", 0); return -1; }
    w->width = width;
    w->height = height;
    int code = avformat_alloc_output_context2(&w->format, NULL, "mp4", path);
    if (code < 0) { set_error(error, error_size, "cannot create an MP4 container", code); goto fail; }
    const AVCodec *encoder = avcodec_find_encoder_by_name("libx264");
    if (!encoder) encoder = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!encoder) { set_error(error, error_size, "this FFmpeg has neither libx264 nor an MPEG-4 encoder", 0); goto fail; }
    snprintf(encoder_name, encoder_name_size, "%s", encoder->name);
    w->stream = avformat_new_stream(w->format, NULL);
    w->codec = avcodec_alloc_context3(encoder);
    if (!w->stream || !w->codec) { set_error(error, error_size, "out of memory", 0); goto fail; }
    // 4:2:0 needs even dimensions; the odd last row or column is dropped by the scaler.
    w->codec->width = width & ~1;
    w->codec->height = height & ~1;
    w->codec->pix_fmt = AV_PIX_FMT_YUV420P;
    w->codec->time_base = (AVRational){fps_den, fps_num};
    w->codec->framerate = (AVRational){fps_num, fps_den};
    w->codec->gop_size = 12;
    w->codec->thread_count = 1;
    if (w->format->oformat->flags & AVFMT_GLOBALHEADER) w->codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (strcmp(encoder->name, "libx264") == 0) {
        av_opt_set(w->codec->priv_data, "preset", "veryfast", 0);
        av_opt_set(w->codec->priv_data, "crf", "23", 0);
    } else {
        w->codec->bit_rate = (int64_t)width * height * 4;
    }
    code = avcodec_open2(w->codec, encoder, NULL);
    if (code < 0) { set_error(error, error_size, "cannot open the encoder", code); goto fail; }
    avcodec_parameters_from_context(w->stream->codecpar, w->codec);
    w->stream->time_base = w->codec->time_base;
    if (rotation % 360 != 0) {
        uint8_t *matrix = av_stream_new_side_data(w->stream, AV_PKT_DATA_DISPLAYMATRIX, sizeof(int32_t) * 9);
        if (!matrix) { set_error(error, error_size, "out of memory", 0); goto fail; }
        // The inverse of the reader's reading: av_display_rotation_get(av_display_rotation_set(a)) is -a
        // in this FFmpeg, and the reader turns by -get, as the ffmpeg tool's autorotate does.
        av_display_rotation_set((int32_t *)matrix, (double)rotation);
    }
    code = avio_open(&w->format->pb, path, AVIO_FLAG_WRITE);
    if (code < 0) { set_error(error, error_size, "cannot create the file", code); goto fail; }
    code = avformat_write_header(w->format, NULL);
    if (code < 0) { set_error(error, error_size, "cannot write the MP4 header", code); goto fail; }
    w->frame = av_frame_alloc();
    w->rgb = av_frame_alloc();
    w->packet = av_packet_alloc();
    if (!w->frame || !w->rgb || !w->packet) { set_error(error, error_size, "out of memory", 0); goto fail; }
    w->rgb->format = AV_PIX_FMT_RGB24;
    w->rgb->width = width;
    w->rgb->height = height;
    code = av_frame_get_buffer(w->rgb, 0);
    if (code < 0) { set_error(error, error_size, "out of memory", code); goto fail; }
    w->frame->format = AV_PIX_FMT_YUV420P;
    w->frame->width = w->codec->width;
    w->frame->height = w->codec->height;
    code = av_frame_get_buffer(w->frame, 0);
    if (code < 0) { set_error(error, error_size, "out of memory", code); goto fail; }
    w->scaler = sws_getContext(width, height, AV_PIX_FMT_RGB24, w->codec->width, w->codec->height, AV_PIX_FMT_YUV420P,
                               SWS_BILINEAR, NULL, NULL, NULL);
    if (!w->scaler) { set_error(error, error_size, "cannot convert RGB to YUV", 0); goto fail; }
    *out = w;
    return 0;
fail:
    free_writer(w);
    return -1;
}

int vc_writer_add(vc_writer *w, const uint8_t *rgb, char *error, size_t error_size) {
    int code = av_frame_make_writable(w->frame);
    if (code < 0) { set_error(error, error_size, "out of memory", code); return -1; }
    for (int y = 0; y < w->height; y++) memcpy(w->rgb->data[0] + (size_t)y * w->rgb->linesize[0], rgb + (size_t)y * w->width * 3, (size_t)w->width * 3);
    sws_scale(w->scaler, (const uint8_t *const *)w->rgb->data, w->rgb->linesize, 0, w->height, w->frame->data, w->frame->linesize);
    w->frame->pts = w->next_pts++;
    code = avcodec_send_frame(w->codec, w->frame);
    if (code < 0) { set_error(error, error_size, "encoding failed", code); return -1; }
    return drain(w, error, error_size);
}

int vc_writer_finish(vc_writer *w, char *error, size_t error_size) {
    int result = 0;
    avcodec_send_frame(w->codec, NULL);
    if (drain(w, error, error_size) < 0) result = -1;
    int code = av_write_trailer(w->format);
    if (code < 0 && result == 0) { set_error(error, error_size, "cannot finish the MP4 file", code); result = -1; }
    free_writer(w);
    return result;
}
