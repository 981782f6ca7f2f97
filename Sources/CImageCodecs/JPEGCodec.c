#include "ImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

// Hostile progressive files can hold thousands of tiny scans, each of which makes libjpeg
// walk every block of the image again; real encoders emit about ten. libjpeg has no limit of
// its own: djpeg's -maxscans stops from a progress monitor, as limit_scans does. The limit is
// ImageDecodingOptions.maxProgressiveScans (visage_jpeg_set_max_scans); this is its default.
#define VISAGE_JPEG_DEFAULT_MAX_SCANS 100

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    // Whether running out of data counts as truncation even if no missing bit was needed:
    // see emit_message.
    int end_of_data_is_fatal;
    // Once every scanline is out, problems at the end of the file (a missing EOI) no
    // longer affect the pixels, so they stop being fatal.
    int pixels_complete;
    // Set when decoding stopped because the file has more scans than allowed.
    int too_many_scans;
    char message[JMSG_LENGTH_MAX];
} visage_jpeg_error;

struct visage_jpeg_decoder {
    // First, so that limit_scans finds the decoder from the cinfo libjpeg hands it.
    struct jpeg_decompress_struct cinfo;
    visage_jpeg_error error;
    struct jpeg_progress_mgr progress;
    int max_scans;
};

static void copy_message(char *destination, size_t capacity, const char *source) {
    if (destination == NULL || capacity == 0) return;
    snprintf(destination, capacity, "%s", source);
}

static void fail(j_common_ptr cinfo) {
    visage_jpeg_error *error = (visage_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, error->message);
    longjmp(error->jump, 1);
}

static void emit_message(j_common_ptr cinfo, int level) {
    visage_jpeg_error *error = (visage_jpeg_error *)cinfo->err;
    if (level >= 0) return;  // trace output, not a problem with the data
    // libjpeg answers a premature end by inventing an EOI and filling the rest of the
    // image with grey; a half-grey photo silently poisons every model downstream.
    // HIT_MARKER means the Huffman decoder needed bits that were not there: truncated.
    // JPEG_EOF only means the data ran out, which in a single Huffman scan also happens
    // when just the final EOI marker is missing (the decoder reads ahead), a harmless and
    // common defect. In progressive or arithmetic-coded files nothing else would notice
    // missing scans, so there it is fatal. Other warnings (extraneous bytes, odd markers)
    // leave the pixels intact and are tolerated, as OpenCV and Pillow do.
    int code = error->pub.msg_code;
    if (!error->pixels_complete) {
        if (code == JWRN_HIT_MARKER || (code == JWRN_JPEG_EOF && error->end_of_data_is_fatal)) fail(cinfo);
    }
    error->pub.num_warnings++;
}

// libjpeg calls the progress monitor before each iMCU row it reads, so a scan over the limit
// is stopped as soon as its marker is read, before its data is.
static void limit_scans(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    visage_jpeg_decoder *decoder = (visage_jpeg_decoder *)cinfo;
    if (decoder->cinfo.input_scan_number > decoder->max_scans) {
        visage_jpeg_error *error = (visage_jpeg_error *)cinfo->err;
        snprintf(error->message, sizeof error->message, "more than %d scans", decoder->max_scans);
        error->too_many_scans = 1;
        longjmp(error->jump, 1);
    }
}

static void install_error_handlers(visage_jpeg_error *error) {
    jpeg_std_error(&error->pub);
    error->pub.error_exit = fail;
    error->pub.emit_message = emit_message;
    error->end_of_data_is_fatal = 1;
    error->pixels_complete = 0;
    error->too_many_scans = 0;
    error->message[0] = '\0';
}

visage_codec_status visage_jpeg_open(const uint8_t *data, size_t size, visage_jpeg_decoder **decoder_out,
                                     visage_image_header *header, char *message, size_t message_capacity) {
    *decoder_out = NULL;
    visage_jpeg_decoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) {
        copy_message(message, message_capacity, "out of memory");
        return VISAGE_CODEC_FAILED;
    }
    decoder->cinfo.err = &decoder->error.pub;
    install_error_handlers(&decoder->error);
    if (setjmp(decoder->error.jump)) {
        copy_message(message, message_capacity, decoder->error.message);
        jpeg_destroy_decompress(&decoder->cinfo);
        free(decoder);
        return VISAGE_CODEC_CORRUPT;
    }
    jpeg_create_decompress(&decoder->cinfo);
    decoder->max_scans = VISAGE_JPEG_DEFAULT_MAX_SCANS;
    decoder->progress.progress_monitor = limit_scans;
    decoder->cinfo.progress = &decoder->progress;
    jpeg_mem_src(&decoder->cinfo, data, (unsigned long)size);
    jpeg_read_header(&decoder->cinfo, TRUE);
    decoder->error.end_of_data_is_fatal = jpeg_has_multiple_scans(&decoder->cinfo) || decoder->cinfo.arith_code;

    switch (decoder->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_RGB:
    case JCS_YCbCr:
    case JCS_CMYK:
    case JCS_YCCK:
        break;
    default: {
        char reason[80];
        snprintf(reason, sizeof reason, "it is a JPEG with %d components in an unknown colour space",
                 decoder->cinfo.num_components);
        copy_message(message, message_capacity, reason);
        jpeg_destroy_decompress(&decoder->cinfo);
        free(decoder);
        return VISAGE_CODEC_UNSUPPORTED;
    }
    }
    header->width = (int32_t)decoder->cinfo.image_width;
    header->height = (int32_t)decoder->cinfo.image_height;
    *decoder_out = decoder;
    return VISAGE_CODEC_OK;
}

// Adobe writes CMYK JPEGs with every sample inverted (0 = full ink), which is what
// Photoshop and nearly every CMYK JPEG in the wild uses; the plain form is the rare case.
static void cmyk_row_to_rgb(const JSAMPLE *cmyk, uint8_t *rgb, JDIMENSION width, int inverted) {
    for (JDIMENSION x = 0; x < width; x++, cmyk += 4, rgb += 3) {
        unsigned c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
        if (!inverted) {
            c = 255 - c, m = 255 - m, y = 255 - y, k = 255 - k;
        }
        rgb[0] = (uint8_t)((c * k + 127) / 255);
        rgb[1] = (uint8_t)((m * k + 127) / 255);
        rgb[2] = (uint8_t)((y * k + 127) / 255);
    }
}

visage_codec_status visage_jpeg_scaled_size(visage_jpeg_decoder *decoder, int32_t reduction,
                                            visage_image_header *header) {
    if (reduction != 1 && reduction != 2 && reduction != 4 && reduction != 8) return VISAGE_CODEC_FAILED;
    // jpeg_calc_output_dimensions only does arithmetic on header fields; it cannot fail here.
    decoder->cinfo.scale_num = 1;
    decoder->cinfo.scale_denom = (unsigned int)reduction;
    jpeg_calc_output_dimensions(&decoder->cinfo);
    header->width = (int32_t)decoder->cinfo.output_width;
    header->height = (int32_t)decoder->cinfo.output_height;
    return VISAGE_CODEC_OK;
}

visage_codec_status visage_jpeg_decode_rgb(visage_jpeg_decoder *decoder, uint8_t *rgb, char *message,
                                           size_t message_capacity) {
    return visage_jpeg_decode_region_rgb(decoder, 1, 0, 0, (int32_t)decoder->cinfo.image_width,
                                         (int32_t)decoder->cinfo.image_height, rgb, message, message_capacity);
}

visage_codec_status visage_jpeg_decode_region_rgb(visage_jpeg_decoder *decoder, int32_t reduction, int32_t x,
                                                  int32_t y, int32_t width, int32_t height, uint8_t *rgb,
                                                  char *message, size_t message_capacity) {
    struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
    visage_image_header scaled;
    if (visage_jpeg_scaled_size(decoder, reduction, &scaled) != VISAGE_CODEC_OK) {
        copy_message(message, message_capacity, "the reduction must be 1, 2, 4 or 8");
        return VISAGE_CODEC_FAILED;
    }
    if (x < 0 || y < 0 || width <= 0 || height <= 0 || x > scaled.width - width || y > scaled.height - height) {
        char reason[120];
        snprintf(reason, sizeof reason, "the region %dx%d at (%d, %d) is outside the %dx%d image", width, height, x, y,
                 scaled.width, scaled.height);
        copy_message(message, message_capacity, reason);
        return VISAGE_CODEC_FAILED;
    }
    // Only the arguments, never changed below, are read after a longjmp back here.
    if (setjmp(decoder->error.jump)) {
        copy_message(message, message_capacity, decoder->error.message);
        if (decoder->error.too_many_scans) return VISAGE_CODEC_TOO_MANY_SCANS;
        if (decoder->error.pixels_complete) return VISAGE_CODEC_OK;
        return VISAGE_CODEC_CORRUPT;
    }
    const int cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
    // libjpeg-turbo converts grey, YCbCr and RGB to RGB itself, straight into our rows.
    cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGB;
    jpeg_start_decompress(cinfo);

    const int whole = x == 0 && y == 0 && (JDIMENSION)width == cinfo->output_width &&
                      (JDIMENSION)height == cinfo->output_height;
    // libjpeg-turbo decodes (IDCT, upsampling, colour) only the iMCU columns that hold the
    // requested ones and skips rows above the region without producing them; the entropy
    // decoding of those rows still happens, since a Huffman stream cannot be entered midway.
    // The crop widens the column range to iMCU boundaries: `first` is where ours start in it.
    // Chroma upsampling blends each pixel with its neighbours, and the pixels next to a crop or
    // skip edge were measured to differ from the whole decode's (up to 472 of a region's pixels
    // on the group photo): decode a margin of VISAGE_JPEG_EDGE (more than one iMCU, 16 pixels
    // at most) on every side that has one, and drop it.
    enum { VISAGE_JPEG_EDGE = 32 };
    const JDIMENSION padded_x = x > VISAGE_JPEG_EDGE ? (JDIMENSION)x - VISAGE_JPEG_EDGE : 0;
    const JDIMENSION padded_end = (JDIMENSION)(x + width) + VISAGE_JPEG_EDGE < cinfo->output_width
                                      ? (JDIMENSION)(x + width) + VISAGE_JPEG_EDGE
                                      : cinfo->output_width;
    const JDIMENSION padded_y = y > VISAGE_JPEG_EDGE ? (JDIMENSION)y - VISAGE_JPEG_EDGE : 0;
    JDIMENSION crop_x = padded_x, crop_width = padded_end - padded_x;
    if (crop_width != cinfo->output_width) jpeg_crop_scanline(cinfo, &crop_x, &crop_width);
    const size_t first = (size_t)((JDIMENSION)x - crop_x);
    if (padded_y > 0 && jpeg_skip_scanlines(cinfo, padded_y) != padded_y) {
        copy_message(message, message_capacity, "the data ends before the requested rows");
        return VISAGE_CODEC_CORRUPT;
    }
    const size_t stride = (size_t)width * 3;
    const JDIMENSION last = (JDIMENSION)y + (JDIMENSION)height;
    if (cmyk || first != 0 || crop_width != (JDIMENSION)width || padded_y != (JDIMENSION)y) {
        // One decoded row at a time into libjpeg's own pool (freed with the decoder), then
        // our columns are converted or copied out.
        const int components = cmyk ? 4 : 3;
        JSAMPARRAY row = (*cinfo->mem->alloc_sarray)((j_common_ptr)cinfo, JPOOL_IMAGE, crop_width * components, 1);
        while (cinfo->output_scanline < last) {
            const JDIMENSION line = cinfo->output_scanline;
            jpeg_read_scanlines(cinfo, row, 1);
            if (line < (JDIMENSION)y) continue;  // the top margin
            uint8_t *target = rgb + (size_t)(line - (JDIMENSION)y) * stride;
            if (cmyk)
                cmyk_row_to_rgb(row[0] + first * 4, target, (JDIMENSION)width, cinfo->saw_Adobe_marker);
            else
                memcpy(target, row[0] + first * 3, stride);
        }
    } else {
        JSAMPROW rows[8];
        while (cinfo->output_scanline < last) {
            JDIMENSION remaining = last - cinfo->output_scanline;
            JDIMENSION count = remaining < 8 ? remaining : 8;
            for (JDIMENSION i = 0; i < count; i++)
                rows[i] = rgb + (size_t)(cinfo->output_scanline - (JDIMENSION)y + i) * stride;
            jpeg_read_scanlines(cinfo, rows, count);
        }
    }
    decoder->error.pixels_complete = 1;
    if (whole) {
        jpeg_finish_decompress(cinfo);
    } else {
        // The rows below the region are not needed: stop without reading them (finishing
        // would insist on every scanline). The decoder cannot be used again after this.
        jpeg_abort_decompress(cinfo);
    }
    return VISAGE_CODEC_OK;
}

void visage_jpeg_set_max_scans(visage_jpeg_decoder *decoder, int32_t max_scans) {
    decoder->max_scans = max_scans > 0 ? max_scans : 1;
}

void visage_jpeg_close(visage_jpeg_decoder *decoder) {
    if (decoder == NULL) return;
    jpeg_destroy_decompress(&decoder->cinfo);
    free(decoder);
}

typedef struct {
    struct jpeg_compress_struct cinfo;
    visage_jpeg_error error;
    unsigned char *buffer;
    unsigned long size;
} visage_jpeg_encoder;

visage_codec_status visage_jpeg_encode_rgb(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                                           visage_codec_buffer *output, char *message, size_t message_capacity) {
    output->data = NULL;
    output->size = 0;
    // On the heap so that nothing setjmp's caller frame holds changes between setjmp and longjmp.
    visage_jpeg_encoder *encoder = calloc(1, sizeof *encoder);
    if (encoder == NULL) {
        copy_message(message, message_capacity, "out of memory");
        return VISAGE_CODEC_FAILED;
    }
    encoder->cinfo.err = &encoder->error.pub;
    install_error_handlers(&encoder->error);
    if (setjmp(encoder->error.jump)) {
        copy_message(message, message_capacity, encoder->error.message);
        jpeg_destroy_compress(&encoder->cinfo);
        free(encoder->buffer);
        free(encoder);
        return VISAGE_CODEC_FAILED;
    }
    jpeg_create_compress(&encoder->cinfo);
    jpeg_mem_dest(&encoder->cinfo, &encoder->buffer, &encoder->size);
    encoder->cinfo.image_width = (JDIMENSION)width;
    encoder->cinfo.image_height = (JDIMENSION)height;
    encoder->cinfo.input_components = 3;
    encoder->cinfo.in_color_space = JCS_EXT_RGB;
    jpeg_set_defaults(&encoder->cinfo);
    jpeg_set_quality(&encoder->cinfo, quality, TRUE);
    jpeg_start_compress(&encoder->cinfo, TRUE);
    const size_t stride = (size_t)width * 3;
    JSAMPROW rows[8];
    while (encoder->cinfo.next_scanline < encoder->cinfo.image_height) {
        JDIMENSION remaining = encoder->cinfo.image_height - encoder->cinfo.next_scanline;
        JDIMENSION count = remaining < 8 ? remaining : 8;
        // libjpeg's row type is not const but it only reads input rows.
        for (JDIMENSION i = 0; i < count; i++)
            rows[i] = (JSAMPROW)(rgb + (size_t)(encoder->cinfo.next_scanline + i) * stride);
        jpeg_write_scanlines(&encoder->cinfo, rows, count);
    }
    jpeg_finish_compress(&encoder->cinfo);
    jpeg_destroy_compress(&encoder->cinfo);
    output->data = encoder->buffer;
    output->size = encoder->size;
    free(encoder);
    return VISAGE_CODEC_OK;
}

void visage_codec_free(void *data) { free(data); }
