#include "ImageCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

struct visage_png_decoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t offset;
    char message[256];
};

static void copy_message(char *destination, size_t capacity, const char *source) {
    if (destination == NULL || capacity == 0) return;
    snprintf(destination, capacity, "%s", source);
}

static void read_bytes(png_structp png, png_bytep target, size_t length) {
    struct visage_png_decoder *decoder = png_get_io_ptr(png);
    if (length > decoder->size - decoder->offset) png_error(png, "file ends before the image data does");
    memcpy(target, decoder->data + decoder->offset, length);
    decoder->offset += length;
}

static void record_error(png_structp png, png_const_charp text) {
    char *message = png_get_error_ptr(png);
    snprintf(message, 256, "%s", text);
    png_longjmp(png, 1);
}

// Warnings are about ancillary chunks (a bad iCCP profile, a CRC error in a text chunk)
// that libpng has already skipped; the pixels are fine.
static void ignore_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void destroy(struct visage_png_decoder *decoder) {
    png_destroy_read_struct(&decoder->png, &decoder->info, NULL);
    free(decoder);
}

visage_codec_status visage_png_open(const uint8_t *data, size_t size, visage_png_decoder **decoder_out,
                                    visage_image_header *header, char *message, size_t message_capacity) {
    *decoder_out = NULL;
    struct visage_png_decoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) {
        copy_message(message, message_capacity, "out of memory");
        return VISAGE_CODEC_FAILED;
    }
    decoder->data = data;
    decoder->size = size;
    decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder->message, record_error, ignore_warning);
    if (decoder->png != NULL) decoder->info = png_create_info_struct(decoder->png);
    if (decoder->png == NULL || decoder->info == NULL) {
        copy_message(message, message_capacity, "out of memory");
        destroy(decoder);
        return VISAGE_CODEC_FAILED;
    }
    if (setjmp(png_jmpbuf(decoder->png))) {
        copy_message(message, message_capacity, decoder->message);
        destroy(decoder);
        return VISAGE_CODEC_CORRUPT;
    }
    png_set_read_fn(decoder->png, decoder, read_bytes);
    png_read_info(decoder->png, decoder->info);
    header->width = (int32_t)png_get_image_width(decoder->png, decoder->info);
    header->height = (int32_t)png_get_image_height(decoder->png, decoder->info);
    *decoder_out = decoder;
    return VISAGE_CODEC_OK;
}

visage_codec_status visage_png_decode_rgb(visage_png_decoder *decoder, uint8_t *rgb, char *message,
                                          size_t message_capacity) {
    png_structp png = decoder->png;
    png_infop info = decoder->info;
    if (setjmp(png_jmpbuf(png))) {
        copy_message(message, message_capacity, decoder->message);
        return VISAGE_CODEC_CORRUPT;
    }
    const png_uint_32 width = png_get_image_width(png, info);
    const png_uint_32 height = png_get_image_height(png, info);
    const int color_type = png_get_color_type(png, info);
    // Rounded scaling, not the high byte, so 16-bit white stays 255 and mid-grey stays centred.
    if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
        png_set_expand_gray_1_2_4_to_8(png);
        png_set_gray_to_rgb(png);
    }
    // Alpha is dropped rather than composited, matching OpenCV's IMREAD_COLOR: the
    // colour under a transparent pixel is what the models would see in any other tool.
    if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 3) png_error(png, "unexpected row layout after conversion");
    const size_t stride = (size_t)width * 3;
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < height; y++) png_read_row(png, rgb + (size_t)y * stride, NULL);
    }
    // The trailing chunks (IEND, late text) are not read: they cannot change the pixels,
    // and a file cut just after its last IDAT is still a whole image.
    return VISAGE_CODEC_OK;
}

void visage_png_close(visage_png_decoder *decoder) {
    if (decoder != NULL) destroy(decoder);
}

typedef struct {
    png_structp png;
    png_infop info;
    uint8_t *data;
    size_t size;
    size_t capacity;
    char message[256];
} visage_png_encoder;

static void write_bytes(png_structp png, png_bytep source, size_t length) {
    visage_png_encoder *encoder = png_get_io_ptr(png);
    if (length > encoder->capacity - encoder->size) {
        size_t capacity = encoder->capacity ? encoder->capacity : 64 * 1024;
        while (length > capacity - encoder->size) capacity *= 2;
        uint8_t *grown = realloc(encoder->data, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        encoder->data = grown;
        encoder->capacity = capacity;
    }
    memcpy(encoder->data + encoder->size, source, length);
    encoder->size += length;
}

static void flush_nothing(png_structp png) { (void)png; }

visage_codec_status visage_png_encode_rgb(const uint8_t *rgb, int32_t width, int32_t height,
                                          visage_codec_buffer *output, char *message, size_t message_capacity) {
    output->data = NULL;
    output->size = 0;
    visage_png_encoder *encoder = calloc(1, sizeof *encoder);
    if (encoder == NULL) {
        copy_message(message, message_capacity, "out of memory");
        return VISAGE_CODEC_FAILED;
    }
    encoder->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, encoder->message, record_error, ignore_warning);
    if (encoder->png != NULL) encoder->info = png_create_info_struct(encoder->png);
    if (encoder->png == NULL || encoder->info == NULL) {
        copy_message(message, message_capacity, "out of memory");
        png_destroy_write_struct(&encoder->png, &encoder->info);
        free(encoder);
        return VISAGE_CODEC_FAILED;
    }
    if (setjmp(png_jmpbuf(encoder->png))) {
        copy_message(message, message_capacity, encoder->message);
        png_destroy_write_struct(&encoder->png, &encoder->info);
        free(encoder->data);
        free(encoder);
        return VISAGE_CODEC_FAILED;
    }
    png_set_write_fn(encoder->png, encoder, write_bytes, flush_nothing);
    png_set_IHDR(encoder->png, encoder->info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    // Annotated frames are written often and read rarely: favour speed over size with
    // the settings OpenCV's imwrite uses by default (SUB filter, zlib level 1, RLE).
    png_set_filter(encoder->png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_compression_level(encoder->png, Z_BEST_SPEED);
    png_set_compression_strategy(encoder->png, Z_RLE);
    png_write_info(encoder->png, encoder->info);
    const size_t stride = (size_t)width * 3;
    for (int32_t y = 0; y < height; y++) png_write_row(encoder->png, rgb + (size_t)y * stride);
    png_write_end(encoder->png, encoder->info);
    png_destroy_write_struct(&encoder->png, &encoder->info);
    output->data = encoder->data;
    output->size = encoder->size;
    free(encoder);
    return VISAGE_CODEC_OK;
}
